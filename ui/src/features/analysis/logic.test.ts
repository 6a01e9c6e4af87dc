import { describe, expect, it } from "vitest";
import { ciText, disagreementRows, effectInterval, effectsSvg, exportStem, intervalMethods, optionsText, parseOptions, pct, plottedEffects, progressText, svgDataUrl, valueInterval, variance } from "./logic";

const form = { dimensions: ["a", "b"], method: "reml", resamples: "1000", seed: "1", adjudicated: false };

describe("analysis logic", () => {
  it("formats shares and intervals as percentages", () => {
    expect(pct(0.26123)).toBe("26.1%");
    expect(pct(null)).toBe("—");
    expect(pct(Number.NaN)).toBe("—");
    expect(ciText([0.2031, 0.3187])).toBe("[20.3, 31.9]");
    expect(ciText(null)).toBe("");
  });

  it("checks the options and sends all dimensions as 'all'", () => {
    const ok = parseOptions(form, ["a", "b"]);
    expect(ok).toEqual({ options: { dimensions: [], method: "reml", bootstrap: 1000, seed: 1, adjudicated: false, model: null, profileCi: false } });
    const model = parseOptions({ ...form, model: "  value ~ 1 + (1|person)  " }, ["a", "b"]);
    expect("options" in model && model.options.model).toBe("value ~ 1 + (1|person)");
    const some = parseOptions({ ...form, dimensions: ["b"], resamples: "0" }, ["a", "b"]);
    expect("options" in some && some.options.dimensions).toEqual(["b"]);
    expect("options" in some && some.options.bootstrap).toBe(0);
    expect(parseOptions({ ...form, dimensions: [] }, ["a"])).toHaveProperty("error");
    expect(parseOptions({ ...form, resamples: "-1" }, ["a"])).toHaveProperty("error");
    expect(parseOptions({ ...form, resamples: "1.5" }, ["a"])).toHaveProperty("error");
    expect(parseOptions({ ...form, resamples: "1000000" }, ["a"])).toHaveProperty("error");
    // Core's bounds (bindings.ts): one resample gives no interval.
    expect(parseOptions({ ...form, resamples: "1" }, ["a"])).toHaveProperty("error");
    expect(parseOptions({ ...form, seed: "x" }, ["a"])).toHaveProperty("error");
    expect(parseOptions({ ...form, method: "ml" }, ["a"])).toHaveProperty("error");
  });

  it("describes progress", () => {
    expect(progressText(250, 1000)).toBe("250 / 1000 resamples (25%)");
    expect(progressText(0, 0)).toBe("Fitting…");
  });

  it("encodes SVG (with non-ASCII text) as a data URL", () => {
    const url = svgDataUrl("<svg><text>σ² – état</text></svg>");
    expect(url.startsWith("data:image/svg+xml;base64,")).toBe(true);
    const bin = atob(url.split(",")[1]);
    const text = new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
    expect(text).toBe("<svg><text>σ² – état</text></svg>");
  });

  it("makes safe file stems", () => {
    expect(exportStem("My study / 2024")).toBe("My-study-2024");
    expect(exportStem("///")).toBe("analysis");
  });

  it("ranks effects for the plot: every level when few, the extremes when many", () => {
    const many = Array.from({ length: 40 }, (_, i) => ({ level: `c${i}`, mode: 1 - i / 20, sd: 0.1 }));
    const { shown, hidden } = plottedEffects(many, 5);
    expect(shown.map((e) => e.level)).toEqual(["c0", "c1", "c2", "c3", "c4", "c35", "c36", "c37", "c38", "c39"]);
    expect(hidden).toBe(30);
    expect(plottedEffects(many.slice(0, 8), 5).hidden).toBe(0);
    expect(effectInterval({ level: "x", mode: 1, sd: 0.5 })).toEqual([1 - 0.98, 1 + 0.98]);
    expect(variance(0.123456)).toBe("0.1235");
    expect(variance(null)).toBe("—");
  });

  it("draws the effects plot with names escaped, one dot and bar per level", () => {
    const plot = effectsSvg([
      { level: "a<&>", mode: 0.5, sd: 0.1 },
      { level: "b", mode: -0.2, sd: 0.05 },
    ], "ext: context effects");
    expect(plot.svg).toContain("a&lt;&amp;&gt;");
    expect(plot.svg.match(/<circle/g)?.length).toBe(2);
    expect(plot.height).toBeGreaterThan(2 * 18);
  });

  it("asks for profile intervals only with a model and names each interval method", () => {
    const withModel = parseOptions({ ...form, model: "value ~ 1 + (1|person)", profileCi: true }, ["a", "b"]);
    expect("options" in withModel && withModel.options.profileCi).toBe(true);
    const noModel = parseOptions({ ...form, model: "", profileCi: true }, ["a", "b"]);
    expect("options" in noModel && noModel.options.profileCi).toBe(false);
    expect(optionsText({ dimensions: [], method: "reml", bootstrap: 200, seed: 7, adjudicated: false, model: "value ~ 1 + (1|person)", profileCi: true })).toContain("profile intervals");
    expect(intervalMethods({ bootstrap: null, profileCi: false })).toEqual([]);
    const both = intervalMethods({ bootstrap: { method: "parametric", resamples: 200, seed: 7, failed: 2 }, profileCi: true });
    expect(both).toHaveLength(2);
    expect(both[0]).toContain("parametric bootstrap");
    expect(both[0]).toContain("200 resamples, seed 7");
    expect(both[0]).toContain("2 refits failed");
    expect(both[1]).toContain("profile-likelihood");
    expect(intervalMethods({ bootstrap: { method: "person-cluster", resamples: 50, seed: 1, failed: 0 }, profileCi: false })[0]).toContain("person-cluster");
    expect(valueInterval([0.012345, 0.5])).toBe("[0.01235, 0.5000]");
    expect(valueInterval(null)).toBe("");
  });

  it("plots each disagreed-about person's highest and lowest rater, in core's order", () => {
    const p = (person: string, hi: number, lo: number) => ({
      person,
      raters: 3,
      spread: hi - lo,
      highest: { level: "gpt", mode: hi, sd: 0.1 },
      lowest: { level: "ann", mode: lo, sd: 0.2 },
    });
    const rows = disagreementRows([p("p1", 0.9, -0.8), p("p2", 0.3, -0.1), p("p3", 0.1, 0)], 2);
    expect(rows.map((r) => r.level)).toEqual(["p1 · gpt", "p1 · ann", "p2 · gpt", "p2 · ann"]);
    expect(rows[1]).toEqual({ level: "p1 · ann", mode: -0.8, sd: 0.2 });
  });
});
