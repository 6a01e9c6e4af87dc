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
