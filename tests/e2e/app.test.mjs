// End-to-end tests of the real app (tauri-driver + WebKitWebDriver under Xvfb), see issue 5.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { Key } from "webdriverio";
import {
  appPid,
  cli,
  launch,
  percentile,
  quit,
  settledStatuses,
  shownProfile,
  shownValues,
  sql,
  tmpdir,
  waitForProfileChange,
} from "./lib.mjs";

const DIMS = [
  "openness",
  "conscientiousness",
  "extraversion",
  "agreeableness",
  "neuroticism",
  "positive_affect",
  "negative_affect",
  "dominant_emotion",
];
const report = [];

/** Create a study through the start screen, then become rater `name`. */
async function createStudy(browser, { profiles, codebook, study }, name) {
  await browser.$("#profiles-path").setValue(profiles);
  await browser.$("#codebook-path").setValue(codebook);
  await browser.$("#study-path").setValue(study);
  await browser.$("#create").click();
  await chooseRater(browser, name);
}

async function chooseRater(browser, name) {
  await browser.$("#identity-screen").waitForDisplayed();
  await browser.$("#rater-name").setValue(name);
  await browser.keys(Key.Enter);
  await browser.$("#rate-screen").waitForDisplayed();
  await browser.waitUntil(async () => (await shownProfile(browser)) > 0, { timeoutMsg: "no profile shown" });
}

/** Rates the shown profile with digit keys only; returns {dimension: value}. */
async function rateWithKeys(browser, digits) {
  for (const d of digits) await browser.keys(d);
  const statuses = await settledStatuses(browser);
  return statuses;
}

/** This rater's current values in the file: {profileId: {dimension: value|null}}. */
function ratingsInFile(db, rater) {
  const rows = sql(
    db,
    `SELECT r.profile_id, d.name, r.value FROM rating r JOIN dimension d ON d.id = r.dimension_id
       JOIN rater t ON t.id = r.rater_id WHERE t.name = ? ORDER BY r.profile_id, d.position`,
    [rater],
  );
  const out = {};
  for (const [p, d, v] of rows) (out[p] ??= {})[d] = v;
  return out;
}

describe("Chameleon Studio, end to end", { concurrency: 1 }, () => {
  let demo;
  before(() => {
    demo = tmpdir("demo");
    cli("sample", "demo", demo);
  });
  after(() => {
    console.log("\n=== measurements ===");
    for (const line of report) console.log(line);
  });

  test("create a study, rate three profiles by keyboard, undo, restart: ratings kept and shown", async () => {
    const dir = tmpdir("t1");
    const db = path.join(dir, "study.chameleon");
    const env = { CHAMELEON_DATA_DIR: path.join(dir, "data") };
    let ctx = await launch(env, "#start-screen");
    report.push(`cold start (session request → start screen): ${ctx.coldStartMs.toFixed(0)} ms`);
    try {
      await createStudy(
        ctx.browser,
        { profiles: path.join(demo, "profiles.jsonl"), codebook: path.join(demo, "codebook.toml"), study: db },
        "e2e-annotator",
      );
      const title = await ctx.browser.getTitle();
      const windows = execFileSync("xwininfo", ["-root", "-tree"], { encoding: "utf8" });
      // The study's name is its codebook's until the PI renames it.
      assert.match(windows, /"Chameleon demo: Big Five and affect — e2e-annotator — Chameleon Studio"/, "the native window title shows the study");
      const first = await shownProfile(ctx.browser);
      // Profile 1: all eight dimensions.
      let st = await rateWithKeys(ctx.browser, ["3", "4", "2", "5", "1", "6", "2", "3"]);
      assert.deepEqual(Object.values(st), Array(8).fill("saved"), "every rating shows Saved");
      await ctx.browser.keys(Key.Enter);
      const second = await waitForProfileChange(ctx.browser, first);
      // Profile 2: all eight, using arrow keys for the last one.
      st = await rateWithKeys(ctx.browser, ["1", "2", "3", "4", "5", "7", "1"]);
      await ctx.browser.keys(Key.ArrowRight); // dominant emotion: first category
      st = await settledStatuses(ctx.browser);
      assert.equal(st.dominant_emotion, "saved");
      await ctx.browser.keys(Key.Enter);
      const third = await waitForProfileChange(ctx.browser, second);
      // Profile 3: eight values, then undo the last one (dominant emotion back to empty).
      await rateWithKeys(ctx.browser, ["5", "5", "5", "5", "5", "4", "4", "2"]);
      await ctx.browser.keys(Key.Backspace);
      st = await settledStatuses(ctx.browser);
      assert.equal(st.dominant_emotion, "empty", "undo cleared the last change");
      assert.equal(st.negative_affect, "saved");
      // The undone rating is in the codebook panel's history line (read through the real command).
      const history = await ctx.browser.$("#rating-history");
      await history.waitForDisplayed({ timeout: 10000, timeoutMsg: "the history line did not appear" });
      assert.match(await history.getText(), /^Changed 1 time: .+ → cleared \(last /);
      await ctx.browser.keys(Key.Enter);
      await waitForProfileChange(ctx.browser, third);

      // The queue panel says which dimensions are still incomplete: all 8 rated on 3 profiles,
      // dominant emotion only on 2 (the undo).
      await ctx.browser.keys("q");
      const byDim = await ctx.browser.$('#queue-dimensions li[data-dimension="dominant_emotion"]');
      await byDim.waitForExist({ timeout: 10000 });
      const total = (await sql(db, "SELECT COUNT(*) FROM profile"))[0][0];
      assert.match(await byDim.getText(), new RegExp(`2/${total} · ${total - 2} to go`));
      const openness = await ctx.browser.$('#queue-dimensions li[data-dimension="openness"]').getText();
      assert.match(openness, new RegExp(`3/${total} · ${total - 3} to go`));
      assert.equal((await ctx.browser.$$("#queue-dimensions li")).length, 8);
      await ctx.browser.keys(Key.Escape);

      const expected = {
        [first]: { openness: 3, conscientiousness: 4, extraversion: 2, agreeableness: 5, neuroticism: 1, positive_affect: 6, negative_affect: 2, dominant_emotion: 3 },
        [second]: { openness: 1, conscientiousness: 2, extraversion: 3, agreeableness: 4, neuroticism: 5, positive_affect: 7, negative_affect: 1, dominant_emotion: 1 },
        [third]: { openness: 5, conscientiousness: 5, extraversion: 5, agreeableness: 5, neuroticism: 5, positive_affect: 4, negative_affect: 4, dominant_emotion: null },
      };
      await quit(ctx);

      // In the file, before the app runs again.
      assert.deepEqual(ratingsInFile(db, "e2e-annotator"), expected, "the file holds exactly what was rated");
      const hist = sql(
        db,
        `SELECT h.old_value, h.new_value FROM rating_history h JOIN rating r ON r.id = h.rating_id
           JOIN dimension d ON d.id = r.dimension_id WHERE r.profile_id = ? AND d.name = 'dominant_emotion'
          ORDER BY h.id`,
        [third],
      );
      assert.deepEqual(hist.at(-1), [2, null], "the undo is in the history, the old value kept");
      assert.match(title, /^Chameleon demo: Big Five and affect — /, "the window title names the study (its codebook's name)");

      // Restart: the recent list opens the study, the rater is remembered, values shown again.
      ctx = await launch(env, "#start-screen");
      report.push(`warm start (second launch → start screen): ${ctx.coldStartMs.toFixed(0)} ms`);
      const recent = await ctx.browser.$("#recent button.recent-item");
      assert.match(await recent.getText(), /study/);
      await ctx.browser.keys(Key.Enter); // the first recent study has the focus
      await ctx.browser.$("#rate-screen").waitForDisplayed();
      await ctx.browser.waitUntil(async () => (await shownProfile(ctx.browser)) > 0);
      assert.equal(await shownProfile(ctx.browser), third, "the unfinished profile comes first");
      assert.deepEqual(await shownValues(ctx.browser), expected[third], "ratings are shown again");
      // Jump back to the first profile through the queue.
      await ctx.browser.keys("q");
      await ctx.browser.$(`#queue button[data-profile-id="${first}"]`).click();
      await ctx.browser.waitUntil(async () => (await shownProfile(ctx.browser)) === first);
      assert.deepEqual(await shownValues(ctx.browser), expected[first]);
      const progress = await ctx.browser.$(".progress-text").getText();
      assert.match(progress, /^2 of 108 profiles done/, `progress counts this rater's finished profiles: ${progress}`);
    } finally {
      await quit(ctx);
    }
  });

  test("hostile profile texts are shown as literal text and nothing runs", async () => {
    const dir = tmpdir("t2");
    const payloads = {
      img: `<img src=x onerror="window.__pwned='img';document.title='PWNED'">`,
      script: `<script>window.__pwned='script'</script>`,
      link: `<a href="javascript:window.__pwned='link'">click me</a> javascript:alert(1)`,
      svg: `<svg onload="window.__pwned='svg'"></svg><iframe src="javascript:alert(2)"></iframe>`,
    };
    const profiles = path.join(dir, "hostile.jsonl");
    writeFileSync(
      profiles,
      [
        { person: `<b>u1</b>`, context: `<script>alert('ctx')</script>`, texts: [
          { title: `<img src=x onerror=alert('title')>`, text: payloads.img, url: "javascript:alert(3)" },
          { text: payloads.script },
          { text: payloads.link },
          { text: payloads.svg },
        ] },
      ].map((o) => JSON.stringify(o)).join("\n") + "\n",
    );
    // A broken file first: its line-numbered errors are shown, nothing is created.
    const broken = path.join(dir, "broken.jsonl");
    writeFileSync(broken, `{"person":"a","context":"c","text":"ok"}\n{"person":"b"\n{"context":"c","text":"no person"}\n`);
    const ctx = await launch({ CHAMELEON_DATA_DIR: path.join(dir, "data") }, "#start-screen");
    try {
      const b = ctx.browser;
      await b.$("#profiles-path").setValue(broken);
      await b.$("#codebook-path").setValue(path.join(demo, "codebook.toml"));
      await b.$("#study-path").setValue(path.join(dir, "broken.chameleon"));
      await b.$("#create").click();
      const err = await b.$(".error-box");
      await err.waitForDisplayed();
      const lines = await b.execute(() => [...document.querySelectorAll(".row-errors tbody tr td:first-child")].map((td) => td.textContent));
      assert.ok(lines.includes("2") && lines.includes("3"), `errors name lines 2 and 3: ${lines}`);

      await b.$("#profiles-path").setValue(profiles);
      // Person ids are hidden from annotators unless the codebook shows them: shown here, so the
      // hostile person id is on screen too.
      const shownIds = path.join(dir, "codebook-show-ids.toml");
      writeFileSync(shownIds, "show_person_ids = true\n" + readFileSync(path.join(demo, "codebook.toml"), "utf8"));
      await b.$("#codebook-path").setValue(shownIds);
      await b.$("#study-path").setValue(path.join(dir, "hostile.chameleon"));
      await b.$("#create").click();
      await chooseRater(b, "e2e-security");
      const shown = await b.execute(() => ({
        texts: [...document.querySelectorAll(".text-body")].map((e) => e.textContent),
        title: document.querySelector(".text-title")?.textContent,
        context: document.querySelector("#profile-context")?.textContent,
        person: document.querySelector(".person")?.textContent,
        url: document.querySelector(".url")?.textContent,
        elements: document.querySelectorAll(".material img, .material script, .material a, .material svg, .material iframe, .material b").length,
        pwned: window.__pwned ?? null,
        docTitle: document.title,
      }));
      assert.deepEqual(shown.texts, Object.values(payloads), "payloads appear exactly as typed");
      assert.equal(shown.title, `<img src=x onerror=alert('title')>`);
      assert.equal(shown.context, `<script>alert('ctx')</script>`);
      assert.equal(shown.person, `<b>u1</b>`);
      assert.equal(shown.url, "javascript:alert(3)");
      assert.equal(shown.elements, 0, "no element was made from the material");
      await new Promise((r) => setTimeout(r, 500)); // let any onerror/onload fire
      const after = await b.execute(() => ({ pwned: window.__pwned ?? null, docTitle: document.title }));
      assert.equal(after.pwned, null, "no payload ran");
      assert.notEqual(after.docTitle, "PWNED");
      let alertText = null;
      try {
        alertText = await b.getAlertText();
      } catch {
        // no alert open: good
      }
      assert.equal(alertText, null, "no alert was opened");
    } finally {
      await quit(ctx);
    }
  });

  test("SIGKILL right after a rating shows Saved: the rating is in the file", async () => {
    const dir = tmpdir("t3");
    const db = path.join(dir, "kill.chameleon");
    cli("sample", "demo", path.join(dir, "files"), "--study", db);
    const ctx = await launch({ CHAMELEON_DATA_DIR: path.join(dir, "data"), CHAMELEON_STUDY: db }, "#identity-screen");
    let killed = false;
    try {
      await chooseRater(ctx.browser, "e2e-kill");
      const profile = await shownProfile(ctx.browser);
      await ctx.browser.keys("4");
      await ctx.browser.$('.dim[data-dimension="openness"][data-status="saved"]').waitForExist({ timeout: 10000, interval: 5 });
      process.kill(appPid(ctx), "SIGKILL");
      killed = true;
      const rows = sql(
        db,
        `SELECT r.value FROM rating r JOIN rater t ON t.id = r.rater_id JOIN dimension d ON d.id = r.dimension_id
          WHERE t.name = 'e2e-kill' AND r.profile_id = ? AND d.name = 'openness'`,
        [profile],
      );
      assert.deepEqual(rows, [[4]], "a rating shown as Saved survives the app being killed");
    } finally {
      await quit(ctx);
      assert.ok(killed);
    }
  });

  test("latency: keypress → next profile shown, over 200 profiles", async () => {
    const dir = tmpdir("t4");
    const db = path.join(dir, "perf.chameleon");
    cli("sample", "demo", path.join(dir, "files"), "--persons", "70", "--study", db);
    const ctx = await launch({ CHAMELEON_DATA_DIR: path.join(dir, "data"), CHAMELEON_STUDY: db }, "#identity-screen");
    try {
      const b = ctx.browser;
      await chooseRater(b, "e2e-perf");
      await b.execute(() => (window.__chameleonPerf = { nav: [] }));
      const outside = [];
      let current = await shownProfile(b);
      for (let i = 0; i < 200; i++) {
        await b.keys("3"); // one rating per profile, as an annotator would start
        await settledStatuses(b);
        const t0 = performance.now();
        await b.keys(Key.Enter);
        current = await waitForProfileChange(b, current);
        outside.push(performance.now() - t0);
      }
      const inside = await b.execute(() => window.__chameleonPerf.nav);
      assert.ok(inside.length >= 195, `measured ${inside.length} navigations`);
      const fmt = (xs) => `p50 ${percentile(xs, 50).toFixed(1)} ms, p95 ${percentile(xs, 95).toFixed(1)} ms (n=${xs.length})`;
      report.push(`Enter → next profile shown, in the app (keydown → next frame): ${fmt(inside)}`);
      report.push(`Enter → next profile seen by WebDriver (includes WebDriver round trips): ${fmt(outside)}`);
      const n = sql(db, `SELECT COUNT(*) FROM rating r JOIN rater t ON t.id = r.rater_id WHERE t.name = 'e2e-perf' AND r.value IS NOT NULL`);
      assert.equal(n[0][0], 200, "every profile's first rating was saved");
    } finally {
      await quit(ctx);
    }
  });
});
