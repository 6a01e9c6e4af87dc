import { beforeEach, describe, expect, it } from "vitest";
import { FakeBackend } from "../../test/fakeBackend";
import { RatingScreen } from "./screen";

const tick = () => new Promise((r) => setTimeout(r, 0));
async function settle() {
  for (let i = 0; i < 10; i++) await tick();
}
function key(k: string, init: KeyboardEventInit = {}) {
  const target = document.activeElement ?? document.body;
  target.dispatchEvent(new KeyboardEvent("keydown", { key: k, bubbles: true, cancelable: true, ...init }));
}

describe("RatingScreen", () => {
  let root: HTMLElement;
  beforeEach(() => {
    document.body.textContent = "";
    root = document.createElement("div");
    document.body.appendChild(root);
  });

  async function mount(b: FakeBackend, keepInstructions = false) {
    const screen = new RatingScreen(b, b.session(), { onClose() {}, onSwitchRater() {}, onStudio() {} });
    await screen.mount(root);
    await settle();
    if (!keepInstructions && root.querySelector("#instructions")) {
      root.querySelector<HTMLElement>("#start-rating")?.click();
      await settle();
    }
    return screen;
  }

  it("shows the instructions with rendered guidelines before the first profile", async () => {
    const b = new FakeBackend();
    b.guidelines = "# How to rate\n\nRate **only** the text.\n\n- one\n- two\n\n<img src=x onerror=alert(1)>";
    const screen = await mount(b, true);
    const page = root.querySelector("#instructions")!;
    expect(page).not.toBeNull();
    expect(page.querySelector("h3")?.textContent).toBe("How to rate");
    expect(page.querySelector("strong")?.textContent).toBe("only");
    expect(page.querySelectorAll("#instructions-guidelines li").length).toBe(2);
    expect(page.querySelector("img")).toBeNull(); // shown as text, never made into HTML
    expect(page.textContent).toContain("<img src=x onerror=alert(1)>");
    expect(page.textContent).toContain("can't judge");
    key("Enter"); // on the focused Start button: its click
    (document.activeElement as HTMLElement).click();
    await settle();
    expect(root.querySelector("#instructions")).toBeNull();
    key("4");
    await settle();
    expect(b.ratings.get(1)?.get("extraversion")).toBe(4);
    // Reopened, a rating key closes it and rates.
    (root.querySelector("#open-instructions") as HTMLElement).click();
    await settle();
    expect(root.querySelector("#instructions")).not.toBeNull();
    key("3");
    await settle();
    expect(root.querySelector("#instructions")).toBeNull();
    expect(b.ratings.get(1)?.get("mood")).not.toBeUndefined();
    screen.unmount();
    // Once something is rated, the next visit starts at the profile.
    await mount(b, true);
    expect(root.querySelector("#instructions")).toBeNull();
  });

  it("stores can't judge with x, counts it as done and undoes it", async () => {
    const b = new FakeBackend();
    const screen = await mount(b);
    key("x");
    await settle();
    expect(b.ratings.get(1)?.get("extraversion")).toBe("cant");
    expect(b.saveLog.at(-1)).toEqual({ profileId: 1, dimension: "extraversion", value: null, cantJudge: true });
    const dim = root.querySelector<HTMLElement>('[data-dimension="extraversion"]')!;
    expect(dim.dataset.cantJudge).toBe("true");
    expect(dim.querySelector(".dim-status")?.textContent).toBe("Saved: can't judge");
    expect(dim.querySelector(".cant-judge")?.getAttribute("aria-selected")).toBe("true");
    expect(root.querySelector(".dim.focused")?.getAttribute("data-dimension")).toBe("mood");
    key("Backspace");
    await settle();
    expect(b.ratings.get(1)?.has("extraversion")).toBe(false);
    screen.unmount();
  });

  it("counts profiles only in the header, hides person ids, and has keys for confidence and going back", async () => {
    const b = new FakeBackend();
    const screen = await mount(b);
    expect(root.querySelector(".progress-text")?.textContent).toMatch(/^0 of \d+ profiles done$/);
    expect(root.querySelector(".person")).toBeNull();
    key("c");
    await settle();
    expect(root.querySelector('.conf[aria-checked="true"]')?.textContent).toBe("1");
    key("c");
    await settle();
    expect(root.querySelector('.conf[aria-checked="true"]')?.textContent).toBe("2");
    key("s");
    await settle();
    expect(root.querySelector(".rate")?.getAttribute("data-profile-id")).toBe("2");
    key("p");
    await settle();
    expect(root.querySelector(".rate")?.getAttribute("data-profile-id")).toBe("1");
    expect(b.reviews.get(1)?.confidence).toBe(0.25);
    screen.unmount();
  });

  it("rates with number keys, advances focus, and moves on with Enter", async () => {
    const b = new FakeBackend();
    const screen = await mount(b);
    expect(root.querySelector(".rate")?.getAttribute("data-profile-id")).toBe("1");
    key("4");
    await settle();
    expect(b.ratings.get(1)?.get("extraversion")).toBe(4);
    expect(root.querySelector('[data-dimension="extraversion"] .dim-status')?.textContent).toBe("Saved");
    expect(root.querySelector(".dim.focused")?.getAttribute("data-dimension")).toBe("mood");
    key("9"); // continuous: max
    await settle();
    key("2"); // nominal: 2nd category
    await settle();
    expect(b.ratings.get(1)).toEqual(new Map([["extraversion", 4], ["mood", 100], ["topic", 20]]));
    key("Backspace");
    await settle();
    expect(b.ratings.get(1)?.has("topic")).toBe(false);
    key("Enter");
    await settle();
    expect(root.querySelector(".rate")?.getAttribute("data-profile-id")).toBe("2");
    expect(b.reviews.get(1)?.secondsSpent).toBeGreaterThanOrEqual(0);
    screen.unmount();
  });

  it("puts the focus on the chosen option of each dimension's listbox, for screen readers", async () => {
    const b = new FakeBackend();
    const screen = await mount(b);
    const active = () => document.activeElement as HTMLElement;
    const dim = () => active().closest<HTMLElement>(".dim")!;
    // Nothing rated yet: the first option of the first dimension's listbox, which is named by
    // the dimension and described by its status.
    expect(active().getAttribute("role")).toBe("option");
    expect(dim().getAttribute("data-dimension")).toBe("extraversion");
    const listbox = active().closest<HTMLElement>('[role="listbox"]')!;
    expect(listbox.getAttribute("aria-labelledby")).toBe(dim().getAttribute("aria-labelledby"));
    expect(document.getElementById(listbox.getAttribute("aria-describedby") ?? "")?.textContent).toBe("Not rated");
    expect(dim().querySelectorAll('[role="option"]').length).toBe(6); // 5 points and can't judge
    // One tab stop per dimension.
    expect(dim().querySelectorAll('[tabindex="0"]').length).toBe(1);
    key("4"); // rates and moves on: a continuous dimension's slider takes the focus
    await settle();
    expect(active().getAttribute("type")).toBe("range");
    key("Tab", { shiftKey: true }); // back: the chosen option
    await settle();
    expect(active().getAttribute("data-value")).toBe("4");
    expect(active().getAttribute("aria-selected")).toBe("true");
    const five = active().parentElement!.querySelector('[data-value="5"]');
    key("ArrowRight"); // a step: the focus follows the value, onto the same (updated) element
    await settle();
    expect(active().getAttribute("data-value")).toBe("5");
    expect(active().getAttribute("aria-selected")).toBe("true");
    expect(active()).toBe(five); // updated in place: a screen reader keeps track of the focus
    expect(active().parentElement!.querySelectorAll('[aria-selected="true"]').length).toBe(1);
    key("x"); // can't judge is an option too; it moves on to the next dimension
    await settle();
    const cant = root.querySelector('[data-dimension="extraversion"] .cant-judge');
    expect(cant?.getAttribute("role")).toBe("option");
    expect(cant?.getAttribute("aria-selected")).toBe("true");
    // Beside a slider, can't judge is a toggle button (an option needs a listbox).
    const sliderCant = root.querySelector('[data-dimension="mood"] .cant-judge');
    expect(sliderCant?.getAttribute("role")).toBeNull();
    expect(sliderCant?.getAttribute("aria-pressed")).toBe("false");
    screen.unmount();
  });

  it("shows the focused rating's earlier values once it was changed", async () => {
    const b = new FakeBackend();
    const screen = await mount(b);
    const line = () => root.querySelector<HTMLElement>("#rating-history");
    expect(line()?.hidden).toBe(true);
    key("4"); // extraversion 4, focus moves to mood
    await settle();
    key("ArrowUp"); // back to extraversion: rated once, nothing to recall
    await settle();
    expect(root.querySelector(".dim.focused")?.getAttribute("data-dimension")).toBe("extraversion");
    expect(line()?.hidden).toBe(true);
    key("2"); // changed: 4 → 2, focus moves on
    await settle();
    key("ArrowUp");
    await settle();
    expect(line()?.hidden).toBe(false);
    expect(line()?.textContent).toMatch(/^Changed 1 time: 4 → 2 \(last /);
    key("Backspace"); // undo: back to 4, saved while the panel shows it
    await settle();
    expect(line()?.textContent).toMatch(/^Changed 2 times: 4 → 2 → 4 /);
    key("Backspace"); // undo the first rating too: cleared
    await settle();
    expect(line()?.textContent).toMatch(/^Changed 3 times: 4 → 2 → 4 → cleared /);
    screen.unmount();
  });

  it("updates the progress line as ratings are saved, before moving on", async () => {
    const b = new FakeBackend(3);
    const screen = await mount(b);
    const text = () => root.querySelector(".progress-text")?.textContent;
    expect(text()).toBe("0 of 3 profiles done");
    key("4");
    await settle();
    expect(text()).toBe("0 of 3 profiles done · 1 started");
    key("9");
    await settle();
    key("1");
    await settle();
    expect(text()).toBe("1 of 3 profiles done");
    key("q");
    await settle();
    const first = root.querySelector('#queue .queue-item[data-profile-id="1"] .q-count');
    expect(first?.textContent).toBe("3/3");
    screen.unmount();
  });

  it("shows the first profile before the queue list arrives, and what needs the list waits for it", async () => {
    // The list is taken when asked for and handed over when the test lets it go: a save made
    // in between is missing from it, as when 100k entries are on their way.
    class SlowQueue extends FakeBackend {
      held: (() => void) | null = null;
      override async queue() {
        const list = await super.queue();
        if (this.queueCalls <= 1) return list; // nextUnrated's own look at it
        await new Promise<void>((go) => (this.held = go));
        return list;
      }
    }
    const b = new SlowQueue(3);
    const screen = await mount(b);
    const position = () => root.querySelector("#profile-position")?.textContent;
    const text = () => root.querySelector(".progress-text")?.textContent;
    const shown = () => root.querySelector(".rate")?.getAttribute("data-profile-id");
    expect(shown()).toBe("1");
    expect(b.held, "the list was asked for after the profile").not.toBeNull();
    expect(position()).toBe("Loading your queue…");
    expect(text()).toBe("Loading your queue…");
    key("4");
    await settle();
    expect(b.ratings.get(1)?.get("extraversion"), "rating does not wait for the list").toBe(4);
    key("Enter");
    await settle();
    expect(shown(), "Enter waits for the list").toBe("1");
    b.held!();
    await settle();
    expect(shown()).toBe("2");
    expect(position()).toBe("Profile 2 of 3");
    // The list lacked the save made while it was on its way; the screen's copy has it.
    expect(text()).toBe("0 of 3 profiles done · 1 started");
    screen.unmount();
  });

  it("keeps its queue copy in step with its own saves and fetches it again only after a change elsewhere", async () => {
    const b = new FakeBackend(4);
    const screen = await mount(b);
    const text = () => root.querySelector(".progress-text")?.textContent;
    const fetched = b.queueCalls;
    for (const k of ["4", "9", "1"]) {
      key(k);
      await settle();
    }
    key("Enter");
    await settle();
    expect(root.querySelector(".rate")?.getAttribute("data-profile-id")).toBe("2");
    expect(b.queueCalls, "Enter after the screen's own saves: no new queue list").toBe(fetched);
    expect(text()).toBe("1 of 4 profiles done");
    // Profile 3 rated elsewhere (an import): the generation moves, the list is fetched again,
    // and Enter skips what is done now.
    b.ratings.set(3, new Map([["extraversion", 1], ["mood", 1], ["topic", 10]]));
    b.generation++;
    key("Enter");
    await settle();
    expect(b.queueCalls).toBe(fetched + 1);
    expect(text()).toBe("2 of 4 profiles done");
    key("Enter");
    await settle();
    expect(root.querySelector(".rate")?.getAttribute("data-profile-id")).toBe("4");
    screen.unmount();
  });

  it("shows in the queue panel which dimensions are still incomplete", async () => {
    const b = new FakeBackend(3);
    b.ratings.set(1, new Map([["extraversion", 3], ["mood", 50], ["topic", 10]]));
    b.ratings.set(2, new Map([["extraversion", 2]]));
    const screen = await mount(b);
    key("q");
    await settle();
    const row = (d: string) => root.querySelector(`#queue-dimensions li[data-dimension="${d}"]`)!;
    expect(row("extraversion").className).toBe("incomplete");
    expect(row("extraversion").textContent).toContain("2/3 · 1 to go");
    expect(row("mood").textContent).toContain("1/3 · 2 to go");
    expect(root.querySelector("#queue-dimensions h3")?.textContent).toContain("3 of 3 incomplete");
    expect([...root.querySelectorAll("#queue-dimensions .dp-label")].map((e) => e.textContent)).toEqual([
      "Extraversion",
      "Mood",
      "Topic",
    ]);
    screen.unmount();
  });

  it("renders hostile material as literal text", async () => {
    const payload = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script><a href="javascript:alert(1)">x</a>';
    const b = new FakeBackend(1, () => [{ title: "<b>bold?</b>", text: payload, created_at: null, url: "javascript:alert(1)" }]);
    const screen = await mount(b);
    const body = root.querySelector(".text-body")!;
    expect(body.textContent).toBe(payload);
    expect(body.children.length).toBe(0);
    expect(root.querySelector(".material img, .material script, .material a")).toBeNull();
    expect(root.querySelector(".text-title")?.textContent).toBe("<b>bold?</b>");
    expect((window as unknown as { __pwned?: number }).__pwned).toBeUndefined();
    screen.unmount();
  });

  it("shows a failed save with its message and keeps the value", async () => {
    const b = new FakeBackend();
    const screen = await mount(b);
    b.failSaves = { code: "io", message: "disk full", rows: [], path: null };
    key("3");
    await settle();
    const status = root.querySelector('[data-dimension="extraversion"] .dim-status')!;
    expect(status.textContent).toBe("Not saved: disk full");
    expect(root.querySelector('[data-dimension="extraversion"] [aria-selected="true"]')?.getAttribute("data-value")).toBe("3");
    key("Enter");
    await settle();
    expect(root.querySelector(".rate")?.getAttribute("data-profile-id")).toBe("1"); // stays
    expect(root.querySelector(".message")?.textContent).toMatch(/Not saved/);
    b.failSaves = null;
    key("r");
    await settle();
    expect(b.ratings.get(1)?.get("extraversion")).toBe(3);
    screen.unmount();
  });

  it("shows the shortcuts with ?", async () => {
    const b = new FakeBackend();
    const screen = await mount(b);
    key("?");
    await settle();
    expect(root.querySelector("#help")?.textContent).toMatch(/undo the last change/);
    key("Escape");
    await settle();
    expect(root.querySelector("#help")).toBeNull();
    screen.unmount();
  });
});
