// Files dragged onto the window from the desktop. The webview reports them itself (a drop on
// the page gives no paths in a Tauri app), so screens subscribe here rather than to DOM events.
import { getCurrentWebview } from "@tauri-apps/api/webview";

/** What the webview reports while files are dragged over it (paths only on `drop`). */
export type DropEvent = { type: "enter" | "over" | "leave" } | { type: "drop"; paths: string[] };

/** Calls `handler` for each drag event until the returned function is called. */
export function onWebviewFileDrop(handler: (e: DropEvent) => void): Promise<() => void> {
  return getCurrentWebview().onDragDropEvent((ev) => {
    const p = ev.payload;
    handler(p.type === "drop" ? { type: "drop", paths: p.paths } : { type: p.type });
  });
}

/**
 * Starts listening with `subscribe` and returns at once: `stop` works even before the
 * subscription is in place (a screen left early stops listening as soon as it starts), `ready`
 * settles once it is. `onUnavailable` runs when the webview gives no drop events.
 */
export function listenForDrops(
  subscribe: (handler: (e: DropEvent) => void) => Promise<() => void>,
  handler: (e: DropEvent) => void,
  onUnavailable: () => void,
): { stop: () => void; ready: Promise<void> } {
  let stopped = false;
  let unsubscribe: (() => void) | null = null;
  const ready = subscribe(handler).then(
    (f) => {
      if (stopped) f();
      else unsubscribe = f;
    },
    onUnavailable,
  );
  const stop = () => {
    stopped = true;
    unsubscribe?.();
    unsubscribe = null;
  };
  return { stop, ready };
}
