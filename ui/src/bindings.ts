// Generated from src-tauri/src/{dto,error}.rs by scripts/app/bindings.sh. Do not edit.

export type AnchorDto = { value: number, label: string, };

export type ScaleDto = { "type": "likert", min: number, max: number, anchors: Array<AnchorDto>, } | { "type": "continuous", min: number, max: number, step: number | null, } | { "type": "nominal", categories: Array<AnchorDto>, };

export type DimensionDto = { name: string, 
/**
 * What the UI shows: the label, or the name when there is none.
 */
label: string, definition: string, scale: ScaleDto, level: string, };

export type CodebookDto = { name: string | null, 
/**
 * Markdown, shown to annotators as plain text.
 */
guidelines: string, version: number, dimensions: Array<DimensionDto>, };

export type ProfileTextDto = { title: string | null, text: string, createdAt: string | null, 
/**
 * Shown as text, never as a link.
 */
url: string | null, };

export type ProfileDto = { id: number, person: string, context: string, texts: Array<ProfileTextDto>, };

export type RaterKindDto = "human" | "model" | "adjudicated";

export type RaterDto = { id: number, name: string, kind: RaterKindDto, };

export type StudySummary = { path: string, 
/**
 * The file name without extension.
 */
name: string, profiles: number, dimensions: number, raters: number, };

export type SessionDto = { study: StudySummary, rater: RaterDto | null, codebook: CodebookDto | null, };

export type RecentStudy = { path: string, name: string, 
/**
 * Milliseconds since the Unix epoch.
 */
lastOpened: number, 
/**
 * The rater last chosen in this study, preselected next time.
 */
lastRater: string | null, 
/**
 * Whether the file is still there.
 */
exists: boolean, };

export type QueueEntryDto = { profileId: number, person: string, context: string, rated: number, total: number, flagged: boolean, };

export type OwnRating = { dimension: string, value: number | null, };

export type ReviewDto = { flagged: boolean, note: string | null, confidence: number | null, secondsSpent: number, };

export type ProfileView = { profile: ProfileDto, ratings: Array<OwnRating>, review: ReviewDto, };

export type SaveRatingRequest = { profileId: number, dimension: string, 
/**
 * `null` clears the rating (undo back to empty); history keeps the old value.
 */
value: number | null, secondsSpent: number | null, };

export type SavedRating = { profileId: number, dimension: string, value: number | null, };

export type ReviewRequest = { profileId: number, flagged: boolean, note: string | null, confidence: number | null, secondsSpent: number, };

export type CreateStudyRequest = { 
/**
 * Where the new study file goes; `null` = the app's data directory, named after the profiles.
 */
path: string | null, profilesPath: string, codebookPath: string, };

export type RowErrorDto = { line: number, column: string | null, message: string, };

export type AppError = { code: string, message: string, 
/**
 * For `bad_input`: every bad row of the file, with its line number.
 */
rows: Array<RowErrorDto>, 
/**
 * For `bad_input`: the file the rows belong to.
 */
path: string | null, };

export type PackageInfoDto = { packageId: string, studyId: string, 
/**
 * The parent study's name (file name without extension) when the package records it.
 */
studyName: string | null, rater: string, profiles: number, ratings: number, };

export type AssignmentRowDto = { rater: string, assigned: number, 
/**
 * Assigned profiles with every dimension rated.
 */
done: number, };

export type DesignRequest = { 
/**
 * Annotator names.
 */
pool: Array<string>, 
/**
 * Annotators per profile.
 */
k: number, 
/**
 * Percent of profiles (stratified by context) that get one annotator more; 0 = none.
 */
extraPercent: number, seed: number, allowSamePersonInARow: boolean, };

export type TeamOverview = { studyName: string, 
/**
 * Set when the open study is an annotator package: then only this is shown.
 */
package: PackageInfoDto | null, rows: Array<AssignmentRowDto>, 
/**
 * The latest design's parameters, to show in the form again.
 */
lastDesign: DesignRequest | null, 
/**
 * Where snapshots taken before merges and imports go.
 */
backupsDir: string, readOnly: boolean, };

export type ExportedPackage = { path: string, packageId: string, rater: string, profiles: number, 
/**
 * The annotator's own earlier ratings carried in the package.
 */
ratings: number, bytes: number, };

export type MergeReportDto = { path: string, fileName: string, packageId: string | null, rater: string | null, added: number, updated: number, unchanged: number, 
/**
 * Ratings the study already had in a newer version (kept).
 */
keptNewer: number, 
/**
 * Why the package was refused (then nothing of it was merged).
 */
refused: string | null, };

export type MergeOutcome = { reports: Array<MergeReportDto>, 
/**
 * The folder the pre-merge snapshots went to; `null` when nothing was merged (refused
 * packages are checked before any snapshot).
 */
backupsDir: string | null, };

export type AuditEntryDto = { 
/**
 * Milliseconds since the Unix epoch.
 */
at: number, actor: string, action: string, 
/**
 * JSON with the entry's details, shown as text.
 */
detail: string, packageId: string | null, };

export type AuditKindCount = { kind: string, count: number, };

export type AuditTrail = { 
/**
 * Newest first, at most [`AUDIT_SHOWN`], of the chosen kind.
 */
entries: Array<AuditEntryDto>, 
/**
 * Entries of the chosen kind in the whole trail.
 */
total: number, 
/**
 * Every kind in the trail with its count, for the filter.
 */
kinds: Array<AuditKindCount>, };
