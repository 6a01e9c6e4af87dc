// "Who is rating": pick an existing rater or create one (name + kind). Ratings are stored under
// that rater. Only names are shown here, never anyone's ratings.
import { toAppError, type Backend } from "../../api";
import type { RaterKind, SessionView } from "../../bindings";
import { h, replace } from "../../dom";
import { renderError } from "./start";
import { t } from "../../i18n";

export async function mountIdentity(
  root: HTMLElement,
  backend: Backend,
  session: SessionView,
  onChosen: (s: SessionView) => void,
  onBack: () => void,
  onStudio: () => void,
  /** In an annotator's package: say so, and offer only its annotator (a new rater's ratings
   * could not be merged back). */
  pkg?: { notice: string; rater: string },
): Promise<void> {
  const errorHost = h("div", { class: "error-host" });
  const choose = async (name: string, kind: RaterKind) => {
    replace(errorHost);
    try {
      onChosen(await backend.chooseRater(name, kind));
    } catch (e) {
      replace(errorHost, renderError(toAppError(e)));
    }
  };
  const name = h("input", { type: "text", id: "rater-name", placeholder: t().namePlaceholder, autocomplete: "off" });
  const kind = h(
    "select",
    { id: "rater-kind", "aria-label": t().kindOfRater },
    h("option", { value: "human" }, t().humanAnnotator),
    h("option", { value: "model" }, t().model),
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
            void choose(name.value, kind.value as RaterKind);
          },
        },
        h("h2", {}, t().newRater),
        h("div", { class: "field-row" }, h("label", { class: "field", for: "rater-name" }, h("span", {}, t().name), name), kind),
        h("button", { type: "submit", class: "primary" }, t().startRating),
      );
  replace(
    root,
    h(
      "div",
      { class: "identity", id: "identity-screen" },
      h("h1", {}, t().whoIsRating),
      h("p", { class: "muted" }, t().studySummary(session.study.name, session.study.profiles, session.study.dimensions)),
      pkg ? h("p", { class: "package-badge", id: "package-badge" }, pkg.notice) : null,
      errorHost,
      h("div", { class: "card" }, h("h2", {}, t().continueAs), list),
      newRater,
      h(
        "div",
        { class: "card" },
        h("h2", {}, t().reviewingNotRating),
        h("p", { class: "muted" }, t().reviewingNeedsNoRater),
        h("button", { id: "open-studio", onclick: onStudio }, t().reviewAndAnalysis),
      ),
      h("button", { class: "ghost", onclick: onBack }, t().backToStart),
    ),
  );
  try {
    const raters = (await backend.listRaters()).filter(
      (r) => (r.kind === "human" || r.kind === "model") && (!pkg || r.name === pkg.rater),
    );
    if (raters.length === 0) replace(list, h("li", { class: "empty" }, t().noRatersYet));
    else
      replace(
        list,
        ...raters.map((r) =>
          h("li", {}, h("button", { class: "rater", onclick: () => void choose(r.name, r.kind) }, r.name, h("span", { class: "muted" }, ` (${t().raterKind(r.kind)})`))),
        ),
      );
  } catch (e) {
    replace(errorHost, renderError(toAppError(e)));
  }
  (pkg ? list.querySelector("button") : name)?.focus();
}
