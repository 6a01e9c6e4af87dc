// An in-memory Backend for unit tests: a study with a codebook, profiles and one rater's ratings.
import type { Backend } from "../api";
import type { DropEvent } from "../drops";
import type {
  AppError,
  CodebookView,
  OwnProgress,
  Profile,
  ProfileView,
  QueueItem,
  OwnChange,
  Rater,
  RecentStudy,
  OwnNotes,
  SessionView,
} from "../bindings";

export const codebook: CodebookView = {
  name: "test",
  guidelines: "Rate what the text shows.",
  version: 1,
  showPersonIds: false,
  dimensions: [
    {
      name: "extraversion",
      label: "Extraversion",
      definition: "Outgoing, energetic.",
      level: "ordinal",
      scale: { type: "likert", min: 1, max: 5, anchors: [{ value: 1, label: "not at all" }, { value: 5, label: "very" }] },
    },
    {
      name: "mood",
      label: "Mood",
      definition: "How the person feels.",
      level: "interval",
      scale: { type: "continuous", min: 0, max: 100, step: 1 },
    },
    {
      name: "topic",
      label: "Topic",
      definition: "Main topic.",
      level: "nominal",
      scale: { type: "nominal", categories: [{ value: 10, label: "work" }, { value: 20, label: "family" }, { value: 30, label: "other" }] },
    },
  ],
};

export class FakeBackend implements Backend {
  profiles: Profile[];
  /** profileId → dimension → value */
  ratings = new Map<number, Map<string, number | "cant">>();
  reviews = new Map<number, OwnNotes>();
  saveLog: { profileId: number; dimension: string; value: number | null; cantJudge?: boolean }[] = [];
  /** When set, the next saveRating calls fail with this error. */
  failSaves: AppError | null = null;
  rater: Rater = { id: 1, name: "ann", kind: "human" };

  constructor(n = 3, texts?: (i: number) => Profile["texts"]) {
    this.profiles = Array.from({ length: n }, (_, i) => ({
      id: i + 1,
      person: `p${Math.floor(i / 2)}`,
      context: `context ${i + 1}`,
      texts: texts ? texts(i) : [{ title: `Title ${i + 1}`, text: `Text of profile ${i + 1}`, created_at: "2024-01-01", url: null }],
    }));
  }

  /** The codebook's guidelines as this study has them. */
  guidelines = codebook.guidelines;

  session(): SessionView {
    return {
      study: { path: "/tmp/x.chameleon", name: this.studyName, profiles: this.profiles.length, dimensions: 3, raters: 1 },
      rater: this.rater,
      codebook: { ...codebook, guidelines: this.guidelines },
    };
  }

  recent: RecentStudy[] = [];
  async recentStudies() { return this.recent; }
  async forgetRecent(path: string) {
    this.recent = this.recent.filter((r) => r.path !== path);
    return this.recent;
  }
  async openStudy() { return this.session(); }
  async createStudy() { return this.session(); }
  async openDemoStudy() { return this.session(); }
  async startupStudy() { return null; }
  async systemLanguages(): Promise<string[]> { return []; }
  async currentSession() { return this.session(); }
  studyName = "x";
  async renameStudy(name: string) {
    if (!name.trim()) throw { code: "invalid", message: "the study's name cannot be empty", rows: [], path: null };
    this.studyName = name.trim();
    return this.session();
  }
  async closeStudy() {}
  async listRaters() { return [this.rater]; }
  async chooseRater() { return this.session(); }
  async pickFile() { return null; }
  /** The screen's drop listener while one is subscribed: tests call it to drop files. */
  dropHandler: ((e: DropEvent) => void) | null = null;
  async onFileDrop(handler: (e: DropEvent) => void) {
    this.dropHandler = handler;
    return () => {
      if (this.dropHandler === handler) this.dropHandler = null;
    };
  }
  /** The app's listener for studies another launch hands over: tests call it. */
  openRequested: ((path: string) => void) | null = null;
  async onOpenRequested(handler: (path: string) => void) {
    this.openRequested = handler;
    return () => {
      if (this.openRequested === handler) this.openRequested = null;
    };
  }

  /** Bumped by a test to stand for a change made elsewhere (an import, another window). */
  generation = 0;
  queueCalls = 0;
  async queueGeneration(): Promise<number> {
    return this.generation;
  }

  async queue(): Promise<QueueItem[]> {
    this.queueCalls++;
    return this.profiles.map((p) => ({
      profileId: p.id,
      person: p.person,
      context: p.context,
      rated: this.ratings.get(p.id)?.size ?? 0,
      total: codebook.dimensions.length,
      flagged: this.reviews.get(p.id)?.flagged ?? false,
    }));
  }

  async dimensionProgress(): Promise<OwnProgress[]> {
    return codebook.dimensions.map((d) => ({
      dimension: d.name,
      rated: this.profiles.filter((p) => this.ratings.get(p.id)?.has(d.name)).length,
      assigned: this.profiles.length,
    }));
  }

  /** Built from the save log as the store keeps it: a save of the same value adds nothing. */
  async ratingHistory(profileId: number, dimension: string): Promise<OwnChange[]> {
    const out: OwnChange[] = [];
    let current: number | null = null;
    this.saveLog.forEach((s, i) => {
      if (s.profileId !== profileId || s.dimension !== dimension || s.value === current) return;
      out.push({ oldValue: current, newValue: s.value, changedAt: Date.UTC(2026, 0, 1, 9, i) });
      current = s.value;
    });
    return out;
  }

  async nextUnrated() {
    const q = await this.queue();
    return q.find((e) => e.rated < e.total)?.profileId ?? null;
  }

  async loadProfile(id: number): Promise<ProfileView> {
    const profile = this.profiles.find((p) => p.id === id);
    if (!profile) throw { code: "invalid", message: `no profile ${id}`, rows: [], path: null };
    const own = this.ratings.get(id) ?? new Map();
    return {
      profile,
      ratings: [...own.entries()].map(([dimension, value]) => ({
        dimension,
        value: value === "cant" ? null : value,
        cantJudge: value === "cant",
      })),
      review: this.reviews.get(id) ?? { flagged: false, note: null, confidence: null, secondsSpent: 0 },
    };
  }

  async saveRating(r: { profileId: number; dimension: string; value: number | null; cantJudge?: boolean }) {
    await Promise.resolve();
    if (this.failSaves) throw this.failSaves;
    const cantJudge = r.cantJudge ?? false;
    this.saveLog.push({ profileId: r.profileId, dimension: r.dimension, value: r.value, ...(cantJudge ? { cantJudge } : {}) });
    const m = this.ratings.get(r.profileId) ?? new Map<string, number | "cant">();
    if (cantJudge) m.set(r.dimension, "cant");
    else if (r.value === null) m.delete(r.dimension);
    else m.set(r.dimension, r.value);
    this.ratings.set(r.profileId, m);
    return { profileId: r.profileId, dimension: r.dimension, value: r.value, cantJudge };
  }

  async saveReview(r: { profileId: number; flagged: boolean; note: string | null; confidence: number | null; secondsSpent: number }) {
    this.reviews.set(r.profileId, { flagged: r.flagged, note: r.note, confidence: r.confidence, secondsSpent: r.secondsSpent });
  }
}
