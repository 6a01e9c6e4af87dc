// An in-memory ReviewApi for the review views' unit tests.
import type {
  Adjudication,
  AgreementDetail,
  CodebookChange,
  AgreementTable,
  CodebookEdit,
  Disagreements,
  GoldRequest,
  GoldView,
  ProfileRatings,
  RaterPool,
  RaterRequest,
  Thresholds,
  Weights,
} from "../../bindings";

/** What core does with a request over agreement's default, for the fake's three raters. */
export function fakePool(req: RaterRequest = {}): RaterPool {
  const raters = [
    { name: "ana", kind: "human" as const, ratings: 30 },
    { name: "ben", kind: "human" as const, ratings: 30 },
    { name: "gpt", kind: "model" as const, ratings: 30 },
    { name: "new", kind: "human" as const, ratings: 4 },
  ];
  const names = req.names ?? null;
  const kind = names ? "any" : (req.kind ?? "human");
  const minRatings = names ? 0 : (req.minRatings ?? 10);
  const included: string[] = [];
  const excluded: { name: string; reason: string }[] = [];
  for (const r of raters) {
    if (names && !names.includes(r.name)) excluded.push({ name: r.name, reason: "not listed" });
    else if (kind !== "any" && r.kind !== kind) excluded.push({ name: r.name, reason: `kind ${r.kind}` });
    else if (r.ratings < minRatings) excluded.push({ name: r.name, reason: `${r.ratings} ratings, fewer than ${minRatings}` });
    else included.push(r.name);
  }
  const parts = [names ? `raters ${names.join(", ")}` : "", kind !== "any" ? `kind ${kind}` : "", minRatings ? `at least ${minRatings} ratings` : ""].filter(Boolean);
  return { choice: { selection: parts.join("; ") || "all raters", included, excluded }, kind, minRatings, names, raters };
}
import type { ReviewApi } from "./api";

export class FakeReviewApi implements ReviewApi {
  calls: string[] = [];
  thresholds: Thresholds = { good: 0.8, tentative: 0.667 };
  adjudications: Adjudication[] = [];
  saved: CodebookEdit[] = [];
  codebookData: CodebookEdit = {
    name: "t",
    guidelines: "# Guide\nBe **kind**.",
    version: 1,
    dimensions: [
      { name: "extraversion", label: "Extraversion", definition: "Outgoing.", scale: { type: "likert", min: 1, max: 5, anchors: [] }, level: null, ratings: 4 },
    ],
  };
  dis: Disagreements = {
    dimension: "extraversion",
    label: "Extraversion",
    level: "ordinal",
    scale: { type: "likert", min: 1, max: 5, anchors: [{ value: 1, label: "not at all" }] },
    alphaBefore: 0.5,
    alphaAfter: 0.5,
    adjudicated: 0,
    profiles: [
      { profileId: 7, person: "p1", context: "work", values: [{ rater: "ana", value: 1 }, { rater: "ben", value: 5 }], disagreement: 1, spread: 4, adjudicated: null },
      { profileId: 8, person: "p2", context: "home", values: [{ rater: "ana", value: 2 }, { rater: "ben", value: 3 }], disagreement: 0.25, spread: 1, adjudicated: null },
    ],
    aliases: [
      { rater: "ana", alias: "Rater A" },
      { rater: "ben", alias: "Rater B" },
    ],
  };

  async agreement(raters?: RaterRequest): Promise<AgreementTable> {
    this.calls.push(`agreement ${JSON.stringify(raters ?? {})}`);
    const row = (dimension: string, alpha: number | null) => ({
      dimension,
      label: dimension.toUpperCase(),
      level: "ordinal" as const,
      alpha,
      iccForm: "ICC2" as const,
      icc: 0.7,
      iccMethod: "anova" as const,
      percentExact: 50,
      percentWithinOne: 90,
      units: 10,
      pairableUnits: 10,
      raters: 3,
      ratings: 30,
      caution: null as string | null,
    });
    const few = { ...row("e", 0.833), pairableUnits: 2, caution: "too few data (n = 2)" };
    return {
      rows: [row("a", 0.91), row("b", 0.7), row("c", 0.2), row("d", null), few],
      thresholds: { ...this.thresholds },
      warnings: [],
      raters: fakePool(raters),
    };
  }
  async agreementDetail(dimension: string, weights?: Weights, raters?: RaterRequest): Promise<AgreementDetail> {
    this.calls.push(`detail ${dimension} ${weights ?? ""}`);
    return {
      dimension,
      label: dimension.toUpperCase(),
      level: "ordinal",
      weights: weights ?? "linear",
      pairs: [{ a: "ana", b: "ben", units: 10, kappa: 0.5, caution: null }],
      heatmapSvg: "<svg xmlns='http://www.w3.org/2000/svg'></svg>",
      raters: [
        { rater: "ana", kind: "human", n: 10, leniency: 0.1, consensusAgreement: 80, consensusR: 0.7, drift: [0.1, 0.2], medianSeconds: 12, caution: null },
        { rater: "new", kind: "human", n: 4, leniency: 0.9, consensusAgreement: 100, consensusR: 1, drift: [0.1, 0.2], medianSeconds: 12, caution: "too few data (n = 4)" },
      ],
      driftMeasure: "m",
      driftSvg: "<svg xmlns='http://www.w3.org/2000/svg'></svg>",
      distributionSvg: null,
      ratersPool: fakePool(raters),
    };
  }
  async agreementIntervals(resamples: number) {
    this.calls.push(`intervals ${resamples}`);
    return {
      resamples,
      seed: 1,
      rows: [
        { dimension: "a", ci: [0.85, 0.95] as [number, number], caution: null },
        { dimension: "b", ci: [1, 1] as [number, number], caution: "degenerate interval [1.000, 1.000]" },
      ],
    };
  }
  async setThresholds(t: Thresholds) {
    this.thresholds = t;
    return t;
  }
  async disagreements(dimension: string) {
    this.calls.push(`disagreements ${dimension}`);
    return structuredClone(this.dis);
  }
  async profile(profileId: number): Promise<ProfileRatings> {
    const p = this.dis.profiles.find((x) => x.profileId === profileId)!;
    return {
      profile: { id: profileId, person: p.person, context: p.context, texts: [{ title: "<b>t</b>", text: "<img src=x onerror=alert(1)>", created_at: null, url: null }] },
      raters: ["ana", "ben"],
      dimensions: [
        { dimension: "extraversion", label: "Extraversion", values: p.values.map((v) => v.value), adjudicated: p.adjudicated, note: null },
        { dimension: "topic", label: "Topic", values: [10, 20], adjudicated: 30, note: null },
      ],
    };
  }
  async adjudicate(r: Adjudication) {
    this.adjudications.push(r);
    const p = this.dis.profiles.find((x) => x.profileId === r.profileId)!;
    p.adjudicated = r.value;
    this.dis.adjudicated += 1;
    this.dis.alphaAfter = 0.9;
    return structuredClone(this.dis);
  }
  async codebook() {
    return structuredClone(this.codebookData);
  }
  async saveCodebook(cb: CodebookEdit) {
    this.saved.push(structuredClone(cb));
    this.codebookData = { ...structuredClone(cb), version: cb.version + 1 };
    return { codebook: structuredClone(this.codebookData), added: 0, updated: 1, changed: true };
  }
  /** A small stand-in for core's diff: enough kinds for the editor's tests. */
  async codebookDiff(cb: CodebookEdit): Promise<CodebookChange[]> {
    const old = this.codebookData;
    const out: CodebookChange[] = [];
    if (old.guidelines.trim() !== cb.guidelines.trim()) out.push({ dimension: null, kind: "guidelines", before: old.guidelines, after: cb.guidelines });
    for (const d of cb.dimensions) {
      const o = old.dimensions.find((x) => x.name.toLowerCase() === d.name.toLowerCase());
      const label = d.label ?? d.name;
      if (!o) {
        out.push({ dimension: label, kind: "added", before: null, after: d.scale.type });
        continue;
      }
      if (o.definition !== d.definition) out.push({ dimension: label, kind: "definition", before: o.definition, after: d.definition });
      const range = (s: typeof d.scale) => (s.type === "nominal" ? s.type : `${s.type} ${s.min}–${s.max}`);
      if (range(o.scale) !== range(d.scale)) out.push({ dimension: label, kind: "scale", before: range(o.scale), after: range(d.scale) });
      const anchors = (s: typeof d.scale) => JSON.stringify(s.type === "likert" ? s.anchors : s.type === "nominal" ? s.categories : []);
      if (anchors(o.scale) !== anchors(d.scale)) out.push({ dimension: label, kind: "anchors", before: anchors(o.scale), after: anchors(d.scale) });
    }
    return out;
  }
  async codebookChanged() {
    return true;
  }
  async codebookChanges() {
    return ["Openness: definition", "Mood: anchors"];
  }
  async goldAccuracy() {
    return [];
  }
  async scaleReliability() {
    return [];
  }
  goldView: GoldView = {
    marks: [],
    profiles: [
      { profileId: 1, label: "p1/home" },
      { profileId: 2, label: "p2/work" },
    ],
    dimensions: [{ name: "openness", label: "Openness", min: 1, max: 5, values: [1, 2, 3, 4, 5] }],
  };
  async gold() {
    return structuredClone(this.goldView);
  }
  async setGold(r: GoldRequest) {
    const d = this.goldView.dimensions.find((x) => x.name === r.dimension);
    if (!d || r.value < d.min || r.value > d.max) throw { code: "invalid", rows: [], path: null, message: `${r.dimension}: ${r.value} is outside ${d?.min}..${d?.max}` };
    const p = this.goldView.profiles.find((x) => x.profileId === r.profileId)!;
    const [person, context] = p.label.split("/");
    this.goldView.marks = this.goldView.marks.filter((m) => !(m.profileId === r.profileId && m.dimension === r.dimension));
    this.goldView.marks.push({ profileId: r.profileId, person, context, dimension: r.dimension, value: r.value, kind: r.kind });
    return structuredClone(this.goldView);
  }
  async clearGold(profileId: number, dimension: string | null) {
    this.goldView.marks = this.goldView.marks.filter((m) => !(m.profileId === profileId && (dimension === null || m.dimension === dimension)));
    return structuredClone(this.goldView);
  }
}
