// The studio's views in tab order, built from the API objects the composition root (main.ts)
// hands in: no view reaches for Tauri's IPC itself.
import type { AnalysisRuns } from "../analysis/view";
import { AnalysisView } from "../analysis/view";
import { ModelsView } from "../models/view";
import type { ModelRuns } from "../models/runner";
import type { ReviewApi } from "../review/api";
import { reviewViews } from "../review/views";
import type { TeamApi } from "../team/api";
import { AuditView } from "../team/audit";
import { TeamView } from "../team/view";
import type { StudioViewEntry } from "./view";
import { pi } from "../../i18n";

export interface StudioApis {
  review: ReviewApi;
  /** Analysis runs outlive the view, so the PI can switch tabs while one runs. */
  analysisRuns: AnalysisRuns;
  team: TeamApi;
  /** Model runs outlive the view too (a model may answer for minutes). No Models tab without. */
  modelRuns?: ModelRuns;
}

export function studioViews(apis: StudioApis): StudioViewEntry[] {
  const modelRuns = apis.modelRuns;
  return [
    ...reviewViews(apis.review),
    { id: "analysis", label: pi().shell.tabs.analysis, create: () => new AnalysisView(apis.analysisRuns) },
    ...(modelRuns ? [{ id: "models", label: pi().shell.tabs.models, create: () => new ModelsView(modelRuns) }] : []),
    { id: "team", label: pi().shell.tabs.team, create: () => new TeamView(apis.team) },
    { id: "audit", label: pi().shell.tabs.audit, create: () => new AuditView(apis.team) },
  ];
}
