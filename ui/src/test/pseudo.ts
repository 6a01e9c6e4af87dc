// The pseudo-translation check's tools: a catalogue whose every string is wrapped in ⟦…⟧, a
// recorder of the data the fakes hand the views (names, Rust's messages), and a walk over a
// rendered view that lists every visible text and labelling attribute that is neither from the
// catalogue nor data. A literal typed into a view shows up in that list.
import { catalogue, LANGUAGES, setCataloguesForTests, studioCatalogue } from "../i18n";

const OPEN = "⟦";
const CLOSE = "⟧";

/** The same catalogue with every string (and every function's result) wrapped. */
export function pseudo<T>(v: T): T {
  if (typeof v === "string") return (v === "" ? "" : `${OPEN}${v}${CLOSE}`) as T;
  if (typeof v === "function") return ((...a: unknown[]) => pseudo((v as (...x: unknown[]) => unknown)(...a))) as T;
  if (Array.isArray(v)) return v.map((x) => pseudo(x)) as T;
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, pseudo(x)])) as T;
  return v;
}

/** Renders with the pseudo catalogues until `usePseudo(false)`. */
export function usePseudo(on: boolean): void {
  setCataloguesForTests(on ? { messages: pseudo(catalogue("en")), studio: pseudo(studioCatalogue("en")) } : null);
}

/** Every string the fakes return or throw: data, allowed on screen untranslated. */
export class DataSeen {
  /** Names no language translates: the app's, and each language's own name for itself. */
  readonly strings = new Set<string>(["Chameleon Studio", ...LANGUAGES.map((l) => l.name)]);

  add(v: unknown, depth = 0): void {
    if (depth > 12 || v === null || v === undefined) return;
    if (typeof v === "string") {
      // Views show a message's first line on its own, too.
      for (const s of [v, ...v.split("\n")]) if (s.trim()) this.strings.add(s.trim());
    } else if (Array.isArray(v)) for (const x of v) this.add(x, depth + 1);
    else if (v instanceof Map) for (const [k, x] of v) (this.add(k, depth + 1), this.add(x, depth + 1));
    else if (typeof v === "object") for (const x of Object.values(v as object)) this.add(x, depth + 1);
  }

  /** The object with every method's answer (and error) recorded. */
  watch<T extends object>(api: T): T {
    return new Proxy(api, {
      get: (target, key, receiver) => {
        const f = Reflect.get(target, key, receiver) as unknown;
        if (typeof f !== "function") return f;
        return (...args: unknown[]) => {
          try {
            const out = (f as (...a: unknown[]) => unknown).apply(target, args);
            if (out instanceof Promise) {
              return out.then(
                (x) => (this.add(x), x),
                (e) => {
                  this.add(e);
                  throw e;
                },
              );
            }
            this.add(out);
            return out;
          } catch (e) {
            this.add(e);
            throw e;
          }
        };
      },
    });
  }
}

/** Text that is no word: numbers, punctuation, symbols. */
const NO_WORD = /^[\s\d.,:;%+\-−–—()[\]{}/\\=<>≤≥×·|…#→←↑↓✓✗⚑⚐αωκρσ±*'"‘’“”?!_&^~@$]*$/u;

/** An example file name (a placeholder): no word to translate. */
const FILE_NAME = /^[\w-]+\.[a-z]{2,8}$/;

function leftover(s: string, data: DataSeen, sorted: string[]): string[] {
  // Innermost first: a catalogue function may be handed another entry's text.
  let rest = s;
  for (let prev = ""; prev !== rest; ) {
    prev = rest;
    rest = rest.replace(/⟦[^⟦⟧]*⟧/g, "\u0000");
  }
  const bad: string[] = [];
  for (const raw of rest.split("\u0000")) {
    let piece = raw.trim();
    if (!piece || NO_WORD.test(piece) || piece.length === 1 || FILE_NAME.test(piece) || data.strings.has(piece)) continue;
    for (const d of sorted) if (piece.includes(d)) piece = piece.split(d).join(" ");
    if (!NO_WORD.test(piece) && piece.trim().length > 1) bad.push(raw.trim());
  }
  return bad;
}

const ATTRIBUTES = ["aria-label", "title", "placeholder", "alt", "aria-description", "aria-roledescription"];

/** Where a view shows data as it is (material, Markdown the PI typed), not the UI's words; and
 * key caps, named as on the keyboard (the shortcuts' catalogue entries name them in words). */
const DATA_HOSTS = "textarea, .md-preview, .adjudication-material, .profile-material, pre, kbd";

/** What the rendered tree shows that is neither from the catalogue nor data. */
export function untranslated(root: Element, data: DataSeen): string[] {
  const sorted = [...data.strings].filter((d) => d.length > 1).sort((a, b) => b.length - a.length);
  const out: string[] = [];
  const walker = root.ownerDocument.createTreeWalker(root, 4 /* NodeFilter.SHOW_TEXT */);
  // Adjacent text nodes read as one (a catalogue text, then a name, then another text).
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const parent = n.parentElement;
    if (parent && (parent.tagName === "STYLE" || parent.tagName === "SCRIPT" || parent.closest(DATA_HOSTS))) continue;
    for (const b of leftover(n.textContent ?? "", data, sorted)) out.push(`text "${b}" in <${parent?.tagName.toLowerCase()}${parent?.id ? `#${parent.id}` : ""}>`);
  }
  for (const el of [root, ...root.querySelectorAll("*")]) {
    for (const a of ATTRIBUTES) {
      const v = el.getAttribute(a);
      if (v) for (const b of leftover(v, data, sorted)) out.push(`${a} "${b}" on <${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""}>`);
    }
  }
  return [...new Set(out)];
}
