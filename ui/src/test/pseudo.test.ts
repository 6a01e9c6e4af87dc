// Every literal on the PI's screens (and the annotator's) comes from the catalogue: each view is
// rendered from the fakes under a pseudo catalogue (every string wrapped in ⟦…⟧), and whatever
// text or label is left unwrapped must be data the fakes handed in (names, numbers, Rust's
// messages). A string typed into a view instead of i18n fails here with where it appeared.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeBackend } from "./fakeBackend";
import type { StudioContext } from "../features/studio/view";
import { AgreementView } from "../features/review/agreement";
import { CodebookView } from "../features/review/codebook";
import { DisagreementsView } from "../features/review/disagreements";
import { FakeReviewApi } from "../features/review/fakeReviewApi";
import { codebookNotice } from "../features/review/notice";
import { AuditView } from "../features/team/audit";
import { FakeTeamApi } from "../features/team/fakeTeamApi";
import { auditDetail } from "../features/team/logic";
import { TeamView, type TeamDialogs } from "../features/team/view";
import { reviewViews } from "../features/review/views";
import { StudioScreen } from "../features/studio/shell";
import { mountStart, renderError } from "../features/study/start";
import { mountIdentity } from "../features/study/identity";
import { DataSeen, pseudo, untranslated, usePseudo } from "./pseudo";

/** Native dialogs that answer from a list (the paths are data). */
function dialogs(answers: string[][]): TeamDialogs {
  return {
    pickSavePath: async () => answers.shift()?.[0] ?? null,
    pickFiles: async () => answers.shift() ?? [],
  };
}

const tick = () => new Promise((r) => setTimeout(r, 0));
const settle = async () => {
  for (let i = 0; i < 5; i++) await tick();
};

let el: HTMLElement;
let data: DataSeen;

function ctx(): StudioContext {
  const b = data.watch(new FakeBackend());
  const s = b.session();
  return { backend: b, session: s, refreshSession: async () => s, show: () => {} };
}

const click = async (sel: string) => {
  const b = el.querySelector(sel) as HTMLElement | null;
  expect(b, sel).not.toBeNull();
  b?.click();
  await settle();
};

beforeEach(() => {
  document.body.replaceChildren();
  el = document.createElement("div");
  document.body.append(el);
  data = new DataSeen();
  usePseudo(true);
});
afterEach(() => usePseudo(false));

describe("pseudo-translation", () => {
  it("wraps every string of a catalogue, in functions and lists too", () => {
    const p = pseudo({ a: "x", f: (n: number) => `${n} y`, l: ["u", "v"], o: { k: "w" } });
    expect(p.a).toBe("⟦x⟧");
    expect(p.f(2)).toBe("⟦2 y⟧");
    expect(p.l).toEqual(["⟦u⟧", "⟦v⟧"]);
    expect(p.o.k).toBe("⟦w⟧");
  });

  it("finds a literal next to catalogue text and data", () => {
    data.add({ name: "ana" });
    const host = document.createElement("div");
    host.append("⟦Rated by ⟧", "ana", " — ", "12");
    const b = document.createElement("button");
    b.setAttribute("aria-label", "Close");
    b.textContent = "⟦Open⟧ now";
    host.append(b);
    expect(untranslated(host, data)).toEqual(['text "now" in <button>', 'aria-label "Close" on <button>']);
  });

  it("review: agreement, its detail, gold and scales", async () => {
    const api = data.watch(new FakeReviewApi());
    await new AgreementView(api).mount(el, ctx());
    await settle();
    await click("#agreement-table tbody tr button");
    await click("#compute-intervals");
    expect(untranslated(el, data)).toEqual([]);
  });

  it("review: disagreements and an opened profile", async () => {
    const api = data.watch(new FakeReviewApi());
    await new DisagreementsView(api).mount(el, ctx());
    await settle();
    await click(".open-profile");
    (el.querySelector("#save-adjudication") as HTMLButtonElement).click();
    await settle();
    expect(untranslated(el, data)).toEqual([]);
  });

  it("review: the codebook editor and its confirmation", async () => {
    const api = data.watch(new FakeReviewApi());
    await new CodebookView(api).mount(el, ctx());
    await click("#add-dimension");
    await click("#save-codebook");
    expect(untranslated(el, data)).toEqual([]);
    const notice = await codebookNotice(data.watch({ codebookChanged: async () => true, codebookChanges: async () => ["openness: definition"] }));
    expect(notice).not.toBeNull();
    if (notice) el.replaceChildren(notice);
    expect(untranslated(el, data)).toEqual([]);
  });

  it("the start screen, with a drop and an error with rows", async () => {
    const b = data.watch(new FakeBackend());
    const start = mountStart(el, b, () => {});
    await start.ready;
    await settle();
    (el.querySelector("#create-form") as HTMLFormElement).requestSubmit();
    await settle();
    expect(untranslated(el, data)).toEqual([]);
    const err = { code: "locked" as const, message: "bad file\nmore", rows: [{ line: 3, column: "name", message: "empty name" }], path: null };
    data.add(err);
    el.replaceChildren(renderError(err));
    expect(untranslated(el, data)).toEqual([]);
    start.stop();
  });

  it("who is rating (the annotator's catalogue)", async () => {
    const b = data.watch(new FakeBackend());
    await mountIdentity(el, b, b.session(), () => {}, () => {}, () => {});
    await settle();
    expect(untranslated(el, data)).toEqual([]);
  });

  it("the studio shell, its tabs and the rename form", async () => {
    const b = data.watch(new FakeBackend());
    const shell = new StudioScreen(b, b.session(), reviewViews(data.watch(new FakeReviewApi())), { onAnnotate: () => {}, onClose: () => {} });
    await shell.mount(el);
    await settle();
    await click("#study-name");
    (el.querySelector("#study-name-input") as HTMLInputElement).value = " ";
    (el.querySelector("#study-rename") as HTMLFormElement).requestSubmit();
    await settle();
    expect(untranslated(el, data)).toEqual([]);
    shell.unmount();
    const empty = new StudioScreen(b, b.session(), [], { onAnnotate: () => {}, onClose: () => {} });
    await empty.mount(el);
    expect(untranslated(el, data)).toEqual([]);
  });

  it("team: assignments, design, import, export, merge report", async () => {
    const api = data.watch(new FakeTeamApi());
    const answers = [["/s/ana.chameleon"], ["/s/ok.chameleon", "/s/bad.chameleon"], ["/s/r.csv"], ["/s/out.csv"]];
    data.add(answers);
    const view = new TeamView(api, dialogs(answers));
    await view.mount(el, ctx());
    await click(".export-package");
    await click("#merge-packages");
    await click("#import-ratings");
    await click("#export-ratings-long");
    (el.querySelector("#team-pool") as HTMLTextAreaElement).value = "ana, ana";
    (el.querySelector("#team-design") as HTMLFormElement).requestSubmit();
    await settle();
    expect(untranslated(el, data)).toEqual([]);
    (el.querySelector("#team-pool") as HTMLTextAreaElement).value = "ana, ben";
    (el.querySelector("#team-design") as HTMLFormElement).requestSubmit();
    await settle();
    expect(untranslated(el, data)).toEqual([]);
    view.unmount();
  });

  it("team: an annotator's package, and a read-only study", async () => {
    const api = data.watch(new FakeTeamApi());
    api.package = { packageId: "pk1", studyId: "s1", studyName: "pilot", rater: "ana", profiles: 10, ratings: 3 } as FakeTeamApi["package"];
    await new TeamView(api, dialogs([])).mount(el, ctx());
    expect(untranslated(el, data)).toEqual([]);
    const ro = data.watch(new FakeTeamApi());
    ro.readOnly = true;
    const view = new TeamView(ro, dialogs([]));
    await view.mount(el, ctx());
    expect(untranslated(el, data)).toEqual([]);
    view.unmount();
  });

  it("team: the audit trail", async () => {
    const api = data.watch(new FakeTeamApi());
    const view = new AuditView(api, dialogs([["/s/audit.csv"]]));
    await view.mount(el, ctx());
    await settle();
    for (const e of (await api.auditTrail(null)).entries) data.add(auditDetail(e));
    await click("#audit-export");
    expect(untranslated(el, data)).toEqual([]);
  });
});
