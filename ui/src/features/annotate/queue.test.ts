import { describe, expect, it } from "vitest";
import type { QueueItem } from "../../bindings";
import { adjustProgress, nextProfile, progress } from "./queue";

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
  it("picks what the earlier copy-and-filter version picked, on random queues", () => {
    // The version before the one-pass loop, kept as the order to match.
    const byCopies = (queue: QueueItem[], currentId: number | null): number | null => {
      const start = currentId === null ? -1 : queue.findIndex((x) => x.profileId === currentId);
      const order = [...queue.slice(start + 1), ...queue.slice(0, Math.max(0, start))];
      const open = order.filter((x) => !(x.total > 0 && x.rated >= x.total) && x.profileId !== currentId);
      return (open.find((x) => !x.flagged) ?? open[0])?.profileId ?? null;
    };
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let c = 0; c < 500; c++) {
      const q = Array.from({ length: rand(12) }, (_, i) => e(i + 1, rand(4), rand(3) === 0));
      const current = rand(4) === 0 ? null : rand(q.length + 2);
      expect(nextProfile(q, current), JSON.stringify({ q, current })).toBe(byCopies(q, current));
    }
  });
  it("counts progress of this rater only", () => {
    expect(progress([e(1, 3), e(2, 1, true), e(3, 0)])).toEqual({ done: 1, assigned: 3, flagged: 1, partial: 1, missing: 5 });
  });
  it("adjusts progress for one changed entry as a pass over the changed queue counts it", () => {
    let seed = 11;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let c = 0; c < 300; c++) {
      const q = Array.from({ length: 1 + rand(8) }, (_, i) => e(i + 1, rand(5), rand(3) === 0));
      if (rand(4) === 0) q[0].total = 0; // a profile with nothing to rate is never done
      let p = progress(q);
      for (let step = 0; step < 5; step++) {
        const entry = q[rand(q.length)];
        const before = { ...entry };
        entry.rated = rand(5);
        entry.flagged = rand(2) === 0;
        p = adjustProgress(p, before, entry);
        expect(p, JSON.stringify(q)).toEqual(progress(q));
      }
    }
  });
});
