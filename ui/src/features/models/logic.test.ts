import { describe, expect, it } from "vitest";
import { DEFAULT_ENDPOINT, DEFAULT_FORM, outcomeLine, planLine, toRequest, withCi } from "./logic";

describe("models form", () => {
  it("defaults to a server on this machine", () => {
    expect(DEFAULT_FORM.endpoint).toBe(DEFAULT_ENDPOINT);
    expect(new URL(DEFAULT_ENDPOINT).hostname).toBe("localhost");
  });

  it("turns the fields into a run request", () => {
    const c = toRequest({ ...DEFAULT_FORM, model: " llama3.2 ", samples: "3", temperature: "0.7", limit: "5", apiKeyEnv: "LAB_KEY" });
    expect(c.error).toBeNull();
    expect(c.request).toMatchObject({ model: "llama3.2", samples: 3, temperature: 0.7, limit: 5, apiKeyEnv: "LAB_KEY", rater: null, seed: null });
  });

  it("names the first bad field, and refuses a key typed where its variable's name goes", () => {
    expect(toRequest({ ...DEFAULT_FORM }).error).toMatch(/^Model/);
    expect(toRequest({ ...DEFAULT_FORM, model: "m", samples: "two" }).error).toMatch(/^Samples/);
    expect(toRequest({ ...DEFAULT_FORM, model: "m", samples: "0" }).error).toMatch(/^Samples: at least 1/);
    expect(toRequest({ ...DEFAULT_FORM, model: "m", temperature: "" }).error).toMatch(/^Temperature/);
    expect(toRequest({ ...DEFAULT_FORM, model: "m", apiKeyEnv: "sk-abc123" }).error).toMatch(/not the key/);
  });
});

describe("models lines", () => {
  it("shows the endpoint before a run", () => {
    const line = planLine({ endpoint: "http://127.0.0.1:9/v1", rater: "m", profiles: 4, dimensions: ["a", "b"], samples: 2, requests: 6, done: 4 });
    expect(line).toBe("Run sends 6 requests to http://127.0.0.1:9/v1 as rater m (4 profiles × 2 dimensions × 2 samples; 4 already rated, skipped).");
    expect(planLine({ endpoint: "e", rater: "m", profiles: 1, dimensions: ["a"], samples: 1, requests: 0, done: 1 })).toMatch(/^Nothing left/);
  });

  it("says how a run ended", () => {
    const r = { run_id: 1, endpoint: "e", model: "m", rater: "m", profiles: 2, dimensions: ["a"], samples: 1, skipped: 0, requests: 2, answered: 1, failed: 1, in_flight_at_stop: 1, ratings: 1, failures: 1, cancelled: true };
    expect(outcomeLine(r)).toBe("Cancelled: 2 requests (1 answered, 1 failed), 1 rating stored as m, 1 failure. In flight at the stop, and waited for: 1 request. Run again to retry the failed ones.");
  });

  it("prints a value with its interval", () => {
    expect(withCi(0.71234, [0.6, 0.8])).toBe("0.712 [0.60, 0.80]");
    expect(withCi(null, null)).toBe("–");
  });
});
