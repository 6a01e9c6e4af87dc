// One visit of the rating screen to one profile: the rater's values, their save state, the undo
// stack, the per-profile review and the time on the profile. No DOM here: the screen renders
// what this holds and calls its methods; unit tests drive it against a fake backend.
//
// Saving rules (issue 5): a value is "saved" only after save_rating returned; a failed save keeps
// the value on screen with its error until retried or undone; saves run one at a time, in the
// order they were made, so the file always ends up with the last value shown.
import { toAppError, type Backend } from "../../api";
import type { CodebookView, DimensionView, ProfileView, ReviewRequest } from "../../bindings";
import { t } from "../../i18n";

export type SaveStatus = "empty" | "saving" | "saved" | "failed";

/** "Can't judge": stored as such and left out of every statistic (never a midpoint). */
export const CANT_JUDGE = "cant-judge";
/** A dimension's value on screen: a point of its scale, "can't judge", or empty. */
export type Value = number | typeof CANT_JUDGE | null;

export interface DimState {
  value: Value;
  status: SaveStatus;
  error: string | null;
}

export interface Change {
  dimension: string;
  before: Value;
  after: Value;
}

export type Listener = (what: "dimension" | "focus" | "review" | "status", dimension?: string) => void;

export class RatingSession {
  readonly view: ProfileView;
  readonly dims: DimensionView[];
  readonly states = new Map<string, DimState>();
  focused = 0;
  flagged: boolean;
  note: string;
  confidence: number | null;
  reviewError: string | null = null;
  private readonly undoStack: Change[] = [];
  private chain: Promise<void> = Promise.resolve();
  private readonly seq = new Map<string, number>();
  private readonly shownAt: number;
  private readonly priorSeconds: number;

  constructor(
    private readonly backend: Backend,
    codebook: CodebookView,
    view: ProfileView,
    private readonly listener: Listener = () => {},
    private readonly now: () => number = () => performance.now(),
  ) {
    this.view = view;
    this.dims = codebook.dimensions;
    const own = new Map<string, Value>(
      view.ratings.map((r) => [r.dimension.toLowerCase(), r.cantJudge ? CANT_JUDGE : r.value]),
    );
    for (const d of this.dims) {
      const value = own.get(d.name.toLowerCase()) ?? null;
      this.states.set(d.name, { value, status: value === null ? "empty" : "saved", error: null });
    }
    this.flagged = view.review.flagged;
    this.note = view.review.note ?? "";
    this.confidence = view.review.confidence;
    this.priorSeconds = view.review.secondsSpent;
    this.shownAt = now();
    // Start on the first dimension not rated yet.
    const firstEmpty = this.dims.findIndex((d) => this.state(d.name).value === null);
    this.focused = firstEmpty >= 0 ? firstEmpty : 0;
  }

  get profileId(): number {
    return this.view.profile.id;
  }

  get focusedDim(): DimensionView | undefined {
    return this.dims[this.focused];
  }

  state(dimension: string): DimState {
    return this.states.get(dimension) ?? { value: null, status: "empty", error: null };
  }

  /** Rated dimensions (saved or on the way; "can't judge" counts as done). */
  ratedCount(): number {
    return this.dims.filter((d) => this.state(d.name).value !== null).length;
  }

  failed(): string[] {
    return this.dims.filter((d) => this.state(d.name).status === "failed").map((d) => d.name);
  }

  saving(): boolean {
    return this.dims.some((d) => this.state(d.name).status === "saving");
  }

  /** Seconds on this profile in this visit. */
  visitSeconds(): number {
    return Math.max(0, (this.now() - this.shownAt) / 1000);
  }

  canUndo(): boolean {
    return this.undoStack.length > 0;
  }

  focus(index: number): void {
    const i = Math.min(this.dims.length - 1, Math.max(0, index));
    if (i !== this.focused) {
      this.focused = i;
      this.listener("focus");
    }
  }

  move(delta: 1 | -1): void {
    this.focus(this.focused + delta);
  }

  /** Sets a dimension's value (recorded for undo) and saves it; resolves when the save is done. */
  set(dimension: string, value: Value): Promise<void> {
    const before = this.state(dimension).value;
    if (before === value && this.state(dimension).status !== "failed") return Promise.resolve();
    this.undoStack.push({ dimension, before, after: value });
    return this.write(dimension, value);
  }

  /** Undoes the last change (back to the value before it, possibly empty) and saves that. */
  undo(): Promise<Change | null> {
    const last = this.undoStack.pop();
    if (!last) return Promise.resolve(null);
    const i = this.dims.findIndex((d) => d.name === last.dimension);
    if (i >= 0) this.focus(i);
    return this.write(last.dimension, last.before).then(() => last);
  }

  /** Saves again every value whose save failed. */
  retry(): Promise<void> {
    const jobs = this.failed().map((d) => this.write(d, this.state(d).value));
    return Promise.all(jobs).then(() => undefined);
  }

  private write(dimension: string, value: Value): Promise<void> {
    const n = (this.seq.get(dimension) ?? 0) + 1;
    this.seq.set(dimension, n);
    this.states.set(dimension, { value, status: "saving", error: null });
    this.listener("dimension", dimension);
    const secondsSpent = this.visitSeconds();
    const job = this.chain.then(async () => {
      let status: SaveStatus;
      let error: string | null = null;
      try {
        const cantJudge = value === CANT_JUDGE;
        await this.backend.saveRating({
          profileId: this.profileId,
          dimension,
          value: cantJudge ? null : value,
          secondsSpent,
          cantJudge,
        });
        status = value === null ? "empty" : "saved";
      } catch (e) {
        status = "failed";
        error = toAppError(e).message;
      }
      // A later change of the same dimension owns the status now.
      if (this.seq.get(dimension) === n) {
        this.states.set(dimension, { value: this.state(dimension).value, status, error });
        this.listener("dimension", dimension);
      } else if (status === "failed") {
        // An older write failed but a newer one is queued: it will settle the state.
      }
    });
    this.chain = job;
    return job;
  }

  /** Waits for every save made so far; returns the dimensions whose save failed. */
  async flush(): Promise<string[]> {
    await this.chain;
    return this.failed();
  }

  review(secondsSpent: number): ReviewRequest {
    const note = this.note.trim();
    return {
      profileId: this.profileId,
      flagged: this.flagged,
      note: note === "" ? null : note,
      confidence: this.confidence,
      secondsSpent,
    };
  }

  /** Saves flag, note, confidence and the time on the profile. Throws the AppError on failure. */
  async saveReview(): Promise<void> {
    try {
      await this.backend.saveReview(this.review(this.priorSeconds + this.visitSeconds()));
      this.reviewError = null;
    } catch (e) {
      this.reviewError = toAppError(e).message;
      this.listener("review");
      throw e;
    }
  }

  async toggleFlag(): Promise<void> {
    this.flagged = !this.flagged;
    this.listener("review");
    await this.saveReview();
  }

  /** The confidence key: steps through the five levels, then back to none. */
  cycleConfidence(): void {
    const levels = [0, 0.25, 0.5, 0.75, 1];
    const i = this.confidence === null ? -1 : levels.findIndex((v) => Math.abs(v - (this.confidence ?? 0)) < 1e-9);
    this.setConfidence(i + 1 < levels.length ? levels[i + 1] : null);
  }

  setConfidence(c: number | null): void {
    this.confidence = c;
    this.listener("review");
  }

  /**
   * Leaving the profile (Enter, skip, jump): every rating saved and the review written.
   * Returns an error sentence when the profile must not be left yet.
   */
  async leave(): Promise<string | null> {
    const failed = await this.flush();
    if (failed.length > 0) {
      const names = failed.map((f) => this.dims.find((d) => d.name === f)?.label ?? f);
      return t().notSavedNames(names.join(", "));
    }
    try {
      await this.saveReview();
    } catch (e) {
      return t().reviewNotSaved(toAppError(e).message);
    }
    return null;
  }
}
