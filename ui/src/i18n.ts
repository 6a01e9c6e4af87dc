// Every word the UI shows, in typed catalogues per language. The annotator's words (`t()`, this
// file): English is the reference, and German must have every key with the same shape (the type
// checker refuses a missing or extra one). The PI's words (`pi()`, i18n/studio.ts: review,
// analysis, models, team, audit, the studio shell and the start screen): English is complete,
// and German falls back to it on purpose — German PI screens are English for now, one line in
// STUDIO below away from a translation that the type checker would then hold key for key.
// Texts from Rust (core's messages and cautions, report text) are data, not catalogue entries.
// The language comes from the system locale (WebKit's navigator.languages, from
// LANGUAGE/LC_ALL/LANG) unless the start screen's choice overrides it; numbers and dates are
// formatted for the same locale.
import { studioEn, type StudioMessages } from "./i18n/studio";

export type Language = "en" | "de";

export const LANGUAGES: { code: Language; name: string }[] = [
  { code: "en", name: "English" },
  { code: "de", name: "Deutsch" },
];

const en = {
  // Who is rating
  whoIsRating: "Who is rating?",
  studySummary: (study: string, profiles: number, dimensions: number) =>
    `Study: ${study} — ${profiles === 1 ? "1 profile" : `${profiles} profiles`}, ${dimensions === 1 ? "1 dimension" : `${dimensions} dimensions`}.`,
  continueAs: "Continue as",
  noRatersYet: "No raters yet: create one below.",
  newRater: "New rater",
  name: "Name",
  namePlaceholder: "Your name or initials",
  kindOfRater: "Kind of rater",
  humanAnnotator: "Human annotator",
  model: "Model",
  raterKind: (kind: string) => (kind === "model" ? "model" : kind === "human" ? "human" : kind),
  startRating: "Start rating",
  reviewingNotRating: "Reviewing, not rating?",
  reviewingNeedsNoRater: "Agreement, disagreements, codebook, state–trait analysis and team work need no rater.",
  reviewAndAnalysis: "Review & analysis",
  backToStart: "← Back to start",
  // Rating screen
  ratingAs: "Rating as ",
  change: "change",
  profilesDone: "Profiles done",
  queue: "Queue",
  queueTitle: "Queue (q)",
  instructions: "Instructions",
  shortcutsTitle: "Shortcuts (?)",
  closeStudy: "Close study",
  profileMaterial: "Profile material",
  codebook: "Codebook",
  ratings: "Ratings",
  previous: "Previous ",
  skip: "Skip ",
  saveAndNext: "Save & next ",
  noProfiles: "There are no profiles to rate in this study.",
  notePlaceholder: "Optional note on this profile (n)",
  note: "Note",
  confidence: "Confidence",
  confidenceLevels: ["very unsure", "unsure", "so-so", "fairly sure", "sure"] as string[],
  flagged: "⚑ Flagged",
  flagForLater: "⚐ Flag for later",
  saving: "Saving…",
  notSavedRetry: (n: number) => `${n} not saved — press r to retry`,
  allSaved: "All changes saved",
  flagNotSaved: (why: string) => `Could not save the flag: ${why}`,
  allRated: "All profiles are rated. You can revisit any of them from the queue (q).",
  noOtherLeft: "No other profile is left to rate; this one is still incomplete.",
  firstProfile: "This is the first profile.",
  notAValue: (digit: string, dimension: string) => `${digit} is not a value of ${dimension}.`,
  nothingToUndo: "Nothing to undo on this profile.",
  profileOf: (pos: number, total: number) => `Profile ${pos} of ${total}`,
  profilesDoneOf: (done: number, total: number) => `${done} of ${total} profile${total === 1 ? "" : "s"} done`,
  started: (n: number) => `${n} started`,
  flaggedCount: (n: number) => `${n} flagged`,
  guidelines: "Guidelines",
  profileOutsideQueue: "Profile outside your queue",
  queueLoading: "Loading your queue…",
  status: { empty: "Not rated", saving: "Saving…", saved: "Saved", failed: "Not saved" },
  cantJudgeSaved: ": can't judge",
  cantJudgeValue: "can't judge",
  cantJudge: " can't judge",
  cantJudgeTitle: "Can't judge: stored as such and left out of every statistic (not a midpoint)",
  anyValue: (min: number, max: number) => `Any value from ${min} to ${max}. Keys 0–9 jump along the range, ← → fine-tune.`,
  scaleRange: (min: number, max: number, level: string) => `Scale ${min}–${max} (${level}).`,
  categoriesOf: (level: string) => `Categories (${level}).`,
  person: "Person ",
  noMaterial: "This profile has no material.",
  retry: "Retry",
  notSavedNames: (names: string) => `Not saved: ${names}. Press r to retry, or Backspace to undo.`,
  reviewNotSaved: (why: string) => `The note and time on this profile were not saved: ${why}`,
  changedTimes: (n: number, chain: string, last: string) => `Changed ${n} ${n === 1 ? "time" : "times"}: ${chain} (last ${last})`,
  textN: (n: number) => `Text ${n}`,
  // Instructions
  instructionsOf: (codebook: string | null) => (codebook ? `Instructions: ${codebook}` : "Instructions"),
  readBefore: "Read these before the first profile. They stay under the Instructions button.",
  noGuidelines: "This codebook has no guidelines.",
  rating: "Rating",
  rateEach: (n: number) => `Rate each of the ${n} dimensions from this profile's material alone.`,
  cantJudgeHow: ["When the material says nothing about a dimension, choose ", "can't judge", " (key x). It is stored as such and left out of the statistics; a midpoint would count as a rating."] as [string, string, string],
  savedAsYouType: "Your ratings are saved as you type; other raters never see them, and you never see theirs.",
  screenReaderKeys: "With a screen reader: each dimension is a list of its points. In Orca 43, press Orca+Z once so that the digit keys rate instead of jumping to headings.",
  keyboardShortcuts: "Keyboard shortcuts",
  close: "Close",
  // Queue
  filterAll: "Filter by context, person or #id",
  filterContext: "Filter by context",
  filterProfiles: "Filter profiles",
  profiles: "Profiles",
  byDimension: "By dimension ",
  flaggedTitle: "flagged",
  noProfileMatches: "No profile matches.",
  progressByDimension: "Progress by dimension",
  progressUnavailable: (why: string) => `Progress by dimension unavailable: ${why}`,
  notDoneOnly: " not done only",
  allComplete: "— all complete",
  incompleteOf: (incomplete: number, total: number) => `— ${incomplete} of ${total} incomplete`,
  dimensionRated: (label: string) => `${label} rated`,
  toGo: (rated: number, assigned: number, missing: number) => `${rated}/${assigned} · ${missing} to go`,
  shortcuts: [
    ["1 … 9, 0, -", "rate the focused dimension and move to the next (- is the 11th point, e.g. 10 of 0–10)"],
    ["x", "can't judge the focused dimension (left out of the statistics)"],
    ["Tab / ↓", "next dimension"],
    ["Shift+Tab / ↑", "previous dimension"],
    ["← / →", "previous / next point of the scale (slider: one step)"],
    ["Enter", "save this profile and go to the next one"],
    ["Backspace / Ctrl+Z", "undo the last change"],
    ["s", "skip this profile for now"],
    ["f", "flag this profile for later (toggle)"],
    ["c", "confidence: next of the five levels, then none"],
    ["p", "back to the previous profile"],
    ["n", "write a note (Ctrl+Enter: save and next, Esc: back)"],
    ["q", "queue: progress per dimension, all profiles, jump to any"],
    ["r", "retry a save that failed"],
    ["?", "show / hide these shortcuts"],
  ] as [string, string][],
  // "Codebook changed" on the rating screen
  codebookChanged: "Codebook changed. ",
  codebookChangedHelp: "The PI edited the codebook after you rated some profiles: check the definitions and guidelines below before you go on.",
  // Errors (on every screen) and shared pieces
  errorLine: "Line",
  errorColumn: "Column",
  errorProblem: "Problem",
  errorHints: {
    locked: "Another window or program has this study open: close it there, then try again.",
    readOnly: "The study cannot be written here: copy it to a folder you can write to, or check its permissions.",
    newerSchema: "This study was written by a newer Chameleon Studio: update the app to open it.",
    notAStudy: "Choose a .chameleon study file.",
    noSuchStudy: "The file may have been moved or deleted: open it again from where it is now.",
    damaged: "Restore the study file from a backup or a colleague's copy.",
    noStudy: "Open a study first.",
    noRater: "Choose who is rating first.",
    alreadyRunning: "Wait for the running analysis to finish, or cancel it.",
  },
  loading: "Loading…",
  table: "Table",
  // Start screen
  language: "Language",
  systemLanguage: "System",
};

export type Messages = typeof en;

const de: Messages = {
  whoIsRating: "Wer bewertet?",
  studySummary: (study, profiles, dimensions) =>
    `Studie: ${study} — ${profiles === 1 ? "1 Profil" : `${fmt(profiles)} Profile`}, ${dimensions === 1 ? "1 Dimension" : `${fmt(dimensions)} Dimensionen`}.`,
  continueAs: "Weiter als",
  noRatersYet: "Noch keine Bewerter: unten einen anlegen.",
  newRater: "Neuer Bewerter",
  name: "Name",
  namePlaceholder: "Ihr Name oder Kürzel",
  kindOfRater: "Art des Bewerters",
  humanAnnotator: "Menschlicher Annotator",
  model: "Modell",
  raterKind: (kind) => (kind === "model" ? "Modell" : kind === "human" ? "Mensch" : kind),
  startRating: "Bewertung beginnen",
  reviewingNotRating: "Prüfen statt bewerten?",
  reviewingNeedsNoRater: "Übereinstimmung, Abweichungen, Codebuch, State-Trait-Analyse und Teamarbeit brauchen keinen Bewerter.",
  reviewAndAnalysis: "Auswertung",
  backToStart: "← Zurück zum Start",
  ratingAs: "Bewertet als ",
  change: "wechseln",
  profilesDone: "Erledigte Profile",
  queue: "Warteschlange",
  queueTitle: "Warteschlange (q)",
  instructions: "Anleitung",
  shortcutsTitle: "Tastenkürzel (?)",
  closeStudy: "Studie schließen",
  profileMaterial: "Material des Profils",
  codebook: "Codebuch",
  ratings: "Bewertungen",
  previous: "Zurück ",
  skip: "Überspringen ",
  saveAndNext: "Speichern & weiter ",
  noProfiles: "Diese Studie enthält keine Profile zum Bewerten.",
  notePlaceholder: "Optionale Notiz zu diesem Profil (n)",
  note: "Notiz",
  confidence: "Sicherheit",
  confidenceLevels: ["sehr unsicher", "unsicher", "mittel", "ziemlich sicher", "sicher"],
  flagged: "⚑ Markiert",
  flagForLater: "⚐ Für später markieren",
  saving: "Wird gespeichert…",
  notSavedRetry: (n) => `${fmt(n)} nicht gespeichert — r drücken, um es erneut zu versuchen`,
  allSaved: "Alles gespeichert",
  flagNotSaved: (why) => `Die Markierung konnte nicht gespeichert werden: ${why}`,
  allRated: "Alle Profile sind bewertet. Über die Warteschlange (q) können Sie jedes erneut öffnen.",
  noOtherLeft: "Kein anderes Profil ist mehr offen; dieses ist noch unvollständig.",
  firstProfile: "Dies ist das erste Profil.",
  notAValue: (digit, dimension) => `${digit} ist kein Wert von ${dimension}.`,
  nothingToUndo: "Bei diesem Profil gibt es nichts rückgängig zu machen.",
  profileOf: (pos, total) => `Profil ${fmt(pos)} von ${fmt(total)}`,
  profilesDoneOf: (done, total) => `${fmt(done)} von ${fmt(total)} ${total === 1 ? "Profil" : "Profilen"} erledigt`,
  started: (n) => `${fmt(n)} begonnen`,
  flaggedCount: (n) => `${fmt(n)} markiert`,
  guidelines: "Richtlinien",
  profileOutsideQueue: "Profil außerhalb Ihrer Warteschlange",
  queueLoading: "Ihre Warteschlange wird geladen…",
  status: { empty: "Nicht bewertet", saving: "Wird gespeichert…", saved: "Gespeichert", failed: "Nicht gespeichert" },
  cantJudgeSaved: ": nicht beurteilbar",
  cantJudgeValue: "nicht beurteilbar",
  cantJudge: " nicht beurteilbar",
  cantJudgeTitle: "Nicht beurteilbar: als solches gespeichert und aus jeder Statistik herausgenommen (kein Mittelwert)",
  anyValue: (min, max) => `Jeder Wert von ${fmt(min)} bis ${fmt(max)}. Tasten 0–9 springen im Bereich, ← → zur Feineinstellung.`,
  scaleRange: (min, max, level) => `Skala ${fmt(min)}–${fmt(max)} (${level}).`,
  categoriesOf: (level) => `Kategorien (${level}).`,
  person: "Person ",
  noMaterial: "Dieses Profil hat kein Material.",
  retry: "Erneut versuchen",
  notSavedNames: (names) => `Nicht gespeichert: ${names}. r drücken, um es erneut zu versuchen, oder Rücktaste, um es rückgängig zu machen.`,
  reviewNotSaved: (why) => `Notiz und Zeit dieses Profils wurden nicht gespeichert: ${why}`,
  changedTimes: (n, chain, last) => `${fmt(n)}-mal geändert: ${chain} (zuletzt ${last})`,
  textN: (n) => `Text ${fmt(n)}`,
  instructionsOf: (codebook) => (codebook ? `Anleitung: ${codebook}` : "Anleitung"),
  readBefore: "Bitte vor dem ersten Profil lesen. Die Anleitung bleibt unter der Schaltfläche „Anleitung“ erreichbar.",
  noGuidelines: "Dieses Codebuch hat keine Richtlinien.",
  rating: "Bewerten",
  rateEach: (n) => `Bewerten Sie jede der ${fmt(n)} Dimensionen allein anhand des Materials dieses Profils.`,
  cantJudgeHow: ["Wenn das Material zu einer Dimension nichts aussagt, wählen Sie ", "nicht beurteilbar", " (Taste x). Das wird als solches gespeichert und aus der Statistik herausgenommen; ein Mittelwert würde als Bewertung zählen."],
  savedAsYouType: "Ihre Bewertungen werden bei der Eingabe gespeichert; andere Bewerter sehen sie nie, und Sie sehen deren Bewertungen nie.",
  screenReaderKeys: "Mit einem Bildschirmleser: Jede Dimension ist eine Liste ihrer Stufen. In Orca 43 einmal Orca+Z drücken, damit die Zifferntasten bewerten, statt zu Überschriften zu springen.",
  keyboardShortcuts: "Tastenkürzel",
  close: "Schließen",
  filterAll: "Nach Kontext, Person oder #ID filtern",
  filterContext: "Nach Kontext filtern",
  filterProfiles: "Profile filtern",
  profiles: "Profile",
  byDimension: "Nach Dimension ",
  flaggedTitle: "markiert",
  noProfileMatches: "Kein Profil passt.",
  progressByDimension: "Fortschritt nach Dimension",
  progressUnavailable: (why) => `Fortschritt nach Dimension nicht verfügbar: ${why}`,
  notDoneOnly: " nur unerledigte",
  allComplete: "— alle vollständig",
  incompleteOf: (incomplete, total) => `— ${fmt(incomplete)} von ${fmt(total)} unvollständig`,
  dimensionRated: (label) => `${label} bewertet`,
  toGo: (rated, assigned, missing) => `${fmt(rated)}/${fmt(assigned)} · noch ${fmt(missing)}`,
  shortcuts: [
    ["1 … 9, 0, -", "die gewählte Dimension bewerten und zur nächsten gehen (- ist der 11. Punkt, z. B. 10 von 0–10)"],
    ["x", "die gewählte Dimension ist nicht beurteilbar (aus der Statistik herausgenommen)"],
    ["Tab / ↓", "nächste Dimension"],
    ["Umschalt+Tab / ↑", "vorige Dimension"],
    ["← / →", "voriger / nächster Punkt der Skala (Schieberegler: ein Schritt)"],
    ["Enter", "dieses Profil speichern und zum nächsten gehen"],
    ["Rücktaste / Strg+Z", "die letzte Änderung rückgängig machen"],
    ["s", "dieses Profil vorerst überspringen"],
    ["f", "dieses Profil für später markieren (umschalten)"],
    ["c", "Sicherheit: nächste der fünf Stufen, dann keine"],
    ["p", "zurück zum vorigen Profil"],
    ["n", "eine Notiz schreiben (Strg+Enter: speichern und weiter, Esc: zurück)"],
    ["q", "Warteschlange: Fortschritt je Dimension, alle Profile, zu jedem springen"],
    ["r", "ein fehlgeschlagenes Speichern erneut versuchen"],
    ["?", "diese Tastenkürzel zeigen / verbergen"],
  ],
  codebookChanged: "Codebuch geändert. ",
  codebookChangedHelp: "Die Studienleitung hat das Codebuch geändert, nachdem Sie einige Profile bewertet haben: Bitte prüfen Sie die Definitionen und Richtlinien unten, bevor Sie weitermachen.",
  errorLine: "Zeile",
  errorColumn: "Spalte",
  errorProblem: "Fehler",
  errorHints: {
    locked: "Ein anderes Fenster oder Programm hat diese Studie geöffnet: dort schließen und erneut versuchen.",
    readOnly: "Die Studie kann hier nicht geschrieben werden: in einen beschreibbaren Ordner kopieren oder die Rechte prüfen.",
    newerSchema: "Diese Studie stammt von einem neueren Chameleon Studio: bitte die App aktualisieren.",
    notAStudy: "Bitte eine .chameleon-Studiendatei wählen.",
    noSuchStudy: "Die Datei wurde vielleicht verschoben oder gelöscht: bitte dort öffnen, wo sie jetzt liegt.",
    damaged: "Die Studiendatei aus einer Sicherung oder der Kopie einer Kollegin wiederherstellen.",
    noStudy: "Bitte zuerst eine Studie öffnen.",
    noRater: "Bitte zuerst wählen, wer bewertet.",
    alreadyRunning: "Warten, bis die laufende Analyse fertig ist, oder sie abbrechen.",
  },
  loading: "Wird geladen…",
  table: "Tabelle",
  language: "Sprache",
  systemLanguage: "System",
};

const CATALOGUES: Record<Language, Messages> = { en, de };
/** The PI's screens: German is English for now (a choice, not a gap: no German key is missing,
 * the whole section is the English one). */
const STUDIO: Record<Language, StudioMessages> = { en: studioEn, de: studioEn };
/** Catalogues a test puts in place of the real ones (the pseudo-translation check). */
let testCatalogues: { messages: Messages; studio: StudioMessages } | null = null;
const OVERRIDE_KEY = "chameleon.language";

let language: Language = "en";

/** The language for these preferences (BCP 47 tags, most wanted first) and the user's choice. */
export function chooseLanguage(preferred: readonly string[], override: string | null): Language {
  if (override === "en" || override === "de") return override;
  for (const tag of preferred) {
    const base = tag.toLowerCase().split(/[-_]/)[0];
    if (base === "en" || base === "de") return base;
  }
  return "en";
}

/** The environment's languages (from the shell: WebKitGTK says en-US when the locale is not
 * installed), tried before the webview's own. */
let environment: readonly string[] = [];

/** Records the environment's preferred languages (at start-up, before the first screen). */
export function setEnvironmentLanguages(tags: readonly string[]): void {
  environment = tags;
}

/** The language the system's preferences give (what "System" on the start screen means). */
export function systemLanguage(): Language {
  const webview = typeof navigator !== "undefined" ? (navigator.languages?.length ? navigator.languages : [navigator.language]) : [];
  return chooseLanguage([...environment, ...webview], null);
}

/** Sets the language from the system's preferences and the stored choice (at start-up). */
export function initLanguage(): Language {
  let stored: string | null = null;
  try {
    stored = localStorage.getItem(OVERRIDE_KEY);
  } catch {
    // no storage (tests): the system's language
  }
  language = stored === "en" || stored === "de" ? stored : systemLanguage();
  if (typeof document !== "undefined") document.documentElement.lang = language;
  return language;
}

/** The user's choice on the start screen: a language, or null for the system's. */
export function overrideLanguage(choice: Language | null): Language {
  try {
    if (choice) localStorage.setItem(OVERRIDE_KEY, choice);
    else localStorage.removeItem(OVERRIDE_KEY);
  } catch {
    // no storage: the choice lasts this session
  }
  return initLanguageWith(choice);
}

function initLanguageWith(choice: Language | null): Language {
  if (choice) {
    language = choice;
    if (typeof document !== "undefined") document.documentElement.lang = language;
    return language;
  }
  return initLanguage();
}

/** The stored choice (null: follow the system). */
export function languageOverride(): Language | null {
  try {
    const v = localStorage.getItem(OVERRIDE_KEY);
    return v === "en" || v === "de" ? v : null;
  } catch {
    return null;
  }
}

export function currentLanguage(): Language {
  return language;
}

/** The current language's words. */
export function t(): Messages {
  return testCatalogues?.messages ?? CATALOGUES[language];
}

/** The current language's words for the PI's screens. */
export function pi(): StudioMessages {
  return testCatalogues?.studio ?? STUDIO[language];
}

/** The PI's catalogue of a language (tests compare them). */
export function studioCatalogue(l: Language): StudioMessages {
  return STUDIO[l];
}

/** Tests only: render with these catalogues (null: the real ones again). */
export function setCataloguesForTests(c: { messages: Messages; studio: StudioMessages } | null): void {
  testCatalogues = c;
}

/** The catalogue of a language (tests compare them). */
export function catalogue(l: Language): Messages {
  return CATALOGUES[l];
}

/** A number for the current locale (German: 1.234,5). */
export function fmt(n: number, digits?: number): string {
  return new Intl.NumberFormat(language, digits === undefined ? {} : { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(n);
}

/** A date and time (milliseconds since the epoch) for the current locale. */
export function fmtDateTime(ms: number): string {
  return new Intl.DateTimeFormat(language, { dateStyle: "medium", timeStyle: "short" }).format(new Date(ms));
}
