// Queue logic: what comes next, and the progress numbers. Only this rater's own counts.
import type { CodebookView, OwnProgress, QueueItem } from "../../bindings";

export const isDone = (e: Pick<QueueItem, "rated" | "total">): boolean => e.total > 0 && e.rated >= e.total;

/**
 * The profile after `currentId`: the first one not fully rated, searching forward from the
 * current position and wrapping around, never the current one (so skipping moves on). Flagged
 * profiles come after the unflagged ones. `null` when nothing else is left to rate.
 */
export function nextProfile(
  queue: QueueItem[],
  currentId: number | null,
  /** `currentId`'s index in `queue` (-1: not in it), when the caller keeps an index. */
  start: number = currentId === null ? -1 : queue.findIndex((e) => e.profileId === currentId),
): number | null {
  // One pass without copies: the queue can hold 100k profiles and this runs on every Enter.
  const n = queue.length;
  let firstOpen: QueueItem | null = null;
  for (let k = 0; k < n; k++) {
    const i = (start + 1 + k) % n;
    if (i === start) continue;
    const e = queue[i];
    if (isDone(e) || e.profileId === currentId) continue;
    if (!e.flagged) return e.profileId;
    firstOpen ??= e;
  }
  return firstOpen ? firstOpen.profileId : null;
}

export interface Progress {
  done: number;
  assigned: number;
  flagged: number;
  /** Profiles started but not finished. */
  partial: number;
  /** Ratings missing over all assigned profiles. */
  missing: number;
}

export function progress(queue: QueueItem[]): Progress {
  let done = 0, flagged = 0, partial = 0, missing = 0;
  for (const e of queue) {
    if (isDone(e)) done++;
    else if (e.rated > 0) partial++;
    if (e.flagged) flagged++;
    missing += Math.max(0, e.total - e.rated);
  }
  return { done, assigned: queue.length, flagged, partial, missing };
}

/** What one entry adds to `progress` (a profile counts as done, partial or neither). */
type Counted = Pick<QueueItem, "rated" | "total" | "flagged">;

/**
 * `p` after one entry changed from `before` to `after`: the same as `progress` over the changed
 * queue without passing over it (100k entries, on every saved rating).
 */
export function adjustProgress(p: Progress, before: Counted, after: Counted): Progress {
  const done = (e: Counted) => Number(isDone(e));
  const partial = (e: Counted) => (done(e) === 0 && e.rated > 0 ? 1 : 0);
  const missing = (e: Counted) => Math.max(0, e.total - e.rated);
  return {
    done: p.done - done(before) + done(after),
    assigned: p.assigned,
    flagged: p.flagged - Number(before.flagged) + Number(after.flagged),
    partial: p.partial - partial(before) + partial(after),
    missing: p.missing - missing(before) + missing(after),
  };
}

export function position(queue: QueueItem[], id: number): number {
  return queue.findIndex((e) => e.profileId === id) + 1;
}

export interface DimensionRemaining {
  dimension: string;
  label: string;
  rated: number;
  assigned: number;
  /** Profiles of the queue still without this rater's rating on the dimension. */
  missing: number;
}

/** Per-dimension progress in the order given (codebook order), labelled from the codebook. */
export function dimensionsRemaining(rows: OwnProgress[], codebook: CodebookView): DimensionRemaining[] {
  return rows.map((r) => ({
    dimension: r.dimension,
    label: codebook.dimensions.find((d) => d.name === r.dimension)?.label || r.dimension,
    rated: r.rated,
    assigned: r.assigned,
    missing: Math.max(0, r.assigned - r.rated),
  }));
}
