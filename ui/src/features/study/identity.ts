// "Who is rating": pick an existing rater or create one (name + kind). Ratings are stored under
// that rater. Only names are shown here, never anyone's ratings.
import { toAppError, type Backend } from "../../api";
import type { RaterKindDto, SessionDto } from "../../bindings";
import { h, replace } from "../../dom";
import { renderError } from "./start";

export async function mountIdentity(
  root: HTMLElement,
  backend: Backend,
  session: SessionDto,
  onChosen: (s: SessionDto) => void,
  onBack: () => void,
  onStudio: () => void,
  /** In an annotator's package: say so, and offer only its annotator (a new rater's ratings
   * could not be merged back). */
  pkg?: { notice: string; rater: string },
): Promise<void> {
  const errorHost = h("div", { class: "error-host" });
  const choose = async (name: string, kind: RaterKindDto) => {
    replace(errorHost);
    try {
      onChosen(await backend.chooseRater(name, kind));
    } catch (e) {
      replace(errorHost, renderError(toAppError(e)));
    }
  };
  const name = h("input", { type: "text", id: "rater-name", placeholder: "Your name or initials", autocomplete: "off" });
  const kind = h(
    "select",
    { id: "rater-kind", "aria-label": "Kind of rater" },
    h("option", { value: "human" }, "Human annotator"),
    h("option", { value: "model" }, "Model"),
  );
  const list = h("ul", { class: "raters" });
  const newRater = pkg
    ? null
    : h(
        "form",
        {
          class: "card",
          id: "new-rater",
          onsubmit: (ev: Event) => {
            ev.preventDefault();
            void choose(name.value, kind.value as RaterKindDto);
          },
        },
        h("h2", {}, "New rater"),
        h("div", { class: "field-row" }, h("label", { class: "field", for: "rater-name" }, h("span", {}, "Name"), name), kind),
        h("button", { type: "submit", class: "primary" }, "Start rating"),
      );
  replace(
    root,
    h(
      "div",
      { class: "identity", id: "identity-screen" },
      h("h1", {}, "Who is rating?"),
      h("p", { class: "muted" }, `Study: ${session.study.name} — ${session.study.profiles === 1 ? "1 profile" : `${session.study.profiles} profiles`}, ${session.study.dimensions === 1 ? "1 dimension" : `${session.study.dimensions} dimensions`}.`),
      pkg ? h("p", { class: "package-badge", id: "package-badge" }, pkg.notice) : null,
      errorHost,
      h("div", { class: "card" }, h("h2", {}, "Continue as"), list),
      newRater,
      h(
        "div",
        { class: "card" },
        h("h2", {}, "Reviewing, not rating?"),
        h("p", { class: "muted" }, "Agreement, disagreements, codebook, state–trait analysis and team work need no rater."),
        h("button", { id: "open-studio", onclick: onStudio }, "Review & analysis"),
      ),
      h("button", { class: "ghost", onclick: onBack }, "← Back to start"),
    ),
  );
  try {
    const raters = (await backend.listRaters()).filter(
      (r) => (r.kind === "human" || r.kind === "model") && (!pkg || r.name === pkg.rater),
    );
    if (raters.length === 0) replace(list, h("li", { class: "empty" }, "No raters yet: create one below."));
    else
      replace(
        list,
        ...raters.map((r) =>
          h("li", {}, h("button", { class: "rater", onclick: () => void choose(r.name, r.kind) }, r.name, h("span", { class: "muted" }, ` (${r.kind})`))),
        ),
      );
  } catch (e) {
    replace(errorHost, renderError(toAppError(e)));
  }
  (pkg ? list.querySelector("button") : name)?.focus();
}
