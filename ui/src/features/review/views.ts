// The review feature's studio tabs, over the review API the composition root hands in.
import type { StudioViewEntry } from "../studio/view";
import { AgreementView } from "./agreement";
import type { ReviewApi } from "./api";
import { CodebookView } from "./codebook";
import { DisagreementsView } from "./disagreements";
import { pi } from "../../i18n";

export function reviewViews(api: ReviewApi): StudioViewEntry[] {
  return [
    { id: "agreement", label: pi().shell.tabs.agreement, create: () => new AgreementView(api) },
    { id: "disagreements", label: pi().shell.tabs.disagreements, create: () => new DisagreementsView(api) },
    { id: "codebook", label: pi().shell.tabs.codebook, create: () => new CodebookView(api) },
  ];
}
