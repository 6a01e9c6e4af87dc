// Closing the study stops its model run (the run writes through a connection of its own).
import { describe, expect, it } from "vitest";
import { App } from "../../main";
import { FakeBackend } from "../../test/fakeBackend";
import type { AnalysisApi } from "../analysis/api";
import { AnalysisRuns } from "../analysis/view";
import { FakeReviewApi } from "../review/fakeReviewApi";
import { FakeTeamApi } from "../team/fakeTeamApi";
import type { ModelsApi } from "./api";
import { ModelRuns } from "./runner";

describe("closing the study", () => {
  it("cancels the model run in flight", async () => {
    const calls: string[] = [];
    const api = {
      run: () => new Promise(() => {}),
      cancel: async () => {
        calls.push("cancel");
        return true;
      },
    } as unknown as ModelsApi;
    const modelRuns = new ModelRuns(api);
    const b = new FakeBackend();
    const app = new App(document.createElement("div"), {
      backend: b,
      team: new FakeTeamApi(),
      review: new FakeReviewApi(),
      analysisRuns: new AnalysisRuns({} as AnalysisApi),
      modelRuns,
    });
    modelRuns.start({} as Parameters<ModelRuns["start"]>[0]);
    (app as unknown as { close(): void }).close();
    await new Promise((r) => setTimeout(r, 0));
    expect(calls).toEqual(["cancel"]);
  });
});
