// The model run in flight, shared by every mount of the Models view: a run outlives its view,
// so the PI can look at other tabs while a model answers and come back to its progress.
import type { ModelRunProgress, ModelRunReport, ModelRunRequest } from "../../bindings";
import type { ModelsApi } from "./api";
import { DEFAULT_FORM, type ModelForm } from "./logic";

type Listener = () => void;

export interface ActiveModelRun {
  request: ModelRunRequest;
  progress: ModelRunProgress | null;
  cancelling: boolean;
  promise: Promise<ModelRunReport>;
}

export class ModelRuns {
  active: ActiveModelRun | null = null;
  /** How the last run ended (a report, or the error), until the next one starts. */
  last: { report: ModelRunReport | null; error: unknown } | null = null;
  /** The form as the PI left it (kept when the view is left and mounted again). */
  form: ModelForm = { ...DEFAULT_FORM };
  private listeners = new Set<Listener>();

  constructor(readonly api: ModelsApi) {}

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  private emit(): void {
    for (const l of [...this.listeners]) l();
  }

  start(request: ModelRunRequest): ActiveModelRun {
    const run: ActiveModelRun = { request, progress: null, cancelling: false, promise: Promise.resolve(null as never) };
    this.last = null;
    run.promise = this.api.run(request, (p) => {
      // A bar never steps back, whatever order the messages arrive in.
      if (run.progress && p.done < run.progress.done) return;
      run.progress = p;
      this.emit();
    });
    this.active = run;
    run.promise.then(
      (report) => this.finish(run, report, null),
      (error) => this.finish(run, null, error),
    );
    this.emit();
    return run;
  }

  private finish(run: ActiveModelRun, report: ModelRunReport | null, error: unknown): void {
    if (this.active === run) this.active = null;
    this.last = { report, error };
    this.emit();
  }

  async cancel(): Promise<void> {
    const run = this.active;
    if (!run) return;
    run.cancelling = true;
    this.emit();
    await this.api.cancel();
  }
}
