// The model run in flight, shared by every mount of the Models view (the shared rules of a
// run that outlives its view are in runs.ts), and the form as the PI left it.
import type { ModelRunProgress, ModelRunReport, ModelRunRequest } from "../../bindings";
import { Runs } from "../../runs";
import type { ModelsApi } from "./api";
import { DEFAULT_FORM, type ModelForm } from "./logic";

export class ModelRuns extends Runs<ModelRunRequest, ModelRunProgress, ModelRunReport> {
  /** The form as the PI left it (kept when the view is left and mounted again). */
  form: ModelForm = { ...DEFAULT_FORM };

  constructor(readonly api: ModelsApi) {
    // One model run at a time: the shell cancels the run in flight, whatever its id.
    super({ run: (request, _id, onProgress) => api.run(request, onProgress), cancel: () => api.cancel() });
  }
}
