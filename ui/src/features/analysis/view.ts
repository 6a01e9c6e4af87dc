// Studio view "Analysis": the state–trait decomposition on demand. The run happens in Rust off
// the UI thread (progress over a channel, cancel by run id); a run outlives the view, so the
// PI can look at other tabs and come back to it. Figures are the Rust report's SVGs (the same
// files the exports and the HTML report hold), shown as data-URL images (CSP-safe).
import type {
  Method,
  AnalysisProgress,
  AnalysisRequest,
  AnalysisResult,
  LatestAnalysis,
  DimensionResult,
  ExportRequest,
  FigureView,
  FormulaCheck,
  ModelDimension,
  ModelResult,
  RunOutcome,
} from "../../bindings";
import { MODEL_PRESETS } from "../../bindings";
import { toAppError } from "../../api";
import { Run, Runs } from "../../runs";
import { folderOf, inFolderOf, pickDirectory, pickSavePath } from "../../dialogs";
import { h, replace } from "../../dom";
import { renderError } from "../study/start";
import { choiceText, RaterControl } from "../review/raters";
import { scrollBox, table } from "../../table";
import type { StudioContext, StudioView } from "../studio/view";
import type { AnalysisApi } from "./api";
import {
  ciText,
  DEFAULT_RESAMPLES,
  effectInterval,
  effectsSvg,
  exportStem,
  optionsText,
  disagreementRows,
  intervalMethods,
  parseOptions,
  pct,
  plottedEffects,
  progressText,
  shortHash,
  svgDataUrl,
  valueInterval,
  variance,
} from "./logic";
import { pi } from "../../i18n";

/** How long typing pauses before the formula is checked. */
const FORMULA_CHECK_MS = 250;

/** The analysis run in flight, shared by every mount of the view (a run outlives its view). */
export type ActiveRun = Run<AnalysisRequest, AnalysisProgress, RunOutcome>;

export class AnalysisRuns extends Runs<AnalysisRequest, AnalysisProgress, RunOutcome> {
  constructor(readonly api: AnalysisApi) {
    super({ run: (options, id, onProgress) => api.run(options, id, onProgress), cancel: (id) => api.cancel(id) });
  }
}

/** Resamples done and asked for ("0 of the requested" until the first message). */
function runProgress(run: ActiveRun): { done: number; total: number } {
  return { done: run.progress?.done ?? 0, total: run.progress?.total ?? run.request.bootstrap };
}

export class AnalysisView implements StudioView {
  private el: HTMLElement | null = null;
  private ctx: StudioContext | null = null;
  private state: LatestAnalysis | null = null;
  private result: AnalysisResult | null = null;
  private unsubscribe: (() => void) | null = null;
  private status: { text: string; kind: "info" | "ok" | "warn" | "error" } | null = null;
  private error: unknown = null;
  private form = {
    dimensions: new Set<string>(),
    method: "reml" as Method,
    resamples: String(DEFAULT_RESAMPLES),
    seed: "1",
    adjudicated: false,
    /** "none", a preset's id, or "custom". */
    preset: "none",
    formula: "",
    /** Profile-likelihood intervals of the model's SDs. */
    profileCi: false,
  };
  /** Core's verdict on `form.formula`, once it answered for exactly that text. */
  private formulaCheck: FormulaCheck | null = null;
  private formulaToken = 0;
  private formulaTimer: ReturnType<typeof setTimeout> | null = null;
  private formulaMsgEl: HTMLElement | null = null;
  /** The dimension whose context effects are plotted. */
  private effectsDimension: string | null = null;
  // Elements updated in place while a run reports progress (no full re-render per message).
  private progressEl: HTMLProgressElement | null = null;
  private progressTextEl: HTMLElement | null = null;
  /** Which raters the next run pools (default: every rater, as `decompose` and `report`). */
  private readonly raters = new RaterControl(
    "analysis",
    () => {
      this.status = { text: pi().analysis.raterChoiceChanged, kind: "info" };
      this.render();
    },
    { summary: false },
  );

  constructor(private readonly runs: AnalysisRuns) {}

  async mount(el: HTMLElement, ctx: StudioContext): Promise<void> {
    this.el = el;
    this.ctx = ctx;
    for (const d of this.defaultDimensions()) this.form.dimensions.add(d);
    this.unsubscribe = this.runs.subscribe(() => this.onRunChange());
    replace(el, h("p", { class: "busy" }, pi().analysis.loading));
    try {
      this.state = await this.runs.api.state();
      this.result = this.state.result;
      if (this.result) this.adoptOptions(this.result);
    } catch (e) {
      this.error = e;
    }
    if (this.runs.last && !this.runs.active) this.takeOutcome();
    this.render();
  }

  unmount(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.el = null;
  }

  private allDimensions(): string[] {
    return this.ctx?.session.codebook?.dimensions.map((d) => d.name) ?? [];
  }

  /** Ticked on opening: a nominal dimension has no variance to decompose. */
  private defaultDimensions(): string[] {
    return (this.ctx?.session.codebook?.dimensions ?? []).filter((d) => d.level !== "nominal").map((d) => d.name);
  }

  /** A dimension's label (the codebook's), for the tables. */
  private label(name: string): string {
    return this.ctx?.session.codebook?.dimensions.find((d) => d.name === name)?.label ?? name;
  }

  private adoptOptions(r: AnalysisResult): void {
    const o = r.options;
    this.form.method = o.method;
    this.form.resamples = String(o.bootstrap);
    this.form.seed = String(o.seed);
    this.form.adjudicated = o.adjudicated;
    this.form.dimensions = new Set(o.dimensions.length ? o.dimensions : this.allDimensions());
    const model = o.model ?? "";
    this.form.formula = model;
    this.form.profileCi = o.profileCi === true;
    this.form.preset = model ? (MODEL_PRESETS.find((p) => p.formula === model)?.id ?? "custom") : "none";
    if (model) this.checkFormula();
  }

  /** Asks core about the formula after a pause in typing; a late answer for older text is dropped. */
  private checkFormula(delay = 0): void {
    if (this.formulaTimer) clearTimeout(this.formulaTimer);
    const token = ++this.formulaToken;
    const text = this.form.formula.trim();
    this.formulaCheck = null;
    this.showFormulaMessage();
    if (!text) return;
    this.formulaTimer = setTimeout(() => {
      this.runs.api.checkFormula(text).then(
        (c) => {
          if (token !== this.formulaToken) return;
          this.formulaCheck = c;
          this.showFormulaMessage();
        },
        (e) => {
          if (token !== this.formulaToken) return;
          this.formulaCheck = { formula: text, terms: [], error: toAppError(e).message };
          this.showFormulaMessage();
        },
      );
    }, delay);
  }

  /** The line under the formula field, updated in place (the field keeps its focus). */
  private showFormulaMessage(): void {
    const el = this.formulaMsgEl;
    if (!el) return;
    const c = this.formulaCheck;
    el.classList.toggle("error", !!c?.error);
    el.classList.toggle("ok", !!c && !c.error);
    if (!this.form.formula.trim()) el.textContent = "";
    else if (!c) el.textContent = pi().analysis.checking;
    else if (c.error) el.textContent = c.error;
    else el.textContent = pi().analysis.fits(c.terms.map((t) => `(1|${t})`).join(" + "));
  }

  private onRunChange(): void {
    if (!this.el) return;
    const run = this.runs.active;
    if (run) {
      // How many progress updates this view showed, and the last one: tests read these to see
      // the bar move even when a run is over before they could sample it.
      const n = Number(this.el.dataset.progressUpdates ?? "0") + 1;
      this.el.dataset.progressUpdates = String(n);
      const { done, total } = runProgress(run);
      this.el.dataset.progressLast = `${done}/${total}`;
    }
    if (run && this.progressEl && this.progressTextEl) {
      // Progress only: update in place.
      const { done, total } = runProgress(run);
      this.progressEl.max = Math.max(total, 1);
      this.progressEl.value = done;
      this.progressTextEl.textContent = run.cancelling ? pi().analysis.cancelling : progressText(done, total);
      if (!run.cancelling) return;
    }
    if (!run && this.runs.last) this.takeOutcome();
    this.render();
  }

  /** Shows what the last run ended with (done, cancelled or failed). */
  private takeOutcome(): void {
    // Shown once: the next mount of the view starts from the study's latest result.
    const last = this.runs.last;
    this.runs.last = null;
    if (!last) return;
    if (last.error) {
      this.error = last.error;
      this.status = null;
      return;
    }
    const o = last.result;
    if (o?.status === "cancelled") {
      this.status = {
        text: this.result ? pi().analysis.cancelledKept : pi().analysis.cancelled,
        kind: "warn",
      };
    } else if (o?.result) {
      this.result = o.result;
      this.error = null;
      if (this.state) {
        this.state = { ...this.state, result: o.result, currentHash: o.result.dataHash, stale: false };
      }
      this.status = {
        text: o.cached
          ? pi().analysis.cached
          : pi().analysis.done(o.result.seconds.toFixed(1)),
        kind: "ok",
      };
    }
  }

  private start(): void {
    const parsed = parseOptions(
      {
        dimensions: this.allDimensions().filter((d) => this.form.dimensions.has(d)),
        method: this.form.method,
        resamples: this.form.resamples,
        seed: this.form.seed,
        adjudicated: this.form.adjudicated,
        model: this.form.preset === "none" ? "" : this.form.formula,
        profileCi: this.form.profileCi,
      },
      this.allDimensions(),
    );
    const c = this.formulaCheck;
    if (!("error" in parsed) && parsed.options.model && c?.error && c.formula.replace(/\s+/g, "") === parsed.options.model.replace(/\s+/g, "")) {
      this.status = { text: pi().analysis.cannotFit(c.error), kind: "error" };
      this.render();
      return;
    }
    if ("error" in parsed) {
      this.status = { text: parsed.error, kind: "error" };
      this.render();
      return;
    }
    const raters = this.raters.current();
    if (Object.keys(raters).length) parsed.options.raters = raters;
    this.status = null;
    this.error = null;
    this.runs.start(parsed.options);
  }

  private render(): void {
    if (!this.el) return;
    this.progressEl = null;
    this.progressTextEl = null;
    this.formulaMsgEl = null;
    replace(
      this.el,
      h(
        "div",
        { class: "analysis", id: "analysis-view" },
        h("h1", {}, pi().analysis.title),
        this.renderOptions(),
        this.error ? renderError(toAppError(this.error)) : null,
        this.result ? this.renderResult(this.result) : h("p", { class: "empty", id: "analysis-empty" }, pi().analysis.noResult),
      ),
    );
  }

  private renderOptions(): HTMLElement {
    const running = this.runs.active !== null;
    const dims = this.ctx?.session.codebook?.dimensions ?? [];
    const boxes = dims.map((d) =>
      h(
        "label",
        { class: "analysis-dim" },
        h("input", {
          type: "checkbox",
          name: "dimension",
          value: d.name,
          checked: this.form.dimensions.has(d.name),
          disabled: running,
          onchange: (e: Event) => {
            const on = (e.target as HTMLInputElement).checked;
            if (on) this.form.dimensions.add(d.name);
            else this.form.dimensions.delete(d.name);
          },
        }),
        d.label,
      ),
    );
    const setAll = (on: boolean) => {
      this.form.dimensions = new Set(on ? this.allDimensions() : []);
      this.render();
    };
    return h(
      "form",
      {
        class: "analysis-options card",
        id: "analysis-options",
        onsubmit: (e: Event) => {
          e.preventDefault();
          if (!this.runs.active) this.start();
        },
      },
      h(
        "fieldset",
        { class: "analysis-dims" },
        h("legend", {}, pi().analysis.dimensions),
        h("div", { class: "analysis-dim-list" }, ...boxes),
        h(
          "div",
          { class: "analysis-dim-tools" },
          h("button", { type: "button", class: "small", disabled: running, onclick: () => setAll(true) }, pi().analysis.all),
          h("button", { type: "button", class: "small", disabled: running, onclick: () => setAll(false) }, pi().analysis.none),
        ),
      ),
      h(
        "div",
        { class: "field-row" },
        h(
          "label",
          { class: "field" },
          h("span", {}, pi().analysis.estimator),
          h(
            "select",
            {
              id: "analysis-method",
              disabled: running,
              onchange: (e: Event) => (this.form.method = (e.target as HTMLSelectElement).value as Method),
            },
            h("option", { value: "reml", selected: this.form.method === "reml" }, pi().analysis.reml),
            h("option", { value: "anova", selected: this.form.method === "anova" }, pi().analysis.anova),
          ),
        ),
        h(
          "label",
          { class: "field" },
          h("span", { title: pi().analysis.resamplesTitle }, pi().analysis.resamples),
          h("input", {
            type: "number",
            id: "analysis-resamples",
            min: 0,
            step: 1,
            value: this.form.resamples,
            disabled: running,
            oninput: (e: Event) => (this.form.resamples = (e.target as HTMLInputElement).value),
          }),
        ),
        h(
          "label",
          { class: "field" },
          h("span", {}, pi().analysis.seed),
          h("input", {
            type: "number",
            id: "analysis-seed",
            min: 0,
            step: 1,
            value: this.form.seed,
            disabled: running,
            oninput: (e: Event) => (this.form.seed = (e.target as HTMLInputElement).value),
          }),
        ),
        h(
          "label",
          { class: "analysis-check" },
          h("input", {
            type: "checkbox",
            id: "analysis-adjudicated",
            checked: this.form.adjudicated,
            disabled: running,
            onchange: (e: Event) => (this.form.adjudicated = (e.target as HTMLInputElement).checked),
          }),
          pi().analysis.adjudicated,
        ),
        this.renderRunBar(),
      ),
      this.raters.el,
      this.renderModelOptions(running),
    );
  }

  private renderModelOptions(running: boolean): HTMLElement {
    const preset = MODEL_PRESETS.find((p) => p.id === this.form.preset);
    const msg = h("p", { class: "analysis-formula-message", id: "analysis-formula-message", "aria-live": "polite" });
    this.formulaMsgEl = msg;
    const field = h("input", {
      type: "text",
      id: "analysis-formula",
      spellcheck: false,
      autocomplete: "off",
      placeholder: pi().analysis.formulaPlaceholder,
      value: this.form.formula,
      disabled: running || this.form.preset === "none",
      oninput: (e: Event) => {
        this.form.formula = (e.target as HTMLInputElement).value;
        const match = MODEL_PRESETS.find((p) => p.formula === this.form.formula.trim());
        this.form.preset = match?.id ?? "custom";
        const select = this.el?.querySelector<HTMLSelectElement>("#analysis-model-preset");
        if (select) select.value = this.form.preset;
        this.checkFormula(FORMULA_CHECK_MS);
      },
    });
    queueMicrotask(() => this.showFormulaMessage());
    return h(
      "fieldset",
      { class: "analysis-model card", id: "analysis-model-options" },
      h("legend", {}, pi().analysis.modelLegend),
      h(
        "label",
        { class: "field" },
        h("span", {}, pi().analysis.model),
        h(
          "select",
          {
            id: "analysis-model-preset",
            disabled: running,
            onchange: (e: Event) => {
              const id = (e.target as HTMLSelectElement).value;
              this.form.preset = id;
              const p = MODEL_PRESETS.find((x) => x.id === id);
              if (p) this.form.formula = p.formula;
              if (id === "none") this.form.formula = "";
              this.render();
              this.checkFormula();
            },
          },
          h("option", { value: "none", selected: this.form.preset === "none" }, pi().analysis.modelNone),
          ...MODEL_PRESETS.map((p) => h("option", { value: p.id, selected: this.form.preset === p.id }, p.name)),
          h("option", { value: "custom", selected: this.form.preset === "custom" }, pi().analysis.custom),
        ),
      ),
      h("label", { class: "field analysis-formula-field" }, h("span", {}, pi().analysis.formula), field),
      msg,
      preset ? h("p", { class: "muted analysis-preset-note" }, preset.description) : null,
      h(
        "label",
        { class: "check" },
        h("input", {
          type: "checkbox",
          id: "analysis-profile-ci",
          checked: this.form.profileCi,
          disabled: running || this.form.preset === "none",
          onchange: (e: Event) => (this.form.profileCi = (e.target as HTMLInputElement).checked),
        }),
        pi().analysis.profileCi,
      ),
      h(
        "p",
        { class: "muted" },
        pi().analysis.modelBootstrap,
      ),
    );
  }

  private renderRunBar(): HTMLElement {
    const run = this.runs.active;
    const bar = h("div", { class: "analysis-runbar" });
    if (run) {
      const { done, total } = runProgress(run);
      const progress = h("progress", { id: "analysis-progress", max: Math.max(total, 1), value: done });
      const text = h(
        "span",
        { id: "analysis-progress-text", class: "muted", "aria-live": "polite" },
        run.cancelling ? pi().analysis.cancelling : progressText(done, total),
      );
      this.progressEl = progress;
      this.progressTextEl = text;
      bar.append(
        h("button", { class: "primary", id: "analysis-run", disabled: true }, pi().analysis.running),
        h(
          "button",
          { id: "analysis-cancel", disabled: run.cancelling, onclick: () => void this.runs.cancel() },
          pi().analysis.cancel,
        ),
        progress,
        text,
      );
    } else {
      bar.append(
        h("button", { class: "primary", id: "analysis-run", type: "submit" }, pi().analysis.run),
      );
    }
    if (this.status) {
      bar.append(h("span", { id: "analysis-status", class: `analysis-status ${this.status.kind}`, role: "status" }, this.status.text));
    }
    return bar;
  }

  private renderResult(r: AnalysisResult): HTMLElement {
    if (r.raterPool) this.raters.show(r.raterPool);
    const stale = this.state?.stale === true && this.state.result?.key === r.key;
    const fig = (name: string) => r.figures.find((f) => f.name === name);
    return h(
      "div",
      { class: "analysis-result", id: "analysis-result", "data-key": r.key },
      stale
        ? h(
            "div",
            { class: "analysis-stale", id: "analysis-stale", role: "alert" },
            h("strong", {}, pi().analysis.stale),
            h("button", { class: "small", id: "analysis-rerun", disabled: this.runs.active !== null, onclick: () => { this.adoptOptions(r); this.start(); } }, pi().analysis.rerun),
          )
        : null,
      h(
        "p",
        { class: "analysis-meta muted" },
        pi().analysis.computed(r.computedAt.replace("T", " ").replace("Z", " UTC"), optionsText(r.options), shortHash(r.dataHash)),
      ),
      r.raters ? h("p", { class: "analysis-meta muted", id: "analysis-rater-summary" }, pi().review.ratersChoice(choiceText(r.raters))) : null,
      this.renderPooled(r),
      h("h2", {}, pi().analysis.perDimension),
      this.renderDimensions(r),
      r.model ? this.renderModel(r.model) : null,
      this.renderExports(r),
      this.renderFigure(r, fig("rater_level_shares")),
      this.renderFigure(r, fig("trait_state_shares")),
      this.renderFigure(r, fig("pooled_split")),
      h("h2", {}, pi().analysis.perRater),
      this.renderRaters(r),
      h("h2", {}, pi().analysis.personsAcross),
      this.renderFigure(r, fig("person_profiles")),
    );
  }

  private renderPooled(r: AnalysisResult): HTMLElement {
    const p = r.pooled;
    return h(
      "section",
      { class: "analysis-pooled", id: "analysis-pooled" },
      h(
        "p",
        { class: "analysis-headline" },
        h("span", { class: "muted" }, pi().analysis.pooled),
        ...(p.caution
          ? [h("span", { class: "caution", id: "pooled-caution", title: pi().analysis.traitNotAResult(pct(p.traitShare)) }, pi().analysis.traitAndState(p.caution))]
          : [
              h("span", { class: "share-trait" }, pi().analysis.trait(pct(p.traitShare))),
              p.traitCi ? h("span", { class: "muted" }, ` ${ciText(p.traitCi)}`) : null,
              h("span", { class: "sep" }, " · "),
              h("span", { class: "share-state" }, pi().analysis.state(pct(p.stateShare))),
            ]),
        h("span", { class: "muted" }, pi().analysis.meanOver(p.dimensions)),
      ),
      p.standardised && !p.caution
        ? h(
            "p",
            { class: "analysis-sub muted" },
            pi().analysis.standardised(pct(p.standardised.person), pct(p.standardised.personContext), pct(p.standardised.rater), pct(p.standardised.residual)),
          )
        : null,
    );
  }

  private renderDimensions(r: AnalysisResult): HTMLElement {
    // A caution (too few persons with two contexts, a boundary fit) replaces the shares.
    const shares = (d: DimensionResult) =>
      d.caution
        ? [h("td", { class: "caution trait-share", colspan: 3, title: pi().analysis.traitNotAResult(pct(d.traitShare)) }, d.caution)]
        : [
            h("td", { class: "num trait-share" }, pct(d.traitShare)),
            h("td", { class: "ci" }, ciText(d.traitCi), d.ciCaution ? h("span", { class: "caution ci-caution" }, ` ${d.ciCaution}`) : null),
            h("td", { class: "num" }, pct(d.stateShare)),
          ];
    const raterLevel = (d: DimensionResult) =>
      d.caution
        ? [h("td", { class: "caution", colspan: 4 }, "—")]
        : [
            h("td", { class: "num" }, pct(d.raterLevel?.person)),
            h("td", { class: "num" }, pct(d.raterLevel?.personContext)),
            h("td", { class: "num" }, pct(d.raterLevel?.rater)),
            h("td", { class: "num" }, pct(d.raterLevel?.residual)),
          ];
    const row = (d: DimensionResult) =>
      h(
        "tr",
        { "data-dimension": d.dimension, class: d.caution ? "cautioned" : "" },
        h("th", { scope: "row", class: "name", title: d.dimension }, this.label(d.dimension)),
        ...shares(d),
        ...raterLevel(d),
        h("td", { class: "num" }, d.reliabilityK === null ? "—" : d.reliabilityK.toFixed(2)),
        h("td", { class: "num" }, String(d.persons)),
        h(
          "td",
          { class: "notes" },
          // The model's own warnings are in the model's table.
          [...d.negative.map((n) => pi().analysis.negative(n)), ...d.warnings.filter((w) => !(r.model && w.startsWith("model: ")))].join("; "),
        ),
      );
    return h(
      "div",
      scrollBox(pi().analysis.dimensions),
      h(
        "table",
        { class: "analysis-table", id: "analysis-dimensions" },
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            h("th", { rowspan: 2 }, pi().analysis.dimension),
            h("th", { colspan: 3, class: "group" }, pi().analysis.profileLevel),
            h("th", { colspan: 5, class: "group" }, pi().analysis.raterLevel),
            h("th", { rowspan: 2 }, pi().analysis.persons),
            h("th", { rowspan: 2 }, pi().analysis.notes),
          ),
          h(
            "tr",
            {},
            h("th", {}, pi().analysis.traitHeader),
            h("th", {}, pi().analysis.ci),
            h("th", {}, pi().analysis.stateHeader),
            h("th", {}, pi().analysis.traitHeader),
            h("th", {}, pi().analysis.stateHeader),
            h("th", {}, pi().analysis.rater),
            h("th", {}, pi().analysis.residual),
            h("th", { title: pi().analysis.relTitle }, pi().analysis.rel),
          ),
        ),
        h("tbody", {}, ...r.dimensions.map(row)),
      ),
      h(
        "p",
        { class: "note" },
        pi().analysis.dimensionsNote,
      ),
    );
  }

  private renderModel(m: ModelResult): HTMLElement {
    const terms: string[] = [];
    for (const d of m.dimensions) for (const c of d.components) if (!terms.includes(c.term)) terms.push(c.term);
    const row = (d: ModelDimension) =>
      h(
        "tr",
        { "data-dimension": d.dimension },
        h("th", { scope: "row", class: "name" }, d.dimension),
        ...terms.map((t) => {
          const c = d.components.find((x) => x.term === t);
          return h(
            "td",
            { class: "num", "data-term": t, "data-variance": c ? String(c.variance) : "", title: c?.levels ? pi().analysis.levels(c.levels) : "" },
            h("span", { class: "share" }, pct(c?.share)),
            c?.shareCi ? h("span", { class: "muted ci" }, ` ${ciText(c.shareCi)}`) : null,
            h("span", { class: "muted variance" }, ` (${variance(c?.variance)})`),
          );
        }),
        h(
          "td",
          { class: "notes" },
          // Core's warnings name boundary terms and a fit that did not converge.
          d.warnings.join("; "),
        ),
      );
    const withEffects = m.dimensions.filter((d) => d.effects.length > 0);
    if (!withEffects.some((d) => d.dimension === this.effectsDimension)) {
      // First shown: the dimension where the first effect term (context) pulls most.
      const pull = (d: ModelDimension) => d.components.find((c) => c.term === d.effects[0].term)?.variance ?? 0;
      this.effectsDimension = [...withEffects].sort((a, b) => pull(b) - pull(a))[0]?.dimension ?? null;
    }
    const chosen = withEffects.find((d) => d.dimension === this.effectsDimension) ?? null;
    return h(
      "section",
      { class: "analysis-model-result", id: "analysis-model", "data-formula": m.formula },
      h("h2", {}, pi().analysis.model),
      h("p", {}, h("code", { class: "analysis-formula-shown" }, m.formula)),
      h("p", { class: "muted" }, pi().analysis.modelNote),
      table({
        id: "analysis-model-table",
        class: "analysis-table",
        head: [pi().analysis.dimension, ...terms, pi().analysis.notes],
        rows: m.dimensions.map(row),
        scroll: true,
        label: pi().analysis.modelComponents,
      }),
      this.renderModelIntervals(m),
      chosen ? this.renderEffects(withEffects, chosen) : null,
    );
  }

  /** Every component with its intervals, and how they were made (one line per method). */
  private renderModelIntervals(m: ModelResult): HTMLElement | null {
    const withIntervals = m.dimensions.filter((d) => d.bootstrap !== null || d.profileCi);
    if (withIntervals.length === 0) return null;
    const methods: string[] = [];
    for (const d of withIntervals) for (const t of intervalMethods(d)) if (!methods.includes(t)) methods.push(t);
    const sd = (v: number) => (v >= 0 ? Math.sqrt(v) : Number.NaN);
    const rows = withIntervals.flatMap((d) =>
      d.components.map((c) =>
        h(
          "tr",
          {
            "data-dimension": d.dimension,
            "data-term": c.term,
            "data-variance": String(c.variance),
            "data-share": String(c.share),
            "data-variance-ci": c.varianceCi ? c.varianceCi.join(",") : "",
            "data-share-ci": c.shareCi ? c.shareCi.join(",") : "",
            "data-sd-ci": c.sdCi ? c.sdCi.join(",") : "",
          },
          h("th", { scope: "row", class: "name" }, d.dimension),
          h("td", {}, c.term),
          h("td", { class: "num" }, variance(c.variance)),
          h("td", { class: "num ci" }, valueInterval(c.varianceCi)),
          h("td", { class: "num" }, variance(sd(c.variance))),
          h("td", { class: "num ci" }, valueInterval(c.sdCi)),
          h("td", { class: "num" }, pct(c.share)),
          h("td", { class: "num ci" }, ciText(c.shareCi)),
        ),
      ),
    );
    return h(
      "div",
      { class: "analysis-model-intervals", id: "analysis-model-intervals" },
      h("h3", {}, pi().analysis.componentsWithIntervals),
      ...methods.map((t) => h("p", { class: "analysis-interval-method", "data-method": t === pi().analysis.profileMethod ? "profile" : "bootstrap" }, t)),
      table({
        id: "analysis-intervals-table",
        class: "analysis-table",
        head: pi().analysis.intervalsHead,
        rows,
        scroll: true,
      }),
    );
  }

  private renderEffects(dims: ModelDimension[], d: ModelDimension): HTMLElement {
    const select = h(
      "select",
      {
        id: "analysis-effects-dimension",
        onchange: (e: Event) => {
          this.effectsDimension = (e.target as HTMLSelectElement).value;
          this.render();
        },
      },
      ...dims.map((x) => h("option", { value: x.dimension, selected: x.dimension === d.dimension }, x.dimension)),
    );
    return h(
      "div",
      { class: "analysis-effects", id: "analysis-effects" },
      h("h3", {}, d.disagreement.length > 0 ? pi().analysis.effectsWithPersons : pi().analysis.effects, select),
      h(
        "p",
        { class: "muted" },
        pi().analysis.effectsNote,
      ),
      d.disagreement.length > 0 ? this.renderDisagreement(d) : null,
      ...d.effects.map((t) => {
        const { shown, hidden } = plottedEffects(t.effects);
        const plot = effectsSvg(shown, pi().analysis.effectsTitle(d.dimension, t.term));
        return h(
          "figure",
          { class: "analysis-figure", id: `effects-${t.term}`, "data-term": t.term },
          h("img", { class: "analysis-figure-img", src: svgDataUrl(plot.svg), alt: pi().analysis.effectsAlt(t.term, d.dimension), width: plot.width, height: plot.height }),
          h(
            "figcaption",
            {},
            pi().analysis.levelsShown(hidden > 0 ? shown.length / 2 : null, t.effects.length),
          ),
          table({
            class: "analysis-table effects-table",
            head: [t.term, pi().analysis.mode, pi().analysis.interval],
            rows: shown.map((e) => {
              const [a, b] = effectInterval(e);
              return h(
                "tr",
                { "data-level": e.level, "data-mode": String(e.mode), "data-sd": String(e.sd) },
                h("th", { scope: "row" }, e.level),
                h("td", { class: "num" }, e.mode.toFixed(3)),
                h("td", { class: "num" }, `[${a.toFixed(3)}, ${b.toFixed(3)}]`),
              );
            }),
          }),
        );
      }),
    );
  }

  /** The persons the raters disagree about most: each one's highest and lowest rater. */
  private renderDisagreement(d: ModelDimension): HTMLElement {
    const n = 8;
    const rows = disagreementRows(d.disagreement, n);
    const plot = effectsSvg(rows, pi().analysis.disagreeTitle(d.dimension));
    const shown = Math.min(n, d.disagreement.length);
    return h(
      "figure",
      { class: "analysis-figure", id: "effects-disagreement" },
      h("img", { class: "analysis-figure-img", src: svgDataUrl(plot.svg), alt: pi().analysis.disagreeAlt(d.dimension), width: plot.width, height: plot.height }),
      h(
        "figcaption",
        {},
        pi().analysis.disagreeCaption(shown, d.disagreement.length),
      ),
      table({
        class: "analysis-table disagreement-table",
        head: pi().analysis.disagreeHead,
        rows: d.disagreement.slice(0, n).map((p) =>
          h(
            "tr",
            { "data-person": p.person, "data-spread": String(p.spread) },
            h("th", { scope: "row" }, p.person),
            h("td", { class: "num" }, String(p.raters)),
            h("td", { class: "num" }, p.spread.toFixed(3)),
            h("td", {}, `${p.highest.level} ${p.highest.mode >= 0 ? "+" : ""}${p.highest.mode.toFixed(3)}`),
            h("td", {}, `${p.lowest.level} ${p.lowest.mode >= 0 ? "+" : ""}${p.lowest.mode.toFixed(3)}`),
          ),
        ),
      }),
    );
  }

  private renderRaters(r: AnalysisResult): HTMLElement {
    // The matrix (means, the state-blind rule) is computed in core; cells index the rows.
    const m = r.raterMatrix;
    const cell = (i: number | null) => (i === null ? null : (r.raterSensitivity[i] ?? null));
    if (m.raters.length === 0) return h("p", { class: "empty" }, pi().analysis.noRaters);
    return h(
      "div",
      {},
      h(
        "p",
        { class: "muted" },
        pi().analysis.ratersNote,
      ),
      h(
        "div",
        scrollBox(pi().analysis.ratersLabel),
        h(
          "table",
          { class: "analysis-table", id: "analysis-raters" },
          h(
            "thead",
            {},
            h("tr", {}, h("th", {}, pi().analysis.rater), h("th", {}, pi().analysis.kind), ...m.dimensions.map((d) => h("th", { title: d }, this.label(d))), h("th", {}, pi().analysis.mean), h("th", {}, "")),
          ),
          h(
            "tbody",
            {},
            ...m.raters.map((row) =>
              h(
                "tr",
                { "data-rater": row.rater, class: row.stateBlind ? "state-blind" : "" },
                h("th", { scope: "row", class: "name" }, row.rater),
                h("td", {}, row.kind),
                ...row.cells.map(cell).map((c) =>
                  c?.caution
                    ? h("td", { class: "caution", title: pi().analysis.shareNotAResult(pct(c.stateShare), c.ratings) }, c.caution)
                    : h(
                        "td",
                        { class: `num${c?.stateBlind ? " blind" : ""}`, title: c?.ci ? pi().analysis.ciTitle(ciText(c.ci), c.ciCaution) : (c?.note ?? "") },
                        c ? pct(c.stateShare) : "",
                      ),
                ),
                h("td", { class: "num" }, pct(row.mean)),
                h("td", {}, row.stateBlind ? h("span", { class: "badge-blind" }, pi().analysis.stateBlind) : ""),
              ),
            ),
          ),
        ),
      ),
    );
  }

  private figureImage(f: FigureView): HTMLElement {
    return h("img", {
      class: "analysis-figure-img",
      src: svgDataUrl(f.svg),
      alt: f.title,
      width: f.width,
      height: f.height,
      "data-figure": f.name,
    });
  }

  private renderFigure(r: AnalysisResult, f: FigureView | undefined): HTMLElement | null {
    if (!f) return null;
    return h(
      "figure",
      { class: "analysis-figure", id: `figure-${f.name}` },
      this.figureImage(f),
      h(
        "figcaption",
        {},
        h("span", {}, f.caption),
        h(
          "span",
          { class: "analysis-figure-tools" },
          h("button", { class: "small", onclick: () => void this.exportFigure(r, f, "svg") }, pi().analysis.svg),
          h("button", { class: "small", onclick: () => void this.exportFigure(r, f, "png") }, pi().analysis.png),
        ),
      ),
    );
  }

  private renderExports(r: AnalysisResult): HTMLElement {
    return h(
      "div",
      { class: "analysis-exports" },
      h("span", { class: "muted" }, pi().analysis.export),
      h("button", { class: "small", id: "analysis-export-report", onclick: () => void this.exportReport(r) }, pi().analysis.reportHtml),
      h("button", { class: "small", id: "analysis-export-all", onclick: () => void this.exportAll(r) }, pi().analysis.everything),
      h("span", { class: "muted" }, pi().analysis.tablesCsv),
      ...r.tables.map((t) =>
        h("button", { class: "small", title: t.title, onclick: () => void this.exportTable(r, t.name) }, pi().analysis.tableButton(t.name)),
      ),
    );
  }

  private inStudyFolder(name: string): string {
    return inFolderOf(this.ctx?.session.study.path ?? "", name);
  }

  private stem(): string {
    return exportStem(this.ctx?.session.study.name ?? "analysis");
  }

  private async exportReport(r: AnalysisResult): Promise<void> {
    const path = await pickSavePath(pi().analysis.saveReport, this.inStudyFolder(`${this.stem()}-report.html`), [{ name: "HTML", extensions: ["html"] }]);
    if (path) await this.doExport(r, { kind: "report", path });
  }

  private async exportAll(r: AnalysisResult): Promise<void> {
    const dir = await pickDirectory(pi().analysis.folder, folderOf(this.ctx?.session.study.path ?? ""));
    if (dir) await this.doExport(r, { kind: "all", dir });
  }

  private async exportTable(r: AnalysisResult, name: string): Promise<void> {
    const path = await pickSavePath(pi().analysis.saveTable(name), this.inStudyFolder(`${this.stem()}-${name}.csv`), [{ name: "CSV", extensions: ["csv"] }]);
    if (path) await this.doExport(r, { kind: "table", name, path });
  }

  private async exportFigure(r: AnalysisResult, f: FigureView, format: "svg" | "png"): Promise<void> {
    const path = await pickSavePath(pi().analysis.saveFigure(f.title), this.inStudyFolder(`${this.stem()}-${f.name}.${format}`), [
      { name: format.toUpperCase(), extensions: [format] },
    ]);
    if (path) await this.doExport(r, { kind: "figure", name: f.name, format, path });
  }

  private async doExport(r: AnalysisResult, req: ExportRequest): Promise<void> {
    try {
      const written = await this.runs.api.export(r.key, req);
      this.status = {
        text: pi().analysis.saved(written),
        kind: "ok",
      };
      this.error = null;
    } catch (e) {
      this.error = e;
      this.status = null;
    }
    this.render();
  }
}
