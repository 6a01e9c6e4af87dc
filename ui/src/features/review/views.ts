// The review feature's studio tabs.
import type { StudioViewEntry } from "../studio/view";
import { AgreementView } from "./agreement";
import { CodebookView } from "./codebook";
import { DisagreementsView } from "./disagreements";

export const reviewViews: StudioViewEntry[] = [
  { id: "agreement", label: "Agreement", create: () => new AgreementView() },
  { id: "disagreements", label: "Disagreements", create: () => new DisagreementsView() },
  { id: "codebook", label: "Codebook", create: () => new CodebookView() },
];
