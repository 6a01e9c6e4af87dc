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
    const testButton = h("button", { id: "models-test", onclick: () => void this.testConnection() }, "Test connection");
    const previewIndex = h("input", { id: "models-preview-index", type: "number", min: "1", value: "1", class: "models-narrow" });
    const run = h("button", { id: "models-run", class: "primary", onclick: () => void this.startRun() }, "Run");
    const cancel = h("button", { id: "models-cancel", onclick: () => void this.runs.cancel() }, "Cancel");
    const analyse = h("button", { id: "models-analyse", onclick: () => void this.loadAnalyses() }, "Recompute");
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
          h("h2", { id: "models-endpoint-h" }, "Endpoint"),
          h(
            "p",
            { class: "muted small-print" },
            "An OpenAI-compatible chat-completions server: Ollama, llama.cpp's server, vLLM or LM Studio on this machine or the lab's, or a cloud endpoint you choose. Nothing is sent until you press Test connection or Run.",
          ),
          h(
            "div",
            { class: "field-row" },
            this.field("endpoint", "Base URL"),
            this.field("model", "Model", { placeholder: "e.g. llama3.2" }),
            this.field("rater", "Rater name", { placeholder: "the model's name" }),
            this.field("apiKeyEnv", "API key variable", { placeholder: "e.g. OPENAI_API_KEY" }, "The name of an environment variable; the key is read from it and never stored."),
          ),
          h(
            "div",
            { class: "field-row" },
            this.field("samples", "Samples per profile", { type: "number", min: "1" }),
            this.field("temperature", "Temperature", { type: "number", min: "0", max: "2", step: "0.1" }),
            this.field("seed", "Seed", { type: "number", min: "0", placeholder: "none" }),
            this.field("concurrency", "Requests at once", { type: "number", min: "1" }),
            this.field("timeout", "Timeout (s)", { type: "number", min: "1" }),
            this.field("limit", "First N profiles", { type: "number", min: "1", placeholder: "all" }),
          ),
          h("div", { class: "models-bar" }, testButton, e.testStatus),
        ),
        h(
          "section",
          { class: "card", "aria-labelledby": "models-preview-h" },
          h("h2", { id: "models-preview-h" }, "Prompt preview"),
          h(
            "div",
            { class: "models-bar" },
            h("label", { class: "field-inline" }, "Profile ", previewIndex),
            h("button", { id: "models-preview-button", onclick: () => void this.showPreview() }, "Show prompt"),
          ),
          e.preview,
        ),
        h(
          "section",
          { class: "card", "aria-labelledby": "models-run-h" },
          h("h2", { id: "models-run-h" }, "Run"),
          e.plan,
          h("div", { class: "models-bar" }, run, cancel, e.progress, e.progressText),
          e.outcome,
        ),
        h("section", { class: "card", "aria-labelledby": "models-failures-h" }, h("h2", { id: "models-failures-h" }, "Failures"), e.failures),
        h("section", { class: "card", "aria-labelledby": "models-runs-h" }, h("h2", { id: "models-runs-h" }, "Past runs"), e.runs),
        h(
          "section",
          { class: "card", "aria-labelledby": "models-analyses-h" },
          h("h2", { id: "models-analyses-h" }, "Analyses"),
          h(
            "div",
            { class: "models-bar" },
            h("label", { class: "field-inline" }, "Bootstrap resamples ", e.resamples),
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
    this.setStatus(this.els.testStatus, `Asking ${f.endpoint.trim()} for its models…`, "info");
    try {
      const c = await this.runs.api.testConnection(f.endpoint.trim(), f.model.trim(), f.apiKeyEnv.trim() || null);
      if (this.unmounted) return;
      const listed = c.models === null ? "it does not list its models" : `it lists ${c.models.length}: ${c.models.slice(0, 8).join(", ")}${c.models.length > 8 ? ", …" : ""}`;
      if (c.modelFound === false)
        this.setStatus(this.els.testStatus, `${c.endpoint} answered, but has no model "${f.model.trim()}" (${listed}).`, "warn");
      else this.setStatus(this.els.testStatus, `Connected to ${c.endpoint}: ${listed}.`, "ok");
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
          `Profile ${p.index + 1} of ${p.profiles}: ${p.person} · ${p.context}. Sent as one user message to ${p.endpoint}/chat/completions.`,
        ),
        h("pre", { id: "models-prompt", class: "models-pre" }, p.prompt),
        h("details", {}, h("summary", {}, "Request body (JSON)"), h("pre", { id: "models-request", class: "models-pre" }, p.request)),
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
      const base = p ? progressLine(p) : `Asking ${active.request.endpoint}…`;
      this.setStatus(e.progressText, active.cancelling ? `${base} · cancelling after the requests in flight…` : base, "info");
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
      this.setStatus(e.progressText, "The run stopped.", "error");
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
        ? h("p", { class: "empty" }, "No model runs yet. Model ratings imported from a CSV (rater kind model) are analysed too.")
        : runsTable(v.runs),
    );
  }

  private async loadAnalyses(): Promise<void> {
    const seq = ++this.reportSeq;
    const resamples = Math.max(0, Math.floor(Number(this.els.resamples.value) || 0));
    this.els.analyse.disabled = true;
    replace(this.els.analyses, h("p", { class: "busy", id: "models-analyses-busy" }, `Computing (${resamples} resamples)…`));
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
  if (failures.length === 0) return h("p", { class: "empty", id: "models-no-failures" }, "No failures: every answer was JSON on the scale.");
  return h(
    "div",
    {},
    h("p", { class: "muted small-print" }, "Answers that were not JSON or were off the scale after their retries: recorded here with the raw text, never as ratings."),
    table({
      id: "models-failures",
      class: "analysis-table",
      scroll: true,
      label: "Failed answers",
      head: ["Run", "Person", "Context", "Dimension", "Sample", "Reason", "Raw answer"],
      rows: failures.map((f) =>
        row(
          `#${f.run_id}`,
          f.person,
          f.context,
          f.dimension ?? "all",
          String(f.sample + 1),
          f.reason,
          h("details", {}, h("summary", {}, f.raw.slice(0, 40) || "(empty)"), h("pre", { class: "models-pre" }, f.raw)),
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
    label: "Past model runs",
    head: ["Run", "Rater", "Model", "Endpoint", "Started", "Status", "Samples", "Temp.", "Requests", "Answered", "Failed", "Ratings", "Invalid", "Median latency", "Tokens in/out"],
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
        r.median_latency_ms === null ? "–" : `${r.median_latency_ms} ms`,
        `${r.prompt_tokens} / ${r.completion_tokens}`,
      ),
    ),
  });
}

function blindBadge(blind: boolean | null): HTMLElement | string {
  if (blind === null) return "–";
  return blind ? h("span", { class: "badge-blind", title: "carries less than the threshold of the humans' state share" }, "state-blind") : "no";
}

export function renderReport(r: ModelsReport): HTMLElement {
  if (r.models.length === 0)
    return h("p", { class: "empty", id: "models-no-models" }, "The study has no model raters yet: run a model above, or import model ratings (rater kind model).");
  const ci = r.resamples > 0 ? `95% percentile intervals from ${r.resamples} resamples (seed ${r.seed})` : "no intervals (0 resamples)";
  return h(
    "div",
    { id: "models-report" },
    h(
      "p",
      { class: "muted small-print" },
      `${r.models.length} model rater(s) against ${r.humans.length} human rater(s); model values: ${r.samples}; ${ci}. A model is flagged state-blind when it carries less than ${share(r.blind_ratio)} of the humans' state share on half or more of the dimensions where it could be judged.`,
    ),
    h("h3", {}, "State sensitivity by model"),
    table({
      id: "models-summary",
      class: "analysis-table",
      head: ["Model", "Mean state ratio", "Blind in", "State-blind"],
      rows: r.summary.map((s) => {
        const tr = row(s.model, withCi(s.mean_state_ratio, null, 2), `${s.blind_in} of ${s.judged}`, blindBadge(s.state_blind));
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
      label: `Models on ${d.dimension}`,
      head: ["Model", "Profiles", "α vs humans", "ICC vs consensus", "Model state share", "Human state share", "State ratio", "State-blind", "Samples", "Sample α"],
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
          m.samples === null ? "imported" : String(m.samples),
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
            h("strong", {}, "Models disagreeing about persons: "),
            `rater:person share ${unless(share(b.rater_person_share), b.caution)} (${b.formula}); Kendall's W ${withCi(b.kendall_w, null)} on ${b.kendall_units} profiles rated by every model.`,
          ),
          b.sign_agreement.length
            ? table({
                class: "analysis-table",
                head: ["Model A", "Model B", "Persons", "Same sign of person effect"],
                rows: b.sign_agreement.map((p) => row(p.a, p.b, String(p.persons), share(p.agreement))),
              })
            : null,
          b.notes.length ? h("ul", { class: "warnings" }, ...b.notes.map((n) => h("li", {}, n))) : null,
        )
      : null,
    ...d.models.flatMap((m) => (m.notes.length ? [h("p", { class: "muted small-print" }, `${m.model}: ${m.notes.join("; ")}`)] : [])),
  );
}
