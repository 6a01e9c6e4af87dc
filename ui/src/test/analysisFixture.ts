// A state–trait result and a model fit in small (what core returns, with every part the view
// can show), for the analysis view test and the pseudo-translation test.
import type { AnalysisRequest, AnalysisResult, ModelResult } from "../bindings";

export function analysisResult(key: string, trait: number, options: AnalysisRequest): AnalysisResult {
  return {
    key,
    dataHash: `hash-${key}`,
    options,
    computedAt: "2026-01-02T03:04:05Z",
    method: options.method,
    bootstrap: options.bootstrap,
    seconds: 1.5,
    dimensions: [
      {
        dimension: "extraversion",
        persons: 10,
        profiles: 30,
        ratings: 90,
        traitShare: trait,
        stateShare: 1 - trait,
        traitCi: [trait - 0.1, trait + 0.1],
        raterLevel: { person: 0.2, personContext: 0.5, rater: 0.1, residual: 0.2 },
        personShareCi: null,
        personContextShareCi: null,
        reliabilityK: 0.8,
        negative: [],
        warnings: [],
        caution: null,
        ciCaution: null,
      },
    ],
    pooled: { traitShare: trait, stateShare: 1 - trait, traitCi: null, dimensions: 1, standardised: null, caution: null },
    raterSensitivity: [
      { dimension: "extraversion", rater: "ana", kind: "human", ratings: 30, stateShare: 0.7, ci: null, stateBlind: false, note: null, caution: null, ciCaution: null },
      { dimension: "extraversion", rater: "=gpt", kind: "model", ratings: 30, stateShare: 0.02, ci: null, stateBlind: true, note: null, caution: null, ciCaution: null },
    ],
    raterPool: null,
    // What core's rater_matrix makes of the two rows above.
    raterMatrix: {
      dimensions: ["extraversion"],
      raters: [
        { rater: "ana", kind: "human", cells: [0], mean: 0.7, stateBlind: false },
        { rater: "=gpt", kind: "model", cells: [1], mean: 0.02, stateBlind: true },
      ],
    },
    figures: [{ name: "pooled_split", title: "Pooled", caption: "c", svg: "<svg xmlns='http://www.w3.org/2000/svg'/>", width: 900, height: 200 }],
    tables: [{ name: "decomposition", title: "Decomposition" }],
    model: null,
  };
}

/** What core's formula fit returns for the "with context effects" preset, in small. */
export function modelResult(formula: string): ModelResult {
  return {
    formula,
    dimensions: [
      {
        dimension: "extraversion",
        components: [
          { term: "person", variance: 0.8, share: 0.4, levels: 10, shareCi: null, varianceCi: null, sdCi: null },
          { term: "context", variance: 0.2, share: 0.1, levels: 3, shareCi: [0.02, 0.3], varianceCi: null, sdCi: null },
          { term: "person:context", variance: 0.6, share: 0.3, levels: 30, shareCi: null, varianceCi: null, sdCi: null },
          { term: "residual", variance: 0.4, share: 0.2, levels: null, shareCi: null, varianceCi: null, sdCi: null },
        ],
        intercept: 4,
        interceptSe: 0.2,
        remlCriterion: 123.4,
        converged: true,
        boundary: [],
        effects: [
          {
            term: "context",
            effects: [
              { level: "<b>forum</b>", mode: 0.3, sd: 0.1 },
              { level: "diary", mode: 0.01, sd: 0.1 },
              { level: "work", mode: -0.31, sd: 0.1 },
            ],
          },
        ],
        disagreement: [
          { person: "p1", raters: 3, spread: 0.8, highest: { level: "ana:p1", mode: 0.4, sd: 0.1 }, lowest: { level: "ben:p1", mode: -0.4, sd: 0.1 } },
        ],
        bootstrap: { method: "parametric", resamples: 200, seed: 1, failed: 2 },
        profileCi: true,
        warnings: ["model: boundary fit (context)"],
      },
    ],
  };
}
