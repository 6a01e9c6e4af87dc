// The studio's views in tab order. Each feature registers itself here with one entry.
import { tauriTeamApi } from "../team/api";
import { AuditView } from "../team/audit";
import { TeamView } from "../team/view";
import type { StudioViewEntry } from "./view";

export const studioViews: StudioViewEntry[] = [
  { id: "team", label: "Team", create: () => new TeamView(tauriTeamApi) },
  { id: "audit", label: "Audit trail", create: () => new AuditView(tauriTeamApi) },
];
