// The rater control of the agreement and analysis views: which raters a computation pools
// (humans / models / all, a minimum of ratings, or raters picked by name). The view sends only
// what the person changed; core applies it over the view's default (agreement: humans with
// enough ratings, as the CLI's `agreement`; analysis: every rater) and answers with the pool
// in effect, which this control then shows next to the numbers.
import type { KindChoice, KnownLeftOut, RaterChoice, RaterPool, RaterRequest } from "../../bindings";
import { h, replace } from "../../dom";
import { pi } from "../../i18n";


/** The choice in words, as the CLI prints it: "kind human; at least 10 ratings — 3 included; excluded: …". */
export function choiceText(c: RaterChoice): string {
  let out = pi().review.choice(c.selection, c.included.length);
  if (c.excluded.length) out += pi().review.excluded(c.excluded.map((e) => `${e.name} (${e.reason})`).join(", "));
  if (c.note) out += pi().review.choiceNote(c.note);
  const left = c.known_left_out ? leftOutText(c.known_left_out) : null;
  if (left) out += `. ${left}`;
  return out;
}

/** Core's sentence for the profiles with known values (KnownLeftOut::sentence): "1 gold profile and 2 attention checks left out of the statistics: p1/home, …". */
export function leftOutText(k: KnownLeftOut): string | null {
  const parts: string[] = [];
  if (k.gold.length) parts.push(pi().review.goldProfiles(k.gold.length));
  if (k.attention.length) parts.push(pi().review.attentionChecks(k.attention.length));
  if (!parts.length) return null;
  return pi().review.leftOut(parts, [...k.gold, ...k.attention].join(", "));
}

export class RaterControl {
  readonly el: HTMLElement;
  private request: RaterRequest = {};
  private readonly kind: HTMLSelectElement;
  private readonly min: HTMLInputElement;
  private readonly picks: HTMLElement;
  private readonly summary: HTMLElement;

  /** `prefix` keeps the ids of two views apart ("agreement", "analysis"). `summary: false`
   * when the view prints the choice with its numbers itself (analysis: said once, not twice). */
  constructor(
    private readonly prefix: string,
    private readonly onChange: (req: RaterRequest) => void,
    opts: { summary?: boolean } = {},
  ) {
    this.kind = h(
      "select",
      { id: `${prefix}-rater-kind`, onchange: () => this.set({ kind: this.kind.value as KindChoice }) },
      ...(["human", "model", "any"] as const).map((k) => h("option", { value: k }, pi().review.kindText[k])),
    );
    this.min = h("input", {
      type: "number",
      id: `${prefix}-min-ratings`,
      min: "0",
      step: "1",
      onchange: () => this.set({ minRatings: Math.max(0, Math.round(Number(this.min.value) || 0)) }),
    });
    this.picks = h("div", { class: "rater-picks", id: `${prefix}-rater-picks` });
    this.summary = h("p", { class: "rater-choice note", id: `${prefix}-rater-choice`, role: "status", hidden: opts.summary === false });
    this.el = h(
      "fieldset",
      { class: "rater-control", id: `${prefix}-raters-control` },
      h("legend", {}, pi().review.raters),
      h("label", { for: `${prefix}-rater-kind` }, pi().review.kind),
      this.kind,
      h("label", { for: `${prefix}-min-ratings` }, pi().review.atLeast),
      this.min,
      h("span", {}, pi().review.ratingsAfter),
      h("details", { class: "rater-pick" }, h("summary", {}, pi().review.pickRaters), this.picks),
      this.summary,
    );
  }

  /** What to send with the next computation (only what the person changed). */
  current(): RaterRequest {
    return { ...this.request };
  }

  /** Shows the pool core applied. */
  show(pool: RaterPool): void {
    this.kind.value = pool.kind;
    this.min.value = String(pool.minRatings);
    const named = pool.names !== null;
    this.kind.disabled = false;
    const included = new Set(pool.choice.included);
    replace(
      this.picks,
      ...pool.raters.map((r) =>
        h(
          "label",
          { class: "rater-pick-item" },
          h("input", {
            type: "checkbox",
            "data-rater": r.name,
            checked: included.has(r.name),
            onchange: () => this.picked(),
          }),
          ` ${r.name}`,
          h("span", { class: "muted" }, pi().review.raterRatings(r.kind, r.ratings)),
        ),
      ),
      named ? h("button", { type: "button", class: "link", id: `${this.prefix}-rater-default`, onclick: () => this.reset() }, pi().review.backToDefault) : null,
    );
    this.summary.textContent = pi().review.ratersChoice(choiceText(pool.choice));
  }

  private set(part: RaterRequest): void {
    // Naming raters overrides kind and minimum in core; choosing either goes back from names.
    const { names: _names, ...rest } = this.request;
    this.request = { ...rest, ...part };
    this.onChange(this.current());
  }

  private picked(): void {
    const names = [...this.picks.querySelectorAll<HTMLInputElement>("input[data-rater]")].filter((i) => i.checked).map((i) => i.dataset.rater ?? "");
    if (names.length === 0) return;
    this.request = { names };
    this.onChange(this.current());
  }

  private reset(): void {
    this.request = {};
    this.onChange(this.current());
  }
}
