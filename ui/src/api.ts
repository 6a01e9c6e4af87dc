// The one place that talks to the Rust side. Screens depend on the `Backend` interface, so unit
// tests run them against a fake (src/test/fakeBackend.ts) and the app against Tauri's IPC.
import { invoke } from "@tauri-apps/api/core";
import { open } from "@tauri-apps/plugin-dialog";
import { onWebviewFileDrop, type DropEvent } from "./drops";
import type {
  AppError,
  CreateStudyRequest,
  DimensionProgressDto,
  ProfileView,
  QueueEntryDto,
  RaterDto,
  RaterKindDto,
  RatingChangeDto,
  RecentStudy,
  ReviewRequest,
  SaveRatingRequest,
  SavedRating,
  SessionDto,
} from "./bindings";

export type * from "./bindings";

export interface FileFilter {
  name: string;
  extensions: string[];
}

export interface Backend {
  recentStudies(): Promise<RecentStudy[]>;
  openStudy(path: string): Promise<SessionDto>;
  createStudy(request: CreateStudyRequest): Promise<SessionDto>;
  openDemoStudy(): Promise<SessionDto>;
  startupStudy(): Promise<SessionDto | null>;
  /** The open study re-read (counts, codebook, rater). */
  currentSession(): Promise<SessionDto>;
  closeStudy(): Promise<void>;
  listRaters(): Promise<RaterDto[]>;
  chooseRater(name: string, kind: RaterKindDto): Promise<SessionDto>;
  queue(): Promise<QueueEntryDto[]>;
  /** Per dimension, how many of the queue's profiles this rater has rated on it. */
  dimensionProgress(): Promise<DimensionProgressDto[]>;
  /** Every value this rater gave one dimension of a profile, oldest first (their own only). */
  ratingHistory(profileId: number, dimension: string): Promise<RatingChangeDto[]>;
  nextUnrated(): Promise<number | null>;
  loadProfile(profileId: number): Promise<ProfileView>;
  saveRating(request: SaveRatingRequest): Promise<SavedRating>;
  saveReview(request: ReviewRequest): Promise<void>;
  /** A native "open file" dialog; `null` when cancelled. */
  pickFile(title: string, filters: FileFilter[]): Promise<string | null>;
  /** Files dragged onto the window; resolves to the function that stops listening. */
  onFileDrop(handler: (e: DropEvent) => void): Promise<() => void>;
}

/** Whatever a command rejected with, as the `{code, message}` shape. */
export function toAppError(e: unknown): AppError {
  if (e && typeof e === "object" && "code" in e && "message" in e) {
    const o = e as Partial<AppError>;
    return {
      code: String(o.code),
      message: String(o.message),
      rows: Array.isArray(o.rows) ? o.rows : [],
      path: o.path ?? null,
    };
  }
  return { code: "internal", message: e instanceof Error ? e.message : String(e), rows: [], path: null };
}

export const tauriBackend: Backend = {
  recentStudies: () => invoke("recent_studies"),
  openStudy: (path) => invoke("open_study", { path }),
  createStudy: (request) => invoke("create_study", { request }),
  openDemoStudy: () => invoke("open_demo_study"),
  startupStudy: () => invoke("startup_study"),
  currentSession: () => invoke("current_session"),
  closeStudy: () => invoke("close_study"),
  listRaters: () => invoke("list_raters"),
  chooseRater: (name, kind) => invoke("choose_rater", { name, kind }),
  queue: () => invoke("queue"),
  dimensionProgress: () => invoke("dimension_progress"),
  ratingHistory: (profileId, dimension) => invoke("rating_history", { profileId, dimension }),
  nextUnrated: () => invoke("next_unrated"),
  loadProfile: (profileId) => invoke("load_profile", { profileId }),
  saveRating: (request) => invoke("save_rating", { request }),
  saveReview: (request) => invoke("save_review", { request }),
  pickFile: async (title, filters) => {
    const picked = await open({ title, multiple: false, directory: false, filters });
    return typeof picked === "string" ? picked : null;
  },
  onFileDrop: onWebviewFileDrop,
};
