// The review views' backend: agreement dashboard, disagreements and adjudication, codebook
// editor. An interface so vitest runs the views against a fake; `tauriReviewApi` talks to the
// Rust commands in src-tauri/src/commands/review.rs.
import * as cmd from "../../commands";
import type {
  Adjudication,
  AgreementDetail,
  AgreementIntervals,
  AgreementTable,
  CodebookChange,
  CodebookEdit,
  CodebookSaved,
  Disagreements,
  GoldAccuracy,
  GoldRequest,
  GoldView,
  ProfileRatings,
  RaterRequest,
  ScaleReport,
  Thresholds,
  Weights,
} from "../../bindings";

/** Core's `Weights` union (generated). */
export type KappaWeights = Weights;

export interface ReviewApi {
  /** `raters`: what the PI changed of the default pool (humans with enough ratings). */
  agreement(raters?: RaterRequest): Promise<AgreementTable>;
  agreementDetail(dimension: string, weights?: KappaWeights, raters?: RaterRequest): Promise<AgreementDetail>;
  agreementIntervals(resamples: number, seed?: number, raters?: RaterRequest): Promise<AgreementIntervals>;
  setThresholds(thresholds: Thresholds): Promise<Thresholds>;
  disagreements(dimension: string): Promise<Disagreements>;
  profile(profileId: number): Promise<ProfileRatings>;
  adjudicate(request: Adjudication): Promise<Disagreements>;
  codebook(): Promise<CodebookEdit>;
  saveCodebook(codebook: CodebookEdit): Promise<CodebookSaved>;
  /** What saving `codebook` would change (core's diff against the stored one; nothing saved). */
  codebookDiff(codebook: CodebookEdit): Promise<CodebookChange[]>;
  /** Whether the chosen rater rated under an older codebook than the current one. */
  codebookChanged(): Promise<boolean>;
  /** What changed in the codebook since the chosen rater rated ("Openness: definition"). */
  codebookChanges(): Promise<string[]>;
  /** Each rater's accuracy on the gold profiles and attention checks. */
  goldAccuracy(): Promise<GoldAccuracy[]>;
  /** α [CI], ω and item–rest of each questionnaire scale of the codebook. */
  scaleReliability(): Promise<ScaleReport[]>;
  /** The known values, and the profiles and dimensions one can mark. */
  gold(): Promise<GoldView>;
  /** Marks a profile's value as known (audited as the PI's action). */
  setGold(request: GoldRequest): Promise<GoldView>;
  /** Removes a profile's marks (of one dimension, or all). */
  clearGold(profileId: number, dimension: string | null): Promise<GoldView>;
}

export const tauriReviewApi: ReviewApi = {
  agreement: (raters) => cmd.reviewAgreement({ raters: raters ?? null }),
  agreementDetail: (dimension, weights, raters) => cmd.reviewAgreementDetail({ dimension, weights: weights ?? null, raters: raters ?? null }),
  agreementIntervals: (resamples, seed, raters) => cmd.reviewAgreementIntervals({ resamples, seed: seed ?? null, raters: raters ?? null }),
  setThresholds: (thresholds) => cmd.reviewSetThresholds({ thresholds }),
  disagreements: (dimension) => cmd.reviewDisagreements({ dimension }),
  profile: (profileId) => cmd.reviewProfile({ profileId }),
  adjudicate: (request) => cmd.reviewAdjudicate({ request }),
  codebook: () => cmd.reviewCodebook(),
  saveCodebook: (codebook) => cmd.reviewSaveCodebook({ codebook }),
  codebookDiff: (codebook) => cmd.reviewCodebookDiff({ codebook }),
  codebookChanged: () => cmd.reviewCodebookChanged(),
  codebookChanges: () => cmd.codebookChanges(),
  goldAccuracy: () => cmd.goldAccuracy(),
  scaleReliability: () => cmd.reviewScaleReliability(),
  gold: () => cmd.reviewGold(),
  setGold: (request) => cmd.reviewSetGold({ request }),
  clearGold: (profileId, dimension) => cmd.reviewClearGold({ profileId, dimension }),
};
