// The team view's calls to the Rust side (assignments, packages, audit trail) and the webview's
// file drops. Views depend on `TeamApi`, so vitest drives them with a fake.
import { invoke } from "@tauri-apps/api/core";
import { onWebviewFileDrop, type DropEvent } from "../../drops";
import type {
  AssignmentRowDto,
  AuditTrail,
  DesignRequest,
  ExportedPackage,
  MergeOutcome,
  PackageInfoDto,
  TeamOverview,
} from "../../bindings";

export type { DropEvent };

export interface TeamApi {
  overview(): Promise<TeamOverview>;
  /** The open study's package markers; `null` for a PI's study. */
  packageInfo(): Promise<PackageInfoDto | null>;
  assignmentTable(): Promise<AssignmentRowDto[]>;
  designAssignments(request: DesignRequest): Promise<AssignmentRowDto[]>;
  exportPackage(rater: string, path: string): Promise<ExportedPackage>;
  /** One transaction per package (core's); refused ones are in the outcome, not thrown. */
  mergePackages(paths: string[]): Promise<MergeOutcome>;
  auditTrail(kind: string | null): Promise<AuditTrail>;
  /** Writes the audit trail (of one kind, or all) as CSV; resolves to the number of entries. */
  exportAuditCsv(path: string, kind: string | null): Promise<number>;
  /** Listens to files dragged onto the window; resolves to the function that stops listening. */
  onFileDrop(handler: (e: DropEvent) => void): Promise<() => void>;
}

export const tauriTeamApi: TeamApi = {
  overview: () => invoke("team_overview"),
  packageInfo: () => invoke("package_info"),
  assignmentTable: () => invoke("assignment_table"),
  designAssignments: (request) => invoke("design_assignments", { request }),
  exportPackage: (rater, path) => invoke("export_package", { rater, path }),
  mergePackages: (paths) => invoke("merge_packages", { paths }),
  auditTrail: (kind) => invoke("audit_trail", { kind }),
  exportAuditCsv: (path, kind) => invoke("export_audit_csv", { path, kind }),
  onFileDrop: onWebviewFileDrop,
};
