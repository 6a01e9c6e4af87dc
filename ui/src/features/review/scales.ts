// The PI's table per questionnaire scale of the codebook (dimensions with items): Cronbach's α
// with its 95 % bootstrap interval, standardized α, McDonald's ω total, and each item's
// item–rest correlation, as `chameleon reliability STUDY` reports them. Text nodes only (dom.ts).
import { toAppError } from "../../api";
import type { ScaleReport } from "../../bindings";
import { h, replace } from "../../dom";
import { pi } from "../../i18n";

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
        ...pi().review.scaleHeaders.map((t) =>
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
              h("td", { class: "muted problem", colspan: "5" }, pi().review.noReliability(r.problem)),
            )
          : h(
              "tr",
              { "data-scale": r.scale },
              h("th", { scope: "row" }, r.scale),
              h("td", { class: "num" }, r.incomplete > 0 ? pi().review.leftOutCount(r.n, r.incomplete) : String(r.n)),
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
                    { class: "item-rest", "data-item": i.dimension, title: i.reverse ? pi().review.reverseKeyed : "" },
                    `${i.dimension}${i.reverse ? pi().review.reverseMark : ""} ${num(i.item_rest)}`,
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
  const body = h("div", {}, h("p", { class: "muted" }, pi().review.computingScales));
  const el = h(
    "section",
    { class: "scales-section", id: "scales-section" },
    h("h3", {}, pi().review.scalesTitle),
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
              pi().review.noScales,
            )
          : h(
              "div",
              {},
              h(
                "p",
                { class: "muted" },
                pi().review.scalesNote(rows[0]?.bootstrap ?? 0),
              ),
              scalesTable(rows),
              h("p", { class: "muted" }, pi().review.reverseNote),
            ),
      ),
    (e) => replace(body, h("p", { class: "muted" }, pi().review.scalesUnavailable(toAppError(e).message))),
  );
  return el;
}
