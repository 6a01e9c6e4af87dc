// The review feature's studio tabs, over the review API the composition root hands in.
import type { StudioViewEntry } from "../studio/view";
import { AgreementView } from "./agreement";
import type { ReviewApi } from "./api";
import { CodebookView } from "./codebook";
import { DisagreementsView } from "./disagreements";

export function reviewViews(api: ReviewApi): StudioViewEntry[] {
  return [
    { id: "agreement", label: "Agreement", create: () => new AgreementView(api) },
    { id: "disagreements", label: "Disagreements", create: () => new DisagreementsView(api) },
    { id: "codebook", label: "Codebook", create: () => new CodebookView(api) },
  ];
}
