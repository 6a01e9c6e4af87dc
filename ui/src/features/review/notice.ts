// "Codebook changed" for the annotator: shown on the rating screen when the chosen rater has
// ratings made under an older codebook version, so earlier ratings are re-read with care rather
// than silently meaning something else.
import { h } from "../../dom";
import type { ReviewApi } from "./api";

export async function codebookNotice(api: Pick<ReviewApi, "codebookChanged">): Promise<HTMLElement | null> {
  try {
    if (!(await api.codebookChanged())) return null;
  } catch {
    return null; // no backend (unit tests) or no rater: nothing to say
  }
  return h(
    "div",
    { class: "codebook-changed", id: "codebook-changed", role: "status" },
    h("strong", {}, "Codebook changed. "),
    "The PI edited the codebook after you rated some profiles: check the definitions and guidelines below before you go on.",
  );
}
