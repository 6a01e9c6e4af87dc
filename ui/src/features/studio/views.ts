// The studio's views in tab order. Each feature registers itself here.
import { tauriAnalysisApi } from "../analysis/api";
import { AnalysisRuns, AnalysisView } from "../analysis/view";
import { reviewViews } from "../review/views";
import { tauriTeamApi } from "../team/api";
import { AuditView } from "../team/audit";
import { TeamView } from "../team/view";
import type { StudioViewEntry } from "./view";

/** Analysis runs outlive the view, so the PI can switch tabs while one runs. */
const analysisRuns = new AnalysisRuns(tauriAnalysisApi);

export const studioViews: StudioViewEntry[] = [
  ...reviewViews,
  { id: "analysis", label: "Analysis", create: () => new AnalysisView(analysisRuns) },
  { id: "team", label: "Team", create: () => new TeamView(tauriTeamApi) },
  { id: "audit", label: "Audit trail", create: () => new AuditView(tauriTeamApi) },
];
