import { describe, expect, it } from "vitest";
import { errorHint } from "./errors";
import { renderError } from "./features/study/start";

describe("error codes", () => {
  it("a locked study says what to do, under the message", () => {
    const box = renderError({ code: "locked", message: "the study is locked", rows: [], path: null });
    expect(box.querySelector(".error-title")?.textContent).toBe("the study is locked");
    expect(box.querySelector(".error-hint")?.textContent).toMatch(/close it there/);
  });

  it("codes whose message says everything get no hint line", () => {
    expect(errorHint("bad_input")).toBeNull();
    const box = renderError({ code: "bad_input", message: "bad rows", rows: [], path: null });
    expect(box.querySelector(".error-hint")).toBeNull();
  });
});
