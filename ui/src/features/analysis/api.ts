// The analysis view's own IPC: state–trait runs with progress over a Tauri channel, cancel,
// exports. The view depends on the interface, so vitest drives it with a fake.
import * as cmd from "../../commands";
import type {
  AnalysisRequest,
  AnalysisProgress,
  LatestAnalysis,
  ExportRequest,
  FormulaCheck,
  RunOutcome,
} from "../../bindings";

export interface AnalysisApi {
  /** The last result of the open study and whether its data changed since. */
  state(): Promise<LatestAnalysis>;
  /** Runs the analysis; `onProgress` gets (done, total) of the bootstrap. */
  run(options: AnalysisRequest, runId: number, onProgress: (p: AnalysisProgress) => void): Promise<RunOutcome>;
  /** Asks the run to stop; it then answers `{status: "cancelled"}`. */
  cancel(runId: number): Promise<number>;
  /** Writes a report, table, figure or everything; the paths written. */
  export(key: string, request: ExportRequest): Promise<string[]>;
  /** Core's check of a model formula against the open study's data (as a run would check it). */
  checkFormula(formula: string): Promise<FormulaCheck>;
}

export const tauriAnalysisApi: AnalysisApi = {
  state: () => cmd.analysisState(),
  run: (options, runId, onProgress) => {
    const channel = new cmd.Channel<AnalysisProgress>();
    channel.onmessage = onProgress;
    return cmd.runAnalysis({ options, runId, onProgress: channel });
  },
  cancel: (runId) => cmd.cancelAnalysis({ runId }),
  export: (key, request) => cmd.exportAnalysis({ key, request }),
  checkFormula: (formula) => cmd.checkFormula({ formula }),
};
