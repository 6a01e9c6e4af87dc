import { describe, expect, it } from "vitest";
import type { Scale } from "../../bindings";
import { formatValue, options, snap, stepValue, valueForDigit } from "./scale";

const likert5: Scale = { type: "likert", min: 1, max: 5, anchors: [{ value: 1, label: "low" }] };
const likert11: Scale = { type: "likert", min: 0, max: 10, anchors: [] };
const nominal: Scale = { type: "nominal", categories: [{ value: 10, label: "a" }, { value: 20, label: "b" }] };
const cont: Scale = { type: "continuous", min: 0, max: 1, step: 0.1 };

describe("scale keys", () => {
  it("types single-digit Likert points as themselves", () => {
    expect(valueForDigit(likert5, "3")).toBe(3);
    expect(valueForDigit(likert5, "0")).toBeNull(); // 0 is not a point of 1..5
    expect(valueForDigit(likert5, "6")).toBeNull();
    expect(options(likert5)[0]).toEqual({ value: 1, label: "low", key: "1" });
  });
  it("keys the n-th option when codes are not single digits", () => {
    expect(valueForDigit(nominal, "2")).toBe(20);
  });
  it("types every point of a 0–10 scale: digits as themselves, 10 as '-'", () => {
    expect(valueForDigit(likert11, "0")).toBe(0);
    expect(valueForDigit(likert11, "9")).toBe(9);
    expect(valueForDigit(likert11, "-")).toBe(10);
    expect(options(likert11).map((o) => o.key)).toEqual(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "-"]);
    const eleven: Scale = { type: "nominal", categories: Array.from({ length: 12 }, (_, i) => ({ value: 100 + i, label: `c${i}` })) };
    expect(valueForDigit(eleven, "-")).toBe(110); // the 11th option
    expect(options(eleven)[11].key).toBeNull();
    expect(valueForDigit(cont, "-")).toBeNull();
  });
  it("spreads digits over a continuous range and snaps to its step", () => {
    expect(valueForDigit(cont, "0")).toBe(0);
    expect(valueForDigit(cont, "9")).toBe(1);
    expect(snap(cont, 0.44)).toBe(0.4);
    expect(snap(cont, 7)).toBe(1);
  });
  it("steps to neighbours and stays inside the scale", () => {
    expect(stepValue(likert5, null, 1)).toBe(1);
    expect(stepValue(likert5, 5, 1)).toBe(5);
    expect(stepValue(likert5, 3, -1)).toBe(2);
    expect(stepValue(cont, 0.5, 1)).toBe(0.6);
    expect(formatValue(likert5, 1)).toBe("1 · low");
    expect(formatValue(cont, null)).toBe("—");
    expect(formatValue(likert5, "cant-judge")).toBe("can't judge");
  });
});
