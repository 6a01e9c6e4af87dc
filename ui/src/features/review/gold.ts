// The PI's table of each annotator's accuracy on the gold profiles and attention checks: how
// many known values they rated, how many exactly, and the mean distance from the known value.
// Text nodes only (dom.ts).
import { toAppError } from "../../api";
import type { GoldAccuracy } from "../../bindings";
import { h, replace } from "../../dom";

const pct = (x: number | null) => (x === null ? "—" : `${(x * 100).toFixed(0)} %`);
const num = (x: number | null) => (x === null ? "—" : x.toFixed(2));

export function goldTable(rows: GoldAccuracy[]): HTMLElement {
  if (rows.length === 0) {
    return h(
      "p",
      { class: "muted", id: "gold-empty" },
      "No gold profiles or attention checks yet (import known values with chameleon gold import).",
    );
  }
  return h(
    "table",
    { class: "data-table", id: "gold-accuracy" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ...["Rater", "Kind", "Rated", "Exact", "Accuracy", "Mean |error|"].map((t) => h("th", { scope: "col" }, t)),
      ),
    ),
    h(
      "tbody",
      {},
      ...rows.map((r) =>
        h(
          "tr",
          { "data-rater": r.rater, "data-kind": r.kind },
          h("th", { scope: "row" }, r.rater),
          h("td", {}, r.kind === "attention" ? "attention checks" : "gold profiles"),
          h("td", { class: "num" }, `${r.rated} of ${r.items}`),
          h("td", { class: "num" }, String(r.exact)),
          h("td", { class: "num accuracy" }, pct(r.accuracy)),
          h("td", { class: "num" }, num(r.mean_abs_error)),
        ),
      ),
    ),
  );
}

/** The section, filled when the accuracy arrives (a failed read says so in place). */
export function goldSection(load: () => Promise<GoldAccuracy[]>): HTMLElement {
  const body = h("div", {}, h("p", { class: "muted" }, "Loading…"));
  const el = h("section", { class: "gold-section", id: "gold-section" }, h("h3", {}, "Gold profiles and attention checks"), body);
  load().then(
    (rows) => replace(body, goldTable(rows)),
    (e) => replace(body, h("p", { class: "muted" }, `Accuracy unavailable: ${toAppError(e).message}`)),
  );
  return el;
}
