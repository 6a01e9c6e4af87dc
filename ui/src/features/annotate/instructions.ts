// The instructions page shown before the first profile (and from the "Instructions" button):
// the study's guidelines rendered from Markdown into text nodes only (review/markdown.ts: no
// HTML is ever made from the material), what "can't judge" is for, and the keys.
import type { CodebookDto } from "../../bindings";
import { h } from "../../dom";
import { renderMarkdown } from "../review/markdown";
import { SHORTCUTS } from "./keys";
import type { Overlay } from "./overlays";

export function instructionsPage(codebook: CodebookDto, onStart: () => void): Overlay {
  const start = h("button", { class: "primary", id: "start-rating", onclick: onStart }, "Start rating ", h("kbd", {}, "Enter"));
  const guidelines = h("div", { class: "guidelines", id: "instructions-guidelines" });
  if (codebook.guidelines.trim()) guidelines.append(renderMarkdown(codebook.guidelines));
  else guidelines.append(h("p", { class: "muted" }, "This codebook has no guidelines."));
  const panel = h(
    "div",
    { class: "panel instructions", id: "instructions", tabindex: -1 },
    h("h2", {}, codebook.name ? `Instructions: ${codebook.name}` : "Instructions"),
    h("p", { class: "muted" }, "Read these before the first profile. They stay under the Instructions button."),
    guidelines,
    h("h3", {}, "Rating"),
    h(
      "ul",
      {},
      h("li", {}, `Rate each of the ${codebook.dimensions.length} dimensions from this profile's material alone.`),
      h(
        "li",
        {},
        "When the material says nothing about a dimension, choose ",
        h("strong", {}, "can't judge"),
        " (key x). It is stored as such and left out of the statistics; a midpoint would count as a rating.",
      ),
      h("li", {}, "Your ratings are saved as you type; other raters never see them, and you never see theirs."),
    ),
    h(
      "details",
      {},
      h("summary", {}, "Keyboard shortcuts"),
      h(
        "table",
        { class: "shortcuts" },
        h("tbody", {}, ...SHORTCUTS.map(([k, what]) => h("tr", {}, h("th", {}, k), h("td", {}, what)))),
      ),
    ),
    start,
  );
  // Not modal: the rating form stays usable beside it, and any rating key closes it.
  const el = h("div", { class: "instructions-pane", role: "region", "aria-label": "Instructions" }, panel);
  return { el, focus: () => start.focus() };
}
