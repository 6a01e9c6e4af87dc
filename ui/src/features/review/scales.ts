// The PI's table per questionnaire scale of the codebook (dimensions with items): Cronbach's α
// with its 95 % bootstrap interval, standardized α, McDonald's ω total, and each item's
// item–rest correlation, as `chameleon reliability STUDY` reports them. Text nodes only (dom.ts).
import { toAppError } from "../../api";
import type { ScaleReport } from "../../bindings";
import { h, replace } from "../../dom";

const num = (x: number | null | undefined) => (x === null || x === undefined ? "—" : x.toFixed(2));
const ci = (c: number[] | null) => (c === null ? "" : ` [${num(c[0])}, ${num(c[1])}]`);

/** One scale: its summary line and a row per item. */
export function scaleTable(r: ScaleReport): HTMLElement {
  const summary =
    r.problem !== null
      ? `${r.scale}: no reliability (${r.problem})`
      : `${r.scale}: α ${num(r.raw_alpha)}${ci(r.raw_alpha_ci95)} · standardized α ${num(r.std_alpha)} · ` +
        `ω ${num(r.omega_total)}${ci(r.omega_total_ci95)} · ${r.n} responses` +
        (r.incomplete > 0 ? ` (${r.incomplete} missing an item left out)` : "");
  return h(
    "table",
    { class: "data-table scale-reliability", "data-scale": r.scale },
    h("caption", {}, summary),
    h(
      "thead",
      {},
      h("tr", {}, ...["Item", "Keyed", "Item–rest r", "α if dropped"].map((t) => h("th", { scope: "col" }, t))),
    ),
    h(
      "tbody",
      {},
      ...r.items.map((i) =>
        h(
          "tr",
          { "data-item": i.dimension },
          h("th", { scope: "row" }, i.dimension),
          h("td", {}, i.reverse ? "reversed" : "+"),
          h("td", { class: "num item-rest" }, num(i.item_rest)),
          h("td", { class: "num" }, num(i.alpha_if_dropped)),
        ),
      ),
    ),
  );
}

/** The section, filled when the reliability arrives (none when the codebook has no scales). */
export function scalesSection(load: () => Promise<ScaleReport[]>): HTMLElement {
  const body = h("div", {}, h("p", { class: "muted" }, "Computing scale reliability…"));
  const el = h(
    "section",
    { class: "scales-section", id: "scales-section" },
    h("h3", {}, "Questionnaire scales"),
    body,
  );
  load().then(
    (rows) =>
      replace(
        body,
        rows.length === 0
          ? h(
              "p",
              { class: "muted", id: "scales-empty" },
              "No questionnaire scales in the codebook (a dimension with items; see docs/reliability.md).",
            )
          : h(
              "div",
              {},
              h(
                "p",
                { class: "muted" },
                `Cronbach's α and McDonald's ω total (one-factor), 95 % intervals from ${rows[0]?.bootstrap ?? 0} bootstrap resamples of the responses (seed 1).`,
              ),
              ...rows.map(scaleTable),
            ),
      ),
    (e) => replace(body, h("p", { class: "muted" }, `Scale reliability unavailable: ${toAppError(e).message}`)),
  );
  return el;
}
