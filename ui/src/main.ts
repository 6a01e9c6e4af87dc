// Boot and screen routing: start → who is rating → rating screen, and the studio (review and
// analysis) for the open study, reachable from both. The bottom of this file is the one
// composition root: it builds every API object over Tauri's IPC and hands them down, so no
// screen or view constructs its own (tests hand in fakes the same way).
import { tauriBackend, toAppError, type Backend } from "./api";
import type { SessionView } from "./bindings";
import { h, replace } from "./dom";
import { RatingScreen } from "./features/annotate/screen";
import { StudioScreen } from "./features/studio/shell";
import { studioViews, type StudioApis } from "./features/studio/views";
import { tauriAnalysisApi } from "./features/analysis/api";
import { AnalysisRuns } from "./features/analysis/view";
import { tauriReviewApi } from "./features/review/api";
import { mountIdentity } from "./features/study/identity";
import { tauriTeamApi } from "./features/team/api";
import { tauriModelsApi } from "./features/models/api";
import { ModelRuns } from "./features/models/runner";
import { packageLabel } from "./features/team/logic";
import { mountStart, renderError } from "./features/study/start";
import { initLanguage, setEnvironmentLanguages } from "./i18n";
import "./styles.css";

/** Everything the screens talk to: the backend and each feature's API. */
export interface AppApis extends StudioApis {
  backend: Backend;
}

export class App {
  private rating: RatingScreen | null = null;
  private studioScreen: StudioScreen | null = null;
  private stopStart: (() => void) | null = null;

  private readonly backend: Backend;

  constructor(
    private readonly root: HTMLElement,
    private readonly apis: AppApis,
  ) {
    this.backend = apis.backend;
  }

  /** When the open study is an annotator's package: its notice and annotator. */
  private async packageOf(): Promise<{ notice: string; rater: string } | undefined> {
    try {
      const p = await this.apis.team.packageInfo();
      return p
        ? { notice: `${packageLabel(p)}: rate as usual, then close it and send the file back to be merged.`, rater: p.rater }
        : undefined;
    } catch {
      return undefined;
    }
  }

  async boot(): Promise<void> {
    // The annotator's language before any screen is drawn.
    setEnvironmentLanguages(await this.backend.systemLanguages().catch(() => []));
    initLanguage();
    // A study opened from the file manager while the app runs comes here, not to a second app.
    void this.backend.onOpenRequested((path) => void this.openRequested(path)).catch(() => {});
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

  /** Opens a study another launch handed over; on failure the start screen shows why. */
  async openRequested(path: string): Promise<void> {
    try {
      await this.opened(await this.backend.openStudy(path));
    } catch (e) {
      await this.start();
      this.root.querySelector(".error-host")?.append(renderError(toAppError(e)));
    }
  }

  private leaveScreens(): void {
    this.stopStart?.();
    this.stopStart = null;
    this.rating?.unmount();
    this.rating = null;
    this.studioScreen?.unmount();
    this.studioScreen = null;
  }

  private close(): void {
    // A model run works on its own connection to the file: it stops with the study it rates.
    void this.apis.modelRuns?.cancel();
    void this.backend.closeStudy().finally(() => void this.start());
  }

  async start(): Promise<void> {
    this.leaveScreens();
    document.title = "Chameleon Studio";
    const start = mountStart(this.root, this.backend, (s) => void this.opened(s));
    this.stopStart = start.stop;
    await start.ready;
  }

  private title(s: SessionView): void {
    // The shell sets the native window title; the document title says the same.
    document.title = [s.study.name, s.rater?.name, "Chameleon Studio"].filter(Boolean).join(" — ");
  }

  async opened(s: SessionView): Promise<void> {
    this.title(s);
    const pkg = await this.packageOf();
    if (!s.rater && pkg) {
      // A package has one annotator: work as them at once, as the PI meant.
      try {
        s = await this.backend.chooseRater(pkg.rater, "human");
        this.title(s);
      } catch {
        // the who-is-rating screen below offers them
      }
    }
    if (!s.rater) return this.identity(s, pkg);
    this.leaveScreens();
    this.rating = new RatingScreen(this.backend, s, {
      onClose: () => this.close(),
      onSwitchRater: () => {
        this.leaveScreens();
        void this.identity(s, pkg);
      },
      onStudio: () => void this.studio(),
    }, pkg?.notice, this.apis.review);
    try {
      await this.rating.mount(this.root);
    } catch (e) {
      replace(this.root, h("div", { class: "start" }, renderError(toAppError(e))));
    }
  }

  async identity(s: SessionView, pkg?: { notice: string; rater: string }): Promise<void> {
    this.leaveScreens();
    await mountIdentity(
      this.root,
      this.backend,
      s,
      (x) => void this.opened(x),
      () => this.close(),
      () => void this.studio(),
      pkg,
    );
  }

  async studio(view?: string): Promise<void> {
    this.leaveScreens();
    let s: SessionView;
    try {
      s = await this.backend.currentSession();
    } catch (e) {
      replace(this.root, h("div", { class: "start" }, renderError(toAppError(e))));
      return;
    }
    this.title(s);
    this.studioScreen = new StudioScreen(this.backend, s, studioViews(this.apis), {
      onAnnotate: () => void this.backend.currentSession().then((x) => this.opened(x)),
      onClose: () => this.close(),
    });
    await this.studioScreen.mount(this.root, view);
  }
}

const root = document.getElementById("app");
if (root) {
  void new App(root, {
    backend: tauriBackend,
    review: tauriReviewApi,
    analysisRuns: new AnalysisRuns(tauriAnalysisApi),
    team: tauriTeamApi,
    modelRuns: new ModelRuns(tauriModelsApi),
  }).boot();
}
