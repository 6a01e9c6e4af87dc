import { describe, expect, it } from "vitest";
import type { QueueItem } from "../../bindings";
import { nextProfile, progress } from "./queue";

const e = (id: number, rated: number, flagged = false): QueueItem => ({
  profileId: id, person: "p", context: "c", rated, total: 3, flagged,
});

describe("queue", () => {
  it("goes to the next profile not fully rated, wrapping, never the current one", () => {
    const q = [e(1, 3), e(2, 0), e(3, 1), e(4, 0)];
    expect(nextProfile(q, 2)).toBe(3);
    expect(nextProfile(q, 4)).toBe(2);
    expect(nextProfile(q, null)).toBe(2);
    expect(nextProfile([e(1, 3), e(2, 0)], 2)).toBeNull();
  });
  it("puts flagged profiles after unflagged ones", () => {
    expect(nextProfile([e(1, 0), e(2, 0, true), e(3, 0)], 1)).toBe(3);
    expect(nextProfile([e(1, 0), e(2, 0, true)], 1)).toBe(2);
  });
  it("counts progress of this rater only", () => {
    expect(progress([e(1, 3), e(2, 1, true), e(3, 0)])).toEqual({ done: 1, assigned: 3, flagged: 1, partial: 1, missing: 5 });
  });
});
