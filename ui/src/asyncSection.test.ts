import { describe, expect, it } from "vitest";
import { AsyncSection, Latest } from "./asyncSection";

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((a, b) => {
    resolve = a;
    reject = b;
  });
  return { promise, resolve, reject };
}

describe("async sections", () => {
  it("a newer request voids an older one; stop voids all", () => {
    const l = new Latest();
    const a = l.next();
    const b = l.next();
    expect([a(), b()]).toEqual([false, true]);
    l.stop();
    expect([b(), l.live]).toEqual([false, false]);
  });

  it("shows loading, then only the latest answer; an error becomes the error box", async () => {
    const el = document.createElement("div");
    const s = new AsyncSection(el);
    const slow = deferred<string>();
    const fast = deferred<string>();
    const shown: string[] = [];
    const first = s.load(() => slow.promise, (v) => shown.push(v), "Loading A…");
    expect(el.textContent).toBe("Loading A…");
    const second = s.load(() => fast.promise, (v) => shown.push(v));
    fast.resolve("B");
    slow.resolve("A");
    expect([await first, await second]).toEqual([false, true]);
    expect(shown).toEqual(["B"]);
    const failing = deferred<string>();
    const third = s.load(() => failing.promise, (v) => shown.push(v));
    failing.reject({ code: "locked", message: "the study is locked", rows: [], path: null });
    expect(await third).toBe(false);
    expect(el.querySelector(".error-box .error-title")?.textContent).toBe("the study is locked");
    const late = deferred<string>();
    const fourth = s.load(() => late.promise, (v) => shown.push(v));
    s.stop();
    late.resolve("D");
    expect(await fourth).toBe(false);
    expect(shown).toEqual(["B"]);
  });
});
