// The PI's side of the app: a tab bar over the studio views (agreement, disagreements, codebook,
// analysis, team) for the open study. Annotating stays on the rating screen; the shell links back.
import type { Backend } from "../../api";
import { toAppError } from "../../api";
import type { SessionDto } from "../../bindings";
import { h, replace } from "../../dom";
import { renderError } from "../study/start";
import type { StudioView, StudioViewEntry } from "./view";
import { Latest } from "../../asyncSection";

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
    private session: SessionDto,
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
          h("span", { class: "brand", title: this.session.study.path }, this.session.study.name),
          h("nav", { class: "tabs", role: "tablist", "aria-label": "Review and analysis" }, ...tabs),
          h("span", { class: "spacer" }),
          h("button", { class: "ghost", id: "to-annotate", onclick: () => this.leave(this.hooks.onAnnotate) }, "Annotate"),
          h("button", { class: "ghost", onclick: () => this.leave(this.hooks.onClose) }, "Close study"),
        ),
        content,
      ),
    );
    const start = first ?? this.views[0]?.id;
    if (start) await this.show(start);
    else replace(content, h("p", { class: "empty" }, "No review views are available."));
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
