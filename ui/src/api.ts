// The one place that talks to the Rust side. Screens depend on the `Backend` interface, so unit
// tests run them against a fake (src/test/fakeBackend.ts) and the app against Tauri's IPC.
import * as cmd from "./commands";
import { open } from "@tauri-apps/plugin-dialog";
import { listen } from "@tauri-apps/api/event";
import { onWebviewFileDrop, type DropEvent } from "./drops";
import { OPEN_REQUESTED } from "./bindings";
import type {
  AppError,
  ErrorCode,
  CreateStudyRequest,
  OwnProgress,
  ProfileView,
  QueueItem,
  Rater,
  RaterKind,
  OwnChange,
  RecentStudy,
  ReviewRequest,
  SaveRatingRequest,
  SavedRating,
  SessionView,
} from "./bindings";

export type * from "./bindings";

export interface FileFilter {
  name: string;
  extensions: string[];
}

export interface Backend {
  recentStudies(): Promise<RecentStudy[]>;
  /** Takes a study off the recent list (its file stays); the list left. */
  forgetRecent(path: string): Promise<RecentStudy[]>;
  openStudy(path: string): Promise<SessionView>;
  createStudy(request: CreateStudyRequest): Promise<SessionView>;
  openDemoStudy(): Promise<SessionView>;
  startupStudy(): Promise<SessionView | null>;
  /** The user's preferred languages from the environment (BCP 47; may be empty). */
  systemLanguages(): Promise<string[]>;
  /** The open study re-read (counts, codebook, rater). */
  currentSession(): Promise<SessionView>;
  /** Names the open study (the file keeps its name); audited; Recent shows the new name. */
  renameStudy(name: string): Promise<SessionView>;
  closeStudy(): Promise<void>;
  listRaters(): Promise<Rater[]>;
  chooseRater(name: string, kind: RaterKind): Promise<SessionView>;
  queue(): Promise<QueueItem[]>;
  /**
   * Changes when the queue changed other than through this screen's own ratings and flags (an
   * import, a merge, another window): the screen keeps its copy of `queue()` in step with its
   * own saves and fetches the list again only when this moved.
   */
  queueGeneration(): Promise<number>;
  /** Per dimension, how many of the queue's profiles this rater has rated on it. */
  dimensionProgress(): Promise<OwnProgress[]>;
  /** Every value this rater gave one dimension of a profile, oldest first (their own only). */
  ratingHistory(profileId: number, dimension: string): Promise<OwnChange[]>;
  nextUnrated(): Promise<number | null>;
  loadProfile(profileId: number): Promise<ProfileView>;
  saveRating(request: SaveRatingRequest): Promise<SavedRating>;
  saveReview(request: ReviewRequest): Promise<void>;
  /** A native "open file" dialog; `null` when cancelled. */
  pickFile(title: string, filters: FileFilter[]): Promise<string | null>;
  /** Files dragged onto the window; resolves to the function that stops listening. */
  onFileDrop(handler: (e: DropEvent) => void): Promise<() => void>;
  /** Studies another launch of the app asked to open (file manager, `xdg-open`); resolves to the function that stops listening. */
  onOpenRequested(handler: (path: string) => void): Promise<() => void>;
}

/** Whatever a command rejected with, as the `{code, message}` shape. */
export function toAppError(e: unknown): AppError {
  if (e && typeof e === "object" && "code" in e && "message" in e) {
    const o = e as Partial<AppError>;
    return {
      // The Rust side only sends the codes of `ErrorCode` (bindings.ts).
      code: o.code as ErrorCode,
      message: String(o.message),
      rows: Array.isArray(o.rows) ? o.rows : [],
      path: o.path ?? null,
    };
  }
  return { code: "internal", message: e instanceof Error ? e.message : String(e), rows: [], path: null };
}

export const tauriBackend: Backend = {
  recentStudies: () => cmd.recentStudies(),
  forgetRecent: (path) => cmd.forgetRecentStudy({ path }),
  openStudy: (path) => cmd.openStudy({ path }),
  createStudy: (request) => cmd.createStudy({ request }),
  openDemoStudy: () => cmd.openDemoStudy(),
  startupStudy: () => cmd.startupStudy(),
  systemLanguages: () => cmd.systemLanguages(),
  currentSession: () => cmd.currentSession(),
  renameStudy: (name) => cmd.renameStudy({ name }),
  closeStudy: () => cmd.closeStudy(),
  listRaters: () => cmd.listRaters(),
  chooseRater: (name, kind) => cmd.chooseRater({ name, kind }),
  queue: () => cmd.queue(),
  queueGeneration: () => cmd.queueGeneration(),
  dimensionProgress: () => cmd.dimensionProgress(),
  ratingHistory: (profileId, dimension) => cmd.ratingHistory({ profileId, dimension }),
  nextUnrated: () => cmd.nextUnrated(),
  loadProfile: (profileId) => cmd.loadProfile({ profileId }),
  saveRating: (request) => cmd.saveRating({ request }),
  saveReview: (request) => cmd.saveReview({ request }),
  pickFile: async (title, filters) => {
    const picked = await open({ title, multiple: false, directory: false, filters });
    return typeof picked === "string" ? picked : null;
  },
  onFileDrop: onWebviewFileDrop,
  onOpenRequested: (handler) => listen<string>(OPEN_REQUESTED, (e) => handler(e.payload)),
};
