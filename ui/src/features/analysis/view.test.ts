import { beforeEach, describe, expect, it } from "vitest";
import type {
  AnalysisRequest,
  AnalysisProgressDto,
  AnalysisResult,
  AnalysisStateDto,
  ExportRequest,
  RunOutcomeDto,
} from "../../bindings";
import { FakeBackend } from "../../test/fakeBackend";
import type { StudioContext } from "../studio/view";
import type { AnalysisApi } from "./api";
import { AnalysisRuns, AnalysisView } from "./view";

function result(key: string, trait: number, options: AnalysisRequest): AnalysisResult {
  return {
    key,
    dataHash: `hash-${key}`,
    options,
    computedAt: "2026-01-02T03:04:05Z",
    method: options.method,
    bootstrap: options.bootstrap,
    seconds: 1.5,
    dimensions: [
      {
        dimension: "extraversion",
        persons: 10,
        profiles: 30,
        ratings: 90,
        traitShare: trait,
        stateShare: 1 - trait,
        traitCi: [trait - 0.1, trait + 0.1],
        raterLevel: { person: 0.2, personContext: 0.5, rater: 0.1, residual: 0.2 },
        personShareCi: null,
        personContextShareCi: null,
        reliabilityK: 0.8,
        negative: [],
        warnings: [],
      },
    ],
    pooled: { traitShare: trait, stateShare: 1 - trait, traitCi: null, dimensions: 1, standardised: null },
    raterSensitivity: [
      { dimension: "extraversion", rater: "ana", kind: "human", ratings: 30, stateShare: 0.7, ci: null, stateBlind: false, note: null },
      { dimension: "extraversion", rater: "=gpt", kind: "model", ratings: 30, stateShare: 0.02, ci: null, stateBlind: true, note: null },
    ],
    // What core's rater_matrix makes of the two rows above.
    raterMatrix: {
      dimensions: ["extraversion"],
      raters: [
        { rater: "ana", kind: "human", cells: [0], mean: 0.7, stateBlind: false },
        { rater: "=gpt", kind: "model", cells: [1], mean: 0.02, stateBlind: true },
      ],
    },
    figures: [{ name: "pooled_split", title: "Pooled", caption: "c", svg: "<svg xmlns='http://www.w3.org/2000/svg'/>", width: 900, height: 200 }],
    tables: [{ name: "decomposition", title: "Decomposition" }],
  };
}

class FakeApi implements AnalysisApi {
  stateDto: AnalysisStateDto = { result: null, currentHash: "h0", stale: false };
  runs: { options: AnalysisRequest; runId: number; progress: (p: AnalysisProgressDto) => void; resolve: (o: RunOutcomeDto) => void }[] = [];
  cancelled: number[] = [];
  exports: ExportRequest[] = [];
  async state() {
    return this.stateDto;
  }
  run(options: AnalysisRequest, runId: number, progress: (p: AnalysisProgressDto) => void) {
    return new Promise<RunOutcomeDto>((resolve) => this.runs.push({ options, runId, progress, resolve }));
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
    expect([...boxes].every((b) => b.checked)).toBe(true);
    boxes[1].click(); // untick "mood"
    const resamples = $<HTMLInputElement>("#analysis-resamples")!;
    resamples.value = "200";
    resamples.dispatchEvent(new Event("input"));
    $<HTMLFormElement>("#analysis-options")!.requestSubmit();
    await tick();
    expect(api.runs.length).toBe(1);
    const run = api.runs[0];
    expect(run.options).toEqual({ dimensions: ["extraversion", "topic"], method: "reml", bootstrap: 200, seed: 1, adjudicated: false });
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
    const o = { dimensions: [], method: "reml" as const, bootstrap: 10, seed: 1, adjudicated: false };
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
    const o = { dimensions: ["extraversion"], method: "anova" as const, bootstrap: 0, seed: 9, adjudicated: true };
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
    const o = { dimensions: [], method: "reml" as const, bootstrap: 0, seed: 1, adjudicated: false };
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
