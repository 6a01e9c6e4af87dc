// Codebook editor: dimensions (name, label, definition, scale, level) and the guidelines in
// Markdown with a live preview rendered to safe DOM nodes. Saving goes through core's versioned
// save: an invalid codebook is refused whole with every problem listed, and nothing changes.
import { toAppError } from "../../api";
import type { Anchor, CodebookChange, CodebookEdit, DimensionEdit, Level, Scale } from "../../bindings";
import { h, replace } from "../../dom";
import { renderError } from "../study/start";
import type { StudioContext, StudioView } from "../studio/view";
import type { ReviewApi } from "./api";
import { renderMarkdown } from "./markdown";
import { pi } from "../../i18n";

const LEVELS = ["", "nominal", "ordinal", "interval", "ratio"] as const;

/** Problems the editor can see before asking the store (which checks again, and the ratings). */
export function checkCodebook(cb: CodebookEdit): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  cb.dimensions.forEach((d, i) => {
    const name = d.name.trim();
    const who = name || pi().codebook.dimensionN(i + 1);
    if (!name) out.push(pi().codebook.needsName(i + 1));
    else if (seen.has(name.toLowerCase())) out.push(pi().codebook.usedTwice(name));
    seen.add(name.toLowerCase());
    const s = d.scale;
    if (s.type === "likert" || s.type === "continuous") {
      if (!Number.isFinite(s.min) || !Number.isFinite(s.max)) out.push(pi().codebook.enterMinMax(who));
      else if (s.min >= s.max) out.push(pi().codebook.minBelowMax(who, s.min, s.max));
    }
    if (s.type === "likert" && !(Number.isInteger(s.min) && Number.isInteger(s.max))) out.push(pi().codebook.likertWhole(who));
    if (s.type === "nominal") {
      if (s.categories.length < 2) out.push(pi().codebook.twoCategories(who));
      const codes = new Set<number>();
      for (const c of s.categories) {
        if (codes.has(c.value)) out.push(pi().codebook.codeTwice(who, c.value));
        codes.add(c.value);
      }
    }
  });
  return out;
}

export function defaultScale(type: Scale["type"]): Scale {
  if (type === "likert") return { type, min: 1, max: 5, anchors: [] };
  if (type === "continuous") return { type, min: 0, max: 100, step: null };
  return { type, categories: [{ value: 1, label: "" }, { value: 2, label: "" }] };
}

const changeText = (kind: CodebookChange["kind"]): string => pi().codebook.change[kind];

/** Long texts (a definition, the guidelines) shortened for the list of changes. */
const clip = (s: string, n = 160) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** The changes a save would make, one item each: "Openness — definition: "old" → "new"". */
export function changeList(changes: CodebookChange[]): HTMLElement {
  return h(
    "ul",
    { class: "cb-changes", id: "codebook-changes" },
    ...changes.map((c) =>
      h(
        "li",
        { "data-kind": c.kind },
        h("strong", {}, c.dimension ? `${c.dimension} — ${changeText(c.kind)}` : changeText(c.kind)),
        c.kind === "guidelines"
          ? pi().codebook.edited
          : `: ${c.before === null ? "" : `${clip(c.before) || pi().codebook.none} → `}${c.after === null ? "" : clip(c.after) || pi().codebook.none}`,
      ),
    ),
  );
}

export class CodebookView implements StudioView {
  private cb: CodebookEdit | null = null;
  /** Every anchor label typed for a Likert dimension, kept while the range leaves its point out,
   * so that shrinking the range and growing it back restores it. */
  private readonly anchorMemory = new WeakMap<DimensionEdit, Map<number, string>>();
  /** Names of dimensions already in the study: matched by name, so they cannot be renamed. */
  private stored = new Set<string>();
  private els!: { dims: HTMLElement; preview: HTMLElement; messages: HTMLElement; guidelines: HTMLTextAreaElement };
  private ctx!: StudioContext;

  constructor(private readonly api: ReviewApi) {}

  async mount(el: HTMLElement, ctx: StudioContext): Promise<void> {
    this.ctx = ctx;
    this.setCodebook(await this.api.codebook());
    const guidelines = h("textarea", { id: "guidelines-input", rows: 14, spellcheck: "true" }, this.cb?.guidelines ?? "");
    guidelines.addEventListener("input", () => {
      if (this.cb) this.cb.guidelines = guidelines.value;
      this.renderPreview();
    });
    this.els = {
      dims: h("div", { class: "cb-dims", id: "cb-dims" }),
      preview: h("div", { class: "md-preview", id: "guidelines-preview", "aria-label": pi().codebook.guidelinesPreview }),
      messages: h("div", { class: "cb-messages", id: "codebook-messages", role: "status", "aria-live": "polite" }),
      guidelines,
    };
    replace(
      el,
      h(
        "div",
        { class: "review-view", id: "codebook-view" },
        h(
          "div",
          { class: "review-toolbar" },
          h("h2", {}, pi().codebook.title),
          h("span", { class: "muted", id: "codebook-version" }, pi().codebook.version(this.cb?.version ?? 0)),
          h("span", { class: "spacer" }),
          h("button", { type: "button", id: "add-dimension", onclick: () => this.addDimension() }, pi().codebook.addDimension),
          h("button", { type: "button", class: "primary", id: "save-codebook", onclick: () => void this.save() }, pi().codebook.save),
        ),
        this.els.messages,
        h(
          "div",
          { class: "cb-layout" },
          h("section", { "aria-label": pi().codebook.dimensions }, this.els.dims),
          h(
            "section",
            { class: "cb-guidelines", "aria-label": pi().codebook.guidelines },
            h("h3", {}, h("label", { for: "guidelines-input" }, pi().codebook.guidelinesMarkdown)),
            guidelines,
            h("h3", {}, pi().codebook.preview),
            this.els.preview,
          ),
        ),
      ),
    );
    this.renderDims();
    this.renderPreview();
  }

  private setCodebook(cb: CodebookEdit): void {
    this.cb = structuredClone(cb);
    this.stored = new Set(cb.dimensions.map((d) => d.name));
  }

  private renderPreview(): void {
    replace(this.els.preview, renderMarkdown(this.cb?.guidelines ?? ""));
  }

  private addDimension(): void {
    if (!this.cb) return;
    this.cb.dimensions.push({ name: "", label: null, definition: "", scale: defaultScale("likert"), level: null, ratings: 0 });
    this.renderDims();
    const inputs = this.els.dims.querySelectorAll<HTMLInputElement>(".cb-name");
    inputs[inputs.length - 1]?.focus();
  }

  private renderDims(): void {
    if (!this.cb) return;
    replace(this.els.dims, ...this.cb.dimensions.map((d, i) => this.dimensionCard(d, i)));
  }

  private dimensionCard(d: DimensionEdit, i: number): HTMLElement {
    const id = (k: string) => `cb-${i}-${k}`;
    const stored = this.stored.has(d.name);
    const text = (key: string, label: string, value: string, set: (v: string) => void, attrs: Record<string, string | boolean> = {}) =>
      h(
        "label",
        { class: "field", for: id(key) },
        h("span", {}, label),
        h("input", { type: "text", id: id(key), value, oninput: (e: Event) => set((e.target as HTMLInputElement).value), ...attrs }),
      );
    const kind = h(
      "select",
      {
        id: id("scale"),
        onchange: (e: Event) => {
          d.scale = defaultScale((e.target as HTMLSelectElement).value as Scale["type"]);
          this.renderDims();
          document.getElementById(id("scale"))?.focus();
        },
      },
      h("option", { value: "likert", selected: d.scale.type === "likert" }, pi().codebook.likert),
      h("option", { value: "continuous", selected: d.scale.type === "continuous" }, pi().codebook.continuous),
      h("option", { value: "nominal", selected: d.scale.type === "nominal" }, pi().codebook.nominal),
    );
    const level = h(
      "select",
      { id: id("level"), onchange: (e: Event) => (d.level = ((e.target as HTMLSelectElement).value || null) as Level | null) },
      ...LEVELS.map((l) => h("option", { value: l, selected: (d.level ?? "") === l }, l ? (pi().codebook.levels[l] ?? l) : pi().codebook.levelImplied)),
    );
    return h(
      "fieldset",
      { class: "cb-dim", "data-index": i },
      h("legend", {}, d.name || pi().codebook.newDimension, d.ratings ? h("span", { class: "muted" }, pi().codebook.ratings(d.ratings)) : null),
      h(
        "div",
        { class: "cb-row" },
        text("name", pi().codebook.name, d.name, (v) => (d.name = v), stored ? { readonly: true, title: pi().codebook.storedName, class: "cb-name" } : { class: "cb-name" }),
        text("label", pi().codebook.label, d.label ?? "", (v) => (d.label = v || null)),
      ),
      h(
        "label",
        { class: "field", for: id("definition") },
        h("span", {}, pi().codebook.definition),
        h("textarea", { id: id("definition"), rows: 2, oninput: (e: Event) => (d.definition = (e.target as HTMLTextAreaElement).value) }, d.definition),
      ),
      h(
        "div",
        { class: "cb-row" },
        h("label", { class: "field", for: id("scale") }, h("span", {}, pi().codebook.scale), kind),
        h("label", { class: "field", for: id("level") }, h("span", {}, pi().codebook.level), level),
      ),
      this.scaleFields(d, id),
    );
  }

  private num(idv: string, label: string, value: number | null, set: (v: number) => void, attrs: Record<string, string> = {}): HTMLElement {
    return h(
      "label",
      { class: "field small", for: idv },
      h("span", {}, label),
      h("input", {
        type: "number",
        id: idv,
        value: value ?? "",
        oninput: (e: Event) => set((e.target as HTMLInputElement).valueAsNumber),
        ...attrs,
      }),
    );
  }

  private scaleFields(d: DimensionEdit, id: (k: string) => string): HTMLElement {
    const s = d.scale;
    if (s.type === "continuous") {
      return h(
        "div",
        { class: "cb-row" },
        this.num(id("min"), pi().codebook.min, s.min, (v) => (s.min = v), { step: "any" }),
        this.num(id("max"), pi().codebook.max, s.max, (v) => (s.max = v), { step: "any" }),
        this.num(id("step"), pi().codebook.step, s.step ?? null, (v) => (s.step = Number.isFinite(v) ? v : null), { step: "any" }),
      );
    }
    if (s.type === "likert") {
      const anchors = h("div", { class: "cb-anchors" });
      const renderAnchors = () => {
        const points: number[] = [];
        if (Number.isInteger(s.min) && Number.isInteger(s.max) && s.max > s.min && s.max - s.min <= 20) {
          for (let v = s.min; v <= s.max; v++) points.push(v);
        }
        replace(
          anchors,
          ...points.map((v) =>
            h(
              "label",
              { class: "anchor", for: id(`anchor-${v}`) },
              h("span", {}, String(v)),
              h("input", {
                type: "text",
                id: id(`anchor-${v}`),
                placeholder: pi().codebook.anchorPlaceholder,
                value: s.anchors.find((a) => a.value === v)?.label ?? "",
                oninput: (e: Event) => {
                  const label = (e.target as HTMLInputElement).value;
                  setAnchor(s.anchors, v, label);
                  remembered.set(v, label);
                },
              }),
            ),
          ),
        );
      };
      let memory = this.anchorMemory.get(d);
      if (!memory) {
        memory = new Map();
        this.anchorMemory.set(d, memory);
      }
      const remembered = memory;
      const bound = (key: "min" | "max") => (v: number) => {
        for (const a of s.anchors) remembered.set(a.value, a.label);
        s[key] = v;
        // Out of range: kept in memory (hidden), not saved; back in range: shown again.
        s.anchors = [...remembered]
          .filter(([value, label]) => value >= s.min && value <= s.max && label.trim() !== "")
          .sort(([a], [b]) => a - b)
          .map(([value, label]) => ({ value, label }));
        renderAnchors();
      };
      renderAnchors();
      return h(
        "div",
        {},
        h("div", { class: "cb-row" }, this.num(id("min"), pi().codebook.from, s.min, bound("min"), { step: "1" }), this.num(id("max"), pi().codebook.to, s.max, bound("max"), { step: "1" })),
        anchors,
      );
    }
    const rows = h("div", { class: "cb-anchors" });
    const render = () =>
      replace(
        rows,
        ...s.categories.map((c, k) =>
          h(
            "div",
            { class: "anchor" },
            this.num(id(`code-${k}`), pi().codebook.code, c.value, (v) => (c.value = v), { step: "1" }),
            h("input", {
              type: "text",
              "aria-label": pi().codebook.categoryLabel(k + 1),
              value: c.label,
              oninput: (e: Event) => (c.label = (e.target as HTMLInputElement).value),
            }),
            h(
              "button",
              { type: "button", class: "ghost", "aria-label": pi().codebook.removeCategory(k + 1), onclick: () => (s.categories.splice(k, 1), render()) },
              "×",
            ),
          ),
        ),
        h(
          "button",
          {
            type: "button",
            class: "ghost",
            onclick: () => {
              const next = s.categories.reduce((m, c) => Math.max(m, c.value), 0) + 1;
              s.categories.push({ value: next, label: "" });
              render();
            },
          },
          pi().codebook.addCategory,
        ),
      );
    render();
    return rows;
  }

  /** Checks, then shows what the save would change and asks; saves only on confirmation. */
  private async save(): Promise<void> {
    if (!this.cb) return;
    const problems = checkCodebook(this.cb);
    if (problems.length) {
      replace(this.els.messages, h("div", { class: "error-box", role: "alert" }, h("p", { class: "error-title" }, pi().codebook.notSaved), h("ul", {}, ...problems.map((p) => h("li", {}, p)))));
      return;
    }
    let changes: CodebookChange[];
    try {
      changes = await this.api.codebookDiff(this.cb);
    } catch (e) {
      replace(this.els.messages, renderError(toAppError(e)));
      return;
    }
    if (changes.length === 0) {
      replace(this.els.messages, h("p", { class: "ok-box", id: "codebook-unchanged" }, pi().codebook.nothingToSave));
      return;
    }
    const version = (this.cb.version ?? 0) + 1;
    const confirm = h("button", { type: "button", class: "primary", id: "codebook-confirm-save", onclick: () => void this.commit() }, pi().codebook.saveAsVersion(version));
    const cancel = h(
      "button",
      {
        type: "button",
        id: "codebook-cancel-save",
        onclick: () => {
          replace(this.els.messages, h("p", { class: "muted", id: "codebook-cancelled" }, pi().codebook.cancelled));
          document.getElementById("save-codebook")?.focus();
        },
      },
      pi().codebook.cancel,
    );
    replace(
      this.els.messages,
      h(
        "div",
        { class: "cb-confirm", id: "codebook-confirm", role: "alertdialog", "aria-labelledby": "codebook-confirm-title" },
        h("p", { class: "cb-confirm-title", id: "codebook-confirm-title" }, pi().codebook.confirm(changes.length)),
        changeList(changes),
        h("p", { class: "muted" }, pi().codebook.annotatorsTold),
        h("div", { class: "cb-confirm-actions" }, confirm, cancel),
      ),
    );
    confirm.focus();
  }

  private async commit(): Promise<void> {
    if (!this.cb) return;
    try {
      const saved = await this.api.saveCodebook(this.cb);
      this.setCodebook(saved.codebook);
      document.getElementById("codebook-version")!.textContent = pi().codebook.version(saved.codebook.version);
      replace(
        this.els.messages,
        h(
          "p",
          { class: "ok-box" },
          saved.changed
            ? pi().codebook.saved(saved.codebook.version, saved.added, saved.updated)
            : pi().codebook.nothingChanged,
        ),
      );
      this.renderDims();
      await this.ctx.refreshSession();
    } catch (e) {
      const err = toAppError(e);
      // Row line numbers mean nothing for an edited codebook: list the messages.
      replace(
        this.els.messages,
        err.rows.length
          ? h("div", { class: "error-box", role: "alert" }, h("p", { class: "error-title" }, pi().codebook.notSavedNothing), h("ul", {}, ...err.rows.map((r) => h("li", {}, r.message))))
          : renderError(err),
      );
    }
  }
}

function setAnchor(anchors: Anchor[], value: number, label: string): void {
  const i = anchors.findIndex((a) => a.value === value);
  if (label.trim() === "") {
    if (i >= 0) anchors.splice(i, 1);
  } else if (i >= 0) anchors[i].label = label;
  else {
    anchors.push({ value, label });
    anchors.sort((a, b) => a.value - b.value);
  }
}
