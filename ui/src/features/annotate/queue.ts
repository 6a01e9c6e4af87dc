// Queue logic: what comes next, and the progress numbers. Only this rater's own counts.
import type { CodebookView, OwnProgress, QueueItem } from "../../bindings";

export const isDone = (e: QueueItem): boolean => e.total > 0 && e.rated >= e.total;

/**
 * The profile after `currentId`: the first one not fully rated, searching forward from the
 * current position and wrapping around, never the current one (so skipping moves on). Flagged
 * profiles come after the unflagged ones. `null` when nothing else is left to rate.
 */
export function nextProfile(queue: QueueItem[], currentId: number | null): number | null {
  // One pass without copies: the queue can hold 100k profiles and this runs on every Enter.
  const n = queue.length;
  const start = currentId === null ? -1 : queue.findIndex((e) => e.profileId === currentId);
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
