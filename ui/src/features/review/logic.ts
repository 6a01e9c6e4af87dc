// The review views' pure logic: threshold bands, number formatting, rater-name hiding, sorting,
// SVG data URIs. Kept apart from the DOM so vitest checks it directly.
import type { DisagreementDto, ThresholdsDto } from "../../bindings";

export type Band = "good" | "tentative" | "poor" | "none";

/** Where alpha falls against the PI's thresholds (at or above counts). */
export function band(alpha: number | null | undefined, t: ThresholdsDto): Band {
  if (alpha === null || alpha === undefined || !Number.isFinite(alpha)) return "none";
  if (alpha >= t.good) return "good";
  if (alpha >= t.tentative) return "tentative";
  return "poor";
}

export const BAND_TEXT: Record<Band, string> = {
  good: "good",
  tentative: "tentative",
  poor: "below tentative",
  none: "not computable",
};

/** A number for a table cell; "—" for a missing one. Negative zero prints as 0. */
export function fmt(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return "—";
  const s = x.toFixed(digits);
  return /^-0\.?0*$/.test(s) ? s.slice(1) : s;
}

export function fmtPercent(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? "—" : `${x.toFixed(1)}%`;
}

/** Checks threshold inputs before they go to the study; a sentence when they are not usable. */
export function checkThresholds(good: number, tentative: number): string | null {
  if (!Number.isFinite(good) || !Number.isFinite(tentative)) return "Enter both thresholds as numbers.";
  if (good < -1 || good > 1 || tentative < -1 || tentative > 1) return "Thresholds lie between −1 and 1.";
  if (tentative > good) return "The tentative threshold must not be above the good one.";
  return null;
}

/** FNV-1a, 32 bit: a cheap stable hash for ordering names. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

function letters(i: number): string {
  let s = "";
  let n = i;
  do {
    s = String.fromCharCode(65 + (n % 26)) + s;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return s;
}

/**
 * "Rater A", "Rater B", … for every rater in the list. The same rater keeps the same letter on
 * every profile of this set (so the PI can still see a pattern), while the letters follow a
 * hash of the set rather than the alphabet, so "Rater A" is not simply the first name.
 */
export function raterAliases(profiles: Pick<DisagreementDto, "profileId" | "values">[], extra: string[] = []): Map<string, string> {
  const names = new Set<string>(extra);
  for (const p of profiles) for (const v of p.values) names.add(v.rater);
  const key = profiles
    .map((p) => p.profileId)
    .sort((a, b) => a - b)
    .join(",");
  const ordered = [...names].sort((a, b) => hash(`${key}|${a}`) - hash(`${key}|${b}`) || (a < b ? -1 : a > b ? 1 : 0));
  return new Map(ordered.map((n, i) => [n, `Rater ${letters(i)}`]));
}

export function shownName(name: string, aliases: Map<string, string>, hide: boolean): string {
  return hide ? (aliases.get(name) ?? "Rater ?") : name;
}

export type SortKey = "disagreement" | "spread" | "profile" | "open";

/** The disagreement list in the order the PI chose; ties keep the backend's order. */
export function sortDisagreements(list: DisagreementDto[], key: SortKey): DisagreementDto[] {
  const out = list.map((p, i) => ({ p, i }));
  const cmp: Record<SortKey, (a: DisagreementDto, b: DisagreementDto) => number> = {
    disagreement: (a, b) => b.disagreement - a.disagreement || b.spread - a.spread,
    spread: (a, b) => b.spread - a.spread || b.disagreement - a.disagreement,
    profile: (a, b) => a.person.localeCompare(b.person) || a.context.localeCompare(b.context),
    // Unsettled first, each group by disagreement.
    open: (a, b) =>
      Number(a.adjudicated !== null) - Number(b.adjudicated !== null) ||
      b.disagreement - a.disagreement ||
      b.spread - a.spread,
  };
  out.sort((x, y) => cmp[key](x.p, y.p) || x.i - y.i);
  return out.map((x) => x.p);
}

/** The next profile to settle after `current`: the next unadjudicated one in list order. */
export function nextOpen(list: DisagreementDto[], current: number): number | null {
  const i = list.findIndex((p) => p.profileId === current);
  const after = [...list.slice(i + 1), ...list.slice(0, Math.max(0, i))];
  return after.find((p) => p.adjudicated === null && p.profileId !== current)?.profileId ?? null;
}

/** An SVG document as an <img> source (the CSP allows data: images, not inline SVG markup). */
export function svgDataUri(svg: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}
