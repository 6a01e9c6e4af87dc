import { beforeEach, describe, expect, it } from "vitest";
import { FakeBackend } from "../../test/fakeBackend";
import type { StudioContext } from "../studio/view";
import { AgreementView } from "./agreement";
import { CodebookView } from "./codebook";
import { DisagreementsView } from "./disagreements";
import { FakeReviewApi } from "./fakeReviewApi";
import { codebookNotice } from "./notice";

const tick = () => new Promise((r) => setTimeout(r, 0));

function ctx(shown: string[] = []): StudioContext {
  const b = new FakeBackend();
  const s = b.session();
  return { backend: b, session: s, refreshSession: async () => s, show: (v, p) => shown.push(`${v} ${p ?? ""}`) };
}

let el: HTMLElement;
beforeEach(() => {
  document.body.replaceChildren();
  el = document.createElement("div");
  document.body.append(el);
});

describe("agreement dashboard", () => {
  it("shows one row per dimension coloured by the thresholds, and the detail of a clicked one", async () => {
    const api = new FakeReviewApi();
    const shown: string[] = [];
    await new AgreementView(api).mount(el, ctx(shown));
    const rows = [...el.querySelectorAll("#agreement-table tbody tr")];
    expect(rows.map((r) => r.getAttribute("data-band"))).toEqual(["good", "tentative", "poor", "none", "caution"]);
    expect(rows[0].querySelector(".alpha")?.textContent).toContain("0.910");
    (rows[1].querySelector("button") as HTMLButtonElement).click();
    await tick();
    expect(api.calls).toContain("detail b ");
    const img = el.querySelector("#kappa-heatmap") as HTMLImageElement;
    expect(img.getAttribute("src")).toMatch(/^data:image\/svg\+xml/);
    expect(el.querySelector("#rater-diagnostics tbody tr")?.textContent).toContain("0.10 → 0.20");
    (el.querySelector("#to-disagreements") as HTMLButtonElement).click();
    expect(shown).toEqual(["disagreements b"]);
  });

  it("recolours after new thresholds and shows intervals on request", async () => {
    const api = new FakeReviewApi();
    await new AgreementView(api).mount(el, ctx());
    (el.querySelector("#threshold-good") as HTMLInputElement).value = "0.6";
    (el.querySelector("#threshold-tentative") as HTMLInputElement).value = "0.1";
    (el.querySelector("#thresholds-form") as HTMLFormElement).requestSubmit();
    await tick();
    expect(api.thresholds).toEqual({ good: 0.6, tentative: 0.1 });
    const bands = [...el.querySelectorAll("#agreement-table tbody tr")].map((r) => r.getAttribute("data-band"));
    expect(bands).toEqual(["good", "good", "tentative", "none", "caution"]);
    (el.querySelector("#compute-intervals") as HTMLButtonElement).click();
    await tick();
    expect(api.calls).toContain("intervals 1000");
    expect(el.querySelector("#agreement-table tbody tr .ci")?.textContent).toBe("0.850 – 0.950");
    expect(el.querySelectorAll("#agreement-table tbody tr .ci")[1]?.textContent).toContain("degenerate interval");
  });

  it("shows too few data instead of a coloured alpha, and a newcomer's figures as a caution (issue 15)", async () => {
    const api = new FakeReviewApi();
    await new AgreementView(api).mount(el, ctx());
    const few = el.querySelector('#agreement-table tr[data-dimension="e"]') as HTMLElement;
    expect(few.querySelector(".alpha")?.textContent).toBe("too few data (n = 2)");
    expect(few.querySelector(".band-dot")).toBeNull();
    expect(few.className).toContain("band-none");
    (few.querySelector("button") as HTMLButtonElement).click();
    await tick();
    const newcomer = [...el.querySelectorAll("#rater-diagnostics tbody tr")][1];
    expect(newcomer.textContent).toContain("too few data (n = 4)");
    expect(newcomer.textContent).not.toContain("0.90");
  });

  it("pools humans with enough ratings by default and takes the PI's choice (issue 15)", async () => {
    const api = new FakeReviewApi();
    await new AgreementView(api).mount(el, ctx());
    expect(api.calls[0]).toBe("agreement {}");
    const summary = () => el.querySelector("#agreement-rater-choice")?.textContent ?? "";
    expect(summary()).toContain("kind human; at least 10 ratings — 2 included");
    expect(summary()).toContain("gpt (kind model)");
    expect((el.querySelector("#agreement-rater-kind") as HTMLSelectElement).value).toBe("human");
    expect((el.querySelector("#agreement-min-ratings") as HTMLInputElement).value).toBe("10");
    const kind = el.querySelector("#agreement-rater-kind") as HTMLSelectElement;
    kind.value = "any";
    kind.dispatchEvent(new Event("change"));
    await tick();
    expect(api.calls).toContain('agreement {"kind":"any"}');
    expect(summary()).toContain("at least 10 ratings — 3 included");
    const boxes = [...el.querySelectorAll<HTMLInputElement>("#agreement-rater-picks input[data-rater]")];
    expect(boxes.map((b) => b.checked)).toEqual([true, true, true, false]);
    boxes[2].checked = false;
    boxes[2].dispatchEvent(new Event("change"));
    await tick();
    expect(api.calls).toContain('agreement {"names":["ana","ben"]}');
    expect(summary()).toContain("raters ana, ben — 2 included");
  });
});

describe("disagreements", () => {
  it("shows a nominal dimension's values by their labels side by side (issue 15)", async () => {
    const api = new FakeReviewApi();
    await new DisagreementsView(api).mount(el, ctx(), "extraversion");
    (el.querySelector("#disagreement-list tbody tr .open-profile") as HTMLButtonElement).click();
    await tick();
    await tick();
    const topic = [...el.querySelectorAll("#side-by-side tbody tr")].find((r) => r.querySelector("th")?.textContent === "Topic")!;
    expect([...topic.querySelectorAll("td")].map((c) => c.textContent)).toEqual(["work", "family", "other"]);
  });

  it("hides rater names by default, shows them on request, and adjudicates with a note", async () => {
    const api = new FakeReviewApi();
    await new DisagreementsView(api).mount(el, ctx(), "extraversion");
    await tick();
    const first = () => el.querySelector("#disagreement-list tbody tr") as HTMLElement;
    expect(first().textContent).toMatch(/Rater [AB]: 1/);
    expect(first().textContent).not.toContain("ana");
    const hide = el.querySelector("#hide-names") as HTMLInputElement;
    hide.checked = false;
    hide.dispatchEvent(new Event("change"));
    expect(first().textContent).toContain("ana: 1");
    (first().querySelector("button") as HTMLButtonElement).click();
    await tick();
    await tick();
    expect(el.querySelector("#adjudication .body")?.textContent).toBe("<img src=x onerror=alert(1)>");
    expect(el.querySelector("#adjudication img")).toBeNull();
    (el.querySelector("#adjudicated-value") as HTMLSelectElement).value = "3";
    (el.querySelector("#adjudication-note") as HTMLTextAreaElement).value = "both half right";
    (el.querySelector("#adjudicate-form") as HTMLFormElement).requestSubmit();
    await tick();
    await tick();
    expect(api.adjudications).toEqual([{ profileId: 7, dimension: "extraversion", value: 3, note: "both half right" }]);
    expect(el.querySelector("#alpha-after")?.textContent).toBe("0.900");
    expect(el.querySelector('#disagreement-list tr[data-profile-id="7"]')?.classList.contains("settled")).toBe(true);
    expect(el.querySelector("#disagreement-list tr.current")?.getAttribute("data-profile-id")).toBe("8");
  });

  it("moves through the list with the arrow keys", async () => {
    const api = new FakeReviewApi();
    await new DisagreementsView(api).mount(el, ctx(), "extraversion");
    const buttons = [...el.querySelectorAll<HTMLButtonElement>("#disagreement-list .open-profile")];
    buttons[0].focus();
    buttons[0].dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowDown", bubbles: true }));
    expect(document.activeElement).toBe(buttons[1]);
    buttons[1].dispatchEvent(new KeyboardEvent("keydown", { key: "k", bubbles: true }));
    expect(document.activeElement).toBe(buttons[0]);
  });

  it("asks for a value before saving", async () => {
    const api = new FakeReviewApi();
    await new DisagreementsView(api).mount(el, ctx(), "extraversion");
    (el.querySelector("#disagreement-list tbody tr button") as HTMLButtonElement).click();
    await tick();
    await tick();
    (el.querySelector("#adjudicate-form") as HTMLFormElement).requestSubmit();
    await tick();
    expect(api.adjudications).toEqual([]);
    expect(el.querySelector(".form-message")?.textContent).toMatch(/Choose/);
  });
});

describe("codebook editor", () => {
  it("previews guidelines safely and refuses duplicate names without saving", async () => {
    const api = new FakeReviewApi();
    await new CodebookView(api).mount(el, ctx());
    expect(el.querySelector("#guidelines-preview strong")?.textContent).toBe("kind");
    const g = el.querySelector("#guidelines-input") as HTMLTextAreaElement;
    g.value = "<script>x()</script> **ok**";
    g.dispatchEvent(new Event("input"));
    expect(el.querySelector("#guidelines-preview script")).toBeNull();
    expect(el.querySelector("#guidelines-preview")?.textContent).toContain("<script>x()</script>");
    (el.querySelector("#add-dimension") as HTMLButtonElement).click();
    const name = el.querySelector("#cb-1-name") as HTMLInputElement;
    name.value = "Extraversion";
    name.dispatchEvent(new Event("input"));
    (el.querySelector("#save-codebook") as HTMLButtonElement).click();
    await tick();
    expect(api.saved).toEqual([]);
    expect(el.querySelector("#codebook-messages")?.textContent).toMatch(/used twice/);
    name.value = "agreeableness";
    name.dispatchEvent(new Event("input"));
    const max = el.querySelector("#cb-1-max") as HTMLInputElement;
    max.value = "7";
    max.dispatchEvent(new Event("input"));
    (el.querySelector("#save-codebook") as HTMLButtonElement).click();
    await tick();
    // What the save changes is shown first; only the confirmation saves.
    expect(api.saved).toEqual([]);
    const items = [...el.querySelectorAll("#codebook-changes li")].map((li) => li.getAttribute("data-kind"));
    expect(items).toEqual(["guidelines", "added"]);
    expect(el.querySelector("#codebook-confirm-save")?.textContent).toBe("Save as version 2");
    (el.querySelector("#codebook-confirm-save") as HTMLButtonElement).click();
    await tick();
    await tick();
    expect(api.saved.length).toBe(1);
    expect(api.saved[0].guidelines).toBe("<script>x()</script> **ok**");
    expect(api.saved[0].dimensions[1]).toMatchObject({ name: "agreeableness", scale: { type: "likert", min: 1, max: 7 } });
    expect(el.querySelector("#codebook-messages")?.textContent).toMatch(/version 2/);
  });

  it("lists the store's reasons when it refuses a codebook", async () => {
    const api = new FakeReviewApi();
    api.saveCodebook = async () => {
      throw {
        code: "bad_input",
        message: "codebook: 1 problem found, nothing was changed",
        rows: [{ line: 1, column: "scale", message: "extraversion: existing ratings would fall off the new scale (5 is not a point of the Likert scale 1..3)" }],
        path: "codebook",
      };
    };
    await new CodebookView(api).mount(el, ctx());
    const max = el.querySelector("#cb-0-max") as HTMLInputElement;
    max.value = "3";
    max.dispatchEvent(new Event("input"));
    (el.querySelector("#save-codebook") as HTMLButtonElement).click();
    await tick();
    (el.querySelector("#codebook-confirm-save") as HTMLButtonElement).click();
    await tick();
    const text = el.querySelector("#codebook-messages")?.textContent ?? "";
    expect(text).toMatch(/nothing was changed/);
    expect(text).toMatch(/fall off the new scale/);
    expect(el.querySelector("#codebook-version")?.textContent).toBe("version 1");
  });

  it("shows the diff before a save, and Cancel saves nothing", async () => {
    const api = new FakeReviewApi();
    await new CodebookView(api).mount(el, ctx());
    (el.querySelector("#save-codebook") as HTMLButtonElement).click();
    await tick();
    expect(el.querySelector("#codebook-unchanged")).not.toBeNull();
    const def = el.querySelector("#cb-0-definition") as HTMLTextAreaElement;
    def.value = "Outgoing, <b>talkative</b>.";
    def.dispatchEvent(new Event("input"));
    (el.querySelector("#save-codebook") as HTMLButtonElement).click();
    await tick();
    const li = el.querySelector("#codebook-changes li")!;
    expect(li.textContent).toBe("Extraversion — definition: Outgoing. → Outgoing, <b>talkative</b>.");
    expect(li.querySelector("b")).toBeNull();
    expect(el.querySelector("#codebook-confirm-title")?.textContent).toBe("Save this change as a new codebook version?");
    expect(document.activeElement?.id).toBe("codebook-confirm-save");
    (el.querySelector("#codebook-cancel-save") as HTMLButtonElement).click();
    await tick();
    expect(api.saved).toEqual([]);
    expect(el.querySelector("#codebook-cancelled")).not.toBeNull();
    expect(el.querySelector("#codebook-version")?.textContent).toBe("version 1");
    expect((el.querySelector("#cb-0-definition") as HTMLTextAreaElement).value).toBe("Outgoing, <b>talkative</b>."); // the edit stays
  });

  it("keeps anchor labels when the range shrinks and grows back", async () => {
    const api = new FakeReviewApi();
    api.codebookData.dimensions[0].scale = { type: "likert", min: 1, max: 7, anchors: [{ value: 1, label: "not at all" }, { value: 7, label: "very" }] };
    await new CodebookView(api).mount(el, ctx());
    const max = () => el.querySelector("#cb-0-max") as HTMLInputElement;
    const set = (v: string) => {
      max().value = v;
      max().dispatchEvent(new Event("input"));
    };
    set("5");
    expect(el.querySelector("#cb-0-anchor-7")).toBeNull();
    const a5 = el.querySelector("#cb-0-anchor-5") as HTMLInputElement;
    a5.value = "quite";
    a5.dispatchEvent(new Event("input"));
    set("3");
    set("7");
    expect((el.querySelector("#cb-0-anchor-7") as HTMLInputElement).value).toBe("very");
    expect((el.querySelector("#cb-0-anchor-5") as HTMLInputElement).value).toBe("quite");
    expect((el.querySelector("#cb-0-anchor-1") as HTMLInputElement).value).toBe("not at all");
    // While shrunk, the hidden anchors are not saved (they would be off the scale).
    set("5");
    (el.querySelector("#save-codebook") as HTMLButtonElement).click();
    await tick();
    (el.querySelector("#codebook-confirm-save") as HTMLButtonElement).click();
    await tick();
    expect(api.saved[0].dimensions[0].scale).toEqual({
      type: "likert",
      min: 1,
      max: 5,
      anchors: [
        { value: 1, label: "not at all" },
        { value: 5, label: "quite" },
      ],
    });
  });

  it("refuses min ≥ max before asking the store", async () => {
    const api = new FakeReviewApi();
    await new CodebookView(api).mount(el, ctx());
    const min = el.querySelector("#cb-0-min") as HTMLInputElement;
    min.value = "5";
    min.dispatchEvent(new Event("input"));
    (el.querySelector("#save-codebook") as HTMLButtonElement).click();
    await tick();
    expect(api.saved).toEqual([]);
    expect(el.querySelector("#codebook-messages")?.textContent).toMatch(/must be below/);
  });
});

describe("codebook changed notice", () => {
  it("appears only when the backend says so", async () => {
    const api = new FakeReviewApi();
    expect((await codebookNotice(api))?.textContent).toMatch(/Codebook changed/);
    api.codebookChanged = async () => false;
    expect(await codebookNotice(api)).toBeNull();
  });
});
