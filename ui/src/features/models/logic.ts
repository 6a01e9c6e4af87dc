// The Models tab's pure parts: the form's text fields checked into a run request (core checks
// the bounds again; these catch what is not a number before anything is asked), and the lines
// the view shows for a plan, a run's progress and its outcome.
import type { ModelRunPlan, ModelRunProgress, ModelRunReport, ModelRunRequest, ModelRunSummary } from "../../bindings";
import { pi } from "../../i18n";

/** The default endpoint: a model server on this machine (Ollama's port), never a remote host. */
export const DEFAULT_ENDPOINT = "http://localhost:11434/v1";

/** The form as typed. */
export interface ModelForm {
  endpoint: string;
  model: string;
  rater: string;
  /** The NAME of the environment variable holding the key; the key itself is never asked for. */
  apiKeyEnv: string;
  samples: string;
  temperature: string;
  concurrency: string;
  timeout: string;
  limit: string;
  seed: string;
}

export const DEFAULT_FORM: ModelForm = {
  endpoint: DEFAULT_ENDPOINT,
  model: "",
  rater: "",
  apiKeyEnv: "",
  samples: "1",
  temperature: "0",
  concurrency: "2",
  timeout: "120",
  limit: "",
  seed: "",
};

export type Checked = { request: ModelRunRequest; error: null } | { request: null; error: string };

function int(label: string, text: string, min: number): number | string {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return pi().models.notWhole(label, t);
  const n = Number(t);
  return n < min ? pi().models.atLeast(label, min) : n;
}

function real(label: string, text: string): number | string {
  const t = text.trim();
  const n = Number(t);
  return t === "" || !Number.isFinite(n) ? pi().models.notNumber(label, t) : n;
}

/** The form as a run request, or the first field that is not a number. */
export function toRequest(f: ModelForm): Checked {
  const fail = (error: string): Checked => ({ request: null, error });
  if (!f.endpoint.trim()) return fail(pi().models.enterEndpoint(DEFAULT_ENDPOINT));
  if (!f.model.trim()) return fail(pi().models.enterModel);
  if (/\s/.test(f.apiKeyEnv.trim()) || /^sk-/.test(f.apiKeyEnv.trim()))
    return fail(pi().models.notTheKey);
  const samples = int(pi().models.fieldSamples, f.samples, 1);
  const temperature = real(pi().models.temperature, f.temperature);
  const concurrency = int(pi().models.concurrency, f.concurrency, 1);
  const timeout = real(pi().models.fieldTimeout, f.timeout);
  const limit = f.limit.trim() === "" ? null : int(pi().models.fieldProfiles, f.limit, 1);
  const seed = f.seed.trim() === "" ? null : int(pi().models.seed, f.seed, 0);
  for (const v of [samples, temperature, concurrency, timeout, limit, seed]) if (typeof v === "string") return fail(v);
  return {
    error: null,
    request: {
      endpoint: f.endpoint.trim(),
      model: f.model.trim(),
      rater: f.rater.trim() || null,
      apiKeyEnv: f.apiKeyEnv.trim() || null,
      template: null,
      dimensions: [],
      samples: samples as number,
      temperature: temperature as number,
      seed: seed as number | null,
      maxTokens: null,
      timeoutSecs: timeout as number,
      concurrency: concurrency as number,
      limit: limit as number | null,
    },
  };
}

/** Shown next to Run: what would be sent, and where. */
export function planLine(p: ModelRunPlan): string {
  return pi().models.plan(p.profiles, p.dimensions.length, p.samples, p.requests, p.done, p.rater, p.endpoint);
}

export function progressLine(p: ModelRunProgress): string {
  return pi().models.progress(p.done, p.total, p.ratings, p.failures);
}

export function outcomeLine(r: ModelRunReport): string {
  if (r.requests === 0 && !r.cancelled && r.run_id === null) return pi().models.nothingLeft(r.rater);
  return pi().models.outcome(r.cancelled, r.requests, r.answered, r.failed, r.ratings, r.rater, r.failures, r.in_flight_at_stop);
}

/** A value with its interval: "0.712 [0.60, 0.80]". */
export function withCi(x: number | null, ci: [number, number] | null, digits = 3): string {
  if (x === null || !Number.isFinite(x)) return "–";
  const v = x.toFixed(digits);
  return ci ? `${v} [${ci[0].toFixed(2)}, ${ci[1].toFixed(2)}]` : v;
}

/** `shown`, or a minimum-n caution's message in its place ("too few data (n = 3)"). */
export function unless(shown: string, caution: { message: string } | null | undefined): string {
  return caution ? caution.message : shown;
}

export function share(x: number | null): string {
  return x === null || !Number.isFinite(x) ? "–" : `${(x * 100).toFixed(1)}%`;
}

export function when(ms: number | null): string {
  if (ms === null) return "–";
  return pi().models.utc(new Date(ms).toISOString().replace("T", " ").slice(0, 16));
}

export function runLabel(r: ModelRunSummary): string {
  return `#${r.id} ${r.rater} (${r.model})`;
}
