// Disagreements and adjudication: profiles of one dimension sorted by how far apart the raters
// are on the scale, rater names optionally hidden, alpha before and after adjudication; an opened
// profile shows its material (as text) and every rater's value side by side, and takes the PI's
// settled value with a note from the keyboard (Enter saves and opens the next unsettled one).
import { toAppError } from "../../api";
import type { DisagreementRow, Disagreements, ProfileRatings, Scale } from "../../bindings";
import { h, replace } from "../../dom";
import { renderError } from "../study/start";
import type { StudioContext, StudioView } from "../studio/view";
import type { ReviewApi } from "./api";
import { aliasMap, fmt, nextOpen, shownName, sortDisagreements, type SortKey } from "./logic";
import { Latest } from "../../asyncSection";
import { pi } from "../../i18n";

/** Values of a scale the PI can pick from; `null` for a continuous range (typed in). */
export function scaleChoices(scale: Scale): { value: number; label: string }[] | null {
  if (scale.type === "likert") {
    const out = [];
    for (let v = scale.min; v <= scale.max; v++) {
      const a = scale.anchors.find((x) => x.value === v);
      out.push({ value: v, label: a ? `${v} — ${a.label}` : String(v) });
    }
    return out;
  }
  if (scale.type === "nominal") return scale.categories.map((c) => ({ value: c.value, label: `${c.value} — ${c.label}` }));
  return null;
}

function valueText(v: number | null | undefined, scale: Scale): string {
  if (v === null || v === undefined) return "—";
  if (scale.type === "nominal") return scale.categories.find((c) => c.value === v)?.label ?? String(v);
  return Number.isInteger(v) ? String(v) : fmt(v, 2);
}

export class DisagreementsView implements StudioView {
  private data: Disagreements | null = null;
  private dims: { name: string; label: string }[] = [];
  /** Each dimension's scale, so nominal values are shown by their labels. */
  private scales = new Map<string, Scale>();
  private hide = true;
  private sort: SortKey = "disagreement";
  private current: number | null = null;
  /** Mounted: answers that arrive after unmount are dropped. */
  private readonly life = new Latest();
  /** The profile being opened (a newer one voids an older answer). */
  private readonly profileLoads = new Latest();
  private els!: {
    list: HTMLElement;
    profile: HTMLElement;
    alphas: HTMLElement;
    status: HTMLElement;
    dim: HTMLSelectElement;
  };

  constructor(private readonly api: ReviewApi) {}

  async mount(el: HTMLElement, ctx: StudioContext, param?: string): Promise<void> {
    this.dims = (ctx.session.codebook?.dimensions ?? []).map((d) => ({ name: d.name, label: d.label }));
    this.scales = new Map((ctx.session.codebook?.dimensions ?? []).map((d) => [d.name, d.scale]));
    if (this.dims.length === 0) {
      replace(el, h("p", { class: "empty" }, pi().review.noDimensions));
      return;
    }
    const first = this.dims.find((d) => d.name === param)?.name ?? this.dims[0].name;
    const dim = h(
      "select",
      { id: "disagreement-dimension", onchange: () => void this.load(dim.value) },
      ...this.dims.map((d) => h("option", { value: d.name, selected: d.name === first }, d.label)),
    );
    const hide = h("input", {
      type: "checkbox",
      id: "hide-names",
      checked: this.hide,
      onchange: () => {
        this.hide = hide.checked;
        this.render();
      },
    });
    const sort = h(
      "select",
      {
        id: "disagreement-sort",
        onchange: () => {
          this.sort = sort.value as SortKey;
          this.render();
        },
      },
      h("option", { value: "disagreement" }, pi().review.sortMost),
      h("option", { value: "open" }, pi().review.sortOpen),
      h("option", { value: "spread" }, pi().review.sortSpread),
      h("option", { value: "profile" }, pi().review.sortProfile),
    );
    this.els = {
      list: h("div", {
        class: "disagreement-list",
        id: "disagreement-list",
        // ↑/↓ (or k/j) move between profiles of the list; Enter opens the focused one.
        onkeydown: (e: KeyboardEvent) => this.listKey(e),
      }),
      profile: h("section", { class: "adjudication", id: "adjudication", "aria-live": "polite" }),
      alphas: h("div", { class: "alphas", id: "alphas" }),
      status: h("span", { class: "review-status", role: "status", "aria-live": "polite" }),
      dim,
    };
    replace(
      el,
      h(
        "div",
        { class: "review-view", id: "disagreements-view" },
        h(
          "div",
          { class: "review-toolbar" },
          h("h2", {}, pi().review.disagreements),
          h("label", { for: "disagreement-dimension" }, pi().review.dimensionPick),
          dim,
          h("label", { for: "disagreement-sort" }, pi().review.sort),
          sort,
          h("label", { class: "check", for: "hide-names" }, hide, pi().review.hideNames),
          this.els.alphas,
          this.els.status,
        ),
        h("div", { class: "disagreement-layout" }, this.els.list, this.els.profile),
      ),
    );
    replace(this.els.profile, h("p", { class: "empty" }, pi().review.openAProfile));
    await this.load(first);
  }

  unmount(): void {
    this.life.stop();
    this.profileLoads.stop();
  }

  private async load(dimension: string): Promise<void> {
    this.els.status.textContent = pi().review.loading;
    try {
      this.data = await this.api.disagreements(dimension);
    } catch (e) {
      replace(this.els.list, renderError(toAppError(e)));
      return;
    }
    if (!this.life.live) return;
    this.els.status.textContent = "";
    this.current = null;
    this.render();
    replace(this.els.profile, h("p", { class: "empty" }, pi().review.openAProfile));
  }

  private listKey(e: KeyboardEvent): void {
    const step = e.key === "ArrowDown" || e.key === "j" ? 1 : e.key === "ArrowUp" || e.key === "k" ? -1 : 0;
    if (step === 0) return;
    const buttons = [...this.els.list.querySelectorAll<HTMLButtonElement>(".open-profile")];
    const i = buttons.indexOf(document.activeElement as HTMLButtonElement);
    const next = buttons[Math.min(buttons.length - 1, Math.max(0, i + step))];
    if (next) {
      e.preventDefault();
      next.focus();
    }
  }

  private aliases(): Map<string, string> {
    return aliasMap(this.data?.aliases ?? []);
  }

  private render(): void {
    const d = this.data;
    if (!d) return;
    replace(
      this.els.alphas,
      h("span", {}, pi().review.alphaBefore, h("strong", { id: "alpha-before" }, fmt(d.alphaBefore))),
      h(
        "span",
        { title: pi().review.alphaAfterTitle },
        pi().review.alphaAfter,
        h("strong", { id: "alpha-after" }, fmt(d.alphaAfter)),
      ),
      h("span", { class: "muted", id: "adjudicated-count" }, pi().review.settledOf(d.adjudicated, d.profiles.length)),
    );
    if (d.profiles.length === 0) {
      replace(this.els.list, h("p", { class: "empty" }, pi().review.noPairs));
      return;
    }
    const aliases = this.aliases();
    const rows = sortDisagreements(d.profiles, this.sort).map((p, i) => this.row(p, i, aliases, d.scale));
    replace(
      this.els.list,
      h(
        "table",
        { class: "data disagreements" },
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            h("th", { scope: "col", class: "num" }, "#"),
            h("th", { scope: "col" }, pi().review.profile),
            h("th", { scope: "col" }, pi().review.values),
            h("th", { scope: "col", class: "num", title: pi().review.disagreementTitle }, pi().review.disagreement),
            h("th", { scope: "col" }, pi().review.settled),
          ),
        ),
        h("tbody", {}, ...rows),
      ),
    );
  }

  private row(p: DisagreementRow, i: number, aliases: Map<string, string>, scale: Scale): HTMLElement {
    return h(
      "tr",
      {
        class: `${p.adjudicated !== null ? "settled" : ""}${p.profileId === this.current ? " current" : ""}`,
        "data-profile-id": p.profileId,
      },
      h("td", { class: "num" }, String(i + 1)),
      h(
        "th",
        { scope: "row" },
        h("button", { class: "link open-profile", onclick: () => void this.openProfile(p.profileId) }, `${p.person} · ${p.context}`),
      ),
      h(
        "td",
        { class: "values" },
        p.values
          .map((v) => ({ name: shownName(v.rater, aliases, this.hide), value: v.value }))
          .sort((a, b) => a.name.localeCompare(b.name))
          .map((v) => `${v.name}: ${valueText(v.value, scale)}`)
          .join(", "),
      ),
      h("td", { class: "num" }, fmt(p.disagreement, 2)),
      h("td", { class: "adjudicated" }, p.adjudicated !== null ? `✓ ${valueText(p.adjudicated, scale)}` : ""),
    );
  }

  private async openProfile(profileId: number): Promise<void> {
    const fresh = this.profileLoads.next();
    this.current = profileId;
    this.render();
    let view: ProfileRatings;
    try {
      view = await this.api.profile(profileId);
    } catch (e) {
      if (fresh()) replace(this.els.profile, renderError(toAppError(e)));
      return;
    }
    if (!fresh() || !this.data) return;
    this.renderProfile(view, this.data);
  }

  private renderProfile(view: ProfileRatings, d: Disagreements): void {
    const aliases = aliasMap(d.aliases);
    const row = view.dimensions.find((x) => x.dimension === d.dimension);
    const choices = scaleChoices(d.scale);
    const value: HTMLInputElement | HTMLSelectElement = choices
      ? h(
          "select",
          { id: "adjudicated-value" },
          h("option", { value: "", selected: row?.adjudicated == null }, pi().review.choose),
          ...choices.map((c) => h("option", { value: String(c.value), selected: row?.adjudicated === c.value }, c.label)),
        )
      : h("input", {
          id: "adjudicated-value",
          type: "number",
          step: d.scale.type === "continuous" && d.scale.step ? String(d.scale.step) : "any",
          min: d.scale.type === "continuous" ? String(d.scale.min) : undefined,
          max: d.scale.type === "continuous" ? String(d.scale.max) : undefined,
          value: row?.adjudicated ?? "",
        });
    const note = h("textarea", { id: "adjudication-note", rows: 2, placeholder: pi().review.notePlaceholder }, row?.note ?? "");
    const message = h("p", { class: "form-message", role: "alert" });
    const save = async () => {
      const v = Number(value.value);
      if (value.value === "" || !Number.isFinite(v)) {
        message.textContent = pi().review.chooseFirst;
        value.focus();
        return;
      }
      try {
        const updated = await this.api.adjudicate({ profileId: view.profile.id, dimension: d.dimension, value: v, note: note.value || null });
        if (!this.life.live) return;
        this.data = updated;
        const next = nextOpen(sortDisagreements(updated.profiles, this.sort), view.profile.id);
        this.els.status.textContent = pi().review.savedValue(valueText(v, d.scale), `${view.profile.person} · ${view.profile.context}`);
        if (next !== null) await this.openProfile(next);
        else {
          this.current = view.profile.id;
          this.render();
          await this.openProfile(view.profile.id);
        }
      } catch (e) {
        message.textContent = toAppError(e).message;
      }
    };
    const form = h(
      "form",
      {
        class: "adjudicate-form",
        id: "adjudicate-form",
        onsubmit: (e: Event) => {
          e.preventDefault();
          void save();
        },
        onkeydown: (e: KeyboardEvent) => {
          // Enter in the note adds a line; Ctrl+Enter saves from anywhere in the form, and Enter
          // saves from the value field (a select does not submit a form by itself).
          const inValue = (e.target as HTMLElement | null)?.id === "adjudicated-value";
          if (e.key === "Enter" && (e.ctrlKey || e.metaKey || inValue)) {
            e.preventDefault();
            void save();
          }
        },
      },
      h("label", { for: "adjudicated-value" }, pi().review.settledValueOf(d.label)),
      value,
      h("label", { for: "adjudication-note" }, pi().review.note),
      note,
      h("button", { type: "submit", class: "primary", id: "save-adjudication" }, pi().review.saveAndNext, h("kbd", {}, pi().review.ctrlEnter)),
      message,
    );
    // Columns in the order of the names shown (Rater A, B, … when hidden).
    const order = view.raters
      .map((r, i) => ({ name: shownName(r, aliases, this.hide), i }))
      .sort((a, b) => a.name.localeCompare(b.name));
    const head = order.map((o) => h("th", { scope: "col", class: "num" }, o.name));
    const values = h(
      "table",
      { class: "data side-by-side", id: "side-by-side" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, pi().review.dimension), ...head, h("th", { scope: "col", class: "num" }, pi().review.settled))),
      h(
        "tbody",
        {},
        ...view.dimensions.map((x) =>
          h(
            "tr",
            { class: x.dimension === d.dimension ? "current" : "" },
            h("th", { scope: "row" }, x.label),
            ...order.map(({ i }) => {
              const scale = this.scales.get(x.dimension);
              const v = x.values[i];
              return h("td", { class: "num" }, scale ? valueText(v, scale) : v === null || v === undefined ? "—" : Number.isInteger(v) ? String(v) : fmt(v, 2));
            }),
            h("td", { class: "num" }, x.adjudicated === null ? "" : (() => {
              const scale = this.scales.get(x.dimension);
              return scale ? valueText(x.adjudicated, scale) : String(x.adjudicated);
            })()),
          ),
        ),
      ),
    );
    const texts = view.profile.texts.map((t) =>
      h(
        "article",
        { class: "text" },
        t.title ? h("h4", {}, t.title) : null,
        h("p", { class: "meta" }, [t.created_at, t.url].filter(Boolean).join(" · ")),
        h("p", { class: "body" }, t.text),
      ),
    );
    replace(
      this.els.profile,
      h("h3", {}, `${view.profile.person} · ${view.profile.context}`),
      values,
      form,
      h("h4", {}, pi().review.material),
      h("div", { class: "adjudication-material" }, ...texts),
    );
    value.focus();
  }
}
