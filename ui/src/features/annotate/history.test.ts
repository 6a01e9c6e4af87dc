import { describe, expect, it } from "vitest";
import { codebook } from "../../test/fakeBackend";
import { historyText, valueLabel } from "./history";

const [likert, , nominal] = codebook.dimensions;
const at = (m: number) => Date.UTC(2026, 10, 23, 10, m);
const time = (ms: number) => new Date(ms).toISOString().slice(11, 16);

describe("rating history line", () => {
  it("is empty for a rating given once or never", () => {
    expect(historyText(likert, [])).toBe("");
    expect(historyText(likert, [{ oldValue: null, newValue: 3, changedAt: at(1) }])).toBe("");
  });

  it("lists every value, oldest first, with the last change's time", () => {
    const changes = [
      { oldValue: null, newValue: 3, changedAt: at(1) },
      { oldValue: 3, newValue: null, changedAt: at(2) },
      { oldValue: null, newValue: 4, changedAt: at(3) },
      { oldValue: 4, newValue: 2, changedAt: at(5) },
    ];
    expect(historyText(likert, changes, time)).toBe("Changed 3 times: 3 → cleared → 4 → 2 (last 10:05)");
    expect(historyText(likert, changes.slice(0, 2), time)).toBe("Changed 1 time: 3 → cleared (last 10:02)");
  });

  it("names nominal categories", () => {
    expect(valueLabel(nominal, 20)).toBe("family");
    expect(valueLabel(nominal, 99)).toBe("99");
    const changes = [
      { oldValue: null, newValue: 10, changedAt: at(1) },
      { oldValue: 10, newValue: 30, changedAt: at(2) },
    ];
    expect(historyText(nominal, changes, time)).toBe("Changed 1 time: work → other (last 10:02)");
  });
});
