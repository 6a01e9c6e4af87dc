// Studio view "Models": language models as raters (issue #14). The PI fills in an endpoint
// (localhost by default), tests the connection, reads the exact prompt one profile would get,
// runs the model with progress and Cancel, and sees the failures (with the raw answer), the
// past runs and the analyses: humans vs each model, state sensitivity (state-blind flag),
// sample consistency, and how much the models disagree about persons. Every request goes from
// Rust; nothing is sent before Test connection or Run, and the endpoint is shown before a run.
import type {
  Caution,
  AppError,
  DimensionModels,
  ModelFailure,
  ModelRunPlan,
  ModelRunSummary,
  ModelRunsView,
  ModelsReport,
} from "../../bindings";
import { toAppError } from "../../api";
import { h, replace } from "../../dom";
import { table } from "../../table";
import { renderError } from "../study/start";
import type { StudioContext, StudioView } from "../studio/view";
import type { ModelRuns } from "./runner";
import { outcomeLine, planLine, progressLine, share, toRequest, unless, when, withCi, type ModelForm } from "./logic";
import { pi } from "../../i18n";

/** How long typing pauses before the plan (what Run would send, and where) is asked for. */
const PLAN_MS = 250;
/** Resamples of the analyses' intervals, unless the PI changes it. */
export const DEFAULT_RESAMPLES = 200;

type Field = keyof ModelForm;

export class ModelsView implements StudioView {
  private el!: HTMLElement;
  private ctx: StudioContext | null = null;
  private unmounted = false;
  private unsubscribe: (() => void) | null = null;
  private planTimer: ReturnType<typeof setTimeout> | null = null;
  private planSeq = 0;
  private plan: ModelRunPlan | null = null;
  private reportSeq = 0;
  private els!: {
    testStatus: HTMLElement;
    testButton: HTMLButtonElement;
    previewIndex: HTMLInputElement;
    preview: HTMLElement;
    plan: HTMLElement;
    run: HTMLButtonElement;
    cancel: HTMLButtonElement;
    progress: HTMLProgressElement;
    progressText: HTMLElement;
    outcome: HTMLElement;
    failures: HTMLElement;
    runs: HTMLElement;
    resamples: HTMLInputElement;
    analyses: HTMLElement;
    analyse: HTMLButtonElement;
  };

  constructor(private readonly runs: ModelRuns) {}

  async mount(el: HTMLElement, ctx: StudioContext): Promise<void> {
    this.el = el;
    this.ctx = ctx;
    this.render();
    this.unsubscribe = this.runs.subscribe(() => this.showRun());
    this.showRun();
    this.schedulePlan(0);
    await Promise.all([this.loadRuns(), this.loadAnalyses()]);
  }

  unmount(): void {
    this.unmounted = true;
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.planTimer) clearTimeout(this.planTimer);
  }

  private field(id: Field, label: string, attrs: Record<string, string> = {}, hint?: string): HTMLElement {
    const input = h("input", {
      id: `models-${id}`,
      value: this.runs.form[id],
      spellcheck: "false",
      autocomplete: "off",
      ...attrs,
      oninput: (e: Event) => {
        this.runs.form[id] = (e.target as HTMLInputElement).value;
        this.schedulePlan(PLAN_MS);
      },
    });
    return h("label", { class: "field" }, h("span", {}, label), input, hint ? h("small", { class: "muted" }, hint) : null);
  }

  private render(): void {
    const testButton = h("button", { id: "models-test", onclick: () => void this.testConnection() }, pi().models.testConnection);
    const previewIndex = h("input", { id: "models-preview-index", type: "number", min: "1", value: "1", class: "models-narrow" });
    const run = h("button", { id: "models-run", class: "primary", onclick: () => void this.startRun() }, pi().models.run);
    const cancel = h("button", { id: "models-cancel", onclick: () => void this.runs.cancel() }, pi().models.cancel);
    const analyse = h("button", { id: "models-analyse", onclick: () => void this.loadAnalyses() }, pi().models.recompute);
    this.els = {
      testStatus: h("p", { id: "models-test-status", class: "analysis-status", role: "status", "aria-live": "polite" }),
      testButton,
      previewIndex,
      preview: h("div", { id: "models-preview" }),
      plan: h("p", { id: "models-plan", class: "analysis-status" }),
      run,
      cancel,
      progress: h("progress", { id: "models-progress", max: 1, value: 0 }),
      progressText: h("span", { id: "models-progress-text", class: "analysis-status", role: "status", "aria-live": "polite" }),
      outcome: h("div", { id: "models-outcome" }),
      failures: h("div", { id: "models-failures-host" }),
      runs: h("div", { id: "models-runs-host" }),
      resamples: h("input", { id: "models-resamples", type: "number", min: "0", value: String(DEFAULT_RESAMPLES), class: "models-narrow" }),
      analyses: h("div", { id: "models-analyses" }),
      analyse,
    };
    const e = this.els;
    replace(
      this.el,
      h(
        "div",
        { class: "analysis models", id: "models-view" },
        h(
          "section",
          { class: "card", "aria-labelledby": "models-endpoint-h" },
          h("h2", { id: "models-endpoint-h" }, pi().models.endpoint),
          h(
            "p",
            { class: "muted small-print" },
            pi().models.endpointHelp,
          ),
          h(
            "div",
            { class: "field-row" },
            this.field("endpoint", pi().models.baseUrl),
            this.field("model", pi().models.model, { placeholder: pi().models.modelPlaceholder }),
            this.field("rater", pi().models.raterName, { placeholder: pi().models.raterPlaceholder }),
            this.field("apiKeyEnv", pi().models.apiKeyEnv, { placeholder: pi().models.apiKeyPlaceholder }, pi().models.apiKeyHint),
          ),
          h(
            "div",
            { class: "field-row" },
            this.field("samples", pi().models.samples, { type: "number", min: "1" }),
            this.field("temperature", pi().models.temperature, { type: "number", min: "0", max: "2", step: "0.1" }),
            this.field("seed", pi().models.seed, { type: "number", min: "0", placeholder: pi().models.none }),
            this.field("concurrency", pi().models.concurrency, { type: "number", min: "1" }),
            this.field("timeout", pi().models.timeout, { type: "number", min: "1" }),
            this.field("limit", pi().models.limit, { type: "number", min: "1", placeholder: pi().models.all }),
          ),
          h("div", { class: "models-bar" }, testButton, e.testStatus),
        ),
        h(
          "section",
          { class: "card", "aria-labelledby": "models-preview-h" },
          h("h2", { id: "models-preview-h" }, pi().models.previewTitle),
          h(
            "div",
            { class: "models-bar" },
            h("label", { class: "field-inline" }, pi().models.profile, previewIndex),
            h("button", { id: "models-preview-button", onclick: () => void this.showPreview() }, pi().models.showPrompt),
          ),
          e.preview,
        ),
        h(
          "section",
          { class: "card", "aria-labelledby": "models-run-h" },
          h("h2", { id: "models-run-h" }, pi().models.runTitle),
          e.plan,
          h("div", { class: "models-bar" }, run, cancel, e.progress, e.progressText),
          e.outcome,
        ),
        h("section", { class: "card", "aria-labelledby": "models-failures-h" }, h("h2", { id: "models-failures-h" }, pi().models.failures), e.failures),
        h("section", { class: "card", "aria-labelledby": "models-runs-h" }, h("h2", { id: "models-runs-h" }, pi().models.pastRuns), e.runs),
        h(
          "section",
          { class: "card", "aria-labelledby": "models-analyses-h" },
          h("h2", { id: "models-analyses-h" }, pi().models.analyses),
          h(
            "div",
            { class: "models-bar" },
            h("label", { class: "field-inline" }, pi().models.resamples, e.resamples),
            analyse,
          ),
          e.analyses,
        ),
      ),
    );
  }

  private checked(): ReturnType<typeof toRequest> {
    return toRequest(this.runs.form);
  }

  private schedulePlan(ms: number): void {
    if (this.planTimer) clearTimeout(this.planTimer);
    this.planTimer = setTimeout(() => void this.refreshPlan(), ms);
  }

  private async refreshPlan(): Promise<void> {
    const seq = ++this.planSeq;
    const c = this.checked();
    if (c.error !== null) {
      this.plan = null;
      this.setStatus(this.els.plan, c.error, "warn");
      this.showRun();
      return;
    }
    try {
      const plan = await this.runs.api.plan(c.request);
      if (seq !== this.planSeq || this.unmounted) return;
      this.plan = plan;
      this.setStatus(this.els.plan, planLine(plan), "info");
    } catch (err) {
      if (seq !== this.planSeq || this.unmounted) return;
      this.plan = null;
      this.setStatus(this.els.plan, toAppError(err).message, "warn");
    }
    this.showRun();
  }

  private setStatus(el: HTMLElement, text: string, kind: "info" | "ok" | "warn" | "error"): void {
    el.className = `analysis-status ${kind}`;
    el.textContent = text;
  }

  private async testConnection(): Promise<void> {
    const f = this.runs.form;
    this.els.testButton.disabled = true;
    this.setStatus(this.els.testStatus, pi().models.asking(f.endpoint.trim()), "info");
    try {
      const c = await this.runs.api.testConnection(f.endpoint.trim(), f.model.trim(), f.apiKeyEnv.trim() || null);
      if (this.unmounted) return;
      const listed = pi().models.listed(c.models);
      if (c.modelFound === false)
        this.setStatus(this.els.testStatus, pi().models.noSuchModel(c.endpoint, f.model.trim(), listed), "warn");
      else this.setStatus(this.els.testStatus, pi().models.connected(c.endpoint, listed), "ok");
    } catch (err) {
      if (!this.unmounted) this.setStatus(this.els.testStatus, toAppError(err).message, "error");
    } finally {
      this.els.testButton.disabled = false;
    }
  }

  private async showPreview(): Promise<void> {
    const c = this.checked();
    if (c.error !== null) {
      replace(this.els.preview, h("p", { class: "analysis-status warn" }, c.error));
      return;
    }
    const index = Math.max(1, Math.floor(Number(this.els.previewIndex.value) || 1)) - 1;
    try {
      const p = await this.runs.api.preview(c.request, index);
      if (this.unmounted) return;
      replace(
        this.els.preview,
        h(
          "p",
          { class: "muted", id: "models-preview-of" },
          pi().models.previewOf(p.index + 1, p.profiles, `${p.person} · ${p.context}`, p.endpoint),
        ),
        h("pre", { id: "models-prompt", class: "models-pre" }, p.prompt),
        h("details", {}, h("summary", {}, pi().models.requestBody), h("pre", { id: "models-request", class: "models-pre" }, p.request)),
      );
    } catch (err) {
      if (!this.unmounted) replace(this.els.preview, renderError(toAppError(err)));
    }
  }

  private startRun(): void {
    const c = this.checked();
    if (c.error !== null || this.runs.active) return;
    this.runs.start(c.request);
  }

  /** The run bar from the shared run state (also after a tab switch). */
  private showRun(): void {
    if (this.unmounted) return;
    const e = this.els;
    const active = this.runs.active;
    const ready = this.checked().error === null && this.plan !== null && this.plan.requests > 0;
    e.run.disabled = active !== null || !ready;
    e.cancel.disabled = active === null || active.cancelling;
    e.progress.hidden = active === null && this.runs.last === null;
    if (active) {
      const p = active.progress;
      e.progress.max = Math.max(1, p?.total ?? 1);
      e.progress.value = p?.done ?? 0;
      const base = p ? progressLine(p) : pi().models.askingEndpoint(active.request.endpoint);
      this.setStatus(e.progressText, active.cancelling ? pi().models.cancelling(base) : base, "info");
      this.el.dataset.modelsRun = "running";
      return;
    }
    const last = this.runs.last;
    if (!last) return;
    if (this.el.dataset.modelsRun === "running" || this.el.dataset.modelsRun === undefined) {
      this.el.dataset.modelsRun = last.error ? "failed" : last.result?.cancelled ? "cancelled" : "finished";
      // The run changed the study: the runs, failures, plan and analyses follow.
      void this.loadRuns();
      void this.loadAnalyses();
      this.schedulePlan(0);
      void this.ctx?.refreshSession();
    }
    if (last.error) {
      replace(e.outcome, renderError(toAppError(last.error)));
      this.setStatus(e.progressText, pi().models.stopped, "error");
    } else if (last.result) {
      const r = last.result;
      e.progress.max = Math.max(1, r.requests);
      e.progress.value = r.requests;
      this.setStatus(e.progressText, outcomeLine(r), r.failures > 0 || r.cancelled ? "warn" : "ok");
      replace(e.outcome);
    }
  }

  private async loadRuns(): Promise<void> {
    try {
      const v = await this.runs.api.runs();
      if (this.unmounted) return;
      this.renderRuns(v);
    } catch (err) {
      if (!this.unmounted) replace(this.els.runs, renderError(toAppError(err)));
    }
  }

  private renderRuns(v: ModelRunsView): void {
    replace(this.els.failures, failuresTable(v.failures));
    replace(
      this.els.runs,
      v.runs.length === 0
        ? h("p", { class: "empty" }, pi().models.noRuns)
        : runsTable(v.runs),
    );
  }

  private async loadAnalyses(): Promise<void> {
    const seq = ++this.reportSeq;
    const resamples = Math.max(0, Math.floor(Number(this.els.resamples.value) || 0));
    this.els.analyse.disabled = true;
    replace(this.els.analyses, h("p", { class: "busy", id: "models-analyses-busy" }, pi().models.computing(resamples)));
    try {
      const r = await this.runs.api.report(resamples, 1, 0.5);
      if (seq !== this.reportSeq || this.unmounted) return;
      replace(this.els.analyses, renderReport(r));
    } catch (err) {
      if (seq !== this.reportSeq || this.unmounted) return;
      const e: AppError = toAppError(err);
      replace(this.els.analyses, e.code === "no_ratings" ? h("p", { class: "empty" }, e.message) : renderError(e));
    } finally {
      if (seq === this.reportSeq && !this.unmounted) this.els.analyse.disabled = false;
    }
  }
}

/** A value, or its caution's message marked as such (core's minimum-n rules). */
function cautioned(shown: string, caution: Caution | null): string | HTMLElement {
  return caution ? h("span", { class: "caution", "data-rule": caution.rule }, unless(shown, caution)) : shown;
}

function row(...cells: (string | HTMLElement)[]): HTMLTableRowElement {
  return h("tr", {}, ...cells.map((c) => h("td", {}, c)));
}

function failuresTable(failures: ModelFailure[]): HTMLElement {
  if (failures.length === 0) return h("p", { class: "empty", id: "models-no-failures" }, pi().models.noFailures);
  return h(
    "div",
    {},
    h("p", { class: "muted small-print" }, pi().models.failuresHelp),
    table({
      id: "models-failures",
      class: "analysis-table",
      scroll: true,
      label: pi().models.failedAnswers,
      head: pi().models.failuresHead,
      rows: failures.map((f) =>
        row(
          `#${f.run_id}`,
          f.person,
          f.context,
          f.dimension ?? pi().models.allDimensions,
          String(f.sample + 1),
          f.reason,
          h("details", {}, h("summary", {}, f.raw.slice(0, 40) || pi().models.empty), h("pre", { class: "models-pre" }, f.raw)),
        ),
      ),
    }),
  );
}

function runsTable(runs: ModelRunSummary[]): HTMLElement {
  return table({
    id: "models-runs",
    class: "analysis-table",
    scroll: true,
    label: pi().models.pastModelRuns,
    head: pi().models.runsHead,
    rows: runs.map((r) =>
      row(
        `#${r.id}`,
        r.rater,
        r.model,
        r.endpoint,
        when(r.started_at),
        r.status,
        String(r.samples),
        String(r.temperature),
        String(r.requests),
        String(r.answered),
        String(r.failed),
        String(r.ratings),
        String(r.invalid),
        r.median_latency_ms === null ? "–" : pi().models.ms(r.median_latency_ms),
        `${r.prompt_tokens} / ${r.completion_tokens}`,
      ),
    ),
  });
}

function blindBadge(blind: boolean | null): HTMLElement | string {
  if (blind === null) return "–";
  return blind ? h("span", { class: "badge-blind", title: pi().models.blindTitle }, pi().models.stateBlind) : pi().models.no;
}

export function renderReport(r: ModelsReport): HTMLElement {
  if (r.models.length === 0)
    return h("p", { class: "empty", id: "models-no-models" }, pi().models.noModels);
  const ci = pi().models.intervals(r.resamples, r.seed);
  return h(
    "div",
    { id: "models-report" },
    h(
      "p",
      { class: "muted small-print" },
      pi().models.reportHead(r.models.length, r.humans.length, r.samples, ci, share(r.blind_ratio)),
    ),
    h("h3", {}, pi().models.sensitivity),
    table({
      id: "models-summary",
      class: "analysis-table",
      head: pi().models.summaryHead,
      rows: r.summary.map((s) => {
        const tr = row(s.model, withCi(s.mean_state_ratio, null, 2), pi().models.of(s.blind_in, s.judged), blindBadge(s.state_blind));
        tr.dataset.model = s.model;
        tr.dataset.stateBlind = String(s.state_blind);
        return tr;
      }),
    }),
    ...r.dimensions.map(dimensionSection),
    r.notes.length ? h("ul", { class: "warnings" }, ...r.notes.map((n) => h("li", {}, n))) : null,
  );
}

function dimensionSection(d: DimensionModels): HTMLElement {
  const b = d.between_models;
  return h(
    "section",
    { class: "models-dim", "data-dimension": d.dimension },
    h("h3", {}, d.dimension, h("span", { class: "kind" }, ` · ${d.level}`)),
    table({
      class: "analysis-table models-dim-table",
      scroll: true,
      label: pi().models.modelsOn(d.dimension),
      head: pi().models.dimensionHead,
      rows: d.models.map((m) =>
        row(
          m.model,
          String(m.profiles),
          cautioned(withCi(m.alpha, m.alpha_ci), m.agreement_caution),
          cautioned(withCi(m.icc, m.icc_ci), m.agreement_caution),
          cautioned(share(m.model_state_share), m.state_caution),
          cautioned(share(m.human_state_share), m.state_caution),
          cautioned(withCi(m.state_ratio, m.state_ratio_ci, 2), m.state_caution),
          blindBadge(m.state_blind),
          m.samples === null ? pi().models.imported : String(m.samples),
          cautioned(withCi(m.sample_alpha, m.sample_alpha_ci), m.sample_caution),
        ),
      ),
    }),
    b
      ? h(
          "div",
          { class: "models-between" },
          h(
            "p",
            {},
            h("strong", {}, pi().models.between),
            pi().models.betweenText(unless(share(b.rater_person_share), b.caution), b.formula, withCi(b.kendall_w, null), b.kendall_units),
          ),
          b.sign_agreement.length
            ? table({
                class: "analysis-table",
                head: pi().models.signHead,
                rows: b.sign_agreement.map((p) => row(p.a, p.b, String(p.persons), share(p.agreement))),
              })
            : null,
          b.notes.length ? h("ul", { class: "warnings" }, ...b.notes.map((n) => h("li", {}, n))) : null,
        )
      : null,
    ...d.models.flatMap((m) => (m.notes.length ? [h("p", { class: "muted small-print" }, `${m.model}: ${m.notes.join("; ")}`)] : [])),
  );
}
