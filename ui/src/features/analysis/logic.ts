// Pure helpers of the analysis view: formatting, option checks, the rater × dimension
// sensitivity matrix. No DOM, no IPC (unit-tested in logic.test.ts).
import { RESAMPLES, type AnalysisRequest, type EffectView, type Method, type ModelDimension, type PersonDisagreement } from "../../bindings";
import { pi } from "../../i18n";

export { share as pct, shareInterval as ciText, svgDataUrl } from "../../format";

/** Core's bounds (generated into bindings.ts): the form starts at the recommended count. */
export const DEFAULT_RESAMPLES = RESAMPLES.recommended;



export interface OptionsForm {
  dimensions: string[];
  method: string;
  resamples: string;
  seed: string;
  adjudicated: boolean;
  /** An lme4 formula to fit as well; empty = none. */
  model?: string;
  /** Profile-likelihood intervals of the model's SDs (`--profile-ci`). */
  profileCi?: boolean;
}

/** Checks what the form holds; either options to run with or a message for the user. */
export function parseOptions(f: OptionsForm, all: string[]): { options: AnalysisRequest } | { error: string } {
  if (f.dimensions.length === 0) return { error: pi().analysis.chooseDimension };
  const resamples = f.resamples.trim();
  const n = Number(resamples);
  if (!/^\d+$/.test(resamples) || (n !== 0 && (n < RESAMPLES.min || n > RESAMPLES.max))) {
    return { error: pi().analysis.badResamples(RESAMPLES.min, RESAMPLES.max) };
  }
  const seed = f.seed.trim();
  if (!/^\d+$/.test(seed) || !Number.isSafeInteger(Number(seed))) {
    return { error: pi().analysis.badSeed };
  }
  if (f.method !== "reml" && f.method !== "anova") return { error: pi().analysis.badMethod };
  // All dimensions chosen = "all": the same cache entry whatever the order of the checkboxes.
  const everything = all.length > 0 && all.every((d) => f.dimensions.includes(d));
  return {
    options: {
      dimensions: everything ? [] : [...f.dimensions],
      method: f.method as Method,
      bootstrap: Number(resamples),
      seed: Number(seed),
      adjudicated: f.adjudicated,
      model: f.model?.trim() ? f.model.trim() : null,
      profileCi: Boolean(f.model?.trim()) && f.profileCi === true,
    },
  };
}

/** A variance as shown: four significant digits ("0.1234", "12.35"); "—" when missing. */
export function variance(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "—";
  return v === 0 ? "0" : v.toPrecision(4);
}

/** The 95% interval of a conditional mode: mode ± 1.96 conditional SD (lme4's condVar). */
export function effectInterval(e: EffectView): [number, number] {
  return [e.mode - 1.96 * e.sd, e.mode + 1.96 * e.sd];
}

/** The levels a ranked plot shows: all when few, else the `each` highest and lowest. */
export function plottedEffects(effects: EffectView[], each = 15): { shown: EffectView[]; hidden: number } {
  if (effects.length <= 2 * each) return { shown: effects, hidden: 0 };
  return { shown: [...effects.slice(0, each), ...effects.slice(-each)], hidden: effects.length - 2 * each };
}

function xml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/**
 * A ranked dot plot of conditional modes with their 95% intervals, as a standalone SVG: one row
 * per level (highest first), a zero line, level names on the left.
 */
export function effectsSvg(effects: EffectView[], title: string): { svg: string; width: number; height: number } {
  const rowH = 18;
  const left = 170;
  const right = 30;
  const top = 34;
  const plotW = 420;
  const width = left + plotW + right;
  const height = top + rowH * Math.max(effects.length, 1) + 30;
  const bounds = effects.flatMap(effectInterval).filter(Number.isFinite);
  let lo = Math.min(0, ...bounds);
  let hi = Math.max(0, ...bounds);
  if (hi - lo < 1e-12) {
    lo -= 1;
    hi += 1;
  }
  const x = (v: number) => left + ((v - lo) / (hi - lo)) * plotW;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${left}" y="18" font-weight="600" fill="#1b2420">${xml(title)}</text>`,
    `<line x1="${x(0).toFixed(1)}" y1="${top - 6}" x2="${x(0).toFixed(1)}" y2="${height - 24}" stroke="#8a948f" stroke-dasharray="3 3"/>`,
  ];
  effects.forEach((e, i) => {
    const y = top + i * rowH + rowH / 2;
    const [a, b] = effectInterval(e);
    const name = e.level.length > 24 ? `${e.level.slice(0, 23)}…` : e.level;
    const color = e.mode >= 0 ? "#2f6f4f" : "#a4462f";
    parts.push(
      `<text x="${left - 8}" y="${y + 4}" text-anchor="end" fill="#1b2420">${xml(name)}</text>`,
      `<line x1="${x(a).toFixed(1)}" y1="${y}" x2="${x(b).toFixed(1)}" y2="${y}" stroke="${color}" stroke-width="2"/>`,
      `<circle cx="${x(e.mode).toFixed(1)}" cy="${y}" r="4" fill="${color}"/>`,
    );
  });
  const axisY = height - 10;
  for (const v of [lo, 0, hi]) {
    parts.push(`<text x="${x(v).toFixed(1)}" y="${axisY}" text-anchor="middle" fill="#5b6661">${v === 0 ? "0" : v.toPrecision(2)}</text>`);
  }
  parts.push("</svg>");
  return { svg: parts.join(""), width, height };
}

/** A variance or SD interval as shown: "[0.0123, 0.456]" (four significant digits). */
export function valueInterval(ci: number[] | null | undefined): string {
  if (!ci || ci.length !== 2) return "";
  return `[${variance(ci[0])}, ${variance(ci[1])}]`;
}

/**
 * How a model fit's intervals were made, said beside the numbers (the CLI's JSON names the same:
 * `"bootstrap": {"method", "resamples", "seed"}` and `"sd_ci95"`); empty when none were computed.
 */
export function intervalMethods(d: Pick<ModelDimension, "bootstrap" | "profileCi">): string[] {
  const out: string[] = [];
  const b = d.bootstrap;
  if (b) {
    const how =
      b.method === "parametric" ? pi().analysis.parametric : pi().analysis.cluster;
    out.push(pi().analysis.bootstrapMethod(how, b.resamples, b.seed, b.failed));
  }
  if (d.profileCi) out.push(pi().analysis.profileMethod);
  return out;
}

/**
 * The persons the raters disagree about most as plot rows: for each of the `n` first persons
 * (core ranks them by spread), the rater who places them highest and the one who places them
 * lowest, with the conditional SD of each `rater:person` mode.
 */
export function disagreementRows(persons: PersonDisagreement[], n = 8): EffectView[] {
  return persons.slice(0, n).flatMap((p) => [
    { level: `${p.person} · ${p.highest.level}`, mode: p.highest.mode, sd: p.highest.sd },
    { level: `${p.person} · ${p.lowest.level}`, mode: p.lowest.mode, sd: p.lowest.sd },
  ]);
}

/** "123 / 1000 resamples (12%)". */
export function progressText(done: number, total: number): string {
  if (total <= 0) return pi().analysis.fitting;
  const p = Math.floor((100 * done) / total);
  return pi().analysis.progress(done, total, p);
}


/** A short form of a content hash for display. */
export function shortHash(h: string): string {
  return h.slice(0, 12);
}

/** Describes the options a result was computed with. */
export function optionsText(o: AnalysisRequest): string {
  const parts = [o.method.toUpperCase()];
  parts.push(o.bootstrap > 0 ? pi().analysis.optResamples(o.bootstrap, o.seed) : pi().analysis.optNoBootstrap);
  if (o.adjudicated) parts.push(pi().analysis.optAdjudicated);
  if (o.model) parts.push(pi().analysis.optModel(o.model));
  if (o.model && o.profileCi) parts.push(pi().analysis.optProfile);
  if (o.dimensions.length) parts.push(pi().analysis.optDimensions(o.dimensions.length));
  return parts.join(" · ");
}

/** File-name stem for exports from the study's name. */
export function exportStem(studyName: string): string {
  const s = studyName.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "");
  return s || "analysis";
}
