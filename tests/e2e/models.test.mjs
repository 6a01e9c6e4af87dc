// End-to-end test of the Models tab (issue #14 item 3): in the real app on the demo study, an
// OpenAI-compatible server started inside this test (node:http on loopback; a double at the
// HTTP edge) answers deterministically, one profile's answers are malformed JSON and one
// profile's first dimension is off the scale. The tab tests the connection, previews the
// exact prompt (the server checks that what it receives is that prompt), runs with progress,
// and its failures and ratings equal what `chameleon model runs --json --failures` and the
// study file say; the demo's state-blind model is flagged. Screenshots: idle, finished,
// analyses (CHAMELEON_SHOTS=DIR to keep them).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { cli, launchFresh, quit, sql } from "./lib.mjs";

const MODEL = "e2e-model";
const PROFILES = 4;
const SAMPLES = 2;

/** The double: records every request; answers from a hash of (prompt, dimension, seed). */
function modelServer() {
  const s = { requests: [], malformedFor: null, offScaleFor: null, problems: [] };
  const answer = (prompt, props, seed) => {
    const out = {};
    for (const [name, p] of Object.entries(props)) {
      const h = createHash("sha256").update(`${prompt}\u0000${name}\u0000${seed}`).digest().readUInt32BE(0);
      if (p.enum) out[name] = p.enum[h % p.enum.length];
      else out[name] = p.minimum + ((h % 1000) / 1000) * (p.maximum - p.minimum);
    }
    return out;
  };
  s.server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      const reply = (status, obj) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(obj));
      };
      if (req.method === "GET" && req.url === "/v1/models") return reply(200, { object: "list", data: [{ id: MODEL }, { id: "other" }] });
      if (req.method !== "POST" || req.url !== "/v1/chat/completions") return reply(404, { error: "no such route" });
      let r;
      try {
        r = JSON.parse(body);
      } catch {
        s.problems.push("a request body that is not JSON");
        return reply(400, { error: "bad json" });
      }
      s.requests.push(r);
      const prompt = r.messages?.[0]?.content ?? "";
      const props = r.response_format?.json_schema?.schema?.properties;
      if (r.model !== MODEL || !props || r.messages?.length !== 1) s.problems.push(`unexpected request ${body.slice(0, 200)}`);
      let content;
      if (prompt === s.malformedFor) content = '{"oops": not json';
      else {
        const a = answer(prompt, props ?? {}, r.seed ?? 0);
        if (prompt === s.offScaleFor) {
          s.offScaleDimension = Object.keys(props)[0];
          a[s.offScaleDimension] = 99;
        }
        content = JSON.stringify(a);
      }
      reply(200, {
        id: "x",
        object: "chat.completion",
        model: MODEL,
        choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
        usage: { prompt_tokens: Math.ceil(prompt.length / 4), completion_tokens: 20 },
      });
    });
  });
  return s;
}

const SHOTS = process.env.CHAMELEON_SHOTS;
function shot(name) {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  execFileSync("import", ["-window", "root", path.join(SHOTS, name)]);
}
const pause = (ms) => new Promise((r) => setTimeout(r, ms));

describe("Models tab, end to end", { concurrency: 1 }, () => {
  let ctx;
  let study;
  let double;
  let endpoint;
  before(async () => {
    double = modelServer();
    await new Promise((r) => double.server.listen(0, "127.0.0.1", r));
    endpoint = `http://127.0.0.1:${double.server.address().port}/v1`;
    ({ ctx, study } = await launchFresh("models"));
  });
  after(async () => {
    if (ctx) await quit(ctx);
    double?.server.close();
  });

  /** Types into a field (set and announced as typing would be: WebKit's clearValue is not). */
  async function setField(b, id, value) {
    await b.execute(
      (sel, v) => {
        const el = document.querySelector(sel);
        el.value = v;
        el.dispatchEvent(new Event("input", { bubbles: true }));
      },
      `#models-${id}`,
      value,
    );
  }

  test("test connection, preview, run, failures and ratings as the CLI sees them, state-blind flag", async () => {
    const b = ctx.browser;
    await b.$("#open-demo").click();
    await b.$("#open-studio").waitForDisplayed();
    await b.$("#open-studio").click();
    await b.$("#tab-models").waitForDisplayed();
    await b.$("#tab-models").click();
    await b.$("#models-view").waitForDisplayed();
    // The default is this machine; nothing was asked of any server yet.
    assert.equal(await b.$("#models-endpoint").getValue(), "http://localhost:11434/v1");
    assert.equal(double.requests.length, 0);

    await setField(b, "endpoint", endpoint);
    await setField(b, "model", MODEL);
    await setField(b, "samples", String(SAMPLES));
    await setField(b, "seed", "7");
    await setField(b, "limit", String(PROFILES));
    const plan = b.$("#models-plan");
    await b.waitUntil(async () => (await plan.getText()).includes(endpoint), { timeoutMsg: "the plan does not name the endpoint" });
    assert.match(await plan.getText(), new RegExp(`^Run sends ${PROFILES * SAMPLES} requests to `));

    await b.$("#models-test").click();
    const status = b.$("#models-test-status");
    await b.waitUntil(async () => (await status.getText()).startsWith("Connected"), { timeoutMsg: "no connection status" });
    assert.match(await status.getText(), new RegExp(`it lists 2: ${MODEL}, other`));

    await pause(300);
    shot("models-idle.png");

    // The preview of profiles 1 and 2: the exact prompts the run will send.
    const preview = async (n) => {
      await setField(b, "preview-index", String(n));
      await b.$("#models-preview-button").click();
      await b.waitUntil(async () => (await b.$("#models-preview-of").getText()).startsWith(`Profile ${n} of`));
      return b.execute(() => document.querySelector("#models-prompt").textContent);
    };
    double.malformedFor = await preview(2);
    double.offScaleFor = await preview(1);
    assert.notEqual(double.malformedFor, double.offScaleFor);
    assert.match(double.offScaleFor, /JSON/);
    await pause(300);
    shot("models-preview.png");

    await b.$("#models-run").click();
    const view = b.$("#studio-content");
    await b.waitUntil(async () => ["finished", "failed"].includes(await view.getAttribute("data-models-run")), {
      timeout: 60000,
      timeoutMsg: "the run did not end",
    });
    assert.equal(await view.getAttribute("data-models-run"), "finished");
    assert.deepEqual(double.problems, []);
    await b.$("#models-runs").waitForDisplayed();
    await b.execute(() => document.querySelector("#models-run-h").scrollIntoView({ block: "start" }));
    await pause(300);
    shot("models-finished.png");

    // The server saw the previewed prompts; malformed answers were retried (2 more tries).
    const prompts = double.requests.map((r) => r.messages[0].content);
    assert.equal(prompts.filter((p) => p === double.malformedFor).length, SAMPLES * 3);
    assert.ok(prompts.filter((p) => p === double.offScaleFor).length >= SAMPLES);
    assert.equal(new Set(prompts).size, PROFILES);

    // What the study holds, as the CLI reads it.
    const runs = JSON.parse(cli("model", "runs", study, "--json", "--failures"));
    assert.equal(runs.runs.length, 1);
    const run = runs.runs[0];
    const dims = run.dimensions.length;
    assert.equal(run.rater, MODEL);
    assert.equal(run.status, "finished");
    assert.equal(run.endpoint, endpoint);
    // Profile 2: no rating (not JSON); profile 1: every dimension but the one off the scale.
    const expected = (PROFILES - 1) * dims * SAMPLES - SAMPLES;
    assert.equal(run.ratings, expected);
    const [[stored]] = sql(study, "SELECT count(*) FROM rating r JOIN rater ra ON ra.id = r.rater_id WHERE ra.name = ?", [MODEL]);
    assert.ok(stored > 0, "ratings are in the study file");
    const whole = runs.failures.filter((f) => f.dimension === null);
    const offScale = runs.failures.filter((f) => f.dimension !== null);
    assert.equal(whole.length, SAMPLES);
    assert.equal(offScale.length, SAMPLES);
    assert.ok(whole.every((f) => f.raw.includes("oops")));
    assert.ok(offScale.every((f) => f.dimension === double.offScaleDimension), JSON.stringify(offScale));

    // The tab lists the same failures, with their raw text.
    const shownFailures = await b.execute(() =>
      [...document.querySelectorAll("#models-failures tbody tr")].map((tr) => [...tr.children].map((td) => td.textContent)),
    );
    assert.equal(shownFailures.length, runs.failures.length);
    assert.ok(shownFailures.some((cells) => cells[6].includes("oops")));
    const shownRun = await b.execute(() => [...document.querySelector("#models-runs tbody tr").children].map((td) => td.textContent));
    assert.equal(shownRun[1], MODEL);
    // Every request counted, as `model runs` counts them: the whole failures too.
    assert.deepEqual(shownRun.slice(8, 12), [run.requests, run.answered, run.failed, run.ratings].map(String));
    assert.equal(run.requests, run.answered + run.failed);
    assert.equal(run.failed, SAMPLES, "the not-JSON answers of profile 2");
    assert.equal(run.requests, PROFILES * SAMPLES, "one request per profile and sample");

    // Analyses: both models (the demo's imported one and the run), the demo's flagged.
    await b.waitUntil(async () => (await b.$$("#models-summary tbody tr")).length === 2, {
      timeout: 120000,
      timeoutMsg: "the analyses did not show both models",
    });
    const flags = await b.execute(() =>
      Object.fromEntries([...document.querySelectorAll("#models-summary tbody tr")].map((tr) => [tr.dataset.model, tr.dataset.stateBlind])),
    );
    const report = JSON.parse(cli("model", "report", study, "--json"));
    for (const s of report.summary) assert.equal(flags[s.model], String(s.state_blind), s.model);
    assert.equal(flags["model-gpt"], "true");
    assert.ok(await b.$('#models-summary tr[data-model="model-gpt"] .badge-blind').isDisplayed());
    await b.execute(() => document.querySelector("#models-analyses-h").scrollIntoView({ block: "start" }));
    await pause(300);
    shot("models-analyses.png");
  });

  test("Cancel stops a run after its requests in flight; a rerun resumes", async () => {
    const b = ctx.browser;
    // A slow server: each answer takes 300 ms, so Cancel lands mid-run.
    const slow = modelServer();
    const handler = slow.server.listeners("request")[0];
    slow.server.removeAllListeners("request");
    slow.server.on("request", (req, res) => setTimeout(() => handler(req, res), req.method === "POST" ? 300 : 0));
    await new Promise((r) => slow.server.listen(0, "127.0.0.1", r));
    try {
      const url = `http://127.0.0.1:${slow.server.address().port}/v1`;
      await setField(b, "endpoint", url);
      await setField(b, "rater", "e2e-slow");
      await setField(b, "limit", "");
      await setField(b, "samples", "1");
      await setField(b, "concurrency", "1");
      const planned = async () => Number((await b.$("#models-plan").getText()).match(/^Run sends (\d+) requests/)?.[1]);
      await b.waitUntil(async () => /^Run sends \d+ requests .* as rater e2e-slow \(\d+ profiles × \d+ dimensions × 1 sample\)\.$/.test(await b.$("#models-plan").getText()), {
        timeoutMsg: "the plan for the second run was not shown",
      });
      const planned0 = await planned();
      assert.ok(planned0 > 2, `${planned0} requests planned`);
      await b.$("#models-run").click();
      const view = b.$("#studio-content");
      await b.waitUntil(async () => slow.requests.length >= 2, { timeout: 20000, timeoutMsg: "the slow run did not start" });
      assert.equal(await view.getAttribute("data-models-run"), "running");
      await b.execute(() => document.querySelector("#models-run-h").scrollIntoView({ block: "start" }));
      await pause(600);
      shot("models-running.png");
      await b.$("#models-cancel").click();
      await b.waitUntil(async () => (await view.getAttribute("data-models-run")) === "cancelled", {
        timeout: 20000,
        timeoutMsg: "the run was not cancelled",
      });
      const asked = slow.requests.length;
      await pause(800);
      assert.equal(slow.requests.length, asked, "nothing is sent after Cancel");
      const run = JSON.parse(cli("model", "runs", study, "--json")).runs.find((r) => r.rater === "e2e-slow");
      assert.equal(run.status, "cancelled");
      assert.ok(run.ratings > 0);
      assert.ok(run.requests < planned0, "the run stopped early");
      // A rerun asks only for what is missing.
      await b.waitUntil(async () => (await planned()) === planned0 - run.requests, {
        timeoutMsg: `the plan does not skip what is done: ${await b.$("#models-plan").getText()}`,
      });
    } finally {
      slow.server.close();
    }
  });
});
