// The PI's side of the app: a tab bar over the studio views (agreement, disagreements, codebook,
// analysis, team) for the open study. Annotating stays on the rating screen; the shell links back.
import type { Backend } from "../../api";
import { toAppError } from "../../api";
import type { SessionView } from "../../bindings";
import { h, replace } from "../../dom";
import { renderError } from "../study/start";
import type { StudioView, StudioViewEntry } from "./view";
import { Latest } from "../../asyncSection";
import { pi } from "../../i18n";

export interface StudioHooks {
  onAnnotate(): void;
  onClose(): void;
}

export class StudioScreen {
  private current: StudioView | null = null;
  /** The view being shown (a newer tab voids an older view's mount error). */
  private readonly shown = new Latest();
  private content: HTMLElement | null = null;
  private tabs = new Map<string, HTMLButtonElement>();

  constructor(
    private readonly backend: Backend,
    private session: SessionView,
    private readonly views: StudioViewEntry[],
    private readonly hooks: StudioHooks,
  ) {}

  async mount(root: HTMLElement, first?: string): Promise<void> {
    const content = h("main", { class: "studio-main", id: "studio-content", tabindex: -1 });
    this.content = content;
    const tabs = this.views.map((v) => {
      const b = h(
        "button",
        { class: "tab", role: "tab", id: `tab-${v.id}`, "aria-selected": "false", onclick: () => void this.show(v.id) },
        v.label,
      );
      this.tabs.set(v.id, b);
      return b;
    });
    replace(
      root,
      h(
        "div",
        { class: "studio", id: "studio-screen" },
        h(
          "header",
          { class: "topbar" },
          this.nameEl(),
          h("nav", { class: "tabs", role: "tablist", "aria-label": pi().shell.tabsLabel }, ...tabs),
          h("span", { class: "spacer" }),
          h("button", { class: "ghost", id: "to-annotate", onclick: () => this.leave(this.hooks.onAnnotate) }, pi().shell.annotate),
          h("button", { class: "ghost", onclick: () => this.leave(this.hooks.onClose) }, pi().shell.closeStudy),
        ),
        content,
      ),
    );
    const start = first ?? this.views[0]?.id;
    if (start) await this.show(start);
    else replace(content, h("p", { class: "empty" }, pi().shell.noViews));
  }

  /** The study's name; a click (or Enter) turns it into a field that renames the study. */
  private nameEl(): HTMLElement {
    const show = () =>
      h(
        "button",
        {
          class: "brand ghost",
          id: "study-name",
          title: pi().shell.renameTitle(this.session.study.path),
          "aria-label": pi().shell.renameLabel(this.session.study.name),
          onclick: () => edit(),
        },
        this.session.study.name,
      );
    const host = h("span", { class: "brand-host" }, show());
    const edit = () => {
      const input = h("input", { type: "text", id: "study-name-input", value: this.session.study.name, maxlength: "120", "aria-label": pi().shell.studyName });
      const message = h("span", { class: "form-message", id: "study-name-message", role: "status" });
      const back = () => {
        replace(host, show());
        document.getElementById("study-name")?.focus();
      };
      const save = async () => {
        if (input.value.trim() === this.session.study.name) return back();
        try {
          this.session = await this.backend.renameStudy(input.value);
          back();
        } catch (e) {
          message.textContent = toAppError(e).message;
          input.focus();
        }
      };
      const form = h(
        "form",
        { class: "rename-form", id: "study-rename", onsubmit: (e: Event) => (e.preventDefault(), void save()) },
        input,
        h("button", { type: "submit", class: "small", id: "study-name-save" }, pi().shell.rename),
        h("button", { type: "button", class: "small ghost", id: "study-name-cancel", onclick: back }, pi().shell.cancel),
        message,
      );
      input.addEventListener("keydown", (e) => {
        if (e.key === "Escape") back();
      });
      replace(host, form);
      input.select();
      input.focus();
    };
    return host;
  }

  async show(id: string, param?: string): Promise<void> {
    const entry = this.views.find((v) => v.id === id);
    if (!entry || !this.content) return;
    this.current?.unmount?.();
    for (const [tid, b] of this.tabs) b.setAttribute("aria-selected", String(tid === id));
    const fresh = this.shown.next();
    const view = entry.create();
    this.current = view;
    replace(this.content);
    try {
      await view.mount(this.content, {
        backend: this.backend,
        session: this.session,
        refreshSession: async () => {
          const s = await this.backend.currentSession();
          this.session = s;
          return s;
        },
        show: (v, p) => void this.show(v, p),
      }, param);
    } catch (e) {
      if (fresh() && this.content) replace(this.content, renderError(toAppError(e)));
    }
  }

  unmount(): void {
    this.current?.unmount?.();
    this.current = null;
  }

  private leave(then: () => void): void {
    this.unmount();
    then();
  }
}
