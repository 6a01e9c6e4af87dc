// The rating screen: material on the left, the codebook's dimensions as a keyboard-first form on
// the right, a codebook panel for the focused dimension, queue and shortcut overlays. All
// profile material goes into the DOM as text nodes (see dom.ts), never as HTML.
import { toAppError, type Backend } from "../../api";
import type {
  CodebookView,
  DimensionView,
  ProfileView,
  QueueItem,
  OwnChange,
  SessionView,
} from "../../bindings";
import { historyText } from "./history";
import { h, replace } from "../../dom";
import { actionFor, type Action, type Target } from "./keys";
import { adjustProgress, isDone, nextProfile, progress, type Progress } from "./queue";
import { stepValue, valueForDigit } from "./scale";
import { fillDimension, focusDimension, materialNodes, positionText } from "./renderer";
import { CANT_JUDGE, RatingSession } from "./session";
import { instructionsPage } from "./instructions";
import type { ReviewApi } from "../review/api";
import { codebookNotice } from "../review/notice";
import { Latest } from "../../asyncSection";
import { codebookPanel } from "./codebookPanel";
import { helpOverlay, queueOverlay } from "./overlays";
import { t } from "../../i18n";

/** Measurements the e2e run reads: keypress → next profile shown, in ms. */
interface PerfLog {
  nav: number[];
  /** When the first profile was drawn (the frame after it was rendered), ms since the epoch. */
  firstProfileAt?: number;
}
declare global {
  interface Window {
    __chameleonPerf?: PerfLog;
  }
}

export interface RatingScreenHooks {
  onClose(): void;
  onSwitchRater(): void;
  /** Leaves rating for the review and analysis views. */
  onStudio(): void;
}


export class RatingScreen {
  private root!: HTMLElement;
  private session: RatingSession | null = null;
  private queue: QueueItem[] = [];
  /** Each profile's index in `queue`, and its progress kept in step: no pass over 100k entries per save. */
  private queueIndex = new Map<number, number>();
  private queueProgress: Progress = progress([]);
  /** The backend's queue generation `queue` was fetched at (see `Backend.queueGeneration`). */
  private queueGeneration: number | null = null;
  /** False until the first queue list arrived (it follows the first profile, see `mount`). */
  private queueLoaded = false;
  /** Settles when that first list arrived or failed (never rejects): what needs the list waits for it. */
  private queueReady: Promise<void> = Promise.resolve();
  private busy = false;
  private overlay: "help" | "queue" | null = null;
  /** Profiles shown in this visit, oldest first: the "previous profile" key goes back along it. */
  private readonly visited: number[] = [];
  /** Bumped for each history read: only the latest one fills the panel. */
  /** The focused rating's history request (a newer focus voids an older answer). */
  private readonly history = new Latest();
  private dimEls = new Map<string, HTMLElement>();
  private els!: {
    material: HTMLElement;
    dims: HTMLElement;
    codebook: HTMLElement;
    review: HTMLElement;
    progressBar: HTMLProgressElement;
    progressText: HTMLElement;
    saveStatus: HTMLElement;
    message: HTMLElement;
    overlay: HTMLElement;
    instructions: HTMLElement;
  };
  private readonly keyHandler = (ev: KeyboardEvent) => this.onKey(ev);
  private readonly codebook: CodebookView;

  constructor(
    private readonly backend: Backend,
    private readonly sessionInfo: SessionView,
    private readonly hooks: RatingScreenHooks,
    /** A line about what is open, e.g. that the study is an annotator's package. */
    private readonly notice?: string,
    /** Asked whether the codebook changed since this rater last rated; none = not asked. */
    private readonly review: Pick<ReviewApi, "codebookChanged" | "codebookChanges"> | null = null,
  ) {
    this.codebook = sessionInfo.codebook ?? {
      name: null,
      guidelines: "",
      version: 0,
      dimensions: [],
      showPersonIds: false,
    };
  }

  async mount(root: HTMLElement): Promise<void> {
    this.root = root;
    const progressBar = h("progress", { max: 1, value: 0, "aria-label": t().profilesDone });
    const els = {
      material: h("section", { class: "material", "aria-label": t().profileMaterial, tabindex: -1 }),
      dims: h("div", { class: "dims" }),
      codebook: h("aside", { class: "codebook", "aria-label": t().codebook, "aria-live": "polite" }),
      review: h("div", { class: "review" }),
      progressBar,
      progressText: h("span", { class: "progress-text" }),
      saveStatus: h("span", { class: "save-status", role: "status", "aria-live": "polite" }),
      message: h("div", { class: "message", role: "alert" }),
      overlay: h("div", { class: "overlay-host" }),
      // Over the material only: the form and the top bar stay in reach, and rating keys work.
      instructions: h("div", { class: "instructions-host" }),
    };
    this.els = els;
    const rater = this.sessionInfo.rater;
    replace(
      root,
      h(
        "div",
        { class: "rate", id: "rate-screen" },
        h(
          "header",
          { class: "topbar" },
          h("span", { class: "brand", title: this.sessionInfo.study.path }, this.sessionInfo.study.name),
          h(
            "span",
            { class: "who" },
            t().ratingAs,
            h("strong", {}, rater?.name ?? "?"),
            " ",
            h("button", { class: "link", onclick: () => this.hooks.onSwitchRater() }, t().change),
          ),
          h("span", { class: "progress" }, progressBar, els.progressText),
          els.saveStatus,
          h("button", { class: "ghost", onclick: () => void this.openQueue(), title: t().queueTitle }, t().queue),
          h("button", { class: "ghost", id: "open-instructions", onclick: () => this.openInstructions() }, t().instructions),
          h("button", { class: "ghost", onclick: () => this.toggleHelp(), title: t().shortcutsTitle }, "?"),
          h("button", { class: "ghost", id: "to-studio", onclick: () => void this.toStudio() }, t().reviewAndAnalysis),
          h("button", { class: "ghost", onclick: () => this.close() }, t().closeStudy),
        ),
        this.notice ? h("p", { class: "package-bar", id: "package-badge" }, this.notice) : null,
        els.message,
        h(
          "main",
          { class: "rate-main" },
          h("div", { class: "left" }, els.material, els.codebook, els.instructions),
          h(
            "section",
            { class: "form", "aria-label": t().ratings },
            els.dims,
            h(
              "div",
              { class: "form-footer" },
              els.review,
              h(
              "div",
              { class: "actions" },
              h("button", { id: "previous", onclick: () => void this.previous() }, t().previous, h("kbd", {}, "p")),
              h("button", { id: "skip", onclick: () => this.go("skip") }, t().skip, h("kbd", {}, "s")),
              h(
                "button",
                { id: "next", class: "primary", onclick: () => this.go("next") },
                t().saveAndNext,
                h("kbd", {}, "Enter"),
              ),
            ),
            ),
          ),
        ),
        els.overlay,
      ),
    );
    document.addEventListener("keydown", this.keyHandler);
    if (this.review) void codebookNotice(this.review).then((n) => n && els.message.before(n));
    // The first profile comes before the queue list: at a lab's scale that list is 100k entries
    // (megabytes to send and parse), and the rater can read and rate while it arrives.
    const first = await this.backend.nextUnrated();
    if (first === null) {
      // Everything is rated, or nothing is queued: the list says which, and what to show.
      await this.loadQueue();
      const any = this.queue[0]?.profileId ?? null;
      if (any === null) this.showEmpty(t().noProfiles);
      else await this.show(any);
      if (any !== null && this.queue.every((e) => e.rated === 0)) this.openInstructions();
      return;
    }
    const [view, progress] = await Promise.all([this.backend.loadProfile(first), this.backend.dimensionProgress()]);
    this.showView(view);
    this.renderProgress();
    requestAnimationFrame(() => {
      const perf = (window.__chameleonPerf ??= { nav: [] });
      perf.firstProfileAt ??= performance.timeOrigin + performance.now();
    });
    // Before the first profile: what to do and how, once, until something is rated (no rating
    // on any dimension of the queue is no rating on any profile of it).
    if (progress.every((d) => d.rated === 0)) this.openInstructions();
    void this.loadQueue();
  }

  /**
   * Fetches the queue list for the first time: the position and progress lines fill in, and
   * what waited on `queueReady` goes on. A failure is shown, and the next sync fetches again.
   */
  private loadQueue(): Promise<void> {
    this.queueReady = this.refreshQueue().then(
      () => {
        this.queueLoaded = true;
        // Saves made while the list was on its way may be missing from it.
        this.syncCurrentEntry();
        this.renderProgress();
        this.renderPosition();
      },
      (e) => this.setMessage(toAppError(e).message),
    );
    return this.queueReady;
  }

  unmount(): void {
    document.removeEventListener("keydown", this.keyHandler);
  }

  private async close(): Promise<void> {
    if (this.session && (await this.leaveCurrent()) === false) return;
    this.unmount();
    this.hooks.onClose();
  }

  private async toStudio(): Promise<void> {
    if (this.session && (await this.leaveCurrent()) === false) return;
    this.unmount();
    this.hooks.onStudio();
  }

  private async refreshQueue(): Promise<void> {
    // The generation first: a change between the two calls leaves it behind, so the next
    // check fetches again.
    const generation = await this.backend.queueGeneration();
    this.queue = await this.backend.queue();
    this.queueIndex = new Map(this.queue.map((e, i) => [e.profileId, i]));
    this.queueProgress = progress(this.queue);
    this.queueGeneration = generation;
    this.renderProgress();
  }

  /**
   * The queue list after this screen's own saves, which are already in it: fetched again (100k
   * entries at a lab's scale) only when something else changed it.
   */
  private async syncQueue(): Promise<void> {
    await this.queueReady;
    if ((await this.backend.queueGeneration()) !== this.queueGeneration) await this.refreshQueue();
    else this.renderProgress();
  }

  /** A profile's index in the queue copy, -1 when it is not in it. */
  private queueAt(profileId: number | null): number {
    return profileId === null ? -1 : (this.queueIndex.get(profileId) ?? -1);
  }

  /** Sets the current profile's queue entry's counts; false when nothing changed. */
  private setCurrentEntry(rated: number, flagged: boolean): boolean {
    const entry = this.session && this.queue[this.queueAt(this.session.profileId)];
    if (!entry || (entry.rated === rated && entry.flagged === flagged)) return false;
    const before = { rated: entry.rated, total: entry.total, flagged: entry.flagged };
    entry.rated = rated;
    entry.flagged = flagged;
    this.queueProgress = adjustProgress(this.queueProgress, before, entry);
    return true;
  }

  /** The current profile's queue entry brought up to what the screen saved. */
  private updateCurrentEntry(): void {
    const s = this.session;
    if (s) this.setCurrentEntry(s.ratedCount(), s.flagged);
  }

  /** Keeps the current profile's queue entry, and so the progress line, in step with what is saved. */
  private syncCurrentEntry(): void {
    const s = this.session;
    const entry = s && this.queue[this.queueAt(s.profileId)];
    if (!s || !entry) return;
    const rated = s.dims.filter((d) => s.state(d.name).status === "saved").length;
    if (this.setCurrentEntry(rated, entry.flagged)) this.renderProgress();
  }

  private renderProgress(): void {
    if (!this.queueLoaded) {
      this.els.progressText.textContent = t().queueLoading;
      return;
    }
    const p = this.queueProgress;
    this.els.progressBar.max = Math.max(1, p.assigned);
    this.els.progressBar.value = p.done;
    // Every number here counts profiles (ratings per dimension are in the queue overlay).
    const extra = [
      p.partial ? t().started(p.partial) : "",
      p.flagged ? t().flaggedCount(p.flagged) : "",
    ].filter(Boolean);
    this.els.progressText.textContent =
      t().profilesDoneOf(p.done, p.assigned) + (extra.length ? ` · ${extra.join(" · ")}` : "");
  }

  private showEmpty(text: string): void {
    this.session = null;
    replace(this.els.material, h("div", { class: "empty" }, h("h1", {}, text)));
    replace(this.els.dims);
    replace(this.els.review);
    replace(this.els.codebook);
  }

  /** Loads and shows one profile. */
  async show(profileId: number): Promise<void> {
    this.showView(await this.backend.loadProfile(profileId));
  }

  private showView(view: ProfileView): void {
    if (this.visited[this.visited.length - 1] !== view.profile.id) this.visited.push(view.profile.id);
    this.session = new RatingSession(this.backend, this.codebook, view, (what, dim) =>
      this.onSessionChange(what, dim),
    );
    this.renderProfile();
  }

  private renderProfile(): void {
    const s = this.session;
    if (!s) return;
    const p = s.view.profile;
    const pos = this.queueLoaded ? this.queueAt(p.id) + 1 : null;
    this.root.querySelector(".rate")?.setAttribute("data-profile-id", String(p.id));
    replace(this.els.material, ...materialNodes(p, pos, this.queue.length, this.codebook.showPersonIds));
    this.els.material.scrollTop = 0;
    this.dimEls.clear();
    replace(this.els.dims, ...s.dims.map((d, i) => this.renderDim(d, i)));
    this.renderReview();
    this.renderFocus();
    this.renderStatus();
    this.setMessage(null);
  }

  private renderDim(d: DimensionView, index: number): HTMLElement {
    const s = this.session!;
    const labelId = `dim-label-${index}`;
    const el = h("div", {
      class: "dim",
      role: "group",
      // One tab stop per dimension, on its chosen option or slider (see focusDimension).
      "aria-labelledby": labelId,
      "data-dimension": d.name,
      onfocusin: () => s.focus(index),
    });
    this.dimEls.set(d.name, el);
    fillDimension(el, d, labelId, this.session!);
    return el;
  }

  private renderReview(): void {
    const s = this.session!;
    const note = h("textarea", {
      id: "note",
      rows: 2,
      placeholder: t().notePlaceholder,
      "aria-label": t().note,
    });
    note.value = s.note;
    note.addEventListener("input", () => (s.note = note.value));
    const conf = h(
      "div",
      { class: "confidence", role: "radiogroup", "aria-label": t().confidence },
      h("span", { class: "label" }, t().confidence),
      // Stored as 0..1; shown as five steps.
      ...[1, 2, 3, 4, 5].map((c) => {
        const v = (c - 1) / 4;
        const on = s.confidence !== null && Math.abs(s.confidence - v) < 1e-9;
        return h(
          "button",
          {
            class: "small conf",
            role: "radio",
            title: t().confidenceLevels[c - 1],
            "aria-checked": on ? "true" : "false",
            onclick: () => s.setConfidence(on ? null : v),
          },
          String(c),
        );
      }),
    );
    const flag = h(
      "button",
      {
        id: "flag",
        class: s.flagged ? "small flag on" : "small flag",
        "aria-pressed": s.flagged ? "true" : "false",
        onclick: () => void this.flag(),
      },
      s.flagged ? t().flagged : t().flagForLater,
      " ",
      h("kbd", {}, "f"),
    );
    replace(
      this.els.review,
      note,
      h("div", { class: "review-row" }, conf, flag),
      s.reviewError ? h("div", { class: "error" }, s.reviewError) : null,
    );
  }

  private renderCodebook(): void {
    const d = this.session?.focusedDim;
    if (!d) {
      replace(this.els.codebook);
      return;
    }
    const history = h("p", { class: "rating-history", id: "rating-history", hidden: true });
    replace(this.els.codebook, ...codebookPanel(d, this.codebook.guidelines, history));
    void this.loadHistory(d, history);
  }

  /** Fills `el` with the focused rating's earlier values, unless the focus moved on meanwhile. */
  private async loadHistory(d: DimensionView, el: HTMLElement): Promise<void> {
    const s = this.session;
    if (!s) return;
    const fresh = this.history.next();
    let changes: OwnChange[];
    try {
      changes = await this.backend.ratingHistory(s.profileId, d.name);
    } catch {
      return; // a recollection, not the rating: a failed read leaves the line out
    }
    if (!fresh() || !el.isConnected) return;
    el.textContent = historyText(d, changes);
    el.hidden = el.textContent === "";
  }

  /** The shown profile's place in the queue, once the list is there. */
  private renderPosition(): void {
    const el = this.els.material.querySelector("#profile-position");
    if (el && this.session) el.textContent = positionText(this.queueAt(this.session.profileId) + 1, this.queue.length);
  }

  private renderFocus(): void {
    const s = this.session;
    if (!s) return;
    s.dims.forEach((d, i) => this.dimEls.get(d.name)?.classList.toggle("focused", i === s.focused));
    const el = s.focusedDim && this.dimEls.get(s.focusedDim.name);
    const active = document.activeElement;
    const typing =
      active instanceof HTMLTextAreaElement || (active instanceof HTMLInputElement && active.type !== "range");
    if (el && !typing && !el.contains(active) && this.overlay === null) {
      focusDimension(el, { preventScroll: true });
      el.scrollIntoView({ block: "nearest" });
    }
    this.renderCodebook();
  }

  private renderStatus(): void {
    const s = this.session;
    const el = this.els.saveStatus;
    if (!s) {
      el.textContent = "";
      return;
    }
    const failed = s.failed().length;
    el.className = "save-status";
    if (failed) {
      el.textContent = t().notSavedRetry(failed);
      el.classList.add("failed");
    } else if (s.saving()) {
      el.textContent = t().saving;
      el.classList.add("saving");
    } else {
      el.textContent = s.ratedCount() ? t().allSaved : "";
      el.classList.add("saved");
    }
  }

  private onSessionChange(what: string, dimension?: string): void {
    const s = this.session;
    if (!s) return;
    if (what === "dimension" && dimension) {
      const el = this.dimEls.get(dimension);
      const d = s.dims.find((x) => x.name === dimension);
      if (el && d) fillDimension(el, d, el.getAttribute("aria-labelledby") ?? "", this.session!);
      this.renderStatus();
      this.syncCurrentEntry();
      // A change saved while its dimension is in the panel (←/→ on a slider, undo) is history.
      const shown = this.els.codebook.querySelector<HTMLElement>("#rating-history");
      const written = ["saved", "empty"].includes(s.state(dimension).status); // not saving or failed
      if (d && shown && written && s.focusedDim?.name === dimension) {
        void this.loadHistory(d, shown);
      }
    } else if (what === "focus") {
      this.renderFocus();
    } else if (what === "review") {
      this.renderReview();
    }
  }

  private setMessage(text: string | null, kind: "error" | "info" = "error"): void {
    const m = this.els.message;
    m.className = text ? `message ${kind}` : "message";
    m.textContent = text ?? "";
  }

  private async flag(): Promise<void> {
    if (!this.session) return;
    try {
      await this.queueReady;
      await this.session.toggleFlag();
      this.updateCurrentEntry();
      await this.syncQueue();
    } catch (e) {
      this.setMessage(t().flagNotSaved(toAppError(e).message));
    }
  }

  /** Saves the current profile's review; false (with the reason shown) if it must stay. */
  private async leaveCurrent(): Promise<boolean> {
    if (!this.session) return true;
    const problem = await this.session.leave();
    if (problem) {
      this.setMessage(problem);
      return false;
    }
    return true;
  }

  /** Enter / skip: save this profile, then the next one not fully rated. */
  async go(kind: "next" | "skip", t0 = performance.now()): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      if (!(await this.leaveCurrent())) return;
      await this.queueReady;
      // The queue copy, with the profile just left brought up to date, decides what comes next;
      // loading it and checking the copy is still current then run together.
      const cur = this.session;
      this.updateCurrentEntry();
      const curId = cur?.profileId ?? null;
      let next = nextProfile(this.queue, curId, this.queueAt(curId));
      if (next !== null) {
        const [view] = await Promise.all([this.backend.loadProfile(next), this.syncQueue()]);
        this.showView(view);
        if (kind === "next") this.recordNav(t0);
        return;
      }
      await this.refreshQueue();
      next = nextProfile(this.queue, curId, this.queueAt(curId));
      if (next === null) {
        const all = this.queue.length > 0 && this.queue.every(isDone);
        this.setMessage(
          all
            ? t().allRated
            : t().noOtherLeft,
          "info",
        );
        return;
      }
      await this.show(next);
      if (kind === "next") this.recordNav(t0);
    } catch (e) {
      this.setMessage(toAppError(e).message);
    } finally {
      this.busy = false;
    }
  }

  /** Back to the profile shown before this one (in this visit), else the one before in the queue. */
  async previous(): Promise<void> {
    const cur = this.session?.profileId ?? null;
    while (this.visited.length && this.visited[this.visited.length - 1] === cur) this.visited.pop();
    let target = this.visited.pop() ?? null;
    if (target === null && cur !== null) {
      await this.queueReady;
      const i = this.queueAt(cur);
      target = i > 0 ? this.queue[i - 1].profileId : null;
    }
    if (target === null) {
      this.setMessage(t().firstProfile, "info");
      return;
    }
    await this.jump(target);
  }

  async jump(profileId: number): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      this.closeOverlay();
      if (!(await this.leaveCurrent())) return;
      await this.queueReady;
      this.updateCurrentEntry();
      await this.syncQueue();
      await this.show(profileId);
    } catch (e) {
      this.setMessage(toAppError(e).message);
    } finally {
      this.busy = false;
    }
  }

  private recordNav(t0: number): void {
    requestAnimationFrame(() => {
      const perf = (window.__chameleonPerf ??= { nav: [] });
      perf.nav.push(performance.now() - t0);
    });
  }

  private classify(target: EventTarget | null): Target {
    if (!(target instanceof HTMLElement)) return "other";
    if (target.closest(".dim")) return "dimension";
    if (target instanceof HTMLTextAreaElement) return "text";
    if (target instanceof HTMLInputElement) return target.type === "range" ? "dimension" : "text";
    if (target instanceof HTMLButtonElement) return "button";
    return "other";
  }

  private onKey(ev: KeyboardEvent): void {
    if (this.overlay === "queue") return; // the queue overlay handles its own keys
    const target = this.classify(ev.target);
    const action = actionFor(ev, target);
    if (!action) return;
    if (this.els.instructions.firstChild) {
      // Any key of the rating screen closes the instructions; a rating key also rates.
      this.closeInstructions();
      if (action.type === "escape" || action.type === "next") {
        ev.preventDefault();
        return;
      }
    }
    if (this.overlay === "help") {
      if (action.type === "help" || action.type === "escape") {
        ev.preventDefault();
        this.closeOverlay();
      }
      return;
    }
    // Tab past the last (or before the first) dimension leaves the form the usual way.
    if (action.type === "focus" && ev.key === "Tab" && this.session) {
      const to = this.session.focused + action.delta;
      if (to < 0 || to >= this.session.dims.length) return;
    }
    ev.preventDefault();
    void this.run(action, target, performance.now());
  }

  private async run(action: Action, target: Target, t0: number): Promise<void> {
    const s = this.session;
    switch (action.type) {
      case "help":
        return this.toggleHelp();
      case "queue":
        return this.openQueue();
      case "escape":
        if (target === "text" && s?.focusedDim) {
          const el = this.dimEls.get(s.focusedDim.name);
          if (el) focusDimension(el);
        }
        this.setMessage(null);
        return;
      case "next":
        return this.go("next", t0);
      case "skip":
        return this.go("skip", t0);
    }
    if (!s || this.busy) return;
    const d = s.focusedDim;
    switch (action.type) {
      case "digit": {
        if (!d) return;
        const v = valueForDigit(d.scale, action.digit);
        if (v === null) {
          this.setMessage(t().notAValue(action.digit, d.label), "info");
          return;
        }
        this.setMessage(null);
        // Set, then move: a screen reader says the chosen value, then the next dimension.
        const saved = s.set(d.name, v);
        s.move(1);
        return saved;
      }
      case "step": {
        if (!d) return;
        const cur = s.state(d.name).value;
        const v = stepValue(d.scale, typeof cur === "number" ? cur : null, action.delta);
        if (v !== null) return s.set(d.name, v);
        return;
      }
      case "focus":
        if (target === "dimension" || target === "other") {
          s.move(action.delta);
          const el = this.dimEls.get(s.focusedDim?.name ?? "");
          if (el) focusDimension(el);
        }
        return;
      case "cantJudge": {
        if (!d) return;
        const saved = s.set(d.name, s.state(d.name).value === CANT_JUDGE ? null : CANT_JUDGE);
        if (s.state(d.name).value === CANT_JUDGE) s.move(1);
        return saved;
      }
      case "confidence":
        s.cycleConfidence();
        return;
      case "previous":
        return this.previous();
      case "undo": {
        const undone = await s.undo();
        this.setMessage(
          undone ? null : t().nothingToUndo,
          "info",
        );
        const el = undone && this.dimEls.get(undone.dimension);
        if (el) focusDimension(el);
        return;
      }
      case "flag":
        return this.flag();
      case "note":
        (this.root.querySelector("#note") as HTMLTextAreaElement | null)?.focus();
        return;
      case "retry":
        return s.retry();
    }
  }

  private closeOverlay(): void {
    this.overlay = null;
    replace(this.els.overlay);
    this.renderFocus();
  }

  private toggleHelp(): void {
    if (this.overlay === "help") return this.closeOverlay();
    this.overlay = "help";
    const help = helpOverlay(() => this.closeOverlay());
    replace(this.els.overlay, help.el);
    help.focus();
  }

  private openInstructions(): void {
    const page = instructionsPage(this.codebook, () => this.closeInstructions());
    replace(this.els.instructions, page.el);
    page.focus();
  }

  private closeInstructions(): void {
    replace(this.els.instructions);
    this.renderFocus();
  }

  private async openQueue(): Promise<void> {
    await this.queueReady;
    this.overlay = "queue";
    const queue = queueOverlay({
      queue: this.queue,
      current: this.session?.profileId,
      codebook: this.codebook,
      progress: () => this.backend.dimensionProgress(),
      onJump: (id) => void this.jump(id),
      onClose: () => this.closeOverlay(),
    });
    replace(this.els.overlay, queue.el);
    queue.focus();
  }
}

