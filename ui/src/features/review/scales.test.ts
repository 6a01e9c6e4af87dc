import { describe, expect, it } from "vitest";
import type { ScaleReport } from "../../bindings";
import { scalesSection, scalesTable } from "./scales";

const report = (over: Partial<ScaleReport>): ScaleReport => ({
  scale: "bfi_extraversion",
  known_left_out: null,
  n: 108,
  incomplete: 0,
  raw_alpha: 0.768,
  std_alpha: 0.7681,
  average_r: 0.624,
  omega_total: 0.77,
  items: [
    { dimension: "bfi_e1r", reverse: true, item_rest: 0.624, alpha_if_dropped: null, std_alpha_if_dropped: null, loading: 0.79 },
    { dimension: "<b>bfi_e2</b>", reverse: false, item_rest: 0.6, alpha_if_dropped: null, std_alpha_if_dropped: null, loading: 0.79 },
  ],
  problem: null,
  raw_alpha_ci95: [0.668, 0.84],
  omega_total_ci95: [0.67, 0.85],
  bootstrap: 1000,
  bootstrap_failed: 0,
  ...over,
});

const cells = (t: HTMLElement) =>
  [...t.querySelectorAll("tbody tr")].map((r) => [...r.children].map((c) => c.textContent));

describe("scale reliability", () => {
  it("shows α with its interval, ω and each item's item–rest r, as text", () => {
    const t = scalesTable([report({}), report({ scale: "bfi_openness", incomplete: 3, omega_total_ci95: null })]);
    expect(cells(t)).toEqual([
      ["bfi_extraversion", "108", "0.77 [0.67, 0.84]", "0.77", "0.77 [0.67, 0.85]", "bfi_e1r (R) 0.62 · <b>bfi_e2</b> 0.60"],
      ["bfi_openness", "108 (3 left out)", "0.77 [0.67, 0.84]", "0.77", "0.77", "bfi_e1r (R) 0.62 · <b>bfi_e2</b> 0.60"],
    ]);
    expect(t.querySelector("b")).toBeNull();
  });

  it("says why a scale has no reliability, and when there are no scales", async () => {
    const t = scalesTable([report({ problem: "only 2 person(s) answered every item", raw_alpha: null })]);
    expect(cells(t)).toEqual([["bfi_extraversion", "No reliability: only 2 person(s) answered every item"]]);
    const empty = scalesSection(async () => []);
    await new Promise((r) => setTimeout(r, 0));
    expect(empty.querySelector("#scales-empty")).not.toBeNull();
    const two = scalesSection(async () => [report({}), report({ scale: "bfi_openness" })]);
    await new Promise((r) => setTimeout(r, 0));
    expect([...two.querySelectorAll("tbody tr")].map((x) => x.getAttribute("data-scale"))).toEqual([
      "bfi_extraversion",
      "bfi_openness",
    ]);
    const failed = scalesSection(async () => {
      throw new Error("boom");
    });
    await new Promise((r) => setTimeout(r, 0));
    expect(failed.textContent).toContain("Scale reliability unavailable");
  });
});
