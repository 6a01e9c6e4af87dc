// Pure helpers of the analysis view: formatting, option checks, the rater × dimension
// sensitivity matrix. No DOM, no IPC (unit-tested in logic.test.ts).
import type { AnalysisMethodDto, AnalysisOptionsDto, RaterSensitivityDto } from "../../bindings";

export const DEFAULT_RESAMPLES = 1000;
export const MAX_RESAMPLES = 100_000;

/** A share 0..1 as a percentage with one decimal ("26.1%"); "—" when missing. */
export function pct(v: number | null | undefined, digits = 1): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "—";
  return `${(v * 100).toFixed(digits)}%`;
}

/** A 95% interval of shares as "[20.3, 31.8]" (percent); "" when missing. */
export function ciText(ci: number[] | null | undefined): string {
  if (!ci || ci.length !== 2) return "";
  return `[${(ci[0] * 100).toFixed(1)}, ${(ci[1] * 100).toFixed(1)}]`;
}

export interface OptionsForm {
  dimensions: string[];
  method: string;
  resamples: string;
  seed: string;
  adjudicated: boolean;
}

/** Checks what the form holds; either options to run with or a message for the user. */
export function parseOptions(f: OptionsForm, all: string[]): { options: AnalysisOptionsDto } | { error: string } {
  if (f.dimensions.length === 0) return { error: "Choose at least one dimension." };
  const resamples = f.resamples.trim();
  if (!/^\d+$/.test(resamples) || Number(resamples) > MAX_RESAMPLES) {
    return { error: `Bootstrap resamples must be a whole number from 0 to ${MAX_RESAMPLES}.` };
  }
  const seed = f.seed.trim();
  if (!/^\d+$/.test(seed) || !Number.isSafeInteger(Number(seed))) {
    return { error: "The seed must be a whole number (0 or more)." };
  }
  if (f.method !== "reml" && f.method !== "anova") return { error: "Choose REML or ANOVA." };
  // All dimensions chosen = "all": the same cache entry whatever the order of the checkboxes.
  const everything = all.length > 0 && all.every((d) => f.dimensions.includes(d));
  return {
    options: {
      dimensions: everything ? [] : [...f.dimensions],
      method: f.method as AnalysisMethodDto,
      bootstrap: Number(resamples),
      seed: Number(seed),
      adjudicated: f.adjudicated,
    },
  };
}

/** "123 / 1000 resamples (12%)". */
export function progressText(done: number, total: number): string {
  if (total <= 0) return "Fitting…";
  const p = Math.floor((100 * done) / total);
  return `${done} / ${total} resamples (${p}%)`;
}

export interface RaterRow {
  rater: string;
  kind: string;
  /** State share per dimension (same order as `dimensions`). */
  cells: (RaterSensitivityDto | null)[];
  /** Mean state share over the dimensions where it is known. */
  mean: number | null;
  /** State-blind in at least half of the dimensions where it could be judged. */
  stateBlind: boolean;
}

/** Rows = raters, columns = dimensions, in first-seen order. */
export function raterMatrix(rows: RaterSensitivityDto[]): { dimensions: string[]; raters: RaterRow[] } {
  const dimensions: string[] = [];
  const order: string[] = [];
  const byRater = new Map<string, { kind: string; byDim: Map<string, RaterSensitivityDto> }>();
  for (const r of rows) {
    if (!dimensions.includes(r.dimension)) dimensions.push(r.dimension);
    let e = byRater.get(r.rater);
    if (!e) {
      e = { kind: r.kind, byDim: new Map() };
      byRater.set(r.rater, e);
      order.push(r.rater);
    }
    e.byDim.set(r.dimension, r);
  }
  const raters = order.map((rater) => {
    const e = byRater.get(rater)!;
    const cells = dimensions.map((d) => e.byDim.get(d) ?? null);
    const known = cells.filter((c): c is RaterSensitivityDto => c !== null && c.stateShare !== null);
    const mean = known.length ? known.reduce((s, c) => s + (c.stateShare as number), 0) / known.length : null;
    const judged = cells.filter((c) => c !== null && c.stateBlind !== null);
    const blind = judged.filter((c) => c!.stateBlind === true).length;
    return { rater, kind: e.kind, cells, mean, stateBlind: judged.length > 0 && 2 * blind >= judged.length };
  });
  return { dimensions, raters };
}

/** An SVG document as a data URL for `<img>` (the CSP allows `data:` images). */
export function svgDataUrl(svg: string): string {
  const bytes = new TextEncoder().encode(svg);
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return `data:image/svg+xml;base64,${btoa(bin)}`;
}

/** A short form of a content hash for display. */
export function shortHash(h: string): string {
  return h.slice(0, 12);
}

/** Describes the options a result was computed with. */
export function optionsText(o: AnalysisOptionsDto): string {
  const parts = [o.method.toUpperCase()];
  parts.push(o.bootstrap > 0 ? `${o.bootstrap} resamples, seed ${o.seed}` : "no bootstrap");
  if (o.adjudicated) parts.push("adjudicated values as profile scores");
  if (o.dimensions.length) parts.push(`${o.dimensions.length} dimension(s)`);
  return parts.join(" · ");
}

/** File-name stem for exports from the study's name. */
export function exportStem(studyName: string): string {
  const s = studyName.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "");
  return s || "analysis";
}
