import { describe, expect, it } from "vitest";
import { h } from "./dom";
import { table } from "./table";

describe("table", () => {
  it("has one header row and the given body rows, optionally in a scroll box", () => {
    const el = table({ id: "t", class: "analysis-table", head: ["a", h("th", { title: "x" }, "b")], rows: [h("tr", {}, h("td", {}, "1"))], scroll: true });
    expect(el.className).toBe("scroll");
    const t = el.querySelector("table#t.analysis-table")!;
    expect([...t.querySelectorAll("thead th")].map((x) => x.textContent)).toEqual(["a", "b"]);
    expect(t.querySelector("thead th[title=x]")).not.toBeNull();
    expect(t.querySelectorAll("tbody tr").length).toBe(1);
    expect(table({ head: [], rows: [] }).tagName).toBe("TABLE");
  });

  it("makes a scroll box reachable with the keyboard and named (WCAG 2.1.1)", () => {
    const el = table({ head: ["a"], rows: [], scroll: true, label: "Past model runs" });
    expect(el.getAttribute("tabindex")).toBe("0");
    expect(el.getAttribute("role")).toBe("region");
    expect(el.getAttribute("aria-label")).toBe("Past model runs");
    expect(table({ head: [], rows: [], scroll: true }).getAttribute("aria-label")).toBe("Table");
  });
});
