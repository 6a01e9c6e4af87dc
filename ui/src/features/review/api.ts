// The review views' backend: agreement dashboard, disagreements and adjudication, codebook
// editor. An interface so vitest runs the views against a fake; `tauriReviewApi` talks to the
// Rust commands in src-tauri/src/commands/review.rs.
import { invoke } from "@tauri-apps/api/core";
import type {
  AdjudicateRequest,
  AgreementDetailDto,
  AgreementIntervalsDto,
  AgreementTableDto,
  CodebookEditDto,
  CodebookSavedDto,
  DisagreementsDto,
  ProfileRatingsDto,
  ThresholdsDto,
} from "../../bindings";

export type KappaWeights = "unweighted" | "linear" | "quadratic";

export interface ReviewApi {
  agreement(): Promise<AgreementTableDto>;
  agreementDetail(dimension: string, weights?: KappaWeights): Promise<AgreementDetailDto>;
  agreementIntervals(resamples: number, seed?: number): Promise<AgreementIntervalsDto>;
  setThresholds(thresholds: ThresholdsDto): Promise<ThresholdsDto>;
  disagreements(dimension: string): Promise<DisagreementsDto>;
  profile(profileId: number): Promise<ProfileRatingsDto>;
  adjudicate(request: AdjudicateRequest): Promise<DisagreementsDto>;
  codebook(): Promise<CodebookEditDto>;
  saveCodebook(codebook: CodebookEditDto): Promise<CodebookSavedDto>;
  /** Whether the chosen rater rated under an older codebook than the current one. */
  codebookChanged(): Promise<boolean>;
}

export const tauriReviewApi: ReviewApi = {
  agreement: () => invoke("review_agreement"),
  agreementDetail: (dimension, weights) => invoke("review_agreement_detail", { dimension, weights: weights ?? null }),
  agreementIntervals: (resamples, seed) => invoke("review_agreement_intervals", { resamples, seed: seed ?? null }),
  setThresholds: (thresholds) => invoke("review_set_thresholds", { thresholds }),
  disagreements: (dimension) => invoke("review_disagreements", { dimension }),
  profile: (profileId) => invoke("review_profile", { profileId }),
  adjudicate: (request) => invoke("review_adjudicate", { request }),
  codebook: () => invoke("review_codebook"),
  saveCodebook: (codebook) => invoke("review_save_codebook", { codebook }),
  codebookChanged: () => invoke("review_codebook_changed"),
};
