// The PI's table per questionnaire scale of the codebook (dimensions with items): Cronbach's α
// with its 95 % bootstrap interval, standardized α, McDonald's ω total, and each item's
// item–rest correlation, as `chameleon reliability STUDY` reports them. Text nodes only (dom.ts).
import { toAppError } from "../../api";
import type { ScaleReport } from "../../bindings";
import { h, replace } from "../../dom";

const num = (x: number | null | undefined) => (x === null || x === undefined ? "—" : x.toFixed(2));
const ci = (c: number[] | null) => (c === null ? "" : ` [${num(c[0])}, ${num(c[1])}]`);

/** One row per scale: α [CI], standardized α, ω [CI], responses, and each item's item–rest r. */
export function scalesTable(rows: ScaleReport[]): HTMLElement {
  return h(
    "table",
    { class: "data-table", id: "scales-table" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ...["Scale", "Responses", "α [95 % CI]", "Standardized α", "ω total [95 % CI]", "Item–rest r"].map((t) =>
          h("th", { scope: "col" }, t),
        ),
      ),
    ),
    h(
      "tbody",
      {},
      ...rows.map((r) =>
        r.problem !== null
          ? h(
              "tr",
              { "data-scale": r.scale },
              h("th", { scope: "row" }, r.scale),
              h("td", { class: "muted problem", colspan: "5" }, `No reliability: ${r.problem}`),
            )
          : h(
              "tr",
              { "data-scale": r.scale },
              h("th", { scope: "row" }, r.scale),
              h("td", { class: "num" }, r.incomplete > 0 ? `${r.n} (${r.incomplete} left out)` : String(r.n)),
              h("td", { class: "num alpha" }, `${num(r.raw_alpha)}${ci(r.raw_alpha_ci95)}`),
              h("td", { class: "num" }, num(r.std_alpha)),
              h("td", { class: "num omega" }, `${num(r.omega_total)}${ci(r.omega_total_ci95)}`),
              h(
                "td",
                { class: "items" },
                ...r.items.flatMap((i, k) => [
                  ...(k > 0 ? [h("span", { class: "muted" }, " · ")] : []),
                  h(
                    "span",
                    { class: "item-rest", "data-item": i.dimension, title: i.reverse ? "reverse-keyed" : "" },
                    `${i.dimension}${i.reverse ? " (R)" : ""} ${num(i.item_rest)}`,
                  ),
                ]),
              ),
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
              scalesTable(rows),
              h("p", { class: "muted" }, "(R): reverse-keyed, scored min + max − value."),
            ),
      ),
    (e) => replace(body, h("p", { class: "muted" }, `Scale reliability unavailable: ${toAppError(e).message}`)),
  );
  return el;
}
