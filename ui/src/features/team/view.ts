// The team view: assignment design and table (annotator × assigned / done), one package export
// per annotator, merging packages back (drop files on the window, or "Merge packages…"), and the
// merge report. In an annotator's package it shows only what the package is.
import { toAppError } from "../../api";
import type { AppError, AssignmentRow, Imported, MergeOutcome, PackageSummary, RatingsShape, TeamOverview } from "../../bindings";
import { folderOf, inFolderOf, pickFiles, pickSavePath } from "../../dialogs";
import { h, replace } from "../../dom";
import { renderError } from "../study/start";
import type { StudioContext, StudioView } from "../studio/view";
import { listenForDrops } from "../../drops";
import type { DropEvent, TeamApi } from "./api";
import { formatBytes, outcomeSummary, packageLabel, packagePaths, parsePool, percentDone, reportSummary } from "./logic";
import { pi } from "../../i18n";

/** The native dialogs the view uses (a fake in tests). */
export interface TeamDialogs {
  pickSavePath: typeof pickSavePath;
  pickFiles: typeof pickFiles;
}

export const nativeDialogs: TeamDialogs = { pickSavePath, pickFiles };

/** Ratings files the import reads: CSV, Parquet and Arrow (as the CLI). */
export const RATINGS_FILTERS = [
  { get name() { return pi().team.ratingsFilter; }, extensions: ["csv", "tsv", "txt", "parquet", "arrow", "feather"] },
];
/** What an export can write, by the extension chosen. */
export const EXPORT_FILTERS = [
  { name: "CSV", extensions: ["csv"] },
  { name: "Parquet", extensions: ["parquet"] },
  { name: "Arrow IPC", extensions: ["arrow", "feather"] },
];
export const PACKAGE_FILTERS = [{ get name() { return pi().team.packageFilter; }, extensions: ["chameleon", "db", "sqlite"] }];

export class TeamView implements StudioView {
  private el!: HTMLElement;
  private stopDrops: (() => void) | null = null;
  private unmounted = false;
  /** Packages waiting to be merged or being merged, so a second drop of the same file is ignored. */
  private pending: string[] = [];
  private merging = false;
  private readOnly = false;
  private studyPath = "";
  private els!: {
    dropTitle: HTMLElement;
    table: HTMLElement;
    errors: HTMLElement;
    exportStatus: HTMLElement;
    mergeStatus: HTMLElement;
    report: HTMLElement;
    dropZone: HTMLElement;
    mergeButton: HTMLButtonElement;
  };

  constructor(
    private readonly api: TeamApi,
    private readonly dialogs: TeamDialogs = nativeDialogs,
  ) {}

  async mount(el: HTMLElement, ctx: StudioContext): Promise<void> {
    this.el = el;
    this.studyPath = ctx.session.study.path;
    const overview = await this.api.overview();
    if (this.unmounted) return;
    if (overview.package) {
      replace(el, renderPackageInfo(overview.package, overview.rows));
      return;
    }
    this.render(overview);
    const drops = listenForDrops(
      (handler) => this.api.onFileDrop(handler),
      (e) => this.onDrop(e),
      // Without the webview's drop events the button still merges; say so instead of a dead zone.
      () => replace(this.els.dropTitle, pi().team.noDrops),
    );
    this.stopDrops = drops.stop;
    await drops.ready;
  }

  unmount(): void {
    this.unmounted = true;
    this.stopDrops?.();
    this.stopDrops = null;
  }

  private render(o: TeamOverview): void {
    const errors = h("div", { class: "error-host" });
    const mergeButton = h(
      "button",
      { id: "merge-packages", class: "primary", onclick: () => void this.pickAndMerge() },
      pi().team.mergeButton,
    );
    const dropTitle = h("p", { class: "drop-title" }, pi().team.dropTitle);
    this.els = {
      dropTitle,
      table: h("div", { class: "team-table-host" }),
      errors,
      exportStatus: h("p", { id: "export-status", class: "team-status", role: "status", "aria-live": "polite" }),
      mergeStatus: h("p", { id: "merge-status", class: "team-status", role: "status", "aria-live": "polite" }),
      report: h("div", { id: "merge-report-host" }),
      dropZone: h(
        "div",
        { id: "drop-zone", class: "drop-zone" },
        dropTitle,
        h("p", { class: "muted" }, pi().team.dropHelp),
        mergeButton,
      ),
      mergeButton,
    };
    this.readOnly = o.readOnly;
    this.renderTable(o.rows);
    mergeButton.disabled = o.readOnly;
    replace(
      this.el,
      h(
        "div",
        { class: "team", id: "team-view" },
        o.readOnly
          ? h("p", { class: "message info", id: "team-read-only" }, pi().team.readOnly)
          : null,
        errors,
        h(
          "div",
          { class: "team-grid" },
          h(
            "div",
            { class: "team-col" },
            h(
              "section",
              { class: "card team-assignments", "aria-labelledby": "team-assign-h" },
              h(
                "div",
                { class: "team-head" },
                h("h2", { id: "team-assign-h" }, pi().team.assignments),
                h("button", { id: "team-refresh", class: "small", onclick: () => void this.refresh() }, pi().team.refresh),
              ),
              this.els.table,
              this.els.exportStatus,
            ),
            h(
              "section",
              { class: "card team-merge", "aria-labelledby": "team-merge-h", title: pi().team.snapshotsTo(o.backupsDir) },
              h("h2", { id: "team-merge-h" }, pi().team.mergeTitle),
              this.els.dropZone,
              this.els.mergeStatus,
              this.els.report,
            ),
            o.readOnly ? null : this.dataCard(),
          ),
          this.designForm(o),
        ),
      ),
    );
  }

  /** The study's data from the app: ratings and profiles in (all or nothing), raw ratings out. */
  private dataCard(): HTMLElement {
    const status = h("p", { id: "data-status", class: "team-status", role: "status", "aria-live": "polite" });
    const errors = h("div", { id: "data-errors", class: "error-host" });
    const shape = h(
      "select",
      { id: "import-shape" },
      h("option", { value: "long" }, pi().team.shapeLong),
      h("option", { value: "wide" }, pi().team.shapeWide),
    );
    const model = h("input", { type: "checkbox", id: "import-model" });
    const start = () => folderOf(this.studyPath);
    const run = async (what: string, f: () => Promise<string>) => {
      replace(errors);
      status.textContent = pi().team.working(what);
      try {
        status.textContent = await f();
      } catch (e) {
        status.textContent = "";
        replace(errors, renderError(toAppError(e)));
      }
    };
    const imported = (r: Imported) =>
      pi().team.imported(r.source, r.added, r.updated, r.unchanged, r.notices);
    const importRatings = async () => {
      const [path] = await this.dialogs.pickFiles(pi().team.importTitle, RATINGS_FILTERS, false, start());
      if (!path) return;
      await run(pi().team.importing, async () => imported(await this.api.importRatings(path, shape.value as RatingsShape, model.checked)));
    };
    const addProfiles = async () => {
      const [path] = await this.dialogs.pickFiles(pi().team.addProfilesTitle, [{ name: pi().team.profilesFilter, extensions: ["jsonl", "csv"] }], false, start());
      if (!path) return;
      await run(pi().team.addingProfiles, async () => imported(await this.api.addProfiles(path)));
    };
    const exportRatings = async (s: RatingsShape) => {
      const stem = this.studyPath.split(/[\\/]/).pop()?.replace(/\.[^.]*$/, "") || "study";
      const path = await this.dialogs.pickSavePath(pi().team.exportTitle(s), inFolderOf(this.studyPath, `${stem}-ratings${s === "wide" ? "-wide" : ""}.csv`), EXPORT_FILTERS);
      if (!path) return;
      await run(pi().team.exporting, async () => {
        const n = await this.api.exportRatings(path, s);
        return pi().team.wroteRows(n, path);
      });
    };
    return h(
      "section",
      { class: "card team-data", id: "team-data", "aria-labelledby": "team-data-h" },
      h("h2", { id: "team-data-h" }, pi().team.studyData),
      h("p", { class: "muted" }, pi().team.dataHelp),
      h(
        "div",
        { class: "field-row" },
        h("label", { for: "import-shape" }, pi().team.ratingsFile),
        shape,
        h("label", { class: "analysis-check" }, model, pi().team.fromModel),
      ),
      h(
        "div",
        { class: "team-data-tools" },
        h("button", { type: "button", id: "import-ratings", onclick: () => void importRatings() }, pi().team.importButton),
        h("button", { type: "button", id: "add-profiles", onclick: () => void addProfiles() }, pi().team.addProfilesButton),
        h("button", { type: "button", id: "export-ratings-long", class: "small", onclick: () => void exportRatings("long") }, pi().team.exportLong),
        h("button", { type: "button", id: "export-ratings-wide", class: "small", onclick: () => void exportRatings("wide") }, pi().team.exportWide),
      ),
      status,
      errors,
    );
  }

  private designForm(o: TeamOverview): HTMLElement {
    const last = o.lastDesign;
    const pool = h("textarea", {
      id: "team-pool",
      rows: 4,
      placeholder: pi().team.poolPlaceholder,
      "aria-describedby": "team-pool-hint",
    });
    pool.value = (last?.pool ?? o.rows.map((r) => r.rater)).join(", ");
    const k = h("input", { type: "number", id: "team-k", min: 1, step: 1, value: last?.k ?? 2 });
    const extra = h("input", { type: "number", id: "team-extra", min: 0, max: 100, step: 5, value: last?.extraPercent ?? 0 });
    const seed = h("input", { type: "number", id: "team-seed", min: 0, step: 1, value: last?.seed ?? 1 });
    const same = h("input", { type: "checkbox", id: "team-same-person", checked: last?.allowSamePersonInARow ?? false });
    const hint = h("p", { class: "muted team-hint", id: "team-design-hint" });
    const status = h("p", { class: "team-status", role: "status", "aria-live": "polite" });
    const updateHint = () => {
      const kk = Number(k.value) || 0;
      const p = Number(extra.value) || 0;
      hint.textContent =
        pi().team.designHint(kk, p);
    };
    k.addEventListener("input", updateHint);
    extra.addEventListener("input", updateHint);
    updateHint();
    const submit = async (ev: Event) => {
      ev.preventDefault();
      replace(this.els.errors);
      const { names, duplicates } = parsePool(pool.value);
      if (duplicates.length > 0) {
        replace(this.els.errors, renderError(message(pi().team.duplicates(duplicates))));
        return;
      }
      status.textContent = pi().team.designing;
      try {
        const rows = await this.api.designAssignments({
          pool: names,
          k: Math.max(0, Math.floor(Number(k.value) || 0)),
          extraPercent: Number(extra.value) || 0,
          seed: Math.max(0, Math.floor(Number(seed.value) || 0)),
          allowSamePersonInARow: same.checked,
        });
        this.renderTable(rows);
        status.textContent = pi().team.assigned(rows.reduce((s, r) => s + r.assigned, 0), rows.length);
      } catch (e) {
        status.textContent = "";
        replace(this.els.errors, renderError(toAppError(e)));
      }
    };
    return h(
      "form",
      { class: "card team-design", id: "team-design", "aria-labelledby": "team-design-h", onsubmit: (ev: Event) => void submit(ev) },
      h("h2", { id: "team-design-h" }, pi().team.designTitle),
      h("label", { class: "field", for: "team-pool" }, h("span", {}, pi().team.pool), pool),
      h("p", { class: "muted team-hint", id: "team-pool-hint" }, pi().team.poolHint),
      h(
        "div",
        { class: "field-row" },
        h("label", { class: "field", for: "team-k" }, h("span", {}, pi().team.k), k),
        h("label", { class: "field", for: "team-extra" }, h("span", {}, pi().team.extra), extra),
        h("label", { class: "field", for: "team-seed" }, h("span", {}, pi().team.seed), seed),
      ),
      hint,
      h("label", { class: "check", for: "team-same-person" }, same, pi().team.samePerson),
      h(
        "div",
        { class: "actions" },
        h("button", { type: "submit", class: "primary", id: "team-design-submit", disabled: o.readOnly }, pi().team.designSubmit),
      ),
      status,
    );
  }

  private renderTable(rows: AssignmentRow[]): void {
    if (rows.length === 0) {
      replace(this.els.table, h("p", { class: "empty", id: "assignment-table" }, pi().team.noAssignments));
      return;
    }
    replace(
      this.els.table,
      h(
        "table",
        { class: "team-table", id: "assignment-table" },
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            h("th", { scope: "col" }, pi().team.annotator),
            h("th", { scope: "col", class: "num" }, pi().team.assignedHeader),
            h("th", { scope: "col", class: "num" }, pi().team.done),
            h("th", { scope: "col" }, pi().team.progress),
            h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, pi().team.package)),
          ),
        ),
        h(
          "tbody",
          {},
          ...rows.map((r) => {
            const pct = percentDone(r.done, r.assigned);
            return h(
              "tr",
              { "data-rater": r.rater },
              h("th", { scope: "row" }, r.rater),
              h("td", { class: "num" }, r.assigned),
              h("td", { class: "num done" }, r.done),
              h(
                "td",
                {},
                h(
                  "div",
                  { class: "team-progress" },
                  h("progress", { max: r.assigned || 1, value: r.done, "aria-label": pi().team.percentDone(r.rater, pct) }),
                  h("span", { class: "pct" }, pi().team.percent(pct)),
                ),
              ),
              h(
                "td",
                {},
                h(
                  "button",
                  { class: "small export-package", "data-rater": r.rater, disabled: this.readOnly, onclick: () => void this.exportFor(r.rater) },
                  pi().team.exportPackage,
                ),
              ),
            );
          }),
        ),
      ),
    );
  }

  private async refresh(): Promise<void> {
    replace(this.els.errors);
    try {
      this.renderTable(await this.api.assignmentTable());
    } catch (e) {
      replace(this.els.errors, renderError(toAppError(e)));
    }
  }

  private async exportFor(rater: string): Promise<void> {
    replace(this.els.errors);
    const path = await this.dialogs.pickSavePath(pi().team.exportPackageTitle(rater), inFolderOf(this.studyPath, `${safeFileStem(rater)}.chameleon`), PACKAGE_FILTERS);
    if (!path) return;
    this.els.exportStatus.textContent = pi().team.writingPackage(rater);
    try {
      const p = await this.api.exportPackage(rater, path);
      replace(
        this.els.exportStatus,
        h("strong", {}, pi().team.wrotePackage(p.rater)),
        pi().team.packageContents(p.profiles, p.ratings, formatBytes(p.bytes)),
        h("span", { class: "path" }, p.path),
      );
    } catch (e) {
      this.els.exportStatus.textContent = "";
      replace(this.els.errors, renderError(toAppError(e)));
    }
  }

  private async pickAndMerge(): Promise<void> {
    const picked = await this.dialogs.pickFiles(pi().team.mergeTitle, PACKAGE_FILTERS, true, folderOf(this.studyPath));
    await this.merge(picked);
  }

  private onDrop(e: DropEvent): void {
    if (e.type === "drop") {
      this.els.dropZone.classList.remove("dragging");
      void this.merge(e.paths);
    } else if (e.type === "leave") this.els.dropZone.classList.remove("dragging");
    else this.els.dropZone.classList.add("dragging");
  }

  /** Merges the new paths; while a merge runs, later drops wait for it (and duplicates drop out). */
  async merge(paths: readonly unknown[]): Promise<void> {
    if (this.readOnly) return;
    const fresh = packagePaths(paths, this.pending);
    if (fresh.length === 0) return;
    this.pending.push(...fresh);
    if (this.merging) return;
    this.merging = true;
    this.els.mergeButton.disabled = true;
    replace(this.els.errors);
    try {
      while (this.pending.length > 0 && !this.unmounted) {
        const batch = [...this.pending];
        this.els.mergeStatus.textContent = pi().team.merging(batch.length);
        try {
          const outcome = await this.api.mergePackages(batch);
          if (this.unmounted) return;
          this.showOutcome(outcome);
          await this.refresh();
        } catch (e) {
          this.els.mergeStatus.textContent = "";
          replace(this.els.errors, renderError(toAppError(e)));
        } finally {
          this.pending = this.pending.filter((p) => !batch.includes(p));
        }
      }
    } finally {
      this.merging = false;
      this.els.mergeButton.disabled = this.readOnly;
    }
  }

  private showOutcome(o: MergeOutcome): void {
    this.els.mergeStatus.textContent = outcomeSummary(o);
    this.els.mergeStatus.classList.toggle("has-refused", o.reports.some((r) => r.refused));
    replace(this.els.report, renderMergeReport(o));
    // Counts the reports shown, so a test (or an assistive tool) can tell a new one from the last.
    this.els.report.dataset.reports = String(Number(this.els.report.dataset.reports ?? 0) + 1);
  }
}

function message(text: string): AppError {
  return { code: "invalid", message: text, rows: [], path: null };
}

/** A default file name from an annotator's name: letters, digits, `-` and `_` only. */
export function safeFileStem(name: string): string {
  const s = name.trim().replace(/[^\p{L}\p{N}_-]+/gu, "-").replace(/^-+|-+$/g, "");
  return s || "annotator";
}

/** The merge report: one row per package, refusals with their reason. */
export function renderMergeReport(o: MergeOutcome): HTMLElement {
  const rows = o.reports.map((r) =>
    h(
      "tr",
      { class: r.refused ? "refused" : "merged", "data-package": r.fileName, title: reportSummary(r) },
      h("th", { scope: "row" }, h("span", { class: "pkg-name" }, r.fileName), h("span", { class: "path" }, r.path)),
      h("td", {}, r.rater ?? "—"),
      ...(r.refused
        ? [h("td", { class: "refusal", colspan: 5 }, h("strong", {}, pi().team.refused), r.refused, h("span", { class: "muted" }, pi().team.nothingChanged))]
        : [
            h("td", { class: "num added" }, r.added),
            h("td", { class: "num updated" }, r.updated),
            h("td", { class: "num unchanged" }, r.unchanged),
            h("td", { class: "num kept" }, r.keptNewer),
            h("td", { class: "ok" }, pi().team.merged),
          ]),
    ),
  );
  return h(
    "div",
    { class: "merge-report" },
    h(
      "table",
      { class: "team-table", id: "merge-report" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", { scope: "col" }, pi().team.package),
          h("th", { scope: "col" }, pi().team.annotator),
          h("th", { scope: "col", class: "num" }, pi().team.added),
          h("th", { scope: "col", class: "num" }, pi().team.updated),
          h("th", { scope: "col", class: "num" }, pi().team.unchanged),
          h("th", { scope: "col", class: "num", title: pi().team.keptTitle }, pi().team.kept),
          h("th", { scope: "col" }, pi().team.result),
        ),
      ),
      h("tbody", {}, ...rows),
    ),
    mergeSnapshotNote(o),
  );
}

/** Where the study as it was before these merges went: the first merge's snapshot. */
function mergeSnapshotNote(o: MergeOutcome): HTMLElement | null {
  // Every merged package has its snapshot; with none merged there is nothing to undo.
  const first = o.reports.find((r) => r.snapshot)?.snapshot;
  return first ? h("p", { class: "muted small-print", id: "merge-backups" }, pi().team.before(first)) : null;
}

/** What the team view shows when the open study is an annotator's package. */
export function renderPackageInfo(p: PackageSummary, rows: AssignmentRow[]): HTMLElement {
  const mine = rows.find((r) => r.rater === p.rater);
  return h(
    "section",
    { class: "card team-package", id: "package-info" },
    h("h2", {}, packageLabel(p)),
    h(
      "p",
      {},
      pi().team.packageIs,
      h("strong", {}, p.rater),
      pi().team.packageSendBack,
    ),
    h(
      "dl",
      { class: "team-facts" },
      h("dt", {}, pi().team.annotator),
      h("dd", {}, p.rater),
      h("dt", {}, pi().team.fromStudy),
      h("dd", {}, p.studyName ?? p.studyId),
      h("dt", {}, pi().team.profiles),
      h("dd", {}, p.profiles),
      h("dt", {}, pi().team.done),
      h("dd", {}, mine ? pi().team.doneOf(mine.done, mine.assigned, percentDone(mine.done, mine.assigned)) : "—"),
      h("dt", {}, pi().team.ratings),
      h("dd", {}, p.ratings),
      h("dt", {}, pi().team.packageId),
      h("dd", { class: "path" }, p.packageId),
    ),
  );
}
