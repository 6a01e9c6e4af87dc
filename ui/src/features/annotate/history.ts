// The rating screen's line about the focused rating's earlier values: changes are kept in the
// study, and an annotator who revisits a profile sees what they had before.
import type { DimensionView, OwnChange } from "../../bindings";
import { t } from "../../i18n";

/** How a value of `d` reads: a category's label for nominal dimensions, else the number. */
export function valueLabel(d: DimensionView, v: number | null): string {
  if (v === null) return "cleared";
  if (d.scale.type === "nominal") return d.scale.categories.find((c) => c.value === v)?.label ?? String(v);
  return String(v);
}

/**
 * "Changed 2 times: 3 → 4 → 2 (last 23 Nov, 10:05)", or "" for a rating given once or never
 * (nothing to recall). `changes` are oldest first.
 */
export function historyText(d: DimensionView, changes: readonly OwnChange[], formatTime = shortTime): string {
  if (changes.length < 2) return "";
  const values = [changes[0].oldValue, ...changes.map((c) => c.newValue)];
  // The first entry's old value is empty for a first rating: start the chain at the rating.
  const chain = (values[0] === null ? values.slice(1) : values).map((v) => valueLabel(d, v));
  const n = changes.length - 1;
  const last = changes[changes.length - 1].changedAt;
  return t().changedTimes(n, chain.join(" → "), formatTime(last));
}

function shortTime(ms: number): string {
  return new Date(ms).toLocaleString(undefined, { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
}
