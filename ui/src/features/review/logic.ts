// The review views' pure logic: threshold bands, number formatting, rater-name hiding, sorting,
// SVG data URIs. Kept apart from the DOM so vitest checks it directly.
import type { DisagreementRow, RaterAlias, Thresholds } from "../../bindings";
import { pi } from "../../i18n";

export { num as fmt, percent as fmtPercent } from "../../format";

export type Band = "good" | "tentative" | "poor" | "none";

/** Where alpha falls against the PI's thresholds (at or above counts). */
export function band(alpha: number | null | undefined, t: Thresholds): Band {
  if (alpha === null || alpha === undefined || !Number.isFinite(alpha)) return "none";
  if (alpha >= t.good) return "good";
  if (alpha >= t.tentative) return "tentative";
  return "poor";
}

/** The band in words (the PI's catalogue). */
export const bandText = (b: Band): string => pi().review.band[b];



/** Checks threshold inputs before they go to the study; a sentence when they are not usable. */
export function checkThresholds(good: number, tentative: number): string | null {
  if (!Number.isFinite(good) || !Number.isFinite(tentative)) return pi().review.thresholdsNotNumbers;
  if (good < -1 || good > 1 || tentative < -1 || tentative > 1) return pi().review.thresholdsRange;
  if (tentative > good) return pi().review.thresholdsOrder;
  return null;
}

/** Core's blind aliases ("Rater A", … in name order, the CLI's too) as a lookup. */
export function aliasMap(aliases: RaterAlias[]): Map<string, string> {
  return new Map(aliases.map((a) => [a.rater, a.alias]));
}

export function shownName(name: string, aliases: Map<string, string>, hide: boolean): string {
  return hide ? (aliases.get(name) ?? pi().review.unknownAlias) : name;
}

export type SortKey = "disagreement" | "spread" | "profile" | "open";

/** The disagreement list in the order the PI chose; ties keep the backend's order. */
export function sortDisagreements(list: DisagreementRow[], key: SortKey): DisagreementRow[] {
  const out = list.map((p, i) => ({ p, i }));
  const cmp: Record<SortKey, (a: DisagreementRow, b: DisagreementRow) => number> = {
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
export function nextOpen(list: DisagreementRow[], current: number): number | null {
  const i = list.findIndex((p) => p.profileId === current);
  const after = [...list.slice(i + 1), ...list.slice(0, Math.max(0, i))];
  return after.find((p) => p.adjudicated === null && p.profileId !== current)?.profileId ?? null;
}

