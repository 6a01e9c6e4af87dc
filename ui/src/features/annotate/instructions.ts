// The instructions page shown before the first profile (and from the "Instructions" button):
// the study's guidelines rendered from Markdown into text nodes only (review/markdown.ts: no
// HTML is ever made from the material), what "can't judge" is for, and the keys.
import type { CodebookView } from "../../bindings";
import { h } from "../../dom";
import { renderMarkdown } from "../review/markdown";
import type { Overlay } from "./overlays";
import { t } from "../../i18n";

export function instructionsPage(codebook: CodebookView, onStart: () => void): Overlay {
  const start = h("button", { class: "primary", id: "start-rating", onclick: onStart }, `${t().startRating} `, h("kbd", {}, "Enter"));
  const guidelines = h("div", { class: "guidelines", id: "instructions-guidelines" });
  if (codebook.guidelines.trim()) guidelines.append(renderMarkdown(codebook.guidelines));
  else guidelines.append(h("p", { class: "muted" }, t().noGuidelines));
  const panel = h(
    "div",
    { class: "panel instructions", id: "instructions", tabindex: -1 },
    h("h2", {}, t().instructionsOf(codebook.name)),
    h("p", { class: "muted" }, t().readBefore),
    guidelines,
    h("h3", {}, t().rating),
    h(
      "ul",
      {},
      h("li", {}, t().rateEach(codebook.dimensions.length)),
      h(
        "li",
        {},
        t().cantJudgeHow[0],
        h("strong", {}, t().cantJudgeHow[1]),
        t().cantJudgeHow[2],
      ),
      h("li", {}, t().savedAsYouType),
      h("li", {}, t().screenReaderKeys),
    ),
    h(
      "details",
      {},
      h("summary", {}, t().keyboardShortcuts),
      h(
        "table",
        { class: "shortcuts" },
        h("tbody", {}, ...t().shortcuts.map(([k, what]) => h("tr", {}, h("th", {}, k), h("td", {}, what)))),
      ),
    ),
    start,
  );
  // Not modal: the rating form stays usable beside it, and any rating key closes it.
  const el = h("div", { class: "instructions-pane", role: "region", "aria-label": t().instructions }, panel);
  return { el, focus: () => start.focus() };
}
