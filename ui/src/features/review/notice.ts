// "Codebook changed" for the annotator: shown on the rating screen when the chosen rater has
// ratings made under an older codebook version, so earlier ratings are re-read with care rather
// than silently meaning something else.
import { h } from "../../dom";
import type { ReviewApi } from "./api";
import { t } from "../../i18n";

export async function codebookNotice(
  api: Pick<ReviewApi, "codebookChanged" | "codebookChanges">,
): Promise<HTMLElement | null> {
  try {
    if (!(await api.codebookChanged())) return null;
  } catch {
    return null; // no backend (unit tests) or no rater: nothing to say
  }
  // What changed, per dimension (definition, anchors, scale, label, new or removed); without
  // the list the notice still says that something did.
  let changes: string[] = [];
  try {
    changes = await api.codebookChanges();
  } catch {
    changes = [];
  }
  return h(
    "div",
    { class: "codebook-changed", id: "codebook-changed", role: "status" },
    h("strong", {}, t().codebookChanged),
    t().codebookChangedHelp,
    changes.length ? h("ul", { class: "codebook-changes" }, ...changes.map((c) => h("li", {}, c))) : null,
  );
}
