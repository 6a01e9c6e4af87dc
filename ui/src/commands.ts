// Generated from the #[tauri::command] signatures in src-tauri/src/commands by
// scripts/app/bindings.sh. Do not edit: the only file that calls `invoke`.

import { Channel, invoke } from "@tauri-apps/api/core";
import type { Adjudication, AgreementDetail, AgreementIntervals, AgreementTable, AnalysisProgress, AnalysisRequest, AssignmentRow, AuditTrail, CodebookChange, CodebookEdit, CodebookSaved, ConnectionCheck, CreateStudyRequest, DesignRequest, Disagreements, ExportRequest, ExportedPackage, FormulaCheck, GoldAccuracy, GoldRequest, GoldView, Imported, LatestAnalysis, MergeOutcome, ModelRunPlan, ModelRunProgress, ModelRunReport, ModelRunRequest, ModelRunsView, ModelsReport, OwnChange, OwnProgress, PackageSummary, ProfileRatings, ProfileView, PromptPreview, QueueItem, Rater, RaterKind, RaterRequest, RatingsShape, RecentStudy, ReviewRequest, RunOutcome, SaveRatingRequest, SavedRating, ScaleReport, SessionView, TeamOverview, Thresholds, Weights } from "./bindings";

export { Channel };

export function recentStudies(): Promise<RecentStudy[]> {
  return invoke<RecentStudy[]>("recent_studies");
}

export function forgetRecentStudy(args: { path: string }): Promise<RecentStudy[]> {
  return invoke<RecentStudy[]>("forget_recent_study", args);
}

export function renameStudy(args: { name: string }): Promise<SessionView> {
  return invoke<SessionView>("rename_study", args);
}

export function openStudy(args: { path: string }): Promise<SessionView> {
  return invoke<SessionView>("open_study", args);
}

export function createStudy(args: { request: CreateStudyRequest }): Promise<SessionView> {
  return invoke<SessionView>("create_study", args);
}

export function openDemoStudy(): Promise<SessionView> {
  return invoke<SessionView>("open_demo_study");
}

export function systemLanguages(): Promise<string[]> {
  return invoke<string[]>("system_languages");
}

export function startupStudy(): Promise<SessionView | null> {
  return invoke<SessionView | null>("startup_study");
}

export function currentSession(): Promise<SessionView> {
  return invoke<SessionView>("current_session");
}

export function closeStudy(): Promise<void> {
  return invoke<void>("close_study");
}

export function listRaters(): Promise<Rater[]> {
  return invoke<Rater[]>("list_raters");
}

export function chooseRater(args: { name: string; kind: RaterKind }): Promise<SessionView> {
  return invoke<SessionView>("choose_rater", args);
}

export function codebookChanges(): Promise<string[]> {
  return invoke<string[]>("codebook_changes");
}

export function goldAccuracy(): Promise<GoldAccuracy[]> {
  return invoke<GoldAccuracy[]>("gold_accuracy");
}

export function queue(): Promise<QueueItem[]> {
  return invoke<QueueItem[]>("queue");
}

export function dimensionProgress(): Promise<OwnProgress[]> {
  return invoke<OwnProgress[]>("dimension_progress");
}

export function ratingHistory(args: { profileId: number; dimension: string }): Promise<OwnChange[]> {
  return invoke<OwnChange[]>("rating_history", args);
}

export function queueGeneration(): Promise<number> {
  return invoke<number>("queue_generation");
}

export function nextUnrated(): Promise<number | null> {
  return invoke<number | null>("next_unrated");
}

export function loadProfile(args: { profileId: number }): Promise<ProfileView> {
  return invoke<ProfileView>("load_profile", args);
}

export function saveRating(args: { request: SaveRatingRequest }): Promise<SavedRating> {
  return invoke<SavedRating>("save_rating", args);
}

export function saveReview(args: { request: ReviewRequest }): Promise<void> {
  return invoke<void>("save_review", args);
}

export function reviewAgreement(args: { raters: RaterRequest | null }): Promise<AgreementTable> {
  return invoke<AgreementTable>("review_agreement", args);
}

export function reviewScaleReliability(): Promise<ScaleReport[]> {
  return invoke<ScaleReport[]>("review_scale_reliability");
}

export function reviewAgreementDetail(args: { dimension: string; weights: Weights | null; raters: RaterRequest | null }): Promise<AgreementDetail> {
  return invoke<AgreementDetail>("review_agreement_detail", args);
}

export function reviewAgreementIntervals(args: { resamples: number; seed: number | null; raters: RaterRequest | null }): Promise<AgreementIntervals> {
  return invoke<AgreementIntervals>("review_agreement_intervals", args);
}

export function reviewSetThresholds(args: { thresholds: Thresholds }): Promise<Thresholds> {
  return invoke<Thresholds>("review_set_thresholds", args);
}

export function reviewDisagreements(args: { dimension: string }): Promise<Disagreements> {
  return invoke<Disagreements>("review_disagreements", args);
}

export function reviewProfile(args: { profileId: number }): Promise<ProfileRatings> {
  return invoke<ProfileRatings>("review_profile", args);
}

export function reviewAdjudicate(args: { request: Adjudication }): Promise<Disagreements> {
  return invoke<Disagreements>("review_adjudicate", args);
}

export function reviewCodebook(): Promise<CodebookEdit> {
  return invoke<CodebookEdit>("review_codebook");
}

export function reviewSaveCodebook(args: { codebook: CodebookEdit }): Promise<CodebookSaved> {
  return invoke<CodebookSaved>("review_save_codebook", args);
}

export function reviewGold(): Promise<GoldView> {
  return invoke<GoldView>("review_gold");
}

export function reviewSetGold(args: { request: GoldRequest }): Promise<GoldView> {
  return invoke<GoldView>("review_set_gold", args);
}

export function reviewClearGold(args: { profileId: number; dimension: string | null }): Promise<GoldView> {
  return invoke<GoldView>("review_clear_gold", args);
}

export function reviewCodebookDiff(args: { codebook: CodebookEdit }): Promise<CodebookChange[]> {
  return invoke<CodebookChange[]>("review_codebook_diff", args);
}

export function reviewCodebookChanged(): Promise<boolean> {
  return invoke<boolean>("review_codebook_changed");
}

export function analysisState(): Promise<LatestAnalysis> {
  return invoke<LatestAnalysis>("analysis_state");
}

export function runAnalysis(args: { options: AnalysisRequest; runId: number; onProgress: Channel<AnalysisProgress> }): Promise<RunOutcome> {
  return invoke<RunOutcome>("run_analysis", args);
}

export function cancelAnalysis(args: { runId: number | null }): Promise<number> {
  return invoke<number>("cancel_analysis", args);
}

export function exportAnalysis(args: { key: string; request: ExportRequest }): Promise<string[]> {
  return invoke<string[]>("export_analysis", args);
}

export function checkFormula(args: { formula: string }): Promise<FormulaCheck> {
  return invoke<FormulaCheck>("check_formula", args);
}

export function teamOverview(): Promise<TeamOverview> {
  return invoke<TeamOverview>("team_overview");
}

export function packageInfo(): Promise<PackageSummary | null> {
  return invoke<PackageSummary | null>("package_info");
}

export function assignmentTable(): Promise<AssignmentRow[]> {
  return invoke<AssignmentRow[]>("assignment_table");
}

export function designAssignments(args: { request: DesignRequest }): Promise<AssignmentRow[]> {
  return invoke<AssignmentRow[]>("design_assignments", args);
}

export function exportPackage(args: { rater: string; path: string }): Promise<ExportedPackage> {
  return invoke<ExportedPackage>("export_package", args);
}

export function mergePackages(args: { paths: string[] }): Promise<MergeOutcome> {
  return invoke<MergeOutcome>("merge_packages", args);
}

export function auditTrail(args: { kind: string | null }): Promise<AuditTrail> {
  return invoke<AuditTrail>("audit_trail", args);
}

export function exportAuditCsv(args: { path: string; kind: string | null }): Promise<number> {
  return invoke<number>("export_audit_csv", args);
}

export function importRatingsFile(args: { path: string; shape: RatingsShape; model: boolean }): Promise<Imported> {
  return invoke<Imported>("import_ratings_file", args);
}

export function addProfilesFile(args: { path: string }): Promise<Imported> {
  return invoke<Imported>("add_profiles_file", args);
}

export function exportRatingsFile(args: { path: string; shape: RatingsShape }): Promise<number> {
  return invoke<number>("export_ratings_file", args);
}

export function modelsTestConnection(args: { endpoint: string; model: string; apiKeyEnv: string | null }): Promise<ConnectionCheck> {
  return invoke<ConnectionCheck>("models_test_connection", args);
}

export function modelsPreview(args: { request: ModelRunRequest; index: number }): Promise<PromptPreview> {
  return invoke<PromptPreview>("models_preview", args);
}

export function modelsPlan(args: { request: ModelRunRequest }): Promise<ModelRunPlan> {
  return invoke<ModelRunPlan>("models_plan", args);
}

export function modelsRun(args: { request: ModelRunRequest; onProgress: Channel<ModelRunProgress> }): Promise<ModelRunReport> {
  return invoke<ModelRunReport>("models_run", args);
}

export function modelsCancel(): Promise<boolean> {
  return invoke<boolean>("models_cancel");
}

export function modelsRuns(): Promise<ModelRunsView> {
  return invoke<ModelRunsView>("models_runs");
}

export function modelsReport(args: { resamples: number; seed: number; blindRatio: number }): Promise<ModelsReport> {
  return invoke<ModelsReport>("models_report", args);
}
