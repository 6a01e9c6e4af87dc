// Shared helpers of the end-to-end tests: start the real app through tauri-driver (which starts
// WebKitWebDriver, which starts the app), find the app's process, query the study file.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { remote } from "webdriverio";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const TARGET = process.env.CARGO_TARGET_DIR ?? path.join(ROOT, "target");
export const APP = process.env.CHAMELEON_APP ?? path.join(TARGET, "debug/chameleon-studio");
export const CLI = process.env.CHAMELEON_CLI ?? path.join(TARGET, "debug/chameleon");
const DRIVER = process.env.TAURI_DRIVER ?? "tauri-driver";

export const tmpdir = (name) => mkdtempSync(path.join(os.tmpdir(), `chameleon-e2e-${name}-`));

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

async function waitForPort(port, ms = 20000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, "127.0.0.1", () => {
        s.end();
        resolve(true);
      });
      s.on("error", () => resolve(false));
    });
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`nothing listened on port ${port} within ${ms} ms`);
}

/**
 * Starts the app with `env` added to the environment and `args` on its command line. Returns
 * {browser, driver, coldStartMs}:
 * coldStartMs runs from asking for a session to the first screen being shown.
 */
export async function launch(env, firstScreen = "#start-screen, #rate-screen, #identity-screen", args = []) {
  const port = await freePort();
  const nativePort = await freePort();
  const driver = spawn(DRIVER, ["--port", String(port), "--native-port", String(nativePort)], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  driver.stderr.on("data", (d) => (stderr += d));
  try {
    await waitForPort(port);
    // tauri-driver listens before WebKitWebDriver does, and a session asked for in between fails
    // with a closed socket (tauri-apps/tauri#15156): wait for the native driver's port too.
    await waitForPort(nativePort);
    const t0 = performance.now();
    const browser = await remote({
      hostname: "127.0.0.1",
      port,
      logLevel: "silent",
      waitforTimeout: 15000,
      connectionRetryCount: 0,
      capabilities: { "tauri:options": { application: APP, args } },
    });
    await browser.$(firstScreen).waitForDisplayed({ timeout: 30000 });
    const coldStartMs = performance.now() - t0;
    return { browser, driver, coldStartMs };
  } catch (e) {
    driver.kill();
    throw new Error(`${e.message}\ntauri-driver stderr:\n${stderr}`);
  }
}

/**
 * Ends the session, stops tauri-driver and makes sure the app process itself is gone: on these
 * machines the app often stays running, orphaned, after its session ends, and as it still holds
 * tauri-driver's stderr pipe, the test file's process would never exit. Cleanup, not an assertion.
 */
export async function quit(ctx) {
  let pid = null;
  try {
    pid = appPid(ctx);
  } catch {
    // no single app process (already gone: the kill test)
  }
  try {
    await ctx.browser.deleteSession();
  } catch {
    // the app may already be gone (the kill test)
  }
  ctx.driver.kill();
  await new Promise((r) => (ctx.driver.exitCode !== null ? r() : ctx.driver.once("exit", r)));
  ctx.driver.stderr?.destroy();
  if (pid === null) return;
  for (let i = 0; i < 50 && alive(pid); i++) await sleep(100);
  if (alive(pid)) process.kill(pid, "SIGKILL");
}

/** Pids of all descendants of `pid` (from /proc). */
function descendants(pid) {
  const children = new Map();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  const out = [];
  const stack = [pid];
  while (stack.length) {
    for (const c of children.get(stack.pop()) ?? []) {
      out.push(c);
      stack.push(c);
    }
  }
  return out;
}

/** The app process started under this test's tauri-driver. */
export function appPid(ctx) {
  const exe = path.basename(APP);
  const pids = descendants(ctx.driver.pid).filter((p) => {
    try {
      return readFileSync(`/proc/${p}/comm`, "utf8").trim() === exe.slice(0, 15);
    } catch {
      return false;
    }
  });
  if (pids.length !== 1) throw new Error(`expected one app process under tauri-driver, found ${pids}`);
  return pids[0];
}

/** Rows of a query on the study file, read with Python's sqlite3 (WAL included). */
export function sql(db, query, params = []) {
  const script =
    "import json,sqlite3,sys\n" +
    "c=sqlite3.connect(sys.argv[1])\n" +
    "print(json.dumps(c.execute(sys.argv[2], json.loads(sys.argv[3])).fetchall()))";
  const r = spawnSync("python3", ["-c", script, db, query, JSON.stringify(params)], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`sqlite query failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** Runs the `chameleon` CLI. */
export function cli(...args) {
  const r = spawnSync(CLI, args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`chameleon ${args.join(" ")} failed: ${r.stderr}`);
  return r.stdout;
}

/** Current profile id shown on the rating screen. */
export async function shownProfile(browser) {
  return Number(await browser.$("#rate-screen").getAttribute("data-profile-id"));
}

export async function waitForProfileChange(browser, from, timeout = 10000) {
  await browser.waitUntil(async () => (await shownProfile(browser)) !== from, {
    timeout,
    interval: 5,
    timeoutMsg: `profile ${from} still shown`,
  });
  return shownProfile(browser);
}

/**
 * `browser.execute`, retried when WebKitWebDriver cannot serialise the script's result. Seen once
 * in CI ("Could not parse script result when running execute/sync") while the rating screen
 * re-rendered the profile under the script: the read is harmless to repeat, the error is not the
 * app's.
 */
export async function executeStable(browser, fn, ...args) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await browser.execute(fn, ...args);
    } catch (e) {
      if (attempt >= 5 || !/Could not parse script result/.test(String(e?.message ?? e))) throw e;
      await new Promise((r) => setTimeout(r, 20 * attempt));
    }
  }
}

/** Waits until no dimension is saving and returns each dimension's status text. */
export async function settledStatuses(browser) {
  await browser.waitUntil(
    async () =>
      (await executeStable(browser, () => document.querySelectorAll('.dim[data-status="saving"]').length)) === 0,
    { timeout: 10000, interval: 10, timeoutMsg: "saves did not finish" },
  );
  return executeStable(browser, () =>
    Object.fromEntries(
      [...document.querySelectorAll(".dim")].map((d) => [d.getAttribute("data-dimension"), d.getAttribute("data-status")]),
    ),
  );
}

/** The value selected on screen for each dimension (null when empty). */
export async function shownValues(browser) {
  return executeStable(browser, () =>
    Object.fromEntries(
      [...document.querySelectorAll(".dim")].map((d) => {
        const b = d.querySelector('[aria-selected="true"], [aria-pressed="true"]');
        return [d.getAttribute("data-dimension"), b ? Number(b.getAttribute("data-value")) : null];
      }),
    ),
  );
}

export function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The same as `quit` (kept for the tests that named the reaping apart). */
export const quitAndReap = quit;

/** The app started on a fresh data dir (`name` names the temp dir); the demo study's path. */
export async function launchFresh(name) {
  const dir = tmpdir(name);
  const ctx = await launch({ CHAMELEON_DATA_DIR: path.join(dir, "data") }, "#start-screen");
  return { ctx, dir, study: path.join(dir, "data", "data", "studies", "demo.chameleon") };
}

/** From the start screen: opens the demo study and its studio's Analysis tab. */
export async function openDemoAnalysis(b) {
  await b.$("#open-demo").click();
  await b.$("#open-studio").waitForDisplayed();
  await b.$("#open-studio").click();
  await b.$("#tab-analysis").waitForDisplayed();
  await b.$("#tab-analysis").click();
  await b.$("#analysis-options").waitForDisplayed();
}

const AXE_SOURCE = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), "node_modules/axe-core/axe.min.js"), "utf8");

/**
 * Runs axe-core (WCAG 2.x A/AA rules) over the current document of the real webview and
 * returns its violations of impact "serious" or "critical", each as
 * {id, impact, help, nodes: [selector…]}. axe is injected through WebDriver (the app's CSP
 * allows no script from elsewhere, and the shipped UI never contains it).
 */
export async function seriousA11yViolations(browser) {
  await browser.execute(AXE_SOURCE);
  const result = await browser.executeAsync((done) => {
    globalThis.axe
      .run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] }, resultTypes: ["violations"] })
      .then((r) => done(JSON.stringify(r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(" ")) })))))
      .catch((e) => done(JSON.stringify({ error: String(e) })));
  });
  const parsed = JSON.parse(result);
  if (parsed.error) throw new Error(`axe-core failed: ${parsed.error}`);
  return parsed.filter((v) => v.impact === "serious" || v.impact === "critical");
}
