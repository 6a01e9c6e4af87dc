// The rating screen's codebook panel for the focused dimension: its definition, range and
// anchors, the rater's own history of this rating (filled in later by the screen) and the
// study's guidelines (Markdown rendered into text nodes, review/markdown.ts). Text nodes only
// (dom.ts): nothing from the codebook ever becomes HTML.
import type { DimensionView } from "../../bindings";
import { h } from "../../dom";
import { renderMarkdown } from "../review/markdown";
import { t } from "../../i18n";

/** The panel's nodes; `history` is the element the screen fills with the rating's history. */
export function codebookPanel(d: DimensionView, guidelines: string, history: HTMLElement): HTMLElement[] {
  const anchors =
    d.scale.type === "likert"
      ? d.scale.anchors
      : d.scale.type === "nominal"
        ? d.scale.categories
        : [];
  const range =
    d.scale.type === "continuous"
      ? t().anyValue(d.scale.min, d.scale.max)
      : d.scale.type === "likert"
        ? t().scaleRange(d.scale.min, d.scale.max, d.level)
        : t().categoriesOf(d.level);
  const nodes: (HTMLElement | null)[] = [
    h("h3", {}, d.label),
    d.definition ? h("p", { class: "definition" }, d.definition) : null,
    h("p", { class: "range" }, range),
    anchors.length
      ? h(
          "dl",
          { class: "anchors" },
          ...anchors.flatMap((a) => [h("dt", {}, String(a.value)), h("dd", {}, a.label)]),
        )
      : null,
    // Under the scale, so the definition and anchors stay where the eye expects them.
    history,
    guidelines
      ? h("details", {}, h("summary", {}, t().guidelines), h("div", { class: "guidelines" }, renderMarkdown(guidelines)))
      : null,
  ];
  return nodes.filter((n): n is HTMLElement => n !== null);
}
