// The one run-in-flight model behind the analysis and the models views.
import { describe, expect, it } from "vitest";
import { Runs, type RunBackend } from "./runs";

type P = { done: number; total: number };

function backend() {
  const started: { request: string; id: number; progress: (p: P) => void; resolve: (r: string) => void; reject: (e: unknown) => void }[] = [];
  const cancelled: number[] = [];
  const b: RunBackend<string, P, string> = {
    run: (request, id, progress) => new Promise<string>((resolve, reject) => started.push({ request, id, progress, resolve, reject })),
    cancel: async (id) => cancelled.push(id),
  };
  return { b, started, cancelled };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe("Runs", () => {
  it("shows progress that never steps back and keeps how the run ended until the next one", async () => {
    const { b, started } = backend();
    const runs = new Runs(b);
    let changes = 0;
    runs.subscribe(() => changes++);
    const run = runs.start("a");
    expect(runs.active).toBe(run);
    expect(run.progress).toBeNull();
    started[0].progress({ done: 5, total: 10 });
    started[0].progress({ done: 3, total: 10 });
    expect(run.progress).toEqual({ done: 5, total: 10 });
    started[0].resolve("report");
    await tick();
    expect(runs.active).toBeNull();
    expect(runs.last).toEqual({ result: "report", error: null });
    expect(changes).toBe(3);
    runs.start("b");
    expect(runs.last).toBeNull();
    started[1].reject(new Error("no"));
    await tick();
    expect(runs.last?.result).toBeNull();
    expect((runs.last?.error as Error).message).toBe("no");
  });

  it("cancels the run in flight by its id, and each run has its own id", async () => {
    const { b, started, cancelled } = backend();
    const runs = new Runs(b);
    await runs.cancel();
    expect(cancelled).toEqual([]);
    const first = runs.start("a");
    started[0].resolve("x");
    await tick();
    const second = runs.start("b");
    expect(second.id).not.toBe(first.id);
    await runs.cancel();
    expect(second.cancelling).toBe(true);
    expect(cancelled).toEqual([second.id]);
  });
});
