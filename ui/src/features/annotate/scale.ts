// What a dimension's scale offers the keyboard and the screen: its options with their key hints,
// and how digits and arrow keys map to values. Pure functions, unit-tested.
import type { Scale } from "../../bindings";
import { t } from "../../i18n";

export interface ScaleOption {
  value: number;
  /** The anchor label, if the codebook gives one. */
  label: string | null;
  /** The digit key that picks it, if any ("1".."9", "0"). */
  key: string | null;
}

/** The discrete options of a Likert or nominal scale (empty for continuous). */
export function options(scale: Scale): ScaleOption[] {
  let raw: { value: number; label: string | null }[];
  if (scale.type === "likert") {
    const labels = new Map(scale.anchors.map((a) => [a.value, a.label]));
    raw = [];
    for (let v = scale.min; v <= scale.max; v++) raw.push({ value: v, label: labels.get(v) ?? null });
  } else if (scale.type === "nominal") {
    raw = scale.categories.map((c) => ({ value: c.value, label: c.label }));
  } else {
    return [];
  }
  // Single-digit codes are typed as themselves (a 1..5 or 0..9 scale), and on a 0..10 scale
  // 10 is "-" (the key after 0); otherwise the n-th option is key n (the 10th is 0, the 11th
  // "-"), and options beyond eleven have no key.
  const selfKeyed = raw.every((o) => Number.isInteger(o.value) && o.value >= 0 && o.value <= 10);
  const byPosition = (i: number) => (i < 9 ? String(i + 1) : i === 9 ? "0" : i === 10 ? "-" : null);
  return raw.map((o, i) => ({
    ...o,
    key: selfKeyed ? (o.value === 10 ? "-" : String(o.value)) : byPosition(i),
  }));
}

/** The value a digit key sets on this scale, or null when the digit means nothing here. */
export function valueForDigit(scale: Scale, digit: string): number | null {
  if (!/^[0-9-]$/.test(digit)) return null;
  if (scale.type === "continuous") {
    if (digit === "-") return null;
    // 0 = minimum, 9 = maximum, evenly in between.
    return snap(scale, scale.min + ((scale.max - scale.min) * Number(digit)) / 9);
  }
  const hit = options(scale).find((o) => o.key === digit);
  return hit ? hit.value : null;
}

export function stepOf(scale: Scale): number {
  if (scale.type !== "continuous") return 1;
  return scale.step && scale.step > 0 ? scale.step : (scale.max - scale.min) / 100;
}

/** Rounds to the scale's step and clamps to its range. */
export function snap(scale: Scale, value: number): number {
  if (scale.type !== "continuous") return value;
  const step = stepOf(scale);
  const stepped = scale.min + Math.round((value - scale.min) / step) * step;
  const clamped = Math.min(scale.max, Math.max(scale.min, stepped));
  return Number(clamped.toFixed(6));
}

/** Left/Right: the neighbouring option (or ± one step), starting from the middle when empty. */
export function stepValue(scale: Scale, current: number | null, delta: 1 | -1): number | null {
  if (scale.type === "continuous") {
    const start = current ?? (scale.min + scale.max) / 2;
    return snap(scale, current === null ? start : start + delta * stepOf(scale));
  }
  const opts = options(scale);
  if (opts.length === 0) return null;
  const i = current === null ? -1 : opts.findIndex((o) => o.value === current);
  if (i < 0) return delta > 0 ? opts[0].value : opts[opts.length - 1].value;
  return opts[Math.min(opts.length - 1, Math.max(0, i + delta))].value;
}

export function formatValue(scale: Scale, value: number | "cant-judge" | null): string {
  if (value === null) return "—";
  if (value === "cant-judge") return t().cantJudgeValue;
  if (scale.type === "continuous") {
    const step = stepOf(scale);
    const decimals = step >= 1 ? 0 : Math.min(4, Math.ceil(-Math.log10(step)));
    return value.toFixed(decimals);
  }
  const o = options(scale).find((x) => x.value === value);
  return o?.label ? `${value} · ${o.label}` : String(value);
}
