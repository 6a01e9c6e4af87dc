// Every literal on the PI's screens (and the annotator's) comes from the catalogue: each view is
// rendered from the fakes under a pseudo catalogue (every string wrapped in ⟦…⟧), and whatever
// text or label is left unwrapped must be data the fakes handed in (names, numbers, Rust's
// messages). A string typed into a view instead of i18n fails here with where it appeared.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeBackend } from "./fakeBackend";
import type { StudioContext } from "../features/studio/view";
import { AgreementView } from "../features/review/agreement";
import { CodebookView } from "../features/review/codebook";
import { DisagreementsView } from "../features/review/disagreements";
import { FakeReviewApi } from "../features/review/fakeReviewApi";
import { codebookNotice } from "../features/review/notice";
import { AuditView } from "../features/team/audit";
import { FakeTeamApi } from "../features/team/fakeTeamApi";
import { auditDetail } from "../features/team/logic";
import { TeamView, type TeamDialogs } from "../features/team/view";
import { reviewViews } from "../features/review/views";
import { StudioScreen } from "../features/studio/shell";
import { mountStart, renderError } from "../features/study/start";
import { mountIdentity } from "../features/study/identity";
import type { ModelsApi } from "../features/models/api";
import { ModelRuns } from "../features/models/runner";
import { ModelsView } from "../features/models/view";
import type { ModelRunReport, ModelRunRequest, ModelsReport } from "../bindings";
import type { AnalysisApi } from "../features/analysis/api";
import { AnalysisRuns, AnalysisView } from "../features/analysis/view";
import { studioViews } from "../features/studio/views";
import { MODEL_PRESETS, type AnalysisProgress, type AnalysisRequest, type LatestAnalysis, type RunOutcome } from "../bindings";
import { analysisResult, modelResult } from "./analysisFixture";
import { RatingScreen } from "../features/annotate/screen";
import { DataSeen, pseudo, untranslated, usePseudo } from "./pseudo";

/** The Rust side of the analysis: a stored result, runs the test finishes, formula checks. */
class PseudoAnalysisApi implements AnalysisApi {
  stateDto: LatestAnalysis = { result: null, currentHash: "h0", stale: false };
  pending: { progress: (p: AnalysisProgress) => void; resolve: (o: RunOutcome) => void; runId: number }[] = [];
  async state() {
    return this.stateDto;
  }
  run(_options: AnalysisRequest, runId: number, progress: (p: AnalysisProgress) => void) {
    return new Promise<RunOutcome>((resolve) => this.pending.push({ progress, resolve, runId }));
  }
  async cancel() {
    return 1;
  }
  async export() {
    return ["/tmp/a.csv", "/tmp/b.csv"];
  }
  async checkFormula(formula: string) {
    return formula.includes("bad")
      ? { formula, terms: [], error: "unknown factor 'bad'" }
      : { formula, terms: ["person", "context"], error: null };
  }
}

const MODELS_REPORT = {
  humans: ["ana", "ben"],
  models: ["gpt", "llama"],
  blind_ratio: 0.5,
  resamples: 100,
  seed: 1,
  samples: "mean",
  dimensions: [
    {
      dimension: "openness",
      level: "interval",
      models: [
        {
          model: "gpt", profiles: 8, alpha: 0.4, alpha_ci: [0.2, 0.6], icc: 0.5, icc_ci: null, model_state_share: 0.02,
          human_state_share: 0.3, state_ratio: 0.07, state_ratio_ci: null, state_blind: true, samples: null,
          sample_alpha: null, sample_alpha_ci: null, agreement_caution: { rule: "min-units", n: 3, minimum: 10, message: "too few data (n = 3)" },
          state_caution: null, sample_caution: null, notes: ["one note"],
        },
        {
          model: "llama", profiles: 8, alpha: 0.6, alpha_ci: null, icc: 0.5, icc_ci: null, model_state_share: 0.2,
          human_state_share: 0.3, state_ratio: 0.7, state_ratio_ci: null, state_blind: false, samples: 3,
          sample_alpha: 0.9, sample_alpha_ci: null, agreement_caution: null, state_caution: null, sample_caution: null, notes: [],
        },
      ],
      between_models: {
        models: ["gpt", "llama"], formula: "value ~ (1|person) + (1|rater:person)", rater_person_share: 0.1, caution: null, shares: {},
        sign_agreement: [{ a: "gpt", b: "llama", persons: 4, agreement: 0.75 }], kendall_w: 0.6, kendall_units: 8, notes: ["a note"],
      },
    },
  ],
  summary: [
    { model: "gpt", judged: 1, blind_in: 1, mean_state_ratio: 0.07, state_blind: true },
    { model: "llama", judged: 1, blind_in: 0, mean_state_ratio: 0.7, state_blind: false },
  ],
  notes: ["core's note"],
} as unknown as ModelsReport;

/** The Rust side of the Models tab, enough to show every part of it. */
class PseudoModelsApi implements ModelsApi {
  finish: ((r: ModelRunReport) => void) | null = null;
  found = true;
  async testConnection(endpoint: string) {
    return { endpoint, models: ["m", "other"], modelFound: this.found };
  }
  async preview(request: ModelRunRequest, index: number) {
    return { endpoint: request.endpoint, index, profiles: 3, profileId: 7, person: "p1", context: "work", prompt: "Rate: hi", request: "{}" };
  }
  async plan(request: ModelRunRequest) {
    return { endpoint: request.endpoint, rater: request.model, profiles: 3, dimensions: ["openness"], samples: 1, requests: 3, done: 1 };
  }
  run(_request: ModelRunRequest, onProgress: (p: { done: number; total: number; ratings: number; failures: number }) => void): Promise<ModelRunReport> {
    onProgress({ done: 1, total: 3, ratings: 1, failures: 0 });
    return new Promise((resolve) => (this.finish = resolve));
  }
  async cancel() {
    return true;
  }
  async runs() {
    return {
      runs: [
        {
          id: 1, rater: "gpt", endpoint: "http://localhost:11434/v1", model: "gpt", prompt_hash: "h", temperature: 0, samples: 1, started_at: 0,
          status: "finished", requests: 3, answered: 2, failed: 1, ratings: 2, invalid: 1, median_latency_ms: 120, prompt_tokens: 10, completion_tokens: 5,
        },
      ],
      failures: [{ run_id: 1, person: "p1", context: "work", profile_id: 7, dimension: null, sample: 0, reason: "not JSON", raw: "", at: 0 }],
    } as unknown as Awaited<ReturnType<ModelsApi["runs"]>>;
  }
  async report() {
    return MODELS_REPORT;
  }
}

/** Native dialogs that answer from a list (the paths are data). */
function dialogs(answers: string[][]): TeamDialogs {
  return {
    pickSavePath: async () => answers.shift()?.[0] ?? null,
    pickFiles: async () => answers.shift() ?? [],
  };
}

const tick = () => new Promise((r) => setTimeout(r, 0));
const settle = async () => {
  for (let i = 0; i < 5; i++) await tick();
};

let el: HTMLElement;
let data: DataSeen;

function ctx(): StudioContext {
  const b = data.watch(new FakeBackend());
  const s = b.session();
  return { backend: b, session: s, refreshSession: async () => s, show: () => {} };
}

const click = async (sel: string) => {
  const b = el.querySelector(sel) as HTMLElement | null;
  expect(b, sel).not.toBeNull();
  b?.click();
  await settle();
};

beforeEach(() => {
  document.body.replaceChildren();
  el = document.createElement("div");
  document.body.append(el);
  data = new DataSeen();
  usePseudo(true);
});
afterEach(() => usePseudo(false));

describe("pseudo-translation", () => {
  it("wraps every string of a catalogue, in functions and lists too", () => {
    const p = pseudo({ a: "x", f: (n: number) => `${n} y`, l: ["u", "v"], o: { k: "w" } });
    expect(p.a).toBe("⟦x⟧");
    expect(p.f(2)).toBe("⟦2 y⟧");
    expect(p.l).toEqual(["⟦u⟧", "⟦v⟧"]);
    expect(p.o.k).toBe("⟦w⟧");
  });

  it("finds a literal next to catalogue text and data", () => {
    data.add({ name: "ana" });
    const host = document.createElement("div");
    host.append("⟦Rated by ⟧", "ana", " — ", "12");
    const b = document.createElement("button");
    b.setAttribute("aria-label", "Close");
    b.textContent = "⟦Open⟧ now";
    host.append(b);
    expect(untranslated(host, data)).toEqual(['text "now" in <button>', 'aria-label "Close" on <button>']);
  });

  it("review: agreement, its detail, gold and scales", async () => {
    const api = data.watch(new FakeReviewApi());
    await new AgreementView(api).mount(el, ctx());
    await settle();
    await click("#agreement-table tbody tr button");
    await click("#compute-intervals");
    expect(untranslated(el, data)).toEqual([]);
  });

  it("review: disagreements and an opened profile", async () => {
    const api = data.watch(new FakeReviewApi());
    await new DisagreementsView(api).mount(el, ctx());
    await settle();
    await click(".open-profile");
    (el.querySelector("#save-adjudication") as HTMLButtonElement).click();
    await settle();
    expect(untranslated(el, data)).toEqual([]);
  });

  it("review: the codebook editor and its confirmation", async () => {
    const api = data.watch(new FakeReviewApi());
    await new CodebookView(api).mount(el, ctx());
    await click("#add-dimension");
    await click("#save-codebook");
    expect(untranslated(el, data)).toEqual([]);
    const notice = await codebookNotice(data.watch({ codebookChanged: async () => true, codebookChanges: async () => ["openness: definition"] }));
    expect(notice).not.toBeNull();
    if (notice) el.replaceChildren(notice);
    expect(untranslated(el, data)).toEqual([]);
  });

  it("the start screen, with a drop and an error with rows", async () => {
    const b = data.watch(new FakeBackend());
    const start = mountStart(el, b, () => {});
    await start.ready;
    await settle();
    (el.querySelector("#create-form") as HTMLFormElement).requestSubmit();
    await settle();
    expect(untranslated(el, data)).toEqual([]);
    const err = { code: "locked" as const, message: "bad file\nmore", rows: [{ line: 3, column: "name", message: "empty name" }], path: null };
    data.add(err);
    el.replaceChildren(renderError(err));
    expect(untranslated(el, data)).toEqual([]);
    start.stop();
  });

  it("who is rating (the annotator's catalogue)", async () => {
    const b = data.watch(new FakeBackend());
    await mountIdentity(el, b, b.session(), () => {}, () => {}, () => {});
    await settle();
    expect(untranslated(el, data)).toEqual([]);
  });

  it("the rating screen: instructions, a profile, shortcuts, the queue (the annotator's catalogue)", async () => {
    const b = data.watch(new FakeBackend());
    const key = (k: string) => document.activeElement?.dispatchEvent(new KeyboardEvent("keydown", { key: k, bubbles: true, cancelable: true }));
    const screen = new RatingScreen(b, b.session(), { onClose() {}, onSwitchRater() {}, onStudio() {} });
    await screen.mount(el);
    await settle();
    expect(untranslated(el, data)).toEqual([]);
    await click("#start-rating");
    key("4");
    await settle();
    expect(untranslated(el, data)).toEqual([]);
    key("?");
    await settle();
    expect(el.querySelector("#help")).not.toBeNull();
    expect(untranslated(el, data)).toEqual([]);
    key("Escape");
    key("q");
    await settle();
    expect(el.querySelector("#queue")).not.toBeNull();
    expect(untranslated(el, data)).toEqual([]);
    screen.unmount();
  });

  it("the studio shell, its tabs and the rename form", async () => {
    const b = data.watch(new FakeBackend());
    const shell = new StudioScreen(b, b.session(), reviewViews(data.watch(new FakeReviewApi())), { onAnnotate: () => {}, onClose: () => {} });
    await shell.mount(el);
    await settle();
    await click("#study-name");
    (el.querySelector("#study-name-input") as HTMLInputElement).value = " ";
    (el.querySelector("#study-rename") as HTMLFormElement).requestSubmit();
    await settle();
    expect(untranslated(el, data)).toEqual([]);
    shell.unmount();
    const empty = new StudioScreen(b, b.session(), [], { onAnnotate: () => {}, onClose: () => {} });
    await empty.mount(el);
    expect(untranslated(el, data)).toEqual([]);
  });

  it("models: endpoint, preview, a run with progress and its outcome, failures, runs, analyses", async () => {
    const fake = new PseudoModelsApi();
    const api = data.watch(fake);
    const runs = new ModelRuns(api);
    const view = new ModelsView(runs);
    await view.mount(el, ctx());
    const type = (id: string, value: string) => {
      const input = el.querySelector(`#models-${id}`) as HTMLInputElement;
      input.value = value;
      input.dispatchEvent(new Event("input"));
    };
    type("model", "m");
    type("samples", "x");
    await new Promise((r) => setTimeout(r, 300));
    expect(untranslated(el, data)).toEqual([]);
    type("samples", "1");
    await new Promise((r) => setTimeout(r, 300));
    await click("#models-test");
    await click("#models-preview-button");
    await click("#models-run");
    expect(untranslated(el, data)).toEqual([]);
    await click("#models-cancel");
    expect(untranslated(el, data)).toEqual([]);
    const report = { run_id: 2, endpoint: "http://localhost:11434/v1", model: "m", rater: "m", profiles: 3, dimensions: ["openness"], samples: 1, skipped: 0, requests: 3, answered: 2, failed: 1, in_flight_at_stop: 1, ratings: 2, failures: 1, cancelled: true };
    data.add(report);
    fake.finish?.(report);
    await settle();
    expect(untranslated(el, data)).toEqual([]);
    fake.found = false;
    await click("#models-test");
    expect(untranslated(el, data)).toEqual([]);
    view.unmount();
  });

  it("analysis: options, a run with progress and cancel, a result with a model, stale", async () => {
    data.add(MODEL_PRESETS);
    const fake = new PseudoAnalysisApi();
    const api = data.watch(fake);
    const view = new AnalysisView(new AnalysisRuns(api));
    await view.mount(el, ctx());
    expect(untranslated(el, data)).toEqual([]);
    const none = [...el.querySelectorAll("#analysis-options button")].find((b) => b.textContent === "⟦None⟧") as HTMLButtonElement;
    none.click();
    (el.querySelector("#analysis-options") as HTMLFormElement).requestSubmit();
    await settle();
    expect(untranslated(el, data)).toEqual([]);
    const preset = el.querySelector("#analysis-model-preset") as HTMLSelectElement;
    preset.value = MODEL_PRESETS[0].id;
    preset.dispatchEvent(new Event("change"));
    await settle();
    const all = [...el.querySelectorAll("#analysis-options button")].find((b) => b.textContent === "⟦All⟧") as HTMLButtonElement;
    all.click();
    (el.querySelector("#analysis-options") as HTMLFormElement).requestSubmit();
    await settle();
    const run = fake.pending[0];
    run.progress({ runId: run.runId, done: 10, total: 200 } as AnalysisProgress);
    await settle();
    expect(untranslated(el, data)).toEqual([]);
    await click("#analysis-cancel");
    expect(untranslated(el, data)).toEqual([]);
    const options: AnalysisRequest = { dimensions: ["extraversion"], method: "reml", bootstrap: 200, seed: 1, adjudicated: true, model: MODEL_PRESETS[0].formula, profileCi: true };
    const r = analysisResult("k1", 0.6, options);
    r.model = modelResult(MODEL_PRESETS[0].formula);
    r.raterSensitivity[0].caution = "too few data (n = 4)";
    r.raterSensitivity[1].ci = [0.01, 0.05];
    r.dimensions[0].negative = ["rater"];
    r.pooled.standardised = { person: 0.3, personContext: 0.3, rater: 0.2, residual: 0.2 };
    r.raters = { selection: "all raters", included: ["ana", "=gpt"], excluded: [] };
    data.add(r);
    run.resolve({ status: "done", cached: false, result: r } as RunOutcome);
    await settle();
    expect(el.querySelector("#analysis-model")).not.toBeNull();
    expect(untranslated(el, data)).toEqual([]);
    view.unmount();
    fake.stateDto = { result: r, currentHash: "other", stale: true };
    const again = new AnalysisView(new AnalysisRuns(api));
    await again.mount(el, ctx());
    expect(el.querySelector("#analysis-stale")).not.toBeNull();
    expect(untranslated(el, data)).toEqual([]);
    again.unmount();
  });

  it("the studio's tabs, every view", async () => {
    data.add(MODEL_PRESETS);
    for (const e of (await new FakeTeamApi().auditTrail(null)).entries) data.add(auditDetail(e));
    const b = data.watch(new FakeBackend());
    const models = new ModelRuns(data.watch(new PseudoModelsApi()));
    const views = studioViews({ review: data.watch(new FakeReviewApi()), analysisRuns: new AnalysisRuns(data.watch(new PseudoAnalysisApi())), team: data.watch(new FakeTeamApi()), modelRuns: models });
    const shell = new StudioScreen(b, b.session(), views, { onAnnotate: () => {}, onClose: () => {} });
    await shell.mount(el);
    for (const v of views) {
      await click(`#tab-${v.id}`);
      expect(untranslated(el, data), v.id).toEqual([]);
    }
    shell.unmount();
  });

  it("team: assignments, design, import, export, merge report", async () => {
    const api = data.watch(new FakeTeamApi());
    const answers = [["/s/ana.chameleon"], ["/s/ok.chameleon", "/s/bad.chameleon"], ["/s/r.csv"], ["/s/out.csv"]];
    data.add(answers);
    const view = new TeamView(api, dialogs(answers));
    await view.mount(el, ctx());
    await click(".export-package");
    await click("#merge-packages");
    await click("#import-ratings");
    await click("#export-ratings-long");
    (el.querySelector("#team-pool") as HTMLTextAreaElement).value = "ana, ana";
    (el.querySelector("#team-design") as HTMLFormElement).requestSubmit();
    await settle();
    expect(untranslated(el, data)).toEqual([]);
    (el.querySelector("#team-pool") as HTMLTextAreaElement).value = "ana, ben";
    (el.querySelector("#team-design") as HTMLFormElement).requestSubmit();
    await settle();
    expect(untranslated(el, data)).toEqual([]);
    view.unmount();
  });

  it("team: an annotator's package, and a read-only study", async () => {
    const api = data.watch(new FakeTeamApi());
    api.package = { packageId: "pk1", studyId: "s1", studyName: "pilot", rater: "ana", profiles: 10, ratings: 3 } as FakeTeamApi["package"];
    await new TeamView(api, dialogs([])).mount(el, ctx());
    expect(untranslated(el, data)).toEqual([]);
    const ro = data.watch(new FakeTeamApi());
    ro.readOnly = true;
    const view = new TeamView(ro, dialogs([]));
    await view.mount(el, ctx());
    expect(untranslated(el, data)).toEqual([]);
    view.unmount();
  });

  it("team: the audit trail", async () => {
    const api = data.watch(new FakeTeamApi());
    const view = new AuditView(api, dialogs([["/s/audit.csv"]]));
    await view.mount(el, ctx());
    await settle();
    for (const e of (await api.auditTrail(null)).entries) data.add(auditDetail(e));
    await click("#audit-export");
    expect(untranslated(el, data)).toEqual([]);
  });
});
