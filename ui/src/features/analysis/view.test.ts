import { beforeEach, describe, expect, it } from "vitest";
import { MODEL_PRESETS } from "../../bindings";
import type {
  AnalysisRequest,
  FormulaCheck,
  ModelResult,
  AnalysisProgress,
  LatestAnalysis,
  ExportRequest,
  RunOutcome,
} from "../../bindings";
import { FakeBackend } from "../../test/fakeBackend";
import type { StudioContext } from "../studio/view";
import type { AnalysisApi } from "./api";
import { AnalysisRuns, AnalysisView } from "./view";
import { analysisResult as result } from "../../test/analysisFixture";

/** What core's formula fit returns for the "with context effects" preset, in small. */
function modelResult(formula: string): ModelResult {
  return {
    formula,
    dimensions: [
      {
        dimension: "extraversion",
        components: [
          { term: "person", variance: 0.8, share: 0.4, levels: 10, shareCi: null, varianceCi: null, sdCi: null },
          { term: "context", variance: 0.2, share: 0.1, levels: 3, shareCi: [0.02, 0.3], varianceCi: null, sdCi: null },
          { term: "person:context", variance: 0.6, share: 0.3, levels: 30, shareCi: null, varianceCi: null, sdCi: null },
          { term: "residual", variance: 0.4, share: 0.2, levels: null, shareCi: null, varianceCi: null, sdCi: null },
        ],
        intercept: 4,
        interceptSe: 0.2,
        remlCriterion: 123.4,
        converged: true,
        boundary: [],
        effects: [
          {
            term: "context",
            effects: [
              { level: "<b>forum</b>", mode: 0.3, sd: 0.1 },
              { level: "diary", mode: 0.01, sd: 0.1 },
              { level: "work", mode: -0.31, sd: 0.1 },
            ],
          },
        ],
        disagreement: [],
        bootstrap: null,
        profileCi: false,
        warnings: [],
      },
    ],
  };
}

class FakeApi implements AnalysisApi {
  stateDto: LatestAnalysis = { result: null, currentHash: "h0", stale: false };
  runs: { options: AnalysisRequest; runId: number; progress: (p: AnalysisProgress) => void; resolve: (o: RunOutcome) => void }[] = [];
  cancelled: number[] = [];
  exports: ExportRequest[] = [];
  checks: string[] = [];
  async checkFormula(formula: string): Promise<FormulaCheck> {
    this.checks.push(formula);
    return formula.includes("subreddit")
      ? { formula, terms: [], error: "term '(1|subreddit)': unknown factor 'subreddit' (the factors are person, context and rater)" }
      : { formula, terms: ["person", "context", "person:context"], error: null };
  }
  async state() {
    return this.stateDto;
  }
  run(options: AnalysisRequest, runId: number, progress: (p: AnalysisProgress) => void) {
    return new Promise<RunOutcome>((resolve) => this.runs.push({ options, runId, progress, resolve }));
  }
  async cancel(runId: number) {
    this.cancelled.push(runId);
    return 1;
  }
  async export(_key: string, request: ExportRequest) {
    this.exports.push(request);
    return ["/tmp/x"];
  }
}

const tick = () => new Promise((r) => setTimeout(r, 0));

function ctx(): StudioContext {
  const b = new FakeBackend();
  return { backend: b, session: b.session(), refreshSession: async () => b.session(), show: () => {} };
}

describe("analysis view: cautions and raters (issue 15)", () => {
  it("shows too few data instead of shares, a caution beside an interval, and the raters analysed", async () => {
    document.body.replaceChildren();
    const root = document.createElement("div");
    document.body.appendChild(root);
    const api = new FakeApi();
    const opts: AnalysisRequest = { dimensions: [], method: "reml", bootstrap: 0, seed: 1, adjudicated: false, model: null, profileCi: false };
    const r = result("k9", 0.953, opts);
    r.dimensions[0].caution = "too few data (n = 3)";
    r.pooled.caution = "too few data (n = 3)";
    r.raterSensitivity[0].caution = "too few data (n = 4)";
    r.raters = { selection: "all raters", included: ["ana", "=gpt"], excluded: [] };
    r.raterPool = {
      choice: r.raters,
      kind: "any",
      minRatings: 0,
      names: null,
      raters: [
        { name: "ana", kind: "human", ratings: 4 },
        { name: "=gpt", kind: "model", ratings: 30 },
      ],
    };
    api.stateDto = { result: r, currentHash: r.dataHash, stale: false };
    const view = new AnalysisView(new AnalysisRuns(api));
    await view.mount(root, ctx());
    const row = root.querySelector("#analysis-dimensions tr[data-dimension=extraversion]")!;
    expect(row.querySelector(".trait-share")!.textContent).toBe("too few data (n = 3)");
    expect(row.textContent).not.toContain("95.3%");
    expect(row.querySelector("th")!.textContent).toBe("Extraversion");
    expect(root.querySelector("#analysis-pooled")!.textContent).toContain("too few data (n = 3)");
    expect(root.querySelector("#analysis-pooled")!.textContent).not.toContain("95.3%");
    expect(root.querySelector("#analysis-raters tr[data-rater=ana]")!.textContent).toContain("too few data (n = 4)");
    expect(root.querySelector("#analysis-rater-summary")!.textContent).toBe("Raters: all raters — 2 included");
    // Said once: the rater control's own line stays hidden in this view.
    const visible = [...root.querySelectorAll("p")].filter((p) => !p.closest("[hidden]") && p.textContent!.startsWith("Raters:"));
    expect(visible.length).toBe(1);
    expect(root.querySelector("#analysis-dimensions")!.parentElement!.textContent).toContain("Rel. (k): reliability");
    // The PI picks humans: the next run sends it.
    const kind = root.querySelector("#analysis-rater-kind") as HTMLSelectElement;
    expect(kind.value).toBe("any");
    kind.value = "human";
    kind.dispatchEvent(new Event("change"));
    (root.querySelector("#analysis-options") as HTMLFormElement).requestSubmit();
    await tick();
    expect(api.runs[0].options.raters).toEqual({ kind: "human" });
  });
});

describe("analysis view", () => {
  let root: HTMLElement;
  let api: FakeApi;
  let runs: AnalysisRuns;
  beforeEach(() => {
    document.body.replaceChildren();
    root = document.createElement("div");
    document.body.appendChild(root);
    api = new FakeApi();
    runs = new AnalysisRuns(api);
  });

  const $ = <T extends Element = HTMLElement>(sel: string) => root.querySelector(sel) as T | null;

  it("runs with the chosen options, shows progress, then the result", async () => {
    const view = new AnalysisView(runs);
    await view.mount(root, ctx());
    expect($("#analysis-empty")).not.toBeNull();
    const boxes = root.querySelectorAll<HTMLInputElement>("input[name=dimension]");
    expect(boxes.length).toBe(3);
    // A nominal dimension (topic) is not ticked by default: it has no variance to decompose.
    expect([...boxes].map((b) => b.checked)).toEqual([true, true, false]);
    boxes[1].click(); // untick "mood"
    boxes[2].click(); // tick "topic"
    const resamples = $<HTMLInputElement>("#analysis-resamples")!;
    resamples.value = "200";
    resamples.dispatchEvent(new Event("input"));
    $<HTMLFormElement>("#analysis-options")!.requestSubmit();
    await tick();
    expect(api.runs.length).toBe(1);
    const run = api.runs[0];
    expect(run.options).toEqual({ dimensions: ["extraversion", "topic"], method: "reml", bootstrap: 200, seed: 1, adjudicated: false, model: null, profileCi: false });
    expect($<HTMLButtonElement>("#analysis-cancel")).not.toBeNull();
    run.progress({ runId: run.runId, done: 50, total: 200 });
    expect($<HTMLProgressElement>("#analysis-progress")!.value).toBe(50);
    expect($("#analysis-progress-text")!.textContent).toBe("50 / 200 resamples (25%)");
    run.resolve({ status: "done", result: result("k1", 0.261, run.options), cached: false });
    await tick();
    expect($("#analysis-progress")).toBeNull();
    expect($("#analysis-dimensions tr[data-dimension=extraversion] .trait-share")!.textContent).toBe("26.1%");
    expect($("#analysis-pooled")!.textContent).toContain("Trait 26.1%");
    expect($("#figure-pooled_split")).not.toBeNull();
    expect($("#analysis-status")!.textContent).toContain("Done");
    // State-blind rater flagged; a name that looks like a formula is shown as text.
    const blind = $("#analysis-raters tr.state-blind")!;
    expect(blind.getAttribute("data-rater")).toBe("=gpt");
    expect(blind.textContent).toContain("state-blind");
    expect($<HTMLImageElement>("img[data-figure=pooled_split]")!.src).toMatch(/^data:image\/svg\+xml;base64,/);
  });

  it("a cancelled run says so and keeps the previous result", async () => {
    const o = { dimensions: [], method: "reml" as const, bootstrap: 10, seed: 1, adjudicated: false, model: null, profileCi: false };
    api.stateDto = { result: result("old", 0.3, o), currentHash: "hash-old", stale: false };
    const view = new AnalysisView(runs);
    await view.mount(root, ctx());
    expect($("#analysis-result")!.getAttribute("data-key")).toBe("old");
    $<HTMLFormElement>("#analysis-options")!.requestSubmit();
    await tick();
    $<HTMLButtonElement>("#analysis-cancel")!.click();
    await tick();
    expect(api.cancelled).toEqual([api.runs[0].runId]);
    expect($("#analysis-progress-text")!.textContent).toBe("Cancelling…");
    api.runs[0].resolve({ status: "cancelled", result: null, cached: false });
    await tick();
    expect($("#analysis-status")!.textContent).toContain("cancelled");
    expect($("#analysis-result")!.getAttribute("data-key")).toBe("old");
    expect($("#analysis-dimensions .trait-share")!.textContent).toBe("30.0%");
  });

  it("marks a stale result and re-runs it with its own options", async () => {
    const o = { dimensions: ["extraversion"], method: "anova" as const, bootstrap: 0, seed: 9, adjudicated: true, model: null, profileCi: false };
    api.stateDto = { result: result("old", 0.3, o), currentHash: "other", stale: true };
    const view = new AnalysisView(runs);
    await view.mount(root, ctx());
    expect($("#analysis-stale")!.textContent).toContain("Stale — ratings changed since");
    $<HTMLButtonElement>("#analysis-rerun")!.click();
    await tick();
    expect(api.runs[0].options).toEqual(o);
    api.runs[0].resolve({ status: "done", result: result("new", 0.4, o), cached: false });
    await tick();
    expect($("#analysis-stale")).toBeNull();
  });

  it("a run continues while the PI is on another tab and shows when they come back", async () => {
    const first = new AnalysisView(runs);
    await first.mount(root, ctx());
    $<HTMLFormElement>("#analysis-options")!.requestSubmit();
    await tick();
    first.unmount();
    root.replaceChildren();
    api.runs[0].progress({ runId: api.runs[0].runId, done: 5, total: 10 });
    const again = new AnalysisView(runs);
    await again.mount(root, ctx());
    expect($<HTMLProgressElement>("#analysis-progress")!.value).toBe(5);
    api.runs[0].resolve({ status: "done", result: result("k", 0.25, api.runs[0].options), cached: false });
    await tick();
    expect($("#analysis-dimensions .trait-share")!.textContent).toBe("25.0%");
  });

  it("a preset fills the formula, a bad term is named under the field, the fit is shown with ranked effects", async () => {
    const view = new AnalysisView(runs);
    await view.mount(root, ctx());
    expect($<HTMLInputElement>("#analysis-formula")!.disabled).toBe(true);
    const pick = (id: string) => {
      const select = $<HTMLSelectElement>("#analysis-model-preset")!;
      select.value = id;
      select.dispatchEvent(new Event("change"));
    };
    pick("contexts");
    await tick();
    const formula = MODEL_PRESETS.find((p) => p.id === "contexts")!.formula;
    expect($<HTMLInputElement>("#analysis-formula")!.value).toBe(formula);
    expect(api.checks).toEqual([formula]);
    expect($("#analysis-formula-message")!.textContent).toBe("Fits: (1|person) + (1|context) + (1|person:context) + residual.");

    // Typing: checked after a pause; only the last text's answer is shown.
    const field = $<HTMLInputElement>("#analysis-formula")!;
    field.value = "value ~ 1 + (1|person) + (1|subreddit)";
    field.dispatchEvent(new Event("input"));
    expect($("#analysis-formula-message")!.textContent).toBe("Checking…");
    expect($<HTMLSelectElement>("#analysis-model-preset")!.value).toBe("custom");
    await new Promise((r) => setTimeout(r, 300));
    const msg = $("#analysis-formula-message")!;
    expect(msg.textContent).toContain("unknown factor 'subreddit'");
    expect(msg.classList.contains("error")).toBe(true);
    expect(document.activeElement === field || document.activeElement === document.body).toBe(true);
    expect(root.querySelector("#analysis-formula")).toBe(field); // not re-rendered under the cursor
    $<HTMLFormElement>("#analysis-options")!.requestSubmit();
    await tick();
    expect(api.runs.length).toBe(0);
    expect($("#analysis-status")!.textContent).toContain("cannot be fitted");

    // Back to the preset: the run carries the formula; the result shows the model.
    pick("contexts");
    await tick();
    $<HTMLFormElement>("#analysis-options")!.requestSubmit();
    await tick();
    expect(api.runs[0].options.model).toBe(formula);
    api.runs[0].resolve({ status: "done", result: { ...result("m", 0.3, api.runs[0].options), model: modelResult(formula) }, cached: false });
    await tick();
    expect($("#analysis-model code")!.textContent).toBe(formula);
    const cell = (term: string) => $(`#analysis-model-table tr[data-dimension=extraversion] td[data-term="${term}"]`)!;
    expect(cell("context").querySelector(".share")!.textContent).toBe("10.0%");
    expect(cell("context").textContent).toContain("[2.0, 30.0]");
    expect(cell("residual").querySelector(".variance")!.textContent).toBe(" (0.4000)");
    const levels = [...root.querySelectorAll("#effects-context tbody tr")].map((tr) => tr.getAttribute("data-level"));
    expect(levels).toEqual(["<b>forum</b>", "diary", "work"]);
    expect($("#effects-context tbody tr")!.textContent).toContain("[0.104, 0.496]");
    expect(root.querySelector("#effects-context b")).toBeNull(); // a level name is text, not markup
    expect($<HTMLImageElement>("#effects-context img")!.src).toMatch(/^data:image\/svg\+xml;base64,/);
  });

  it("a model run with intervals names the method beside them and shows whom the raters disagree about", async () => {
    const view = new AnalysisView(runs);
    await view.mount(root, ctx());
    const select = $<HTMLSelectElement>("#analysis-model-preset")!;
    select.value = "model-raters";
    select.dispatchEvent(new Event("change"));
    await tick();
    const profile = $<HTMLInputElement>("#analysis-profile-ci")!;
    expect(profile.disabled).toBe(false);
    profile.checked = true;
    profile.dispatchEvent(new Event("change"));
    $<HTMLFormElement>("#analysis-options")!.requestSubmit();
    await tick();
    expect(api.runs[0].options.profileCi).toBe(true);
    const formula = MODEL_PRESETS.find((p) => p.id === "model-raters")!.formula;
    const m = modelResult(formula);
    const d = m.dimensions[0];
    d.components[1].varianceCi = [0.05, 0.61];
    d.components[1].sdCi = [0.1, 0.8];
    d.bootstrap = { method: "parametric", resamples: 200, seed: 7, failed: 0 };
    d.profileCi = true;
    d.effects.push({ term: "rater:person", effects: [{ level: "gpt:p1", mode: 0.5, sd: 0.1 }, { level: "ann:p1", mode: -0.4, sd: 0.2 }] });
    d.disagreement = [{ person: "p1", raters: 2, spread: 0.9, highest: { level: "gpt", mode: 0.5, sd: 0.1 }, lowest: { level: "ann", mode: -0.4, sd: 0.2 } }];
    api.runs[0].resolve({ status: "done", result: { ...result("m", 0.3, api.runs[0].options), model: m }, cached: false });
    await tick();
    const methods = [...root.querySelectorAll(".analysis-interval-method")].map((p) => p.textContent);
    expect(methods[0]).toContain("parametric bootstrap");
    expect(methods[0]).toContain("200 resamples, seed 7");
    expect(methods[1]).toContain("profile-likelihood");
    const ctxRow = $(`#analysis-intervals-table tr[data-term="context"]`)!;
    expect(ctxRow.getAttribute("data-share-ci")).toBe("0.02,0.3");
    expect(ctxRow.textContent).toContain("[0.05000, 0.6100]");
    expect(ctxRow.textContent).toContain("[0.1000, 0.8000]");
    expect(ctxRow.textContent).toContain("[2.0, 30.0]");
    expect($("#analysis-effects h3")!.textContent).toContain("rater × person");
    expect($("#effects-disagreement tbody tr")!.getAttribute("data-person")).toBe("p1");
    expect($("#effects-disagreement tbody tr")!.textContent).toContain("gpt +0.500");
    expect($("#effects-rater\\:person")).not.toBeNull();
  });

  it("rejects bad options without running", async () => {
    const view = new AnalysisView(runs);
    await view.mount(root, ctx());
    const resamples = $<HTMLInputElement>("#analysis-resamples")!;
    resamples.value = "";
    resamples.dispatchEvent(new Event("input"));
    $<HTMLFormElement>("#analysis-options")!.requestSubmit();
    await tick();
    expect(api.runs.length).toBe(0);
    expect($("#analysis-status")!.textContent).toContain("whole number");
  });

  it("exports through the dialogs (answered by the test hook)", async () => {
    const o = { dimensions: [], method: "reml" as const, bootstrap: 0, seed: 1, adjudicated: false, model: null, profileCi: false };
    api.stateDto = { result: result("k", 0.3, o), currentHash: "hash-k", stale: false };
    const view = new AnalysisView(runs);
    await view.mount(root, ctx());
    window.__chameleonDialogs = ["/tmp/out/report.html"];
    $<HTMLButtonElement>("#analysis-export-report")!.click();
    await tick();
    await tick();
    expect(api.exports).toEqual([{ kind: "report", path: "/tmp/out/report.html" }]);
    expect($("#analysis-status")!.textContent).toContain("Saved /tmp/x");
    window.__chameleonDialogs = [null];
    $<HTMLButtonElement>("#analysis-export-all")!.click();
    await tick();
    expect(api.exports.length).toBe(1);
  });
});
