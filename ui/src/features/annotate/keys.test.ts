import { describe, expect, it } from "vitest";
import { actionFor } from "./keys";

describe("rating keyboard map", () => {
  it("maps the issue's shortcuts", () => {
    expect(actionFor({ key: "3" }, "dimension")).toEqual({ type: "digit", digit: "3" });
    expect(actionFor({ key: "Tab" }, "dimension")).toEqual({ type: "focus", delta: 1 });
    expect(actionFor({ key: "Tab", shiftKey: true }, "dimension")).toEqual({ type: "focus", delta: -1 });
    expect(actionFor({ key: "ArrowDown" }, "other")).toEqual({ type: "focus", delta: 1 });
    expect(actionFor({ key: "Enter" }, "dimension")).toEqual({ type: "next" });
    expect(actionFor({ key: "Backspace" }, "dimension")).toEqual({ type: "undo" });
    expect(actionFor({ key: "z", ctrlKey: true }, "other")).toEqual({ type: "undo" });
    expect(actionFor({ key: "?" }, "other")).toEqual({ type: "help" });
  });
  it("has keys for can't judge, confidence, the previous profile and the 11th point", () => {
    expect(actionFor({ key: "x" }, "dimension")).toEqual({ type: "cantJudge" });
    expect(actionFor({ key: "c" }, "dimension")).toEqual({ type: "confidence" });
    expect(actionFor({ key: "p" }, "other")).toEqual({ type: "previous" });
    expect(actionFor({ key: "-" }, "dimension")).toEqual({ type: "digit", digit: "-" });
    expect(actionFor({ key: "x" }, "text")).toBeNull();
  });
  it("leaves typing in a text field alone", () => {
    expect(actionFor({ key: "3" }, "text")).toBeNull();
    expect(actionFor({ key: "Backspace" }, "text")).toBeNull();
    expect(actionFor({ key: "Enter" }, "text")).toBeNull();
    expect(actionFor({ key: "Enter", ctrlKey: true }, "text")).toEqual({ type: "next" });
    expect(actionFor({ key: "Escape" }, "text")).toEqual({ type: "escape" });
  });
  it("lets a focused button keep Enter and Tab its native meaning outside the form", () => {
    expect(actionFor({ key: "Enter" }, "button")).toBeNull();
    expect(actionFor({ key: "Tab" }, "button")).toBeNull();
  });
});
