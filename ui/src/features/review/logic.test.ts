import { describe, expect, it } from "vitest";
import type { DisagreementRow } from "../../bindings";
import { aliasMap, band, checkThresholds, fmt, nextOpen, shownName, sortDisagreements } from "./logic";
import { svgDataUrl } from "../../format";

const t = { good: 0.8, tentative: 0.667 };

function p(id: number, disagreement: number, spread: number, adjudicated: number | null = null, person = `p${id}`): DisagreementRow {
  return {
    profileId: id,
    person,
    context: "c",
    values: [
      { rater: "ana", value: 1 },
      { rater: "ben", value: 1 + spread },
      { rater: "chloe", value: 2 },
    ],
    disagreement,
    spread,
    adjudicated,
  };
}

describe("threshold colouring", () => {
  it("puts alpha in the band of the highest threshold it reaches", () => {
    expect(band(0.8, t)).toBe("good");
    expect(band(0.95, t)).toBe("good");
    expect(band(0.7999, t)).toBe("tentative");
    expect(band(0.667, t)).toBe("tentative");
    expect(band(0.5, t)).toBe("poor");
    expect(band(-0.2, t)).toBe("poor");
    expect(band(null, t)).toBe("none");
    expect(band(0.7, { good: 0.7, tentative: 0.6 })).toBe("good");
  });
  it("refuses thresholds out of order or range", () => {
    expect(checkThresholds(0.8, 0.667)).toBeNull();
    expect(checkThresholds(0.6, 0.7)).toMatch(/tentative/);
    expect(checkThresholds(1.2, 0.7)).toMatch(/between/);
    expect(checkThresholds(Number.NaN, 0.7)).toMatch(/numbers/);
  });
  it("formats to three decimals without a negative zero", () => {
    expect(fmt(0.81234)).toBe("0.812");
    expect(fmt(-0.0001)).toBe("0.000");
    expect(fmt(null)).toBe("—");
  });
});

describe("rater name hiding", () => {
  // The aliases themselves come from core (one scheme for the app and the CLI, tested there).
  it("shows core's alias when hidden and the name otherwise", () => {
    const a = aliasMap([
      { rater: "ana", alias: "Rater A" },
      { rater: "ben", alias: "Rater B" },
    ]);
    expect(shownName("ben", a, true)).toBe("Rater B");
    expect(shownName("ana", a, false)).toBe("ana");
    expect(shownName("zoe", a, true)).toBe("Rater ?");
  });
});

describe("sorting disagreements", () => {
  const list = [p(1, 0.2, 1), p(2, 0.9, 3, 4), p(3, 0.5, 2, null, "a"), p(4, 0.5, 3)];
  it("by disagreement, ties by spread", () => {
    expect(sortDisagreements(list, "disagreement").map((x) => x.profileId)).toEqual([2, 4, 3, 1]);
  });
  it("unsettled first", () => {
    expect(sortDisagreements(list, "open").map((x) => x.profileId)).toEqual([4, 3, 1, 2]);
  });
  it("by person", () => {
    expect(sortDisagreements(list, "profile")[0].profileId).toBe(3);
  });
  it("finds the next unsettled profile after the current one", () => {
    const sorted = sortDisagreements(list, "disagreement");
    expect(nextOpen(sorted, 4)).toBe(3);
    expect(nextOpen(sorted, 1)).toBe(4);
    expect(nextOpen([p(1, 0, 0, 2)], 1)).toBeNull();
  });
});

describe("figures", () => {
  it("become base64 data URLs (one encoder for every view)", () => {
    const uri = svgDataUrl('<svg><text>a&"b é</text></svg>');
    expect(uri.startsWith("data:image/svg+xml;base64,")).toBe(true);
    expect(uri).not.toContain("<");
    const bin = atob(uri.split(",")[1]);
    expect(new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)))).toBe('<svg><text>a&"b é</text></svg>');
  });
});
