import { describe, expect, it } from "vitest";
import { codebook, FakeBackend } from "../../test/fakeBackend";
import { RatingSession } from "./session";

async function session(b = new FakeBackend()) {
  return new RatingSession(b, codebook, await b.loadProfile(1));
}

describe("RatingSession", () => {
  it("shows Saved only after the backend returned", async () => {
    const b = new FakeBackend();
    const s = await session(b);
    const done = s.set("extraversion", 4);
    expect(s.state("extraversion").status).toBe("saving");
    await done;
    expect(s.state("extraversion")).toEqual({ value: 4, status: "saved", error: null });
    expect(b.ratings.get(1)?.get("extraversion")).toBe(4);
  });

  it("keeps the value and the error when a save fails, and retries it", async () => {
    const b = new FakeBackend();
    const s = await session(b);
    b.failSaves = { code: "locked", message: "the study is locked", rows: [], path: null };
    await s.set("extraversion", 2);
    expect(s.state("extraversion")).toEqual({ value: 2, status: "failed", error: "the study is locked" });
    expect(await s.leave()).toMatch(/Not saved: Extraversion/);
    b.failSaves = null;
    await s.retry();
    expect(s.state("extraversion").status).toBe("saved");
    expect(b.ratings.get(1)?.get("extraversion")).toBe(2);
    expect(await s.leave()).toBeNull();
  });

  it("undoes the last change back to the earlier value, then to empty", async () => {
    const b = new FakeBackend();
    const s = await session(b);
    await s.set("extraversion", 2);
    await s.set("extraversion", 5);
    await s.undo();
    expect(b.ratings.get(1)?.get("extraversion")).toBe(2);
    await s.undo();
    expect(s.state("extraversion")).toEqual({ value: null, status: "empty", error: null });
    expect(b.ratings.get(1)?.has("extraversion")).toBe(false);
    expect(await s.undo()).toBeNull();
  });

  it("saves in order, so the last value shown is the one stored", async () => {
    const b = new FakeBackend();
    const s = await session(b);
    void s.set("mood", 10);
    void s.set("mood", 20);
    await s.set("mood", 30);
    expect(b.saveLog.map((x) => x.value)).toEqual([10, 20, 30]);
    expect(s.state("mood").status).toBe("saved");
  });

  it("starts on the first unrated dimension and records the review", async () => {
    const b = new FakeBackend();
    b.ratings.set(1, new Map([["extraversion", 3]]));
    const s = await session(b);
    expect(s.focused).toBe(1);
    s.note = "  unsure  ";
    s.setConfidence(0.75);
    await s.toggleFlag();
    expect(b.reviews.get(1)).toMatchObject({ flagged: true, note: "unsure", confidence: 0.75 });
  });
});
