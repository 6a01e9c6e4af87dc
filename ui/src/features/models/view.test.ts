import { beforeEach, describe, expect, it } from "vitest";
import type { ModelRunProgress, ModelRunReport, ModelRunRequest, ModelsReport } from "../../bindings";
import { FakeBackend } from "../../test/fakeBackend";
import type { StudioContext } from "../studio/view";
import type { ModelsApi } from "./api";
import { ModelRuns } from "./runner";
import { ModelsView } from "./view";

const tick = () => new Promise((r) => setTimeout(r, 0));
const $ = <T extends Element = HTMLElement>(root: Element, sel: string) => root.querySelector(sel) as T;

function ctx(): StudioContext {
  const b = new FakeBackend();
  return { backend: b, session: b.session(), refreshSession: async () => b.session(), show: () => {} };
}

const REPORT: ModelsReport = {
  humans: ["ana", "ben"],
  models: ["model-gpt"],
  blind_ratio: 0.5,
  resamples: 0,
  seed: 1,
  samples: "mean",
  dimensions: [
    {
      dimension: "openness",
      level: "interval",
      models: [
        {
          model: "model-gpt", profiles: 8, alpha: 0.4, alpha_ci: null, icc: 0.5, icc_ci: null, model_state_share: 0.02,
          human_state_share: 0.3, state_ratio: 0.07, state_ratio_ci: null, state_blind: true, samples: null,
          sample_alpha: null, sample_alpha_ci: null, agreement_caution: null, state_caution: null, sample_caution: null, notes: [],
        },
      ],
      between_models: null,
    },
  ],
  summary: [{ model: "model-gpt", judged: 1, blind_in: 1, mean_state_ratio: 0.07, state_blind: true }],
  notes: [],
};

/** A fake of the Rust side that records what it was asked and lets a test finish the run. */
class FakeModelsApi implements ModelsApi {
  calls: string[] = [];
  lastRequest: ModelRunRequest | null = null;
  progress: ((p: ModelRunProgress) => void) | null = null;
  finish: ((r: ModelRunReport) => void) | null = null;
  async testConnection(endpoint: string) {
    this.calls.push(`test ${endpoint}`);
    return { endpoint, models: ["m", "other"], modelFound: true };
  }
  async preview(request: ModelRunRequest, index: number) {
    this.calls.push(`preview ${index}`);
    return { endpoint: request.endpoint, index, profiles: 3, profileId: 7, person: "p1", context: "work", prompt: "Rate the author of: <b>hi</b>", request: "{}" };
  }
  async plan(request: ModelRunRequest) {
    return { endpoint: request.endpoint, rater: request.rater ?? request.model, profiles: 3, dimensions: ["openness"], samples: request.samples, requests: 3 * request.samples, done: 0 };
  }
  run(request: ModelRunRequest, onProgress: (p: ModelRunProgress) => void): Promise<ModelRunReport> {
    this.calls.push("run");
    this.lastRequest = request;
    this.progress = onProgress;
    return new Promise((resolve) => (this.finish = resolve));
  }
  async cancel() {
    this.calls.push("cancel");
    return true;
  }
  async runs() {
    return {
      runs: [],
      failures: [{ run_id: 1, person: "p1", context: "work", profile_id: 7, dimension: null, sample: 0, reason: "not JSON", raw: "{oops", at: 0 }],
    };
  }
  async report() {
    this.calls.push("report");
    return REPORT;
  }
}

describe("models view", () => {
  let el: HTMLElement;
  beforeEach(() => {
    document.body.replaceChildren();
    el = document.createElement("div");
    document.body.appendChild(el);
  });

  async function mounted(api = new FakeModelsApi()) {
    const runs = new ModelRuns(api);
    const view = new ModelsView(runs);
    await view.mount(el, ctx());
    return { api, runs, view };
  }

  function type(id: string, value: string) {
    const input = $<HTMLInputElement>(el, `#models-${id}`);
    input.value = value;
    input.dispatchEvent(new Event("input"));
  }

  it("sends nothing until asked, and defaults to localhost", async () => {
    const { api } = await mounted();
    expect($<HTMLInputElement>(el, "#models-endpoint").value).toBe("http://localhost:11434/v1");
    expect(api.calls.filter((c) => c.startsWith("test") || c === "run")).toEqual([]);
    expect($<HTMLButtonElement>(el, "#models-run").disabled).toBe(true);
  });

  it("tests the connection, previews the prompt as text, shows the endpoint before Run", async () => {
    const { api } = await mounted();
    type("endpoint", "http://127.0.0.1:9/v1");
    type("model", "m");
    await new Promise((r) => setTimeout(r, 300));
    expect($(el, "#models-plan").textContent).toContain("to http://127.0.0.1:9/v1 as rater m");
    $<HTMLButtonElement>(el, "#models-test").click();
    await tick();
    expect(api.calls).toContain("test http://127.0.0.1:9/v1");
    expect($(el, "#models-test-status").textContent).toContain("Connected to http://127.0.0.1:9/v1");
    $<HTMLInputElement>(el, "#models-preview-index").value = "2";
    $<HTMLButtonElement>(el, "#models-preview-button").click();
    await tick();
    expect(api.calls).toContain("preview 1");
    expect($(el, "#models-prompt").textContent).toBe("Rate the author of: <b>hi</b>");
    expect($(el, "#models-prompt").children.length).toBe(0);
  });

  it("runs with progress and Cancel, then reloads the analyses", async () => {
    const { api } = await mounted();
    type("model", "m");
    type("samples", "2");
    await new Promise((r) => setTimeout(r, 300));
    const run = $<HTMLButtonElement>(el, "#models-run");
    expect(run.disabled).toBe(false);
    run.click();
    expect(api.lastRequest).toMatchObject({ model: "m", samples: 2, apiKeyEnv: null });
    api.progress!({ done: 2, total: 6, ratings: 2, failures: 0 });
    api.progress!({ done: 1, total: 6, ratings: 1, failures: 0 });
    expect($<HTMLProgressElement>(el, "#models-progress").value).toBe(2);
    expect($(el, "#models-progress-text").textContent).toContain("2 of 6 requests");
    expect(run.disabled).toBe(true);
    $<HTMLButtonElement>(el, "#models-cancel").click();
    await tick();
    expect(api.calls).toContain("cancel");
    expect($(el, "#models-progress-text").textContent).toContain("cancelling");
    const reports = api.calls.filter((c) => c === "report").length;
    api.finish!({ run_id: 1, endpoint: "e", model: "m", rater: "m", profiles: 3, dimensions: ["openness"], samples: 2, skipped: 0, requests: 3, answered: 3, failed: 0, in_flight_at_stop: 0, ratings: 3, failures: 0, cancelled: true });
    await tick();
    expect($(el, "#models-progress-text").textContent).toMatch(/^Cancelled: 3 requests \(3 answered, 0 failed\)/);
    expect(el.querySelector<HTMLElement>("#models-view")!.parentElement!.dataset.modelsRun).toBe("cancelled");
    expect(api.calls.filter((c) => c === "report").length).toBe(reports + 1);
  });

  it("lists failures with their raw text and flags the state-blind model", async () => {
    await mounted();
    await tick();
    expect($(el, "#models-failures").textContent).toContain("{oops");
    const row = $(el, '#models-summary tr[data-model="model-gpt"]');
    expect(row.dataset.stateBlind).toBe("true");
    expect(row.querySelector(".badge-blind")?.textContent).toBe("state-blind");
  });

  it("shows a minimum-n caution instead of a share or an alpha from too few data", async () => {
    const api = new FakeModelsApi();
    const few: ModelsReport = structuredClone(REPORT);
    const m = few.dimensions[0].models[0];
    m.model_state_share = 1;
    m.state_ratio = 1;
    m.state_ratio_ci = [1, 1];
    m.state_blind = null;
    m.state_caution = { rule: "persons_with_two_contexts", n: 1, minimum: 10, message: "too few data (n = 1)" };
    m.agreement_caution = { rule: "units", n: 3, minimum: 10, message: "too few data (n = 3)" };
    api.report = async () => few;
    await mounted(api);
    await tick();
    const cells = [...el.querySelectorAll(".models-dim-table tbody td")].map((td) => td.textContent);
    expect(cells).not.toContain("100.0%");
    expect(cells.join(" ")).not.toContain("[1.00, 1.00]");
    expect(cells.filter((c) => c === "too few data (n = 1)")).toHaveLength(3);
    expect(cells.filter((c) => c === "too few data (n = 3)")).toHaveLength(2);
    expect(el.querySelector('.models-dim-table .caution[data-rule="units"]')).not.toBeNull();
  });
});
