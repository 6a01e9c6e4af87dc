// A job in flight that outlives the view that started it (the analysis run, the model run):
// every mount of the view shares it, so the PI can look at other tabs and come back to its
// progress. One place for the rules both runs follow: a bar never steps back, a cancel
// reaches the run by its id, and how the last run ended is kept until the next one starts.

type Listener = () => void;

export interface Run<Req, P, R> {
  id: number;
  request: Req;
  /** The latest progress message; `null` until the first one. */
  progress: P | null;
  cancelling: boolean;
  promise: Promise<R>;
}

/** How a run reaches the shell: start with an id and a progress callback, cancel by id. */
export interface RunBackend<Req, P, R> {
  run(request: Req, id: number, onProgress: (p: P) => void): Promise<R>;
  cancel(id: number): Promise<unknown>;
}

export class Runs<Req, P extends { done: number }, R> {
  active: Run<Req, P, R> | null = null;
  /** How the last run ended (its result, or the error), until the next one starts. */
  last: { result: R | null; error: unknown } | null = null;
  private listeners = new Set<Listener>();
  private nextId = Math.floor(Math.random() * 1_000_000) + 1;

  constructor(private readonly backend: RunBackend<Req, P, R>) {}

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  private emit(): void {
    for (const l of [...this.listeners]) l();
  }

  start(request: Req): Run<Req, P, R> {
    const run: Run<Req, P, R> = { id: this.nextId++, request, progress: null, cancelling: false, promise: Promise.resolve(null as never) };
    this.last = null;
    run.promise = this.backend.run(request, run.id, (p) => {
      // Worker threads report in whatever order they finish.
      if (run.progress && p.done < run.progress.done) return;
      run.progress = p;
      this.emit();
    });
    this.active = run;
    run.promise.then(
      (result) => this.finish(run, result, null),
      (error) => this.finish(run, null, error),
    );
    this.emit();
    return run;
  }

  private finish(run: Run<Req, P, R>, result: R | null, error: unknown): void {
    if (this.active === run) this.active = null;
    this.last = { result, error };
    this.emit();
  }

  async cancel(): Promise<void> {
    const run = this.active;
    if (!run) return;
    run.cancelling = true;
    this.emit();
    await this.backend.cancel(run.id);
  }
}
