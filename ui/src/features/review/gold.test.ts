import { describe, expect, it } from "vitest";
import { goldSection, goldTable } from "./gold";

describe("gold accuracy table", () => {
  it("shows each rater's accuracy per kind, as text", async () => {
    const t = goldTable([
      { rater: "<b>ana</b>", kind: "gold", items: 4, rated: 3, exact: 2, accuracy: 2 / 3, mean_abs_error: 0.5 },
      { rater: "bob", kind: "attention", items: 2, rated: 0, exact: 0, accuracy: null, mean_abs_error: null },
    ]);
    const rows = [...t.querySelectorAll("tbody tr")].map((r) => [...r.children].map((c) => c.textContent));
    expect(rows).toEqual([
      ["<b>ana</b>", "gold profiles", "3 of 4", "2", "67 %", "0.50"],
      ["bob", "attention checks", "0 of 2", "0", "—", "—"],
    ]);
    expect(t.querySelector("b")).toBeNull();
    const empty = goldSection(async () => []);
    await new Promise((r) => setTimeout(r, 0));
    expect(empty.querySelector("#gold-empty")).not.toBeNull();
  });
});
