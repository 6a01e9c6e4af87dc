// One app per data folder (issue 18): a study named on the command line opens at start-up, and a
// second launch with another study — what the file manager or `xdg-open` does — hands it to the
// running window and exits, so no study is ever open in two app processes.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import path from "node:path";
import { describe, test } from "node:test";
import { APP, cli, launch, quit, tmpdir } from "./lib.mjs";

const openPath = (browser) =>
  browser.execute(() => window.__TAURI_INTERNALS__.invoke("current_session").then((s) => s.study.path));

/** Runs the app binary itself (not through the driver) and resolves to its exit code. */
function secondLaunch(env, args, timeoutMs = 30000) {
  return new Promise((resolve, reject) => {
    const child = spawn(APP, args, { env: { ...process.env, ...env }, stdio: "ignore" });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error("the second launch did not hand over and exit"));
    }, timeoutMs);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

describe("single instance", { concurrency: 1 }, () => {
  const bus = process.env.DBUS_SESSION_BUS_ADDRESS;
  test("a second launch opens its study in the running window", { skip: !bus && "no D-Bus session bus (scripts/app/e2e.sh starts one)" }, async () => {
    const dir = tmpdir("instance");
    const first = path.join(dir, "first.chameleon");
    const second = path.join(dir, "second.chameleon");
    cli("sample", "demo", path.join(dir, "files-1"), "--persons", "3", "--study", first);
    cli("sample", "demo", path.join(dir, "files-2"), "--persons", "3", "--study", second);
    const env = { CHAMELEON_DATA_DIR: path.join(dir, "data") };

    // The study on the command line is open at start-up (no CHAMELEON_STUDY).
    const ctx = await launch(env, "#identity-screen", [first]);
    try {
      assert.equal(await openPath(ctx.browser), first);

      // A relative path resolves against the second launch's folder, not the first app's.
      const code = await secondLaunch(env, [path.relative(process.cwd(), second)]);
      assert.equal(code, 0, "the second process hands its study over and exits successfully");
      await ctx.browser.waitUntil(async () => (await openPath(ctx.browser)) === second, {
        timeout: 15000,
        timeoutMsg: "the running window did not open the handed-over study",
      });
      await ctx.browser.$("#identity-screen").waitForDisplayed();

      // A folder of its own is another instance: it starts instead of handing over.
      const other = spawn(APP, [first], { env: { ...process.env, CHAMELEON_DATA_DIR: path.join(dir, "other") }, stdio: "ignore" });
      const exited = await Promise.race([
        new Promise((r) => other.on("exit", () => r(true))),
        new Promise((r) => setTimeout(() => r(false), 4000)),
      ]);
      other.kill("SIGKILL");
      assert.equal(exited, false, "an app with another data folder keeps running");
    } finally {
      await quit(ctx);
    }
  });
});
