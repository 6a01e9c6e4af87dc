// The studio's views in tab order, built from the API objects the composition root (main.ts)
// hands in: no view reaches for Tauri's IPC itself.
import type { AnalysisRuns } from "../analysis/view";
import { AnalysisView } from "../analysis/view";
import type { ReviewApi } from "../review/api";
import { reviewViews } from "../review/views";
import type { TeamApi } from "../team/api";
import { AuditView } from "../team/audit";
import { TeamView } from "../team/view";
import type { StudioViewEntry } from "./view";

export interface StudioApis {
  review: ReviewApi;
  /** Analysis runs outlive the view, so the PI can switch tabs while one runs. */
  analysisRuns: AnalysisRuns;
  team: TeamApi;
}

export function studioViews(apis: StudioApis): StudioViewEntry[] {
  return [
    ...reviewViews(apis.review),
    { id: "analysis", label: "Analysis", create: () => new AnalysisView(apis.analysisRuns) },
    { id: "team", label: "Team", create: () => new TeamView(apis.team) },
    { id: "audit", label: "Audit trail", create: () => new AuditView(apis.team) },
  ];
}
