// The rating loop at a lab's scale in the real app (issue 19, item 4): a study of 100,002 profiles
// × 26 dimensions, one rater with 519,948 ratings already imported. Times, in the page, keypress →
// "Saved" shown and Enter → the next profile shown (keydown → the next animation frame after
// it), over LOOP_PROFILES profiles (3 ratings each), and the cold start from the WebDriver
// session request to the first profile shown. Printed with the load, not asserted on time.
// Opt-in, as building the study takes a minute: CHAMELEON_E2E_BENCH=1 (LOOP_PERSONS=33334,
// LOOP_PROFILES=120 by default).
import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { Key } from "webdriverio";
import { cli, launch, percentile, quit, shownProfile, sql, tmpdir, waitForProfileChange } from "./lib.mjs";

const PERSONS = Number(process.env.LOOP_PERSONS ?? 33334);
const PROFILES = Number(process.env.LOOP_PROFILES ?? 120);
const DIMENSIONS = 26;

const load = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
const fmt = (xs) => `p50 ${percentile(xs, 50).toFixed(1)} ms, p95 ${percentile(xs, 95).toFixed(1)} ms (n=${xs.length})`;

/** The bench study: PERSONS × 3 profiles, 26 dimensions (1–7), rater r0's ratings of a fifth. */
function benchStudy(dir) {
  const db = path.join(dir, "loop.chameleon");
  const profiles = path.join(dir, "profiles.jsonl");
  const all = path.join(dir, "all.csv");
  const ratings = path.join(dir, "ratings.csv");
  const shape = ["--raters-per-profile", "1", "--rater-pool", "1", "--dimensions", String(DIMENSIONS), "--seed", "19"];
  cli("sample", "bench", all, "--persons", String(PERSONS), ...shape, "--profiles", profiles);
  rmSync(all);
  cli("sample", "bench", ratings, "--persons", String(Math.floor(PERSONS / 5)), ...shape);
  let cb = 'name = "loop bench"\nguidelines = ""\n';
  for (let d = 0; d < DIMENSIONS; d++) {
    cb += `[[dimensions]]\nname = "dim${d}"\nlabel = "Dimension ${d}"\ndefinition = "What dimension ${d} means."\nlevel = "ordinal"\n[dimensions.scale]\ntype = "likert"\nmin = 1\nmax = 7\n`;
  }
  writeFileSync(path.join(dir, "codebook.toml"), cb);
  cli("study", "new", db);
  cli("import", "profiles", db, profiles);
  cli("import", "codebook", db, path.join(dir, "codebook.toml"));
  cli("import", "ratings", db, ratings);
  rmSync(ratings);
  rmSync(profiles);
  return db;
}

describe("rating loop at 100k profiles", { concurrency: 1 }, () => {
  test("keypress → Saved and Enter → next profile, in the page", { skip: !process.env.CHAMELEON_E2E_BENCH }, async () => {
    const dir = tmpdir("loop");
    const db = benchStudy(dir);
    const [[profiles]] = sql(db, "SELECT COUNT(*) FROM profile");
    const [[ratings]] = sql(db, "SELECT COUNT(*) FROM rating");
    const data = path.join(dir, "data");
    const report = [`study: ${profiles} profiles × ${DIMENSIONS} dimensions, ${ratings} ratings by the rater already`];
    // The first start: choose the rater (the app remembers it for the next start).
    let ctx = await launch({ CHAMELEON_DATA_DIR: data, CHAMELEON_STUDY: db }, "#identity-screen");
    try {
      const b = ctx.browser;
      await b.$("#rater-name").setValue("r0");
      const t0 = performance.now();
      await b.keys(Key.Enter);
      await b.$("#rate-screen").waitForDisplayed({ timeout: 60000 });
      await b.waitUntil(async () => (await shownProfile(b)) > 0, { timeout: 60000, timeoutMsg: "no profile shown" });
      report.push(`first start: rater chosen → first profile shown (seen by WebDriver): ${(performance.now() - t0).toFixed(0)} ms`);
    } finally {
      await quit(ctx);
    }
    // Cold start: a new process, the study and rater remembered, straight to the rating screen.
    const t0 = performance.now();
    const startedAt = Date.now();
    ctx = await launch({ CHAMELEON_DATA_DIR: data, CHAMELEON_STUDY: db }, "#rate-screen");
    try {
      const b = ctx.browser;
      await b.waitUntil(async () => (await shownProfile(b)) > 0, { timeout: 60000, interval: 5, timeoutMsg: "no profile shown" });
      report.push(`cold start (session request → first profile shown, seen by WebDriver): ${(performance.now() - t0).toFixed(0)} ms; load ${load()}`);
      // The page's own clock: when the first profile was drawn, without WebDriver's polling.
      const drawnAt = await b.execute(() => window.__chameleonPerf?.firstProfileAt ?? null);
      if (drawnAt !== null) report.push(`cold start (session request → first profile drawn, page clock): ${(drawnAt - startedAt).toFixed(0)} ms`);
      if (await b.$("#start-rating").isExisting()) await b.$("#start-rating").click();
      // In the page: a keydown's time, and the time each dimension turns "saved" after it.
      await b.execute(() => {
        const w = window;
        w.__chameleonPerf = { nav: [] };
        w.__saved = [];
        w.__floor = [];
        document.addEventListener(
          "keydown",
          (ev) => {
            w.__keyAt = performance.now();
            // A key the screen ignores: keydown → next frame is the floor under both figures.
            if (ev.key === "F9") requestAnimationFrame(() => w.__floor.push(performance.now() - w.__keyAt));
          },
          true,
        );
        new MutationObserver((records) => {
          for (const r of records) {
            if (r.target.getAttribute?.("data-status") === "saved" && r.oldValue !== "saved" && w.__keyAt !== undefined) {
              const at = w.__keyAt;
              w.__keyAt = undefined;
              requestAnimationFrame(() => w.__saved.push(performance.now() - at));
            }
          }
        }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ["data-status"], attributeOldValue: true });
      });
      for (let i = 0; i < 20; i++) {
        await b.keys(Key.F9);
        await b.pause(50);
      }
      const outside = [];
      let current = await shownProfile(b);
      for (let i = 0; i < PROFILES; i++) {
        for (const k of ["3", "5", "2"]) {
          await b.keys(k);
          await b.waitUntil(async () => (await b.execute(() => document.querySelectorAll('.dim[data-status="saving"]').length)) === 0, {
            timeout: 10000,
            interval: 5,
          });
        }
        const t = performance.now();
        await b.keys(Key.Enter);
        current = await waitForProfileChange(b, current);
        outside.push(performance.now() - t);
      }
      const inside = await b.execute(() => window.__chameleonPerf.nav);
      const saved = await b.execute(() => window.__saved);
      report.push(`floor: a key the screen ignores, keydown → next frame: ${fmt(await b.execute(() => window.__floor))}`);
      report.push(`keypress → Saved shown, in the page (keydown → the frame after): ${fmt(saved)}`);
      report.push(`Enter → next profile shown, in the page (keydown → next frame): ${fmt(inside)}`);
      report.push(`Enter → next profile seen by WebDriver (adds its round trips): ${fmt(outside)}; load ${load()}`);
      assert.ok(inside.length >= PROFILES - 5, `measured ${inside.length} navigations`);
      assert.ok(saved.length >= PROFILES * 3 - 10, `measured ${saved.length} saves`);
      const [[mine]] = sql(
        db,
        `SELECT COUNT(*) FROM rating r JOIN rater t ON t.id = r.rater_id WHERE t.name = 'r0' AND r.value IS NOT NULL`,
      );
      assert.equal(mine, ratings + PROFILES * 3, "every rating given in the loop is in the file");
    } finally {
      await quit(ctx);
      console.log("\n=== rating loop at 100k profiles ===");
      for (const line of report) console.log(line);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
