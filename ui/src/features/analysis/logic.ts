// Pure helpers of the analysis view: formatting, option checks, the rater × dimension
// sensitivity matrix. No DOM, no IPC (unit-tested in logic.test.ts).
import { RESAMPLES, type AnalysisRequest, type Method } from "../../bindings";

/** Core's bounds (generated into bindings.ts): the form starts at the recommended count. */
export const DEFAULT_RESAMPLES = RESAMPLES.recommended;

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
export function parseOptions(f: OptionsForm, all: string[]): { options: AnalysisRequest } | { error: string } {
  if (f.dimensions.length === 0) return { error: "Choose at least one dimension." };
  const resamples = f.resamples.trim();
  const n = Number(resamples);
  if (!/^\d+$/.test(resamples) || (n !== 0 && (n < RESAMPLES.min || n > RESAMPLES.max))) {
    return { error: `Bootstrap resamples must be 0 (no intervals) or a whole number from ${RESAMPLES.min} to ${RESAMPLES.max}.` };
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
      method: f.method as Method,
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
export function optionsText(o: AnalysisRequest): string {
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
