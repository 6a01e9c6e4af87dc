// What a PI-side view (agreement, disagreements, codebook, analysis, team) plugs into: the studio
// shell mounts one view at a time into its content area and unmounts it when the user leaves.
import type { Backend } from "../../api";
import type { SessionView } from "../../bindings";

export interface StudioContext {
  /** The shared backend (open study, raters, profiles). Views bring their own feature API. */
  backend: Backend;
  session: SessionView;
  /** Re-reads the session (study counts, codebook) after a view changed the study. */
  refreshSession(): Promise<SessionView>;
  /** Switches to another view by id (e.g. from a dashboard row to its disagreements). */
  show(viewId: string, param?: string): void;
}

export interface StudioView {
  mount(el: HTMLElement, ctx: StudioContext, param?: string): Promise<void>;
  /** Stops timers, listeners and running jobs the view owns. */
  unmount?(): void;
}

export interface StudioViewEntry {
  id: string;
  label: string;
  create(): StudioView;
}
