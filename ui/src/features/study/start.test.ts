import { beforeEach, describe, expect, it, vi } from "vitest";
import { FakeBackend } from "../../test/fakeBackend";
import { mountStart } from "./start";

const tick = () => new Promise((r) => setTimeout(r, 0));
const $ = <T extends Element = HTMLElement>(sel: string) => document.querySelector(sel) as T;

describe("recent studies", () => {
  it("removes an entry from Recent, not the file (issue 15)", async () => {
    document.body.replaceChildren();
    const root = document.createElement("div");
    document.body.appendChild(root);
    const backend = new FakeBackend();
    backend.recent = [
      { path: "/s/a.chameleon", name: "a", lastOpened: 2, lastRater: null, exists: true },
      { path: "/s/b.chameleon", name: "b", lastOpened: 1, lastRater: null, exists: false },
    ];
    const forget = vi.spyOn(backend, "forgetRecent");
    await mountStart(root, backend, () => {}).ready;
    expect(document.querySelectorAll("#recent li").length).toBe(2);
    (document.querySelectorAll<HTMLButtonElement>("#recent .recent-remove")[1]).click();
    await tick();
    await tick();
    expect(forget).toHaveBeenCalledWith("/s/b.chameleon");
    expect([...document.querySelectorAll("#recent .recent-name")].map((e) => e.textContent)).toEqual(["a"]);
  });
});

describe("start screen drops", () => {
  let root: HTMLElement;
  let backend: FakeBackend;
  beforeEach(() => {
    document.body.replaceChildren();
    root = document.createElement("div");
    document.body.appendChild(root);
    backend = new FakeBackend();
  });

  it("opens a dropped study file", async () => {
    const open = vi.spyOn(backend, "openStudy");
    const opened = vi.fn();
    await mountStart(root, backend, opened).ready;
    await tick();
    backend.dropHandler?.({ type: "enter" });
    expect($("#start-screen").classList.contains("dragging")).toBe(true);
    backend.dropHandler?.({ type: "drop", paths: ["/s/pilot.chameleon"] });
    await tick();
    expect($("#start-screen")?.classList.contains("dragging")).toBe(false);
    expect(open).toHaveBeenCalledWith("/s/pilot.chameleon");
    expect(opened).toHaveBeenCalledOnce();
  });

  it("fills the create form from a profiles file and a codebook and goes to Create", async () => {
    const open = vi.spyOn(backend, "openStudy");
    const create = vi.spyOn(backend, "createStudy");
    await mountStart(root, backend, () => {}).ready;
    await tick();
    backend.dropHandler?.({ type: "drop", paths: ["/f/profiles.jsonl"] });
    expect($<HTMLInputElement>("#profiles-path").value).toBe("/f/profiles.jsonl");
    expect(document.activeElement).toBe($("#codebook-path"));
    backend.dropHandler?.({ type: "drop", paths: ["/f/codebook.toml", "/f/notes.txt"] });
    expect($<HTMLInputElement>("#codebook-path").value).toBe("/f/codebook.toml");
    expect(document.activeElement).toBe($("#create"));
    expect($("#drop-notice").textContent).toContain("Not used: notes.txt");
    // Nothing is created or opened until the user says so.
    expect(create).not.toHaveBeenCalled();
    expect(open).not.toHaveBeenCalled();
  });

  it("stops listening when the screen is left", async () => {
    const { stop, ready } = mountStart(root, backend, () => {});
    await ready;
    await tick();
    expect(backend.dropHandler).not.toBeNull();
    stop();
    expect(backend.dropHandler).toBeNull();
  });
});
