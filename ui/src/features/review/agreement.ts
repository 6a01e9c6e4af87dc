// Agreement dashboard: one row per dimension (alpha at its level, ICC, percent agreement, units
// and raters), coloured against the PI's thresholds; bootstrap intervals on request; a
// dimension opened shows the kappa heatmap, per-rater diagnostics and the raters' distributions.
import { toAppError } from "../../api";
import { RESAMPLES, type AgreementDetail, type AgreementIntervals, type AgreementTable, type Thresholds } from "../../bindings";
import { h, replace } from "../../dom";
import type { StudioContext, StudioView } from "../studio/view";
import type { KappaWeights, ReviewApi } from "./api";
import { svgDataUrl } from "../../format";
import { goldSection } from "./gold";
import { scalesSection } from "./scales";
import { band, checkThresholds, fmt, fmtPercent } from "./logic";
import { AsyncSection, Latest } from "../../asyncSection";
import { RaterControl } from "./raters";
import { pi } from "../../i18n";

const iccText = (form: string): string => pi().review.iccText[form] ?? form;

function methodText(m: string): string {
  if (m === "anova") return pi().review.methodAnova;
  if (m.startsWith("variance-components")) return pi().review.methodComponents;
  return m;
}

/** First and last block of a rater's drift series, e.g. "0.75 → 0.33". */
export function driftText(points: (number | null)[]): string {
  const known = points.filter((x): x is number => x !== null);
  if (known.length === 0) return "—";
  return known.length === 1 ? fmt(known[0], 2) : `${fmt(known[0], 2)} → ${fmt(known[known.length - 1], 2)}`;
}

export class AgreementView implements StudioView {
  private table: AgreementTable | null = null;
  private intervals: AgreementIntervals | null = null;
  private open: string | null = null;
  private weights: KappaWeights | undefined;
  /** Mounted: answers that arrive after unmount are dropped. */
  private readonly life = new Latest();
  private detail: AsyncSection | null = null;
  private els!: {
    table: HTMLElement;
    detail: HTMLElement;
    status: HTMLElement;
    good: HTMLInputElement;
    tentative: HTMLInputElement;
    resamples: HTMLInputElement;
    compute: HTMLButtonElement;
  };
  private ctx!: StudioContext;
  private raters!: RaterControl;

  constructor(private readonly api: ReviewApi) {}

  async mount(el: HTMLElement, ctx: StudioContext, param?: string): Promise<void> {
    this.ctx = ctx;
    const good = h("input", { type: "number", id: "threshold-good", step: "any", min: "-1", max: "1" });
    const tentative = h("input", { type: "number", id: "threshold-tentative", step: "any", min: "-1", max: "1" });
    const resamples = h("input", {
      type: "number",
      id: "ci-resamples",
      min: String(RESAMPLES.min),
      max: String(RESAMPLES.max),
      step: "100",
      value: String(RESAMPLES.recommended),
    });
    const compute = h("button", { id: "compute-intervals", type: "button", onclick: () => void this.computeIntervals() }, pi().review.computeIntervals);
    this.raters = new RaterControl("agreement", () => void this.reload());
    this.els = {
      table: h("div", { class: "agreement-table-host" }),
      detail: h("section", { class: "agreement-detail", id: "agreement-detail", "aria-live": "polite" }),
      status: h("span", { class: "review-status", role: "status", "aria-live": "polite" }),
      good,
      tentative,
      resamples,
      compute,
    };
    replace(
      el,
      h(
        "div",
        { class: "review-view", id: "agreement-view" },
        h(
          "div",
          { class: "review-toolbar" },
          h("h2", {}, pi().review.agreementTitle),
          h(
            "form",
            { class: "thresholds", id: "thresholds-form", onsubmit: (e: Event) => (e.preventDefault(), void this.saveThresholds()) },
            h("label", { for: "threshold-good" }, h("span", { class: "swatch band-good" }), pi().review.goodAtLeast),
            good,
            h("label", { for: "threshold-tentative" }, h("span", { class: "swatch band-tentative" }), pi().review.tentativeAtLeast),
            tentative,
            h("span", { class: "legend-poor" }, h("span", { class: "swatch band-poor" }), pi().review.belowPoor),
            h("button", { type: "submit" }, pi().review.set),
          ),
          h(
            "div",
            { class: "intervals" },
            h("label", { for: "ci-resamples" }, pi().review.resamples),
            resamples,
            compute,
          ),
          this.els.status,
        ),
        this.raters.el,
        this.els.table,
        this.els.detail,
        goldSection(this.api, () => void this.reload()),
        scalesSection(() => this.api.scaleReliability()),
      ),
    );
    this.els.status.textContent = pi().review.computingAgreement;
    this.table = await this.api.agreement(this.raters.current());
    if (!this.life.live) return;
    this.els.status.textContent = "";
    this.raters.show(this.table.raters);
    good.value = String(this.table.thresholds.good);
    tentative.value = String(this.table.thresholds.tentative);
    this.renderTable();
    const first = param && this.table.rows.some((r) => r.dimension === param) ? param : null;
    if (first) await this.openDimension(first);
  }

  /** The table again over the raters now chosen (intervals and the open detail follow). */
  private async reload(): Promise<void> {
    this.els.status.textContent = pi().review.computingAgreement;
    try {
      const table = await this.api.agreement(this.raters.current());
      if (!this.life.live) return;
      this.table = table;
      this.intervals = null;
      this.els.status.textContent = "";
      this.raters.show(table.raters);
      this.renderTable();
      if (this.open) await this.openDimension(this.open, this.weights);
    } catch (e) {
      if (this.life.live) this.els.status.textContent = toAppError(e).message;
    }
  }

  unmount(): void {
    this.life.stop();
    this.detail?.stop();
  }

  private thresholds(): Thresholds {
    return this.table?.thresholds ?? { good: 0.8, tentative: 0.667 };
  }

  private renderTable(): void {
    const t = this.table;
    if (!t) return;
    if (t.rows.length === 0) {
      replace(this.els.table, h("p", { class: "empty" }, pi().review.noDimensions));
      return;
    }
    const ci = new Map((this.intervals?.rows ?? []).map((r) => [r.dimension, r.ci]));
    const th = this.thresholds();
    const icc = t.rows.find((r) => r.icc !== null);
    const ciCaution = new Map((this.intervals?.rows ?? []).map((r) => [r.dimension, r.caution]));
    const rows = t.rows.map((r) => {
      // Too few units: no coloured value, the reason in its place.
      const b = r.caution ? "none" : band(r.alpha, th);
      const interval = ci.get(r.dimension);
      const intervalCaution = ciCaution.get(r.dimension);
      return h(
        "tr",
        {
          class: `band-${b}${this.open === r.dimension ? " open" : ""}`,
          "data-dimension": r.dimension,
          "data-band": r.caution ? "caution" : b,
        },
        h(
          "th",
          { scope: "row" },
          h(
            "button",
            {
              class: "link dim-open",
              "aria-expanded": String(this.open === r.dimension),
              onclick: () => void this.openDimension(r.dimension),
            },
            r.label,
          ),
        ),
        h("td", {}, r.level),
        r.caution
          ? h(
              "td",
              { class: "num alpha caution", "data-value": r.alpha === null ? "" : String(r.alpha), title: pi().review.notAResult(fmt(r.alpha), r.pairableUnits) },
              r.caution,
            )
          : h(
              "td",
              { class: "num alpha", "data-value": r.alpha === null ? "" : String(r.alpha), title: pi().review.band[b] },
              h("span", { class: "band-dot", "aria-hidden": "true" }),
              fmt(r.alpha),
              h("span", { class: "sr-only" }, ` (${pi().review.band[b]})`),
            ),
        h(
          "td",
          { class: "num ci" },
          interval ? `${fmt(interval[0])} – ${fmt(interval[1])}` : this.intervals ? "—" : "",
          intervalCaution ? h("span", { class: "caution ci-caution" }, ` ${intervalCaution}`) : null,
        ),
        r.caution
          ? h("td", { class: "num caution", title: pi().review.iccNotAResult(r.iccForm, fmt(r.icc)) }, "—")
          : h("td", { class: "num", title: `${r.iccForm}, ${methodText(r.iccMethod)}` }, fmt(r.icc)),
        h("td", { class: "num" }, fmtPercent(r.percentExact)),
        h("td", { class: "num" }, r.percentWithinOne === null ? "—" : fmtPercent(r.percentWithinOne)),
        h("td", { class: "num" }, `${r.units} / ${r.raters}`),
      );
    });
    const iccForm = icc?.iccForm ?? "ICC2";
    replace(
      this.els.table,
      h(
        "table",
        { class: "data agreement-table", id: "agreement-table" },
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            h("th", { scope: "col" }, pi().review.dimension),
            h("th", { scope: "col" }, pi().review.level),
            h("th", { scope: "col", class: "num", title: pi().review.alphaTitle }, "α"),
            h("th", { scope: "col", class: "num" }, pi().review.ciHeader(this.intervals ? this.intervals.resamples : null)),
            h("th", { scope: "col", class: "num", title: iccText(iccForm) }, iccForm),
            h("th", { scope: "col", class: "num" }, pi().review.exact),
            h("th", { scope: "col", class: "num" }, pi().review.withinOne),
            h("th", { scope: "col", class: "num", title: pi().review.unitsRatersTitle }, pi().review.unitsRaters),
          ),
        ),
        h("tbody", {}, ...rows),
      ),
      h(
        "p",
        { class: "note" },
        pi().review.agreementNote(iccText(iccForm), icc ? methodText(icc.iccMethod) : null),
      ),
      t.warnings.length
        ? h(
            "details",
            { class: "warnings" },
            h("summary", {}, pi().review.statisticsNotes(t.warnings.length)),
            h("ul", {}, ...t.warnings.map((w) => h("li", {}, w))),
          )
        : null,
    );
  }

  private async saveThresholds(): Promise<void> {
    const good = Number(this.els.good.value);
    const tentative = Number(this.els.tentative.value);
    const problem = checkThresholds(good, tentative);
    if (problem) {
      this.els.status.textContent = problem;
      return;
    }
    try {
      const t = await this.api.setThresholds({ good, tentative });
      if (this.table) this.table.thresholds = t;
      this.els.status.textContent = pi().review.thresholdsSaved;
      this.renderTable();
    } catch (e) {
      this.els.status.textContent = toAppError(e).message;
    }
  }

  private async computeIntervals(): Promise<void> {
    const n = Math.round(Number(this.els.resamples.value));
    this.els.compute.disabled = true;
    this.els.status.textContent = pi().review.computingIntervals(n);
    try {
      const result = await this.api.agreementIntervals(n, undefined, this.raters.current());
      if (!this.life.live) return;
      this.intervals = result;
      this.els.status.textContent = pi().review.intervalsDone(result.resamples, result.seed);
      this.renderTable();
    } catch (e) {
      if (this.life.live) this.els.status.textContent = toAppError(e).message;
    } finally {
      this.els.compute.disabled = false;
    }
  }

  private async openDimension(dimension: string, weights?: KappaWeights): Promise<void> {
    this.open = dimension;
    this.weights = weights;
    this.renderTable();
    this.detail ??= new AsyncSection(this.els.detail);
    await this.detail.load(
      () => this.api.agreementDetail(dimension, weights, this.raters.current()),
      (d) => this.renderDetail(d),
    );
  }

  private renderDetail(d: AgreementDetail): void {
    const weights = h(
      "select",
      {
        id: "kappa-weights",
        onchange: (e: Event) => void this.openDimension(d.dimension, (e.target as HTMLSelectElement).value as KappaWeights),
      },
      ...(["unweighted", "linear", "quadratic"] as const).map((w) =>
        h("option", { value: w, selected: w === d.weights }, w === d.weights && !this.weights ? pi().review.weightDefault(pi().review.weights[w]) : pi().review.weights[w]),
      ),
    );
    const figure = (id: string, svg: string | null, alt: string, caption: string) =>
      svg
        ? h("figure", { class: "review-figure" }, h("img", { id, src: svgDataUrl(svg), alt }), h("figcaption", {}, caption))
        : h("p", { class: "empty" }, pi().review.notEnoughData(alt));
    const raterRows = d.raters.map((r) =>
      h(
        "tr",
        {},
        h("th", { scope: "row" }, r.rater, r.kind !== "human" ? h("span", { class: "kind" }, ` ${r.kind}`) : null),
        h("td", { class: "num" }, String(r.n)),
        ...(r.caution
          ? [h("td", { class: "caution", colspan: "4", title: pi().review.raterCautionTitle }, r.caution)]
          : [
              h("td", { class: "num" }, fmt(r.leniency, 2)),
              h("td", { class: "num" }, fmtPercent(r.consensusAgreement)),
              h("td", { class: "num" }, fmt(r.consensusR, 2)),
              h("td", { class: "num drift", title: r.drift.map((x) => fmt(x, 2)).join(" → ") }, driftText(r.drift)),
            ]),
        h("td", { class: "num" }, r.medianSeconds === null ? "—" : pi().review.seconds(r.medianSeconds.toFixed(0))),
      ),
    );
    replace(
      this.els.detail,
      h(
        "div",
        { class: "detail-head" },
        h("h3", {}, d.label, h("span", { class: "muted" }, ` · ${d.level}`)),
        h("label", { for: "kappa-weights" }, pi().review.kappaWeights),
        weights,
        h(
          "button",
          { class: "ghost", id: "to-disagreements", onclick: () => this.ctx.show("disagreements", d.dimension) },
          pi().review.toDisagreements,
        ),
      ),
      h(
        "div",
        { class: "figure-row" },
        figure(
          "kappa-heatmap",
          d.heatmapSvg,
          pi().review.kappaAlt(pi().review.weights[d.weights] ?? d.weights, d.label),
          pi().review.kappaCaption(pi().review.weights[d.weights] ?? d.weights),
        ),
        h(
          "div",
          { class: "rater-table-host" },
          h("h4", {}, pi().review.raters),
          h(
            "div",
            { class: "table-scroll" },
            h(
              "table",
              { class: "data", id: "rater-diagnostics" },
              h(
                "thead",
                {},
                h(
                  "tr",
                  {},
                  h("th", { scope: "col" }, pi().review.rater),
                  h("th", { scope: "col", class: "num" }, pi().review.n),
                  h("th", { scope: "col", class: "num", title: pi().review.leniencyTitle }, pi().review.leniency),
                  h("th", { scope: "col", class: "num", title: pi().review.agreeTitle }, pi().review.agree),
                  h("th", { scope: "col", class: "num", title: pi().review.consensusTitle }, pi().review.consensus),
                  h("th", { scope: "col", class: "num", title: d.driftMeasure }, pi().review.drift),
                  h("th", { scope: "col", class: "num", title: pi().review.medianTimeTitle }, pi().review.medianTime),
                ),
              ),
              h("tbody", {}, ...raterRows),
            ),
          ),
          d.pairs.length
            ? h(
                "p",
                { class: "note" },
                pi().review.pairsNote(Math.min(...d.pairs.map((p) => p.units)), Math.max(...d.pairs.map((p) => p.units)), d.driftMeasure),
              )
            : null,
          figure("drift-chart", d.driftSvg, pi().review.driftAlt(d.label), pi().review.driftCaption(d.driftMeasure)),
        ),
      ),
      h(
        "div",
        { class: "figure-row" },
        figure("distribution-chart", d.distributionSvg, pi().review.distributionAlt(d.label), pi().review.distributionCaption),
      ),
    );
  }
}
