// The team view's calls to the Rust side (assignments, packages, audit trail) and the webview's
// file drops. Views depend on `TeamApi`, so vitest drives them with a fake.
import * as cmd from "../../commands";
import { onWebviewFileDrop, type DropEvent } from "../../drops";
import type {
  AssignmentRow,
  AuditTrail,
  DesignRequest,
  ExportedPackage,
  Imported,
  MergeOutcome,
  RatingsShape,
  PackageSummary,
  TeamOverview,
} from "../../bindings";

export type { DropEvent };

export interface TeamApi {
  overview(): Promise<TeamOverview>;
  /** The open study's package markers; `null` for a PI's study. */
  packageInfo(): Promise<PackageSummary | null>;
  assignmentTable(): Promise<AssignmentRow[]>;
  designAssignments(request: DesignRequest): Promise<AssignmentRow[]>;
  exportPackage(rater: string, path: string): Promise<ExportedPackage>;
  /** One transaction per package (core's); refused ones are in the outcome, not thrown. */
  mergePackages(paths: string[]): Promise<MergeOutcome>;
  auditTrail(kind: string | null): Promise<AuditTrail>;
  /** Writes the audit trail (of one kind, or all) as CSV; resolves to the number of entries. */
  exportAuditCsv(path: string, kind: string | null): Promise<number>;
  /** Imports a ratings file, all or nothing (a bad file rejects with its rows by line). */
  importRatings(path: string, shape: RatingsShape, model: boolean): Promise<Imported>;
  /** Adds the profiles of a file (CSV or JSONL), all or nothing. */
  addProfiles(path: string): Promise<Imported>;
  /** Writes the raw ratings as CSV; resolves to the rows written. */
  exportRatings(path: string, shape: RatingsShape): Promise<number>;
  /** Listens to files dragged onto the window; resolves to the function that stops listening. */
  onFileDrop(handler: (e: DropEvent) => void): Promise<() => void>;
}

export const tauriTeamApi: TeamApi = {
  overview: () => cmd.teamOverview(),
  packageInfo: () => cmd.packageInfo(),
  assignmentTable: () => cmd.assignmentTable(),
  designAssignments: (request) => cmd.designAssignments({ request }),
  exportPackage: (rater, path) => cmd.exportPackage({ rater, path }),
  mergePackages: (paths) => cmd.mergePackages({ paths }),
  auditTrail: (kind) => cmd.auditTrail({ kind }),
  exportAuditCsv: (path, kind) => cmd.exportAuditCsv({ path, kind }),
  importRatings: (path, shape, model) => cmd.importRatingsFile({ path, shape, model }),
  addProfiles: (path) => cmd.addProfilesFile({ path }),
  exportRatings: (path, shape) => cmd.exportRatingsFile({ path, shape }),
  onFileDrop: onWebviewFileDrop,
};
