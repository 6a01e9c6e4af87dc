import { beforeEach, describe, expect, it } from "vitest";
import { FakeBackend } from "../../test/fakeBackend";
import type { StudioContext } from "../studio/view";
import { AuditView } from "./audit";
import { FakeTeamApi } from "./fakeTeamApi";
import { renderMergeReport, safeFileStem, TeamView, type TeamDialogs } from "./view";

const tick = () => new Promise((r) => setTimeout(r, 0));

function ctx(): StudioContext {
  const b = new FakeBackend();
  return { backend: b, session: b.session(), refreshSession: async () => b.session(), show: () => {} };
}

/** Dialogs answered from a queue, recording what was asked. */
function dialogs(answers: (string | string[] | null)[]): TeamDialogs & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    pickSavePath: async (title) => {
      asked.push(title);
      const a = answers.shift() ?? null;
      return Array.isArray(a) ? a[0] : a;
    },
    pickFiles: async (title) => {
      asked.push(title);
      const a = answers.shift() ?? null;
      return a === null ? [] : Array.isArray(a) ? a : [a];
    },
  };
}

const $ = <T extends Element = HTMLElement>(root: Element, sel: string) => root.querySelector(sel) as T;

describe("team view", () => {
  let el: HTMLElement;
  beforeEach(() => {
    document.body.replaceChildren();
    el = document.createElement("div");
    document.body.appendChild(el);
  });

  it("imports ratings all or nothing with the bad rows by line, and exports raw ratings (issue 15)", async () => {
    const api = new FakeTeamApi();
    const d = dialogs(["/studies/bad.csv", "/studies/more.csv", "/studies/out.csv"]);
    await new TeamView(api, d).mount(el, ctx());
    $<HTMLButtonElement>(el, "#import-ratings").click();
    await tick();
    await tick();
    const rows = [...el.querySelectorAll("#data-errors .row-errors tbody tr")].map((r) => r.textContent);
    expect(rows).toEqual(["3value'x' is not a number"]);
    $<HTMLSelectElement>(el, "#import-shape").value = "wide";
    $<HTMLButtonElement>(el, "#import-ratings").click();
    await tick();
    await tick();
    expect(api.imports[1]).toEqual({ path: "/studies/more.csv", shape: "wide", model: false });
    expect($(el, "#data-status").textContent).toBe("more.csv: 12 added, 0 updated, 0 unchanged. rater 'zoe' created.");
    expect($(el, "#data-errors").textContent).toBe("");
    $<HTMLButtonElement>(el, "#export-ratings-long").click();
    await tick();
    await tick();
    expect(api.exportsRatings).toEqual([{ path: "/studies/out.csv", shape: "long" }]);
    expect($(el, "#data-status").textContent).toBe("Wrote 42 rows to /studies/out.csv.");
  });

  it("shows each annotator's assigned / done with a progress bar and prefills the pool", async () => {
    const api = new FakeTeamApi();
    await new TeamView(api, dialogs([])).mount(el, ctx());
    const rows = [...el.querySelectorAll("#assignment-table tbody tr")];
    expect(rows.map((r) => r.getAttribute("data-rater"))).toEqual(["ana", "ben"]);
    const bar = rows[0].querySelector("progress") as HTMLProgressElement;
    expect([bar.getAttribute("max"), bar.getAttribute("value")]).toEqual(["10", "4"]);
    expect(rows[0].textContent).toContain("40 %");
    expect($<HTMLTextAreaElement>(el, "#team-pool").value).toBe("ana, ben");
  });

  it("shows the latest design's parameters in the form again", async () => {
    const api = new FakeTeamApi();
    api.lastDesign = { pool: ["ana", "ben", "cy"], k: 1, extraPercent: 25, seed: 4, allowSamePersonInARow: true };
    await new TeamView(api, dialogs([])).mount(el, ctx());
    expect($<HTMLTextAreaElement>(el, "#team-pool").value).toBe("ana, ben, cy");
    expect([$<HTMLInputElement>(el, "#team-k").value, $<HTMLInputElement>(el, "#team-extra").value, $<HTMLInputElement>(el, "#team-seed").value]).toEqual(["1", "25", "4"]);
    expect($<HTMLInputElement>(el, "#team-same-person").checked).toBe(true);
    expect($(el, "#team-design-hint").textContent).toContain("25 % of each context's profiles (drawn per context) get 2");
  });

  it("designs from the form and refuses a pool with a name twice before asking the study", async () => {
    const api = new FakeTeamApi();
    await new TeamView(api, dialogs([])).mount(el, ctx());
    $<HTMLTextAreaElement>(el, "#team-pool").value = "ana, ben, ana";
    $<HTMLFormElement>(el, "#team-design").dispatchEvent(new Event("submit", { cancelable: true }));
    await tick();
    expect(api.designs).toEqual([]);
    expect($(el, ".error-box").textContent).toContain("ana appears twice");

    $<HTMLTextAreaElement>(el, "#team-pool").value = "ana\nben\nchloe";
    $<HTMLInputElement>(el, "#team-k").value = "2";
    $<HTMLInputElement>(el, "#team-extra").value = "20";
    $<HTMLInputElement>(el, "#team-seed").value = "9";
    $<HTMLInputElement>(el, "#team-same-person").checked = true;
    $<HTMLFormElement>(el, "#team-design").dispatchEvent(new Event("submit", { cancelable: true }));
    await tick();
    expect(api.designs).toEqual([{ pool: ["ana", "ben", "chloe"], k: 2, extraPercent: 20, seed: 9, allowSamePersonInARow: true }]);
    expect(el.querySelector(".error-box")).toBeNull();
    expect([...el.querySelectorAll("#assignment-table tbody tr")].length).toBe(3);
  });

  it("exports a package through the save dialog and says what was written; a cancelled dialog does nothing", async () => {
    const api = new FakeTeamApi();
    const d = dialogs([null, "/tmp/out/ana.chameleon"]);
    await new TeamView(api, d).mount(el, ctx());
    const button = $<HTMLButtonElement>(el, 'button.export-package[data-rater="ana"]');
    button.click();
    await tick();
    expect(api.exports).toEqual([]);
    button.click();
    await tick();
    expect(d.asked).toEqual(["Export ana's package", "Export ana's package"]);
    expect(api.exports).toEqual([{ rater: "ana", path: "/tmp/out/ana.chameleon" }]);
    const status = $(el, "#export-status").textContent ?? "";
    expect(status).toContain("10 profiles");
    expect(status).toContain("2.0 KB");
    expect(status).toContain("/tmp/out/ana.chameleon");
  });

  it("merges dropped files once each, ignoring folders and relative paths, and highlights while dragging", async () => {
    const api = new FakeTeamApi();
    await new TeamView(api, dialogs([])).mount(el, ctx());
    api.dropHandler?.({ type: "enter" });
    expect($(el, "#drop-zone").classList.contains("dragging")).toBe(true);
    api.dropHandler?.({ type: "drop", paths: ["/p/ana.chameleon", "/p/ana.chameleon", "/p/dir/", "x.chameleon", "/p/bad.chameleon"] });
    expect($(el, "#drop-zone").classList.contains("dragging")).toBe(false);
    await tick();
    await tick();
    expect(api.merges).toEqual([["/p/ana.chameleon", "/p/bad.chameleon"]]);
    const rows = [...el.querySelectorAll("#merge-report tbody tr")];
    expect(rows.map((r) => r.className)).toEqual(["merged", "refused"]);
    expect(rows[0].querySelector(".added")?.textContent).toBe("24");
    expect(rows[1].textContent).toContain("Refused: the package belongs to another study");
    expect(rows[1].textContent).toContain("nothing was changed.");
    expect($(el, "#merge-status").textContent).toContain("1 refused");
    expect($(el, "#merge-backups").textContent).toBe(
      "The study as it was before these merges: /data/backups/study-merge-ana.chameleon.chameleon",
    );
  });

  it("queues a drop that arrives during a merge and drops the file already being merged", async () => {
    const api = new FakeTeamApi();
    let release!: () => void;
    api.holdMerges = new Promise((r) => (release = r));
    const view = new TeamView(api, dialogs([]));
    await view.mount(el, ctx());
    const first = view.merge(["/p/a.chameleon"]);
    await tick();
    expect($<HTMLButtonElement>(el, "#merge-packages").disabled).toBe(true);
    await view.merge(["/p/a.chameleon", "/p/b.chameleon"]);
    release();
    await first;
    expect(api.merges).toEqual([["/p/a.chameleon"], ["/p/b.chameleon"]]);
    expect($<HTMLButtonElement>(el, "#merge-packages").disabled).toBe(false);
  });

  it("merges the files picked with the button, and nothing when the dialog is cancelled", async () => {
    const api = new FakeTeamApi();
    await new TeamView(api, dialogs([null, ["/p/a.chameleon", "/p/b.chameleon"]])).mount(el, ctx());
    $<HTMLButtonElement>(el, "#merge-packages").click();
    await tick();
    expect(api.merges).toEqual([]);
    $<HTMLButtonElement>(el, "#merge-packages").click();
    await tick();
    await tick();
    expect(api.merges).toEqual([["/p/a.chameleon", "/p/b.chameleon"]]);
  });

  it("shows only the package's info in an annotator's package, and listens to no drops", async () => {
    const api = new FakeTeamApi();
    api.package = { packageId: "pk9", studyId: "s1", studyName: "demo", rater: "ana", profiles: 10, ratings: 4 };
    await new TeamView(api, dialogs([])).mount(el, ctx());
    expect($(el, "#package-info h2").textContent).toBe("Package for ana from study demo");
    expect($(el, "#package-info").textContent).toContain("4 of 10 profiles (40 %)");
    expect(el.querySelector("#team-design, #drop-zone, #merge-packages, .export-package")).toBeNull();
    expect(api.dropHandler).toBeNull();
  });

  it("points to the button when the window cannot report drops", async () => {
    const api = new FakeTeamApi();
    api.onFileDrop = () => Promise.reject(new Error("not allowed"));
    await new TeamView(api, dialogs([])).mount(el, ctx());
    expect($(el, "#drop-zone .drop-title").textContent).toBe("Dropping files is not available here: use Merge packages…");
    expect($(el, "#merge-packages")).not.toBeNull();
  });

  it("turns designing, exporting and merging off for a study open read-only", async () => {
    const api = new FakeTeamApi();
    api.readOnly = true;
    const view = new TeamView(api, dialogs([]));
    await view.mount(el, ctx());
    expect($(el, "#team-read-only")).not.toBeNull();
    const disabled = [...el.querySelectorAll<HTMLButtonElement>("#merge-packages, #team-design-submit, .export-package")].map((b) => b.disabled);
    expect(disabled).toEqual([true, true, true, true]);
    api.dropHandler?.({ type: "drop", paths: ["/p/a.chameleon"] });
    await tick();
    expect(api.merges).toEqual([]);
  });

  it("stops listening to drops when the view is left", async () => {
    const api = new FakeTeamApi();
    const view = new TeamView(api, dialogs([]));
    await view.mount(el, ctx());
    view.unmount();
    expect(api.stopped).toBe(1);
    expect(api.dropHandler).toBeNull();
  });

  it("renders report text as text, never as markup", () => {
    const evil = '<img src=x onerror="alert(1)">';
    const r = renderMergeReport({
      backupsDir: null,
      reports: [{ path: `/p/${evil}`, fileName: evil, packageId: null, rater: null, added: 0, updated: 0, unchanged: 0, keptNewer: 0, refused: evil, snapshot: null }],
    });
    expect(r.querySelector("img")).toBeNull();
    expect(r.textContent).toContain(evil);
    expect(r.querySelector("#merge-backups")).toBeNull();
  });

  it("suggests safe file names", () => {
    expect(safeFileStem(" Ana María ")).toBe("Ana-María");
    expect(safeFileStem("../../etc")).toBe("etc");
    expect(safeFileStem("///")).toBe("annotator");
  });
});

describe("audit view", () => {
  let el: HTMLElement;
  beforeEach(() => {
    document.body.replaceChildren();
    el = document.createElement("div");
    document.body.appendChild(el);
  });

  it("lists entries newest first, filters by kind and exports the chosen kind as CSV", async () => {
    const api = new FakeTeamApi();
    const d = dialogs(["/tmp/audit.csv"]);
    await new AuditView(api, d).mount(el, ctx());
    expect([...el.querySelectorAll("#audit-table tbody tr")].map((r) => r.getAttribute("data-action"))).toEqual(["package-merge", "rate"]);
    expect($(el, "#audit-table tbody tr").textContent).toContain("rater: ana · added: 24");
    const filter = $<HTMLSelectElement>(el, "#audit-kind");
    expect([...filter.options].map((o) => o.textContent)).toEqual(["All kinds (2)", "package-merge (1)", "rate (1)"]);
    filter.value = "rate";
    filter.dispatchEvent(new Event("change"));
    await tick();
    expect(api.audits).toEqual([null, "rate"]);
    expect([...el.querySelectorAll("#audit-table tbody tr")].length).toBe(1);
    $<HTMLButtonElement>(el, "#audit-export").click();
    await tick();
    expect(api.csv).toEqual([{ path: "/tmp/audit.csv", kind: "rate" }]);
    expect($(el, "#audit-status").textContent).toBe("Wrote 1 entry to /tmp/audit.csv.");
    expect(el.querySelectorAll("#audit-table tbody tr").length).toBe(1);
  });
});
