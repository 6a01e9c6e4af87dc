// A study opened from the file manager while the app runs: the running window opens it.
import { beforeEach, describe, expect, it } from "vitest";
import type { AnalysisApi } from "./features/analysis/api";
import { AnalysisRuns } from "./features/analysis/view";
import { FakeReviewApi } from "./features/review/fakeReviewApi";
import { FakeTeamApi } from "./features/team/fakeTeamApi";
import { App } from "./main";
import { FakeBackend } from "./test/fakeBackend";

const tick = () => new Promise((r) => setTimeout(r, 0));

function app(root: HTMLElement, backend: FakeBackend): App {
  const noAnalysis: AnalysisApi = {
    state: async () => ({ result: null, currentHash: "", stale: false }),
    run: () => Promise.reject(new Error("not in this test")),
    cancel: async () => 0,
    export: async () => [],
    checkFormula: async (formula) => ({ formula, terms: [], error: null }),
  };
  const team = Object.assign(new FakeTeamApi(), { packageInfo: async () => null });
  return new App(root, { backend, team, review: new FakeReviewApi(), analysisRuns: new AnalysisRuns(noAnalysis) });
}

describe("a study handed over by a second launch", () => {
  let root: HTMLElement;
  beforeEach(() => {
    document.body.replaceChildren();
    root = document.createElement("div");
    document.body.appendChild(root);
  });

  it("is opened in the running window", async () => {
    const b = new FakeBackend();
    const opened: string[] = [];
    Object.assign(b, {
      openStudy: async (path: string) => {
        opened.push(path);
        return b.session();
      },
    });
    await app(root, b).boot();
    expect(root.querySelector("#start-screen")).not.toBeNull();
    expect(b.openRequested).not.toBeNull();
    b.openRequested?.("/home/ana/pilot.chameleon");
    await tick();
    await tick();
    expect(opened).toEqual(["/home/ana/pilot.chameleon"]);
    expect(root.querySelector("#start-screen")).toBeNull();
  });

  it("that cannot be opened leaves the start screen saying why", async () => {
    const b = new FakeBackend();
    Object.assign(b, {
      openStudy: async () => Promise.reject({ code: "not_a_study", message: "x.txt is not a study", rows: [], path: null }),
    });
    await app(root, b).boot();
    b.openRequested?.("/tmp/x.txt");
    await tick();
    await tick();
    expect(root.querySelector("#start-screen")).not.toBeNull();
    expect(root.querySelector(".error-host")?.textContent).toContain("x.txt is not a study");
  });
});
