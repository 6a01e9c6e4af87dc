// The PI's table of each annotator's accuracy on the gold profiles and attention checks: how
// many known values they rated, how many exactly, and the mean distance from the known value.
// Text nodes only (dom.ts).
import { toAppError } from "../../api";
import type { GoldAccuracy, GoldMark, GoldRequest, GoldView } from "../../bindings";
import { h, replace } from "../../dom";
import { pi } from "../../i18n";

const pct = (x: number | null) => (x === null ? "—" : `${(x * 100).toFixed(0)} %`);
const num = (x: number | null) => (x === null ? "—" : x.toFixed(2));

export function goldTable(rows: GoldAccuracy[]): HTMLElement {
  if (rows.length === 0) {
    return h(
      "p",
      { class: "muted", id: "gold-empty" },
      pi().review.noGold,
    );
  }
  return h(
    "table",
    { class: "data-table", id: "gold-accuracy" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ...pi().review.goldHeaders.map((t) => h("th", { scope: "col" }, t)),
      ),
    ),
    h(
      "tbody",
      {},
      ...rows.map((r) =>
        h(
          "tr",
          { "data-rater": r.rater, "data-kind": r.kind },
          h("th", { scope: "row" }, r.rater),
          h("td", {}, r.kind === "attention" ? pi().review.goldKindRows.attention : pi().review.goldKindRows.gold),
          h("td", { class: "num" }, pi().review.ratedOf(r.rated, r.items)),
          h("td", { class: "num" }, String(r.exact)),
          h("td", { class: "num accuracy" }, pct(r.accuracy)),
          h("td", { class: "num" }, num(r.mean_abs_error)),
        ),
      ),
    ),
  );
}

/** What the gold section needs of the review's backend. */
export interface GoldApi {
  goldAccuracy(): Promise<GoldAccuracy[]>;
  gold(): Promise<GoldView>;
  setGold(request: GoldRequest): Promise<GoldView>;
  clearGold(profileId: number, dimension: string | null): Promise<GoldView>;
}

const kindLabel = (kind: string): string => pi().review.markKind[kind] ?? kind;

/** The marks, one row per known value, each with its Remove button. */
export function marksTable(marks: GoldMark[], remove: (m: GoldMark) => void, label: (dimension: string) => string = (d) => d): HTMLElement {
  if (marks.length === 0) return h("p", { class: "muted", id: "gold-marks-empty" }, pi().review.noMarks);
  return h(
    "table",
    { class: "data-table", id: "gold-marks" },
    h("thead", {}, h("tr", {}, ...pi().review.marksHeaders.map((t) => h("th", { scope: "col" }, t)))),
    h(
      "tbody",
      {},
      ...marks.map((m) =>
        h(
          "tr",
          { "data-profile": String(m.profileId), "data-dimension": m.dimension },
          h("th", { scope: "row" }, `${m.person}/${m.context}`),
          h("td", {}, label(m.dimension)),
          h("td", { class: "num" }, String(m.value)),
          h("td", {}, kindLabel(m.kind)),
          h("td", {}, h("button", { type: "button", class: "link gold-remove", onclick: () => remove(m) }, pi().review.remove)),
        ),
      ),
    ),
  );
}

/** The form that marks a profile's value as known, and the list of marks. `changed` runs after
 * every mark or removal (the statistics leave marked profiles out, so they are recomputed). */
export class GoldMarking {
  readonly el: HTMLElement;
  private view: GoldView | null = null;
  private readonly profile = h("select", { id: "gold-profile" });
  private readonly dimension = h("select", { id: "gold-dimension", onchange: () => this.dimensionChanged() });
  private readonly value = h("input", { type: "number", id: "gold-value", step: "any", required: true });
  private readonly kind = h(
    "select",
    { id: "gold-kind" },
    h("option", { value: "gold" }, pi().review.markKind.gold),
    h("option", { value: "attention" }, pi().review.markKind.attention),
  );
  private readonly hint = h("span", { class: "muted", id: "gold-value-hint" });
  private readonly status = h("p", { class: "review-status", id: "gold-status", role: "status", "aria-live": "polite" });
  private readonly list = h("div", {});

  constructor(
    private readonly api: GoldApi,
    private readonly changed: () => void,
  ) {
    this.el = h(
      "div",
      { class: "gold-marking" },
      h("h4", {}, pi().review.markTitle),
      h(
        "p",
        { class: "muted" },
        pi().review.markHelp,
      ),
      h(
        "form",
        { id: "gold-form", class: "gold-form", onsubmit: (e: Event) => (e.preventDefault(), void this.mark()) },
        h("label", { for: "gold-profile" }, pi().review.profileLabel),
        this.profile,
        h("label", { for: "gold-dimension" }, pi().review.dimensionLabel),
        this.dimension,
        h("label", { for: "gold-value" }, pi().review.valueLabel),
        this.value,
        this.hint,
        h("label", { for: "gold-kind" }, pi().review.asLabel),
        this.kind,
        h("button", { type: "submit", id: "gold-mark" }, pi().review.mark),
      ),
      this.status,
      this.list,
    );
  }

  async load(): Promise<void> {
    try {
      this.show(await this.api.gold());
    } catch (e) {
      this.status.textContent = pi().review.marksUnavailable(toAppError(e).message);
    }
  }

  private show(view: GoldView): void {
    this.view = view;
    const keep = (sel: HTMLSelectElement) => sel.value;
    const [p, d] = [keep(this.profile), keep(this.dimension)];
    replace(this.profile, ...view.profiles.map((x) => h("option", { value: String(x.profileId) }, x.label)));
    replace(this.dimension, ...view.dimensions.map((x) => h("option", { value: x.name }, x.label)));
    // The PI's choice survives the re-render; else the first entry (set explicitly: a select
    // filled while detached can read as "").
    this.profile.value = p && view.profiles.some((x) => String(x.profileId) === p) ? p : String(view.profiles[0]?.profileId ?? "");
    this.dimension.value = d && view.dimensions.some((x) => x.name === d) ? d : (view.dimensions[0]?.name ?? "");
    this.dimensionChanged();
    replace(this.list, marksTable(view.marks, (m) => void this.remove(m), (d) => this.label(d)));
  }

  private label(dimension: string): string {
    return this.view?.dimensions.find((x) => x.name === dimension)?.label ?? dimension;
  }

  private dimensionChanged(): void {
    const d = this.view?.dimensions.find((x) => x.name === this.dimension.value);
    if (!d) return;
    this.value.min = String(d.min);
    this.value.max = String(d.max);
    this.hint.textContent = d.values ? ` (${d.values.join(", ")})` : pi().review.valueRange(d.min, d.max);
  }

  private async mark(): Promise<void> {
    const value = Number(this.value.value);
    if (this.value.value.trim() === "" || !Number.isFinite(value)) {
      this.status.textContent = pi().review.enterKnownValue;
      return;
    }
    const label = this.profile.selectedOptions[0]?.textContent ?? "";
    try {
      this.show(
        await this.api.setGold({
          profileId: Number(this.profile.value),
          dimension: this.dimension.value,
          value,
          kind: this.kind.value,
        }),
      );
      this.status.textContent = pi().review.marked(label, this.label(this.dimension.value), value, kindLabel(this.kind.value));
      this.changed();
    } catch (e) {
      this.status.textContent = toAppError(e).message;
    }
  }

  private async remove(m: GoldMark): Promise<void> {
    try {
      this.show(await this.api.clearGold(m.profileId, m.dimension));
      this.status.textContent = pi().review.markRemoved(`${m.person}/${m.context}`, this.label(m.dimension));
      this.changed();
    } catch (e) {
      this.status.textContent = toAppError(e).message;
    }
  }
}

/** The section: the accuracy table (reloaded after each mark) and the marking form. */
export function goldSection(api: GoldApi, changed: () => void = () => {}): HTMLElement {
  const body = h("div", {}, h("p", { class: "muted" }, pi().review.loading));
  const loadAccuracy = () =>
    api.goldAccuracy().then(
      (rows) => replace(body, goldTable(rows)),
      (e) => replace(body, h("p", { class: "muted" }, pi().review.accuracyUnavailable(toAppError(e).message))),
    );
  const marking = new GoldMarking(api, () => {
    void loadAccuracy();
    changed();
  });
  const el = h(
    "section",
    { class: "gold-section", id: "gold-section" },
    h("h3", {}, pi().review.goldTitle),
    body,
    marking.el,
  );
  void loadAccuracy();
  void marking.load();
  return el;
}
