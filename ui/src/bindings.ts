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
