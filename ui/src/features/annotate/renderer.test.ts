import { describe, expect, it } from "vitest";
import type { DimensionView } from "../../bindings";
import { fillDimension } from "./renderer";
import type { RatingSession } from "./session";

const session = { state: () => ({ status: "idle", value: null, error: null }), set: async () => {}, retry: async () => {} } as unknown as RatingSession;

function row(max: number): HTMLElement {
  const d = { name: "mood", label: "Mood", definition: "", scale: { type: "likert", min: 1, max, anchors: [] }, level: null } as unknown as DimensionView;
  const el = document.createElement("div");
  fillDimension(el, d, "l", session);
  return el;
}

describe("a dimension's row", () => {
  it("leaves out a key that repeats the number on a 7-point row (narrow buttons), keeps it on 5", () => {
    const five = row(5);
    expect(five.querySelectorAll(".option kbd").length).toBe(5);
    expect(five.querySelector(".options")!.classList.contains("dense")).toBe(false);
    const seven = row(7);
    expect(seven.querySelector(".options")!.classList.contains("dense")).toBe(true);
    expect(seven.querySelectorAll(".option kbd").length).toBe(0);
    expect([...seven.querySelectorAll(".option .value")].map((v) => v.textContent)).toEqual(["1", "2", "3", "4", "5", "6", "7"]);
    expect(seven.querySelector(".cant-judge kbd")?.textContent).toBe("x");
  });
});
