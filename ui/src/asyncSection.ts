// Async answers that may arrive after the person moved on. `Latest` is the staleness token: each
// `next()` starts a request and voids every older one, `stop()` voids all (the view left).
// `AsyncSection` is one region filled by such a request: a loading line, then the content or
// an error box; an answer that is no longer the latest is dropped.
import { h, replace } from "./dom";
import { toAppError } from "./api";
import { renderError } from "./features/study/start";
import { t } from "./i18n";

export class Latest {
  private n = 0;
  private stopped = false;

  /** Starts a request; the function says whether it is still the latest (and not stopped). */
  next(): () => boolean {
    const token = ++this.n;
    return () => !this.stopped && token === this.n;
  }

  /** Whether `stop()` has not been called. */
  get live(): boolean {
    return !this.stopped;
  }

  stop(): void {
    this.stopped = true;
  }
}

export class AsyncSection {
  private readonly latest = new Latest();

  constructor(readonly el: HTMLElement) {}

  /**
   * Shows `loading`, awaits `fetch` and hands its value to `render`, or shows the error box.
   * Resolves to whether `render` ran (false: failed, or a newer load or `stop()` came first).
   */
  async load<T>(fetch: () => Promise<T>, render: (value: T) => void, loading = t().loading): Promise<boolean> {
    const fresh = this.latest.next();
    replace(this.el, h("p", { class: "busy" }, loading));
    let value: T;
    try {
      value = await fetch();
    } catch (e) {
      if (fresh()) replace(this.el, renderError(toAppError(e)));
      return false;
    }
    if (!fresh()) return false;
    render(value);
    return true;
  }

  stop(): void {
    this.latest.stop();
  }
}
