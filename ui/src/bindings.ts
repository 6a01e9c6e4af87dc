// Generated from src-tauri/src/{dto,error}.rs and chameleon-core's `ts` types by scripts/app/bindings.sh. Do not edit.

export type DimensionView = { 
/**
 * The dimension's name.
 */
name: string, 
/**
 * What a screen shows: the label, or the name when there is none.
 */
label: string, 
/**
 * What the dimension means, for annotators.
 */
definition: string, 
/**
 * How it is rated.
 */
scale: Scale, 
/**
 * The level of measurement (the codebook's, else the scale's).
 */
level: Level, };

export type CodebookView = { 
/**
 * The codebook's name.
 */
name: string | null, 
/**
 * Markdown, shown to annotators rendered into text nodes (never HTML).
 */
guidelines: string, 
/**
 * The codebook's version.
 */
version: number, 
/**
 * The dimensions, in the order annotators see them.
 */
dimensions: Array<DimensionView>, 
/**
 * Annotators see person ids (hidden by default).
 */
showPersonIds: boolean, };

export type Rater = { 
/**
 * The rater's id.
 */
id: number, 
/**
 * The rater's name (unique).
 */
name: string, 
/**
 * Human, model or adjudicated.
 */
kind: RaterKind, };

export type StudySummary = { 
/**
 * The study file.
 */
path: string, 
/**
 * The study's name (the PI's, else the codebook's, else the file's).
 */
name: string, 
/**
 * Profiles in the study.
 */
profiles: number, 
/**
 * Dimensions of the codebook.
 */
dimensions: number, 
/**
 * Raters known to the study.
 */
raters: number, };

export type SessionView = { 
/**
 * The study.
 */
study: StudySummary, 
/**
 * The rater chosen, if any.
 */
rater: Rater | null, 
/**
 * The study's codebook, once imported.
 */
codebook: CodebookView | null, };

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

export type QueueItem = { 
/**
 * The profile's id.
 */
profileId: number, 
/**
 * The person's name; empty unless the codebook shows person ids.
 */
person: string, 
/**
 * The context's name.
 */
context: string, 
/**
 * Dimensions this rater has rated on the profile.
 */
rated: number, 
/**
 * Dimensions in the codebook.
 */
total: number, 
/**
 * Set aside for later by the rater.
 */
flagged: boolean, };

export type OwnProgress = { 
/**
 * The dimension's name.
 */
dimension: string, 
/**
 * Profiles of the queue this rater has rated on it.
 */
rated: number, 
/**
 * Profiles in the queue.
 */
assigned: number, };

export type OwnChange = { 
/**
 * `None` for the first rating.
 */
oldValue: number | null, 
/**
 * `None` when the rating was cleared.
 */
newValue: number | null, 
/**
 * Milliseconds since the Unix epoch.
 */
changedAt: number, };

export type OwnRating = { 
/**
 * The dimension's name.
 */
dimension: string, 
/**
 * The value; `null` when not rated or "can't judge".
 */
value: number | null, 
/**
 * The rater marked the dimension "can't judge" (then `value` is `null`).
 */
cantJudge: boolean, };

export type OwnNotes = { 
/**
 * Set aside for later.
 */
flagged: boolean, 
/**
 * The rater's note.
 */
note: string | null, 
/**
 * The rater's confidence, 0–1.
 */
confidence: number | null, 
/**
 * Seconds spent on the profile in total.
 */
secondsSpent: number, };

export type ProfileView = { 
/**
 * Core's profile as stored (its texts shown as text, a URL never as a link); the person
 * empty unless the codebook shows person ids.
 */
profile: Profile, 
/**
 * This rater's own ratings.
 */
ratings: Array<OwnRating>, 
/**
 * This rater's own notes.
 */
review: OwnNotes, };

export type SaveRatingRequest = { 
/**
 * The profile's id.
 */
profileId: number, 
/**
 * The dimension's name.
 */
dimension: string, 
/**
 * `null` clears the rating (undo back to empty); history keeps the old value.
 */
value: number | null, 
/**
 * Time on the profile since the last save.
 */
secondsSpent: number | null, 
/**
 * "Can't judge" instead of a value (`value` must then be `null`): stored as such and
 * left out of every statistic.
 */
cantJudge: boolean, };

export type SavedRating = { 
/**
 * The profile's id.
 */
profileId: number, 
/**
 * The dimension's name.
 */
dimension: string, 
/**
 * The value saved.
 */
value: number | null, 
/**
 * Saved as "can't judge".
 */
cantJudge: boolean, };

export type ReviewRequest = { 
/**
 * The profile's id.
 */
profileId: number, 
/**
 * Set aside for later.
 */
flagged: boolean, 
/**
 * The rater's note.
 */
note: string | null, 
/**
 * The rater's confidence, 0–1.
 */
confidence: number | null, 
/**
 * Seconds spent on the profile in total.
 */
secondsSpent: number, };

export type CreateStudyRequest = { 
/**
 * Where the new study file goes; `null` = the app's data directory, named after the profiles.
 */
path: string | null, profilesPath: string, codebookPath: string, };

export type RowErrorDto = { line: number, column: string | null, message: string, };

export type AppError = { code: ErrorCode, message: string, 
/**
 * For `bad_input`: every bad row of the file, with its line number.
 */
rows: Array<RowErrorDto>, 
/**
 * For `bad_input`: the file the rows belong to.
 */
path: string | null, };

export type ErrorCode = "bad_input" | "not_a_study" | "newer_schema" | "locked" | "read_only" | "no_such_study" | "damaged" | "already_exists" | "invalid" | "package" | "no_ratings" | "analysis_failed" | "io" | "database" | "migration" | "already_running" | "not_found" | "no_study" | "no_rater" | "internal";

export type Level = "nominal" | "ordinal" | "interval" | "ratio";

export type Anchor = { 
/**
 * The point's value (a Likert point, a category's code).
 */
value: number, 
/**
 * What it means.
 */
label: string, };

export type Scale = { "type": "likert", 
/**
 * Lowest point (1 by default).
 */
min: number, 
/**
 * Highest point.
 */
max: number, 
/**
 * Labelled points.
 */
anchors: Array<Anchor>, } | { "type": "continuous", 
/**
 * Lowest value.
 */
min: number, 
/**
 * Highest value.
 */
max: number, 
/**
 * Resolution of the slider, when the codebook gives one.
 */
step?: number | null, } | { "type": "nominal", 
/**
 * The categories, each with its code.
 */
categories: Array<Anchor>, };

export type ProfileText = { 
/**
 * The text's title.
 */
title?: string | null, 
/**
 * The text itself.
 */
text: string, 
/**
 * When it was written, as the import file gave it.
 */
created_at?: string | null, 
/**
 * Where it was found.
 */
url?: string | null, };

export type Profile = { 
/**
 * The profile's id.
 */
id: number, 
/**
 * The person's name.
 */
person: string, 
/**
 * The context's name.
 */
context: string, 
/**
 * The profile's material, in import order.
 */
texts: Array<ProfileText>, };

export type RaterKind = "human" | "model" | "adjudicated";

export type Thresholds = { 
/**
 * Alpha at or above this is good.
 */
good: number, 
/**
 * Alpha at or above this (and below `good`) is tentative.
 */
tentative: number, };

export type Weights = "unweighted" | "linear" | "quadratic";

export type IccForm = "ICC1" | "ICC2";

export type AgreementRow = { dimension: string, label: string, 
/**
 * The dimension's level of measurement: the alpha shown is the one at this level.
 */
level: Level, alpha: number | null, iccForm: IccForm, icc: number | null, 
/**
 * How the ICC was estimated: "anova" (complete design) or variance components.
 */
iccMethod: "anova" | "variance-components-reml" | "variance-components-moments" | "none", 
/**
 * Pairwise exact agreement in percent.
 */
percentExact: number | null, 
/**
 * Pairwise agreement within one scale point (ordered discrete scales only).
 */
percentWithinOne: number | null, units: number, pairableUnits: number, raters: number, ratings: number, 
/**
 * Set when α and the ICC rest on too few units ("too few data (n = 3)"): shown instead
 * of the values, never coloured.
 */
caution: string | null, };

export type AgreementTable = { rows: Array<AgreementRow>, thresholds: Thresholds, 
/**
 * Why a statistic is missing, one sentence each.
 */
warnings: Array<string>, 
/**
 * The raters pooled (default: humans with enough ratings, as the CLI's `agreement`).
 */
raters: RaterPool, };

export type AlphaInterval = { dimension: string, 
/**
 * Percentile interval of alpha at the dimension's level.
 */
ci: [number, number] | null, 
/**
 * Set when the interval rests on few units or is degenerate ([1, 1]).
 */
caution: string | null, };

export type AgreementIntervals = { resamples: number, seed: number, rows: Array<AlphaInterval>, };

export type Pair = { a: string, b: string, units: number, 
/**
 * Cohen's kappa with the weights of the detail view.
 */
kappa: number | null, 
/**
 * Set when the pair shares too few units.
 */
caution: string | null, };

export type RaterDiagnostics = { rater: string, kind: RaterKind, n: number, 
/**
 * Mean deviation from the other raters on shared profiles (+ = rates higher).
 */
leniency: number | null, 
/**
 * Percent (0–100) of this rater's pairs with another rater on a shared profile that agree
 * exactly.
 */
consensusAgreement: number | null, consensusR: number | null, 
/**
 * The drift measure per block of this rater's ratings, earliest first.
 */
drift: Array<number | null>, medianSeconds: number | null, 
/**
 * Set when the rater has too few ratings for leniency, agreement or drift.
 */
caution: string | null, };

export type AgreementDetail = { dimension: string, label: string, level: Level, weights: Weights, pairs: Array<Pair>, heatmapSvg: string | null, raters: Array<RaterDiagnostics>, driftMeasure: string, driftSvg: string | null, distributionSvg: string | null, 
/**
 * The raters pooled.
 */
ratersPool: RaterPool, };

export type RaterAlias = { rater: string, alias: string, };

export type RaterValue = { rater: string, value: number, };

export type DisagreementRow = { profileId: number, person: string, context: string, values: Array<RaterValue>, 
/**
 * 0 = the raters agree, 1 = as far apart as the scale allows.
 */
disagreement: number, spread: number, adjudicated: number | null, };

export type Disagreements = { dimension: string, label: string, level: Level, scale: Scale, 
/**
 * Alpha on the raters' ratings (what the dashboard shows).
 */
alphaBefore: number | null, 
/**
 * Alpha once adjudicated profiles count with their settled value only: those profiles
 * leave the pairable units, so this is the agreement on the profiles still unsettled.
 */
alphaAfter: number | null, adjudicated: number, profiles: Array<DisagreementRow>, 
/**
 * Every rater of the study (adjudication aside) with their blind alias.
 */
aliases: Array<RaterAlias>, };

export type DimensionValues = { dimension: string, label: string, 
/**
 * One per rater of [`ProfileRatings::raters`], `null` when that rater left it empty.
 */
values: Array<number | null>, adjudicated: number | null, note: string | null, };

export type ProfileRatings = { profile: Profile, raters: Array<string>, dimensions: Array<DimensionValues>, };

export type Adjudication = { profileId: number, dimension: string, value: number, note: string | null, };

export type DimensionEdit = { name: string, label: string | null, definition: string, scale: Scale, 
/**
 * `null` = what the scale implies.
 */
level: Level | null, 
/**
 * Ratings stored on this dimension (read-only: a scale change must keep them on it).
 */
ratings: number, };

export type CodebookEdit = { name: string | null, 
/**
 * Markdown.
 */
guidelines: string, 
/**
 * The version this edit started from (informational; saving makes a new one).
 */
version: number, dimensions: Array<DimensionEdit>, };

export type CodebookSaved = { codebook: CodebookEdit, added: number, updated: number, 
/**
 * False when nothing differed from the stored codebook (no new version).
 */
changed: boolean, };

export type ChangeKind = "added" | "removed" | "label" | "definition" | "scale" | "anchors" | "name" | "guidelines";

export type CodebookChange = { 
/**
 * The dimension's label (its name without one); `None` for the study's name and guidelines.
 */
dimension: string | null, 
/**
 * What changed.
 */
kind: ChangeKind, 
/**
 * Before (absent for an added dimension).
 */
before: string | null, 
/**
 * After (absent for a removed dimension).
 */
after: string | null, };

export type ResampleBounds = { 
/**
 * Fewest resamples an interval can be computed from (0 = no intervals is always allowed).
 */
min: number, 
/**
 * Below this a percentile interval is too rough to report: a warning, not an error.
 */
recommended: number, 
/**
 * Most resamples accepted: beyond this a run takes hours for no visible gain.
 */
max: number, };

export type Method = "reml" | "anova";

export type KindChoice = "human" | "model" | "any";

export type RaterRequest = { 
/**
 * Only these raters; absent = the default's (naming raters drops the default's kind and
 * minimum, as `--raters` does).
 */
names?: Array<string>, 
/**
 * Only raters of this kind; absent = the default's.
 */
kind?: KindChoice, 
/**
 * Only raters with at least this many ratings; absent = the default's.
 */
minRatings?: number, };

export type RaterCount = { name: string, kind: RaterKind, 
/**
 * Ratings over the analysed dimensions.
 */
ratings: number, };

export type AnalysisRequest = { 
/**
 * Dimensions to analyse; empty = all.
 */
dimensions: Array<string>, method: Method, 
/**
 * Person-cluster bootstrap resamples (0 = no intervals).
 */
bootstrap: number, seed: number, 
/**
 * Adjudicated values replace the raters' ratings as the profile score.
 */
adjudicated: boolean, 
/**
 * An lme4 formula also fitted per dimension (REML), as `chameleon decompose --model`.
 */
model: string | null, 
/**
 * Profile-likelihood 95 % intervals of the model's standard deviations, as
 * `chameleon decompose --model … --profile-ci`.
 */
profileCi: boolean, 
/**
 * Raters to pool; absent = every rater.
 */
raters?: RaterRequest, };

export type KnownLeftOut = { 
/**
 * Gold profiles left out.
 */
gold: Array<string>, 
/**
 * Attention-check profiles left out.
 */
attention: Array<string>, };

export type Excluded = { 
/**
 * The rater's name.
 */
name: string, 
/**
 * Why the rater was left out.
 */
reason: string, };

export type RaterChoice = { 
/**
 * The selection in words, as printed with the numbers.
 */
selection: string, 
/**
 * The raters analysed.
 */
included: Array<string>, 
/**
 * The raters left out, each with its reason.
 */
excluded: Array<Excluded>, 
/**
 * Said once with the numbers (a CSV without kinds, data without raters).
 */
note?: string, 
/**
 * Profiles left out of every statistic because their values are known (gold profiles,
 * attention checks); absent when there are none.
 */
known_left_out?: KnownLeftOut, };

export type RaterPool = { choice: RaterChoice, kind: KindChoice, minRatings: number, names: Array<string> | null, raters: Array<RaterCount>, };

export type AnalysisProgress = { 
/**
 * The run's id (the caller's).
 */
runId: number, 
/**
 * Steps done so far.
 */
done: number, 
/**
 * Steps of the whole run.
 */
total: number, };

export type Shares = { person: number, personContext: number, rater: number, residual: number, };

export type DimensionResult = { dimension: string, persons: number, profiles: number, ratings: number, 
/**
 * Profile level (the paper's numbers).
 */
traitShare: number | null, stateShare: number | null, traitCi: Array<number> | null, 
/**
 * Rater level: each component's share of the total.
 */
raterLevel: Shares | null, personShareCi: Array<number> | null, personContextShareCi: Array<number> | null, reliabilityK: number | null, 
/**
 * Negative method-of-moments estimates (ANOVA), by component name.
 */
negative: Array<string>, warnings: Array<string>, 
/**
 * Set when the shares rest on too few persons with two contexts or come from a boundary
 * fit: shown instead of them ("too few data (n = 3)").
 */
caution: string | null, 
/**
 * Set when the intervals rest on few persons or are degenerate: shown beside them.
 */
ciCaution: string | null, };

export type PooledResult = { traitShare: number | null, stateShare: number | null, traitCi: Array<number> | null, dimensions: number, standardised: Shares | null, 
/**
 * Set when a pooled dimension's shares carry a caution (the mean includes them).
 */
caution: string | null, };

export type RaterSensitivity = { dimension: string, rater: string, 
/**
 * A [`crate::model::RaterKind`] as written.
 */
kind: RaterKind, ratings: number, stateShare: number | null, ci: Array<number> | null, stateBlind: boolean | null, note: string | null, 
/**
 * Set when the rater has too few ratings: shown instead of the share.
 */
caution: string | null, 
/**
 * Set when the interval is degenerate ([1, 1]).
 */
ciCaution: string | null, };

export type RaterMatrixRow = { rater: string, 
/**
 * A [`crate::model::RaterKind`] as written.
 */
kind: RaterKind, 
/**
 * Index into [`AnalysisResult::rater_sensitivity`] per dimension of
 * [`RaterMatrix::dimensions`]; `null` where the rater has no estimate.
 */
cells: Array<number | null>, 
/**
 * Mean state share over the dimensions where it is known.
 */
mean: number | null, 
/**
 * State-blind in at least half of the dimensions where it could be judged.
 */
stateBlind: boolean, };

export type RaterMatrix = { dimensions: Array<string>, raters: Array<RaterMatrixRow>, };

export type FigureView = { 
/**
 * File stem when exported.
 */
name: string, title: string, caption: string, 
/**
 * A standalone SVG document (shown as an `<img>` data URL).
 */
svg: string, width: number, height: number, };

export type TableView = { 
/**
 * File stem when exported (`decomposition` → `decomposition.csv`).
 */
name: string, title: string, };

export type AnalysisResult = { 
/**
 * Cache key: the data hash and the options.
 */
key: string, dataHash: string, options: AnalysisRequest, 
/**
 * RFC 3339, UTC.
 */
computedAt: string, method: Method, bootstrap: number, seconds: number, dimensions: Array<DimensionResult>, pooled: PooledResult, raterSensitivity: Array<RaterSensitivity>, raterMatrix: RaterMatrix, 
/**
 * The raters analysed (and who was left out, and why).
 */
raters?: RaterChoice, 
/**
 * The rater control's state: the selection in effect and every rater to pick from
 * (absent in a result stored before it existed).
 */
raterPool: RaterPool | null, figures: Array<FigureView>, tables: Array<TableView>, 
/**
 * The fit of [`AnalysisRequest::model`], when one was asked for.
 */
model: ModelResult | null, };

export type ModelPreset = { id: string, name: string, formula: string, 
/**
 * One sentence on what the model separates.
 */
description: string, };

export type FormulaCheck = { formula: string, terms: Array<string>, error: string | null, };

export type ModelComponent = { term: string, variance: number, share: number, 
/**
 * Levels of the term (`null` for the residual).
 */
levels: number | null, 
/**
 * 95 % bootstrap interval of the share, where the run computed one.
 */
shareCi: Array<number> | null, 
/**
 * 95 % bootstrap interval of the variance.
 */
varianceCi: Array<number> | null, 
/**
 * 95 % profile-likelihood interval of the standard deviation.
 */
sdCi: Array<number> | null, };

export type EffectView = { level: string, mode: number, sd: number, };

export type TermEffectsView = { term: string, effects: Array<EffectView>, };

export type PersonDisagreement = { person: string, 
/**
 * Raters with a mode for this person.
 */
raters: number, 
/**
 * Highest mode minus lowest mode.
 */
spread: number, 
/**
 * The rater who places the person highest, with the mode and its conditional SD.
 */
highest: EffectView, 
/**
 * The rater who places the person lowest.
 */
lowest: EffectView, };

export type ModelBootstrapView = { 
/**
 * `parametric` (as lme4's `bootMer`) or `person-cluster`.
 */
method: string, resamples: number, seed: number, 
/**
 * Resamples whose refit failed, left out of the intervals.
 */
failed: number, };

export type ModelDimension = { dimension: string, components: Array<ModelComponent>, intercept: number, interceptSe: number, remlCriterion: number, converged: boolean, 
/**
 * Terms estimated at 0.
 */
boundary: Array<string>, 
/**
 * Conditional modes of the terms with effects: contexts, raters (leniency), and each
 * rater's view of each person (`rater:person`, levels `rater:person`).
 */
effects: Array<TermEffectsView>, 
/**
 * With a `rater:person` term: the persons ranked by how much the raters disagree about
 * them (largest spread first).
 */
disagreement: Array<PersonDisagreement>, 
/**
 * The bootstrap behind `shareCi` and `varianceCi`, when one ran.
 */
bootstrap: ModelBootstrapView | null, 
/**
 * `sdCi` holds profile-likelihood intervals.
 */
profileCi: boolean, warnings: Array<string>, };

export type ModelResult = { formula: string, dimensions: Array<ModelDimension>, };

export type LatestAnalysis = { 
/**
 * The latest result, if any was computed.
 */
result: AnalysisResult | null, 
/**
 * Hash of the study's data now (with the result's adjudicated setting).
 */
currentHash: string, 
/**
 * The result was computed from other data ("ratings changed since").
 */
stale: boolean, };

export type RunStatus = "done" | "cancelled";

export type RunOutcome = { 
/**
 * How the run ended.
 */
status: RunStatus, 
/**
 * The result, when done.
 */
result: AnalysisResult | null, 
/**
 * The result came from the cache (same data, same options).
 */
cached: boolean, };

export type FigureFormat = "svg" | "png";

export type ExportRequest = { "kind": "report", path: string, } | { "kind": "table", name: string, path: string, } | { "kind": "figure", name: string, format: FigureFormat, path: string, } | { "kind": "all", dir: string, };

export type PackageSummary = { packageId: string, studyId: string, 
/**
 * The parent study's name (file name without extension) when the package records it.
 */
studyName: string | null, rater: string, profiles: number, ratings: number, };

export type AssignmentRow = { 
/**
 * The annotator.
 */
rater: string, 
/**
 * Profiles assigned to them.
 */
assigned: number, 
/**
 * Of those, profiles they rated on every dimension.
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
package: PackageSummary | null, rows: Array<AssignmentRow>, 
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

export type MergedPackage = { path: string, fileName: string, packageId: string | null, rater: string | null, added: number, updated: number, unchanged: number, 
/**
 * Ratings the study already had in a newer version (kept).
 */
keptNewer: number, 
/**
 * Why the package was refused (then nothing of it was merged).
 */
refused: string | null, 
/**
 * The copy of the study taken just before this package was merged.
 */
snapshot: string | null, };

export type MergeOutcome = { reports: Array<MergedPackage>, 
/**
 * The folder the pre-merge snapshots went to; `null` when nothing was merged (refused
 * packages are checked before any snapshot).
 */
backupsDir: string | null, };

export type AuditEntry = { 
/**
 * When, ms since the Unix epoch.
 */
at: number, 
/**
 * Who: the OS user for imports and merges, the rater for rating changes.
 */
actor: string, 
/**
 * What: `import-profiles`, `rate`, `edit`, `clear`, `package-merge`, ….
 */
action: string, 
/**
 * Details as JSON.
 */
detail: string, 
/**
 * The package the change came from, for package exports and merges.
 */
packageId: string | null, };

export type GoldAccuracy = { 
/**
 * The rater.
 */
rater: string, 
/**
 * `gold` or `attention`.
 */
kind: string, 
/**
 * Known values there are of this kind.
 */
items: number, 
/**
 * How many of them the rater rated (a value; "can't judge" is not one).
 */
rated: number, 
/**
 * Of those, how many equal the known value.
 */
exact: number, 
/**
 * `exact / rated`; `None` before the rater rated any.
 */
accuracy: number | null, 
/**
 * Mean absolute difference from the known value; `None` before the rater rated any.
 */
mean_abs_error: number | null, };

export type ItemReport = { 
/**
 * The item's dimension.
 */
dimension: string, 
/**
 * Reverse-keyed.
 */
reverse: boolean, 
/**
 * Correlation with the sum of the other items (psych's `r.drop`).
 */
item_rest: number | null, 
/**
 * Raw α without this item.
 */
alpha_if_dropped: number | null, 
/**
 * Standardized α without this item.
 */
std_alpha_if_dropped: number | null, 
/**
 * Loading on the one factor of ω.
 */
loading: number | null, };

export type ScaleReport = { 
/**
 * The scale's name.
 */
scale: string, 
/**
 * Responses (a rater's answers for one profile) with every item answered: those used.
 */
n: number, 
/**
 * Responses missing some item, left out.
 */
incomplete: number, 
/**
 * Cronbach's α (psych's `raw_alpha`).
 */
raw_alpha: number | null, 
/**
 * α from the correlations (psych's `std.alpha`).
 */
std_alpha: number | null, 
/**
 * Mean inter-item correlation.
 */
average_r: number | null, 
/**
 * McDonald's ω total (psych's `omega.tot`).
 */
omega_total: number | null, 
/**
 * Per item, in the scale's order.
 */
items: Array<ItemReport>, 
/**
 * Why the numbers are missing (a constant item, too few responses).
 */
problem: string | null, 
/**
 * 95% percentile bootstrap interval of raw α over responses (with `bootstrap` > 0).
 */
raw_alpha_ci95: [number, number] | null, 
/**
 * 95% percentile bootstrap interval of ω total.
 */
omega_total_ci95: [number, number] | null, 
/**
 * Resamples drawn, and those left out for having no reliability (a constant item).
 */
bootstrap: number, 
/**
 * Bootstrap resamples with no reliability, left out.
 */
bootstrap_failed: number, 
/**
 * Gold and attention-check profiles left out (a study's; absent when none).
 */
known_left_out: KnownLeftOut | null, };

export type GoldMark = { 
/**
 * The profile.
 */
profileId: number, 
/**
 * Its person.
 */
person: string, 
/**
 * Its context.
 */
context: string, 
/**
 * The dimension whose value is known.
 */
dimension: string, 
/**
 * The known value.
 */
value: number, 
/**
 * `gold` or `attention`.
 */
kind: string, };

export type GoldProfile = { 
/**
 * The profile.
 */
profileId: number, 
/**
 * `person/context`, as the statistics name it.
 */
label: string, };

export type GoldDimension = { 
/**
 * The dimension's name (the key).
 */
name: string, 
/**
 * Its label, else its name.
 */
label: string, 
/**
 * Lowest allowed value.
 */
min: number, 
/**
 * Highest allowed value.
 */
max: number, 
/**
 * The allowed values when the scale has points or codes; `None` for a continuous scale.
 */
values: Array<number> | null, };

export type GoldView = { 
/**
 * Every known value, profile by profile.
 */
marks: Array<GoldMark>, 
/**
 * Every profile of the study.
 */
profiles: Array<GoldProfile>, 
/**
 * The codebook's dimensions.
 */
dimensions: Array<GoldDimension>, };

export type GoldRequest = { 
/**
 * The profile.
 */
profileId: number, 
/**
 * The dimension.
 */
dimension: string, 
/**
 * The known value.
 */
value: number, 
/**
 * `gold` or `attention`.
 */
kind: string, };

export type AuditKindCount = { kind: string, count: number, };

export type AuditTrail = { 
/**
 * Newest first, at most [`AUDIT_SHOWN`], of the chosen kind.
 */
entries: Array<AuditEntry>, 
/**
 * Entries of the chosen kind in the whole trail.
 */
total: number, 
/**
 * Every kind in the trail with its count, for the filter.
 */
kinds: Array<AuditKindCount>, };

export type ModelRunRequest = { endpoint: string, model: string, rater: string | null, 
/**
 * Environment variable holding the API key; the key itself never crosses the IPC boundary.
 */
apiKeyEnv: string | null, 
/**
 * A template text; the default built from the codebook when `None`.
 */
template: string | null, dimensions: Array<string>, samples: number, temperature: number, seed: number | null, maxTokens: number | null, timeoutSecs: number, concurrency: number, limit: number | null, };

export type ConnectionCheck = { endpoint: string, 
/**
 * The models the server lists; `None` when it does not list them.
 */
models: Array<string> | null, 
/**
 * Whether the form's model is among them (`None` when the server lists none).
 */
modelFound: boolean | null, };

export type PromptPreview = { endpoint: string, 
/**
 * Which profile: its place in import order (0-based) of `profiles`, its id, person and
 * context.
 */
index: number, profiles: number, profileId: number, person: string, context: string, prompt: string, 
/**
 * The JSON body that would be POSTed to `{endpoint}/chat/completions`.
 */
request: string, };

export type ModelRunPlan = { endpoint: string, rater: string, profiles: number, dimensions: Array<string>, samples: number, requests: number, 
/**
 * Ratings already there (skipped by the run).
 */
done: number, };

export type ModelRunsView = { runs: Array<ModelRunSummary>, failures: Array<ModelFailure>, };

export type ModelRunProgress = { 
/**
 * Requests answered (usable or not) so far, of `total`.
 */
done: number, total: number, ratings: number, failures: number, };

export type ModelRunReport = { 
/**
 * `None` when nothing was left to do, or nothing was answered.
 */
run_id: number | null, endpoint: string, model: string, rater: string, profiles: number, dimensions: Array<string>, samples: number, 
/**
 * Ratings already there before the run (profile × dimension × sample).
 */
skipped: number, 
/**
 * Requests made and recorded: `answered` + `failed`.
 */
requests: number, 
/**
 * Requests answered with JSON.
 */
answered: number, 
/**
 * Requests that failed as a whole after their retries (recorded as failures; a rerun
 * sends them again).
 */
failed: number, 
/**
 * Requests in flight when the run was stopped (Cancel, or an error): they were waited
 * for, and are counted in `answered` or `failed` when their answer could be recorded.
 */
in_flight_at_stop: number, ratings: number, failures: number, cancelled: boolean, };

export type ModelRunSummary = { 
/**
 * The run's id.
 */
id: number, 
/**
 * The model rater's name.
 */
rater: string, 
/**
 * The endpoint's URL.
 */
endpoint: string, 
/**
 * The model's name.
 */
model: string, 
/**
 * Hash of the prompt template.
 */
prompt_hash: string, 
/**
 * Sampling temperature.
 */
temperature: number, 
/**
 * Samples per profile and dimension.
 */
samples: number, 
/**
 * Seed sent to the endpoint, if any.
 */
seed: number | null, 
/**
 * Dimensions rated.
 */
dimensions: Array<string>, 
/**
 * When it started, ms since the Unix epoch.
 */
started_at: number, 
/**
 * When it ended, if it did.
 */
finished_at: number | null, 
/**
 * `running`, `interrupted`, or how the run ended.
 */
status: string, 
/**
 * Requests made and recorded: `answered` + `failed`. (Requests in flight when a run was
 * killed are not recorded; a rerun sends them again.)
 */
requests: number, 
/**
 * Requests answered with JSON (stored with their provenance, ratings or not).
 */
answered: number, 
/**
 * Requests that failed as a whole (not JSON, an HTTP error, a timeout, after their
 * retries): no rating. A rerun sends them again.
 */
failed: number, 
/**
 * Dimensions of answered requests left out as off the scale (a rerun asks them again).
 */
invalid: number, 
/**
 * Ratings stored.
 */
ratings: number, 
/**
 * Failure records: `failed` + `invalid`.
 */
failures: number, 
/**
 * Prompt tokens in total.
 */
prompt_tokens: number, 
/**
 * Completion tokens in total.
 */
completion_tokens: number, 
/**
 * Median latency of the answered requests, in milliseconds.
 */
median_latency_ms: number | null, };

export type ModelFailure = { 
/**
 * The run it happened in.
 */
run_id: number, 
/**
 * The person of the profile.
 */
person: string, 
/**
 * The context of the profile.
 */
context: string, 
/**
 * The profile's id.
 */
profile_id: number, 
/**
 * `None` when the whole answer was unusable.
 */
dimension: string | null, 
/**
 * Which sample of the profile (and dimension).
 */
sample: number, 
/**
 * Why the answer was not used.
 */
reason: string, 
/**
 * The answer as received.
 */
raw: string, 
/**
 * When, ms since the Unix epoch.
 */
at: number, };

export type ModelsReport = { humans: Array<string>, models: Array<string>, blind_ratio: number, resamples: number, seed: number, 
/**
 * `"mean"` or `"sample N"`.
 */
samples: string, dimensions: Array<DimensionModels>, summary: Array<ModelSummary>, notes: Array<string>, };

export type DimensionModels = { dimension: string, level: string, models: Array<ModelRow>, between_models: BetweenModels | null, };

export type ModelRow = { model: string, 
/**
 * Profiles rated by the model and by at least one human.
 */
profiles: number, alpha: number | null, alpha_ci: [number, number] | null, icc: number | null, icc_ci: [number, number] | null, model_state_share: number | null, human_state_share: number | null, state_ratio: number | null, state_ratio_ci: [number, number] | null, state_blind: boolean | null, 
/**
 * Samples per profile of a model run (the most any profile has); `None` for imported ones.
 */
samples: number | null, sample_alpha: number | null, sample_alpha_ci: [number, number] | null, 
/**
 * Set when α and ICC rest on fewer shared profiles than
 * [`minimum::UNITS_FOR_AGREEMENT`] asks or have a degenerate interval: every face shows
 * the message instead of them.
 */
agreement_caution: Caution | null, 
/**
 * Set when the state shares rest on fewer persons with two profiles than
 * [`minimum::PERSONS_WITH_TWO_CONTEXTS`] asks (the model is then not judged state-blind)
 * or the ratio's interval is degenerate.
 */
state_caution: Caution | null, 
/**
 * Set when the sample α rests on too few profiles with two or more samples.
 */
sample_caution: Caution | null, notes: Array<string>, };

export type Caution = { 
/**
 * The rule's name (`units`, `persons_with_two_contexts`, …).
 */
rule: string, 
/**
 * The count found (absent for a degenerate interval or a boundary share).
 */
n: number | null, 
/**
 * The rule's minimum, when the caution is about a count.
 */
minimum: number | null, 
/**
 * What the faces print where the value would be.
 */
message: string, };

export type BetweenModels = { models: Array<string>, formula: string, rater_person_share: number | null, 
/**
 * Set when the share rests on fewer persons rated by two or more models than
 * [`minimum::PERSONS_WITH_TWO_RATERS`] asks: shown instead of it.
 */
caution: Caution | null, 
/**
 * Each term's share of the variance, the residual included.
 */
shares: { [key in string]: number }, sign_agreement: Array<PairSign>, kendall_w: number | null, 
/**
 * Profiles rated by every model (Kendall's W is computed on them).
 */
kendall_units: number, notes: Array<string>, };

export type PairSign = { a: string, b: string, 
/**
 * Persons both models rated whose effects are both non-zero.
 */
persons: number, agreement: number | null, };

export type ModelSummary = { model: string, judged: number, blind_in: number, mean_state_ratio: number | null, state_blind: boolean, };

export type Imported = { 
/**
 * `ratings` or `profiles`.
 */
kind: string, 
/**
 * The file's name.
 */
source: string, added: number, updated: number, unchanged: number, 
/**
 * What did not stop the import (raters or dimensions created, columns ignored).
 */
notices: Array<string>, };

export type RatingsShape = "long" | "wide";

/** Bootstrap resample bounds (chameleon_core::app::analysis::RESAMPLES). */
export const RESAMPLES: ResampleBounds = { min: 2, recommended: 1000, max: 100000 };

/** The model picker's presets (chameleon_core::app::formula::PRESETS). */
export const MODEL_PRESETS: ModelPreset[] = [
  {
    "id": "person",
    "name": "Person / profile (nested)",
    "formula": "value ~ 1 + (1|person) + (1|person:context)",
    "description": "The default decomposition: trait (person) and state (person × context), each context nested in its person."
  },
  {
    "id": "contexts",
    "name": "With context effects",
    "formula": "value ~ 1 + (1|person) + (1|context) + (1|person:context)",
    "description": "Contexts shared by persons: a context's own pull (its norms, its topic) is separated from the person-in-context state."
  },
  {
    "id": "g-study",
    "name": "G-study with raters",
    "formula": "value ~ 1 + (1|person) + (1|context) + (1|person:context) + (1|rater)",
    "description": "Adds the raters' leniency: how much of the variance is who rated."
  },
  {
    "id": "model-raters",
    "name": "Models as raters (rater × person)",
    "formula": "value ~ 1 + (1|person) + (1|context) + (1|person:context) + (1|rater) + (1|rater:person)",
    "description": "Each rater's own view of each person: raters (or language models) that favour or penalise the same persons differently."
  }
];

/** A second launch asked to open a study; the payload is its path (src-tauri/src/instance.rs). */
export const OPEN_REQUESTED = "open-requested";
