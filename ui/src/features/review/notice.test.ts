import { describe, expect, it } from "vitest";
import { FakeReviewApi } from "./fakeReviewApi";
import { codebookNotice } from "./notice";

describe("codebook changed notice", () => {
  it("lists what changed, per dimension, as text", async () => {
    const api = new FakeReviewApi();
    api.codebookChanges = async () => ["<b>Openness</b>: definition", "Mood: anchors"];
    const n = await codebookNotice(api);
    expect([...(n?.querySelectorAll(".codebook-changes li") ?? [])].map((li) => li.textContent)).toEqual([
      "<b>Openness</b>: definition",
      "Mood: anchors",
    ]);
    expect(n?.querySelector("b")).toBeNull();
    api.codebookChanges = async () => {
      throw new Error("no rater");
    };
    expect((await codebookNotice(api))?.querySelector(".codebook-changes")).toBeNull();
  });
});
