// Start screen: open a study, recent studies, create one from a profiles file and a codebook
// file (import errors listed with their line numbers), or open the bundled demo study. Files
// dropped on the window open a study or fill in the create form.
import { toAppError, type Backend } from "../../api";
import type { AppError, SessionView } from "../../bindings";
import { listenForDrops, type DropEvent } from "../../drops";
import { h, replace } from "../../dom";
import { describeDrop, sortDroppedFiles, type DroppedFiles } from "./drop";
import { errorHint } from "../../errors";
import { LANGUAGES, languageOverride, overrideLanguage, pi, systemLanguage, t, type Language } from "../../i18n";

const STUDY_FILTER = [{ get name() { return pi().start.studyFilter; }, extensions: ["chameleon", "db", "sqlite"] }];
const PROFILE_FILTER = [{ get name() { return pi().start.profilesFilter; }, extensions: ["jsonl", "json", "csv"] }];
const CODEBOOK_FILTER = [{ get name() { return pi().start.codebookFilter; }, extensions: ["toml", "json"] }];

export function renderError(err: AppError): HTMLElement {
  return h(
    "div",
    { class: "error-box", role: "alert" },
    h("p", { class: "error-title" }, err.rows.length ? firstLine(err.message) : err.message),
    errorHint(err.code) ? h("p", { class: "error-hint" }, errorHint(err.code)) : null,
    err.rows.length
      ? h(
          "table",
          { class: "row-errors" },
          h("thead", {}, h("tr", {}, h("th", {}, t().errorLine), h("th", {}, t().errorColumn), h("th", {}, t().errorProblem))),
          h(
            "tbody",
            {},
            ...err.rows.map((r) =>
              h("tr", {}, h("td", {}, String(r.line)), h("td", {}, r.column ?? ""), h("td", {}, r.message)),
            ),
          ),
        )
      : null,
  );
}

function firstLine(s: string): string {
  return s.split("\n")[0];
}

/**
 * Shows the start screen in `root`. `stop` ends its drop listener (callable at once, also while
 * the recent studies are loading); `ready` settles when the list is shown.
 */
export function mountStart(
  root: HTMLElement,
  backend: Backend,
  onOpened: (s: SessionView) => void,
): { stop: () => void; ready: Promise<void> } {
  const errorHost = h("div", { class: "error-host" });
  const busy = h("span", { class: "busy", role: "status", "aria-live": "polite" });
  const dropNotice = h("p", { class: "drop-notice", id: "drop-notice", role: "status", "aria-live": "polite" });

  const attempt = async (what: string, f: () => Promise<SessionView>) => {
    replace(errorHost);
    dropNotice.textContent = "";
    busy.textContent = pi().start.working(what);
    try {
      const s = await f();
      busy.textContent = "";
      onOpened(s);
    } catch (e) {
      busy.textContent = "";
      replace(errorHost, renderError(toAppError(e)));
    }
  };

  const pathField = (id: string, label: string, placeholder: string) => {
    const input = h("input", { type: "text", id, placeholder, spellcheck: "false", autocomplete: "off" });
    return { input, row: h("label", { class: "field", for: id }, h("span", {}, label), input) };
  };
  const browse = (input: HTMLInputElement, title: string, filters: typeof STUDY_FILTER) =>
    h(
      "button",
      {
        type: "button",
        onclick: async () => {
          try {
            const p = await backend.pickFile(title, filters);
            if (p) input.value = p;
          } catch (e) {
            replace(errorHost, renderError(toAppError(e)));
          }
        },
      },
      pi().start.browse,
    );

  // Open
  const open = pathField("open-path", pi().start.studyFile, pi().start.studyFilePlaceholder);
  const openForm = h(
    "form",
    {
      class: "card",
      id: "open-form",
      onsubmit: (ev: Event) => {
        ev.preventDefault();
        const p = open.input.value.trim();
        if (p) void attempt(pi().start.opening, () => backend.openStudy(p));
      },
    },
    h("h2", {}, pi().start.openTitle),
    h("div", { class: "field-row" }, open.row, browse(open.input, pi().start.openTitle, STUDY_FILTER)),
    h("button", { type: "submit", class: "primary" }, pi().start.open),
  );

  // Create
  const profiles = pathField("profiles-path", pi().start.profilesFile, "profiles.jsonl");
  const codebook = pathField("codebook-path", pi().start.codebookFile, "codebook.toml");
  const target = pathField("study-path", pi().start.saveAs, pi().start.saveAsPlaceholder);
  const createForm = h(
    "form",
    {
      class: "card",
      id: "create-form",
      onsubmit: (ev: Event) => {
        ev.preventDefault();
        const pp = profiles.input.value.trim();
        const cp = codebook.input.value.trim();
        if (!pp || !cp) {
          replace(
            errorHost,
            renderError({ code: "invalid", message: pi().start.chooseFiles, rows: [], path: null }),
          );
          return;
        }
        const tp = target.input.value.trim();
        void attempt(pi().start.creating, () =>
          backend.createStudy({ profilesPath: pp, codebookPath: cp, path: tp === "" ? null : tp }),
        );
      },
    },
    h("h2", {}, pi().start.createTitle),
    h("div", { class: "field-row" }, profiles.row, browse(profiles.input, pi().start.profilesFile, PROFILE_FILTER)),
    h("div", { class: "field-row" }, codebook.row, browse(codebook.input, pi().start.codebookFile, CODEBOOK_FILTER)),
    h("div", { class: "field-row" }, target.row),
    h("button", { type: "submit", class: "primary", id: "create" }, pi().start.create),
  );

  const demo = h(
    "div",
    { class: "card" },
    h("h2", {}, pi().start.demoTitle),
    h("p", {}, pi().start.demoHelp),
    h("button", { id: "open-demo", onclick: () => void attempt(pi().start.openingDemo, () => backend.openDemoStudy()) }, pi().start.openDemo),
  );

  const recentList = h("ul", { class: "recent", id: "recent" });
  const recentCard = h("div", { class: "card" }, h("h2", {}, pi().start.recent), recentList);

  const screen = h(
    "div",
    { class: "start", id: "start-screen" },
    h(
      "header",
      { class: "start-head" },
      h("h1", {}, "Chameleon Studio"),
      busy,
      h("p", { class: "drop-hint" }, pi().start.dropHint),
      languageChoice(),
    ),
    errorHost,
    dropNotice,
    h("div", { class: "start-grid" }, h("div", { class: "col" }, recentCard, openForm, demo), createForm),
  );
  replace(root, screen);

  // Where the user goes next: the create form's field still empty, else the button that uses
  // the files.
  const nextStepAfterDrop = (d: DroppedFiles): HTMLElement | null => {
    if (d.profiles || d.codebook) {
      const empty = [profiles.input, codebook.input].find((i) => i.value.trim() === "");
      return empty ?? createForm.querySelector<HTMLElement>("#create");
    }
    return d.study ? openForm.querySelector<HTMLElement>("button[type=submit]") : null;
  };
  const onDrop = (e: DropEvent) => {
    screen.classList.toggle("dragging", e.type === "enter" || e.type === "over");
    if (e.type !== "drop") return;
    const d = sortDroppedFiles(e.paths);
    replace(errorHost);
    if (d.study && !d.profiles && !d.codebook && d.unused.length === 0) {
      void attempt(pi().start.opening, () => backend.openStudy(d.study as string));
      return;
    }
    if (d.study) open.input.value = d.study;
    if (d.profiles) profiles.input.value = d.profiles;
    if (d.codebook) codebook.input.value = d.codebook;
    dropNotice.textContent = describeDrop(d);
    nextStepAfterDrop(d)?.focus();
  };
  // Without the webview's drop events the forms work as before; the hint would mislead.
  const drops = listenForDrops(backend.onFileDrop.bind(backend), onDrop, () =>
    screen.querySelector(".drop-hint")?.remove(),
  );

  const showRecent = async () => {
    let recent: Awaited<ReturnType<Backend["recentStudies"]>> = [];
    try {
      recent = await backend.recentStudies();
    } catch (e) {
      replace(errorHost, renderError(toAppError(e)));
    }
    if (recent.length === 0) {
      replace(recentList, h("li", { class: "empty" }, pi().start.noneYet));
    } else {
      replace(
        recentList,
        ...recent.map((r) =>
          h(
            "li",
            {},
            h(
              "button",
              {
                class: "recent-item",
                disabled: !r.exists,
                title: r.path,
                onclick: () => void attempt(pi().start.opening, () => backend.openStudy(r.path)),
              },
              h("span", { class: "recent-name" }, r.name),
              h("span", { class: "recent-path" }, r.exists ? r.path : pi().start.missing(r.path)),
            ),
            h(
              "button",
              {
                class: "ghost small recent-remove",
                title: pi().start.removeTitle,
                "aria-label": pi().start.removeLabel(r.name),
                onclick: () =>
                  void (async () => {
                    try {
                      await backend.forgetRecent(r.path);
                    } catch (e) {
                      replace(errorHost, renderError(toAppError(e)));
                    }
                    await showRecent();
                  })(),
              },
              pi().start.remove,
            ),
          ),
        ),
      );
    }
    (recentList.querySelector("button:not([disabled])") as HTMLElement | null)?.focus();
  };
  return { stop: drops.stop, ready: showRecent() };
}

/** The annotator screens' language: the system's, or one chosen here (kept on this machine). */
function languageChoice(): HTMLElement {
  const select = h(
    "select",
    { id: "language", "aria-label": t().language },
    h("option", { value: "" }, `${t().systemLanguage} (${LANGUAGES.find((l) => l.code === systemLanguage())?.name ?? ""})`),
    ...LANGUAGES.map((l) => h("option", { value: l.code }, l.name)),
  );
  select.value = languageOverride() ?? "";
  select.addEventListener("change", () => {
    overrideLanguage((select.value || null) as Language | null);
  });
  return h("label", { class: "language-choice" }, h("span", {}, `${t().language} `), select);
}
