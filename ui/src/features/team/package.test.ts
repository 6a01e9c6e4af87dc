// An annotator's package in the app: it says so, and works as its one annotator.
import { beforeEach, describe, expect, it } from "vitest";
import type { Backend } from "../../api";
import type { RaterKind } from "../../bindings";
import { App, type AppApis } from "../../main";
import type { AnalysisApi } from "../analysis/api";
import { AnalysisRuns } from "../analysis/view";
import { FakeReviewApi } from "../review/fakeReviewApi";
import type { TeamApi } from "./api";
import { FakeTeamApi } from "./fakeTeamApi";
import { FakeBackend } from "../../test/fakeBackend";
import { mountIdentity } from "../study/identity";

const tick = () => new Promise((r) => setTimeout(r, 0));

/** The app's APIs as main.ts builds them, over fakes; `packageInfo` says what is open. */
function apis(backend: Backend, packageInfo: TeamApi["packageInfo"]): AppApis {
  const noAnalysis: AnalysisApi = {
    state: async () => ({ result: null, currentHash: "", stale: false }),
    run: () => Promise.reject(new Error("not in this test")),
    cancel: async () => 0,
    export: async () => [],
    checkFormula: async (formula) => ({ formula, terms: [], error: null }),
  };
  return {
    backend,
    team: Object.assign(new FakeTeamApi(), { packageInfo }),
    review: new FakeReviewApi(),
    analysisRuns: new AnalysisRuns(noAnalysis),
  };
}
const pkg = { packageId: "pk", studyId: "s1", studyName: "fieldwork", rater: "ann", profiles: 3, ratings: 0 };

describe("a package in the app", () => {
  let root: HTMLElement;
  beforeEach(() => {
    document.body.replaceChildren();
    root = document.createElement("div");
    document.body.appendChild(root);
  });

  it("opens as its annotator and says whose package it is on the rating screen", async () => {
    const b = new FakeBackend();
    const chosen: [string, RaterKind][] = [];
    const choose: Backend["chooseRater"] = async (name, kind) => {
      chosen.push([name, kind]);
      return b.session();
    };
    Object.assign(b, { chooseRater: choose });
    const app = new App(root, apis(b, async () => pkg));
    await app.opened({ ...b.session(), rater: null });
    await tick();
    expect(chosen).toEqual([["ann", "human"]]);
    expect(root.querySelector("#rate-screen")).not.toBeNull();
    expect(root.querySelector("#package-badge")?.textContent).toMatch(/^Package for ann from study fieldwork: /);
  });

  it("says nothing about packages for a PI's study and asks who is rating", async () => {
    const b = new FakeBackend();
    const app = new App(root, apis(b, async () => null));
    await app.opened({ ...b.session(), rater: null });
    expect(root.querySelector("#identity-screen")).not.toBeNull();
    expect(root.querySelector("#package-badge")).toBeNull();
    expect(root.querySelector("#new-rater")).not.toBeNull();
  });

  it("offers only the package's annotator on the who-is-rating screen", async () => {
    const b = new FakeBackend();
    b.listRaters = async () => [
      { id: 1, name: "ann", kind: "human" },
      { id: 2, name: "bob", kind: "human" },
    ];
    await mountIdentity(root, b, b.session(), () => {}, () => {}, () => {}, { notice: "Package for ann", rater: "ann" });
    expect([...root.querySelectorAll("button.rater")].map((x) => x.textContent)).toEqual(["ann (human)"]);
    expect(root.querySelector("#new-rater")).toBeNull();
    expect(root.querySelector("#package-badge")?.textContent).toBe("Package for ann");
  });
});
