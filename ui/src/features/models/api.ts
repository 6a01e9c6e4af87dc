// The Models tab's calls to the Rust side: every request to a model server goes from Rust (the
// webview's CSP allows none), only when the PI tests the connection or starts a run. The view
// depends on `ModelsApi`, so vitest drives it with a fake.
import * as cmd from "../../commands";
import type {
  ConnectionCheck,
  ModelRunPlan,
  ModelRunProgress,
  ModelRunReport,
  ModelRunRequest,
  ModelRunsView,
  ModelsReport,
  PromptPreview,
} from "../../bindings";

export interface ModelsApi {
  testConnection(endpoint: string, model: string, apiKeyEnv: string | null): Promise<ConnectionCheck>;
  /** The exact prompt and request body of the profile at `index` (import order, 0-based). */
  preview(request: ModelRunRequest, index: number): Promise<PromptPreview>;
  /** What a run would send, and to which endpoint (nothing is sent). */
  plan(request: ModelRunRequest): Promise<ModelRunPlan>;
  /** Runs the model; each answer is committed in Rust as it arrives. */
  run(request: ModelRunRequest, onProgress: (p: ModelRunProgress) => void): Promise<ModelRunReport>;
  /** Stops the run after its requests in flight; whether one was running. */
  cancel(): Promise<boolean>;
  runs(): Promise<ModelRunsView>;
  report(resamples: number, seed: number, blindRatio: number): Promise<ModelsReport>;
}

export const tauriModelsApi: ModelsApi = {
  testConnection: (endpoint, model, apiKeyEnv) => cmd.modelsTestConnection({ endpoint, model, apiKeyEnv }),
  preview: (request, index) => cmd.modelsPreview({ request, index }),
  plan: (request) => cmd.modelsPlan({ request }),
  run: (request, onProgress) => {
    const channel = new cmd.Channel<ModelRunProgress>();
    channel.onmessage = onProgress;
    return cmd.modelsRun({ request, onProgress: channel });
  },
  cancel: () => cmd.modelsCancel(),
  runs: () => cmd.modelsRuns(),
  report: (resamples, seed, blindRatio) => cmd.modelsReport({ resamples, seed, blindRatio }),
};
