// An in-memory TeamApi for the view tests: records calls, lets a test fire webview file drops.
import type { AppError, AssignmentRow, AuditTrail, DesignRequest, Imported, MergeOutcome, PackageSummary, RatingsShape, TeamOverview } from "../../bindings";
import type { DropEvent, TeamApi } from "./api";

export class FakeTeamApi implements TeamApi {
  rows: AssignmentRow[] = [
    { rater: "ana", assigned: 10, done: 4 },
    { rater: "ben", assigned: 10, done: 0 },
  ];
  package: PackageSummary | null = null;
  lastDesign: DesignRequest | null = null;
  readOnly = false;
  designs: DesignRequest[] = [];
  exports: { rater: string; path: string }[] = [];
  merges: string[][] = [];
  audits: (string | null)[] = [];
  csv: { path: string; kind: string | null }[] = [];
  dropHandler: ((e: DropEvent) => void) | null = null;
  stopped = 0;
  /** Resolves pending merges when a test wants to control when they finish. */
  holdMerges: Promise<void> | null = null;

  async overview(): Promise<TeamOverview> {
    return { studyName: "study", package: this.package, rows: this.rows, lastDesign: this.lastDesign, backupsDir: "/data/backups", readOnly: this.readOnly };
  }
  async packageInfo() {
    return this.package;
  }
  async assignmentTable() {
    return this.rows;
  }
  async designAssignments(r: DesignRequest) {
    this.designs.push(r);
    this.rows = r.pool.map((rater) => ({ rater, assigned: 5, done: 0 }));
    return this.rows;
  }
  async exportPackage(rater: string, path: string) {
    this.exports.push({ rater, path });
    return { path, packageId: "pk1", rater, profiles: 10, ratings: 0, bytes: 2048 };
  }
  async mergePackages(paths: string[]): Promise<MergeOutcome> {
    this.merges.push(paths);
    if (this.holdMerges) await this.holdMerges;
    return {
      reports: paths.map((p) => {
        const fileName = p.split("/").pop() ?? p;
        return fileName.startsWith("bad")
          ? { path: p, fileName, packageId: null, rater: null, added: 0, updated: 0, unchanged: 0, keptNewer: 0, refused: "the package belongs to another study", snapshot: null }
          : { path: p, fileName, packageId: "pk1", rater: "ana", added: 24, updated: 1, unchanged: 0, keptNewer: 0, refused: null, snapshot: `/data/backups/study-merge-${fileName}.chameleon` };
      }),
      backupsDir: paths.some((p) => !p.split("/").pop()?.startsWith("bad")) ? "/data/backups" : null,
    };
  }
  async auditTrail(kind: string | null): Promise<AuditTrail> {
    this.audits.push(kind);
    const entries = [
      { at: Date.UTC(2026, 0, 2, 10), actor: "pi", action: "package-merge", detail: '{"rater":"ana","added":24}', packageId: "pk1" },
      { at: Date.UTC(2026, 0, 1, 9), actor: "ana", action: "rate", detail: '{"profile_id":3,"dimension":"mood","value":4}', packageId: null },
    ].filter((e) => !kind || e.action === kind);
    return {
      entries,
      total: entries.length,
      kinds: [
        { kind: "package-merge", count: 1 },
        { kind: "rate", count: 1 },
      ],
    };
  }
  async exportAuditCsv(path: string, kind: string | null) {
    this.csv.push({ path, kind });
    return kind ? 1 : 2;
  }
  imports: { path: string; shape: RatingsShape; model: boolean }[] = [];
  exportsRatings: { path: string; shape: RatingsShape }[] = [];
  async importRatings(path: string, shape: RatingsShape, model: boolean): Promise<Imported> {
    this.imports.push({ path, shape, model });
    if (path.includes("bad")) {
      const err: AppError = {
        code: "bad_input",
        message: `${path}: 1 problem found, nothing was changed:\nline 3, column 'value': not a number`,
        rows: [{ line: 3, column: "value", message: "'x' is not a number" }],
        path,
      };
      throw err;
    }
    return { kind: "ratings", source: path.split("/").pop() ?? path, added: 12, updated: 0, unchanged: 0, notices: ["rater 'zoe' created"] };
  }
  async addProfiles(path: string): Promise<Imported> {
    return { kind: "profiles", source: path, added: 1, updated: 0, unchanged: 0, notices: [] };
  }
  async exportRatings(path: string, shape: RatingsShape) {
    this.exportsRatings.push({ path, shape });
    return 42;
  }
  async onFileDrop(handler: (e: DropEvent) => void) {
    this.dropHandler = handler;
    return () => {
      this.stopped += 1;
      this.dropHandler = null;
    };
  }
}
