import { beforeEach, describe, expect, it } from "vitest";
import { FakeBackend } from "../../test/fakeBackend";
import { StudioScreen } from "./shell";
import type { StudioContext, StudioViewEntry } from "./view";

function entry(id: string, log: string[]): StudioViewEntry {
  return {
    id,
    label: id.toUpperCase(),
    create: () => ({
      async mount(el: HTMLElement, ctx: StudioContext, param?: string) {
        log.push(`mount ${id}${param ? ` ${param}` : ""}`);
        const b = document.createElement("button");
        b.id = `go-${id}`;
        b.onclick = () => ctx.show(id === "a" ? "b" : "a", "x");
        el.append(`view ${id}`, b);
      },
      unmount() {
        log.push(`unmount ${id}`);
      },
    }),
  };
}

describe("studio shell", () => {
  let root: HTMLElement;
  beforeEach(() => {
    document.body.replaceChildren();
    root = document.createElement("div");
    document.body.appendChild(root);
  });

  it("shows the first view, switches tabs and unmounts the view it leaves", async () => {
    const log: string[] = [];
    const b = new FakeBackend();
    let annotated = false;
    const shell = new StudioScreen(b, b.session(), [entry("a", log), entry("b", log)], {
      onAnnotate: () => (annotated = true),
      onClose: () => {},
    });
    await shell.mount(root);
    expect(root.querySelector("#studio-content")?.textContent).toBe("view a");
    expect(root.querySelector("#tab-a")?.getAttribute("aria-selected")).toBe("true");
    (root.querySelector("#go-a") as HTMLButtonElement).click();
    await new Promise((r) => setTimeout(r, 0));
    expect(root.querySelector("#studio-content")?.textContent).toBe("view b");
    expect(root.querySelector("#tab-b")?.getAttribute("aria-selected")).toBe("true");
    expect(log).toEqual(["mount a", "unmount a", "mount b x"]);
    (root.querySelector("#to-annotate") as HTMLButtonElement).click();
    expect(annotated).toBe(true);
    expect(log.at(-1)).toBe("unmount b");
  });

  it("renames the study from its name in the header; a blank name is refused, Cancel keeps it", async () => {
    const b = new FakeBackend();
    const shell = new StudioScreen(b, b.session(), [entry("a", [])], { onAnnotate: () => {}, onClose: () => {} });
    await shell.mount(root);
    const name = () => root.querySelector("#study-name") as HTMLButtonElement;
    expect(name().textContent).toBe("x");
    name().click();
    const input = root.querySelector("#study-name-input") as HTMLInputElement;
    expect(document.activeElement).toBe(input);
    input.value = "  ";
    (root.querySelector("#study-rename") as HTMLFormElement).requestSubmit();
    await new Promise((r) => setTimeout(r, 0));
    expect(root.querySelector("#study-name-message")?.textContent).toMatch(/cannot be empty/);
    expect(b.studyName).toBe("x");
    (root.querySelector("#study-name-cancel") as HTMLButtonElement).click();
    expect(name().textContent).toBe("x");
    name().click();
    (root.querySelector("#study-name-input") as HTMLInputElement).value = "Spring pilot";
    (root.querySelector("#study-rename") as HTMLFormElement).requestSubmit();
    await new Promise((r) => setTimeout(r, 0));
    expect(b.studyName).toBe("Spring pilot");
    expect(name().textContent).toBe("Spring pilot");
    expect(document.activeElement).toBe(name());
  });
});
