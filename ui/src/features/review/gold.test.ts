import { describe, expect, it } from "vitest";
import { goldSection, goldTable } from "./gold";
import { FakeReviewApi } from "./fakeReviewApi";
import { choiceText, leftOutText } from "./raters";

const tick = () => new Promise((r) => setTimeout(r, 0));

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
    const empty = goldSection(new FakeReviewApi());
    await new Promise((r) => setTimeout(r, 0));
    expect(empty.querySelector("#gold-empty")).not.toBeNull();
  });
});

describe("marking gold profiles", () => {
  it("marks a profile with its known value, refuses one off the scale, and removes the mark", async () => {
    const api = new FakeReviewApi();
    let changed = 0;
    const el = goldSection(api, () => changed++);
    document.body.append(el);
    await tick();
    expect(el.querySelector("#gold-marks-empty")).not.toBeNull();
    const $ = <T extends Element>(s: string) => el.querySelector(s) as unknown as T;
    expect([...$<HTMLSelectElement>("#gold-profile").options].map((o) => o.textContent)).toEqual(["p1/home", "p2/work"]);
    expect($<HTMLSelectElement>("#gold-dimension").value).toBe("openness");
    expect($<HTMLElement>("#gold-value-hint").textContent).toBe(" (1, 2, 3, 4, 5)");
    $<HTMLSelectElement>("#gold-profile").value = "2";
    $<HTMLSelectElement>("#gold-kind").value = "attention";
    $<HTMLInputElement>("#gold-value").value = "9";
    // Past the input's own min/max check: core's answer is shown.
    $<HTMLFormElement>("#gold-form").dispatchEvent(new Event("submit", { cancelable: true }));
    await tick();
    expect($<HTMLElement>("#gold-status").textContent).toContain("outside 1..5");
    expect(api.goldView.marks).toEqual([]);
    expect(changed).toBe(0);
    $<HTMLInputElement>("#gold-value").value = "4";
    $<HTMLFormElement>("#gold-form").requestSubmit();
    await tick();
    expect(api.goldView.marks).toEqual([{ profileId: 2, person: "p2", context: "work", dimension: "openness", value: 4, kind: "attention" }]);
    const row = [...el.querySelectorAll("#gold-marks tbody tr > *")].map((c) => c.textContent);
    expect(row).toEqual(["p2/work", "Openness", "4", "attention check", "Remove"]);
    expect($<HTMLElement>("#gold-status").textContent).toBe("p2/work marked: Openness = 4 (attention check).");
    expect(changed).toBe(1);
    // The choice kept after the re-render.
    expect($<HTMLSelectElement>("#gold-profile").value).toBe("2");
    $<HTMLButtonElement>(".gold-remove").click();
    await tick();
    expect(api.goldView.marks).toEqual([]);
    expect(el.querySelector("#gold-marks-empty")).not.toBeNull();
    expect(changed).toBe(2);
    el.remove();
  });

  it("says which profiles the statistics left out, with the rater choice", () => {
    expect(leftOutText({ gold: [], attention: [] })).toBeNull();
    expect(leftOutText({ gold: ["p1/home", "p3/home"], attention: ["p2/work"] })).toBe(
      "2 gold profiles and 1 attention check left out of the statistics: p1/home, p3/home, p2/work",
    );
    expect(
      choiceText({ selection: "all raters", included: ["ana", "ben"], excluded: [], known_left_out: { gold: ["p1/home"], attention: [] } }),
    ).toBe("all raters — 2 included. 1 gold profile left out of the statistics: p1/home");
  });
});
