// Boot and screen routing: start → who is rating → rating screen.
import { tauriBackend, toAppError, type Backend } from "./api";
import type { SessionDto } from "./bindings";
import { h, replace } from "./dom";
import { RatingScreen } from "./features/annotate/screen";
import { mountIdentity } from "./features/study/identity";
import { mountStart, renderError } from "./features/study/start";
import "./styles.css";

export class App {
  private rating: RatingScreen | null = null;

  constructor(
    private readonly root: HTMLElement,
    private readonly backend: Backend,
  ) {}

  async boot(): Promise<void> {
    try {
      const s = await this.backend.startupStudy();
      if (s) return this.opened(s);
    } catch (e) {
      await this.start();
      this.root.querySelector(".error-host")?.append(renderError(toAppError(e)));
      return;
    }
    await this.start();
  }

  private leaveRating(): void {
    this.rating?.unmount();
    this.rating = null;
  }

  async start(): Promise<void> {
    this.leaveRating();
    document.title = "Chameleon Studio";
    await mountStart(this.root, this.backend, (s) => void this.opened(s));
  }

  async opened(s: SessionDto): Promise<void> {
    // The shell sets the native window title; the document title says the same.
    document.title = [s.study.name, s.rater?.name, "Chameleon Studio"].filter(Boolean).join(" — ");
    if (!s.rater) return this.identity(s);
    this.leaveRating();
    this.rating = new RatingScreen(this.backend, s, {
      onClose: () => void this.backend.closeStudy().finally(() => void this.start()),
      onSwitchRater: () => {
        this.leaveRating();
        void this.identity(s);
      },
    });
    try {
      await this.rating.mount(this.root);
    } catch (e) {
      replace(this.root, h("div", { class: "start" }, renderError(toAppError(e))));
    }
  }

  async identity(s: SessionDto): Promise<void> {
    this.leaveRating();
    await mountIdentity(this.root, this.backend, s, (x) => void this.opened(x), () => {
      void this.backend.closeStudy().finally(() => void this.start());
    });
  }
}

const root = document.getElementById("app");
if (root) void new App(root, tauriBackend).boot();
