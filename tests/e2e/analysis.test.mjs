// End-to-end test of the Analysis view (issue 6): open the demo study in the real app, run the
// state–trait decomposition with 200 resamples (progress bar moves), start a long run and
// cancel it (the first result stays), export the HTML report, and compare the trait shares
// shown with `chameleon decompose --json` for the same study, resamples and seed.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { cli, launch, launchFresh, openDemoAnalysis, quit, tmpdir } from "./lib.mjs";

const SEED = 5;
const RESAMPLES = 200;
const report = [];

async function setInput(browser, sel, value) {
  const el = await browser.$(sel);
  await el.clearValue();
  await el.setValue(String(value));
}

/** Trait shares shown per dimension: {dimension: "26.1%"}. */
async function shownTraitShares(browser) {
  return browser.execute(() => {
    const out = {};
    for (const tr of document.querySelectorAll("#analysis-dimensions tbody tr")) {
      out[tr.getAttribute("data-dimension")] = tr.querySelector(".trait-share").textContent;
    }
    return out;
  });
}

describe("Analysis view, end to end", { concurrency: 1 }, () => {
  let ctx;
  let dir;
  let study;
  before(async () => {
    ({ ctx, dir, study } = await launchFresh("analysis"));
  });
  after(async () => {
    if (ctx) await quit(ctx);
    console.log("\n=== analysis measurements ===");
    for (const line of report) console.log(line);
  });

  test("run, cancel, export; the numbers equal the CLI's", async () => {
    const b = ctx.browser;
    await openDemoAnalysis(b);
    assert.ok(existsSync(study), `the demo study is at ${study}`);

    // Every dimension but the nominal one is chosen by default (issue 15); this run ticks it too.
    const boxes = await b.$$("input[name=dimension]");
    assert.equal(boxes.length, 8);
    for (const box of boxes) {
      const nominal = (await box.getAttribute("value")) === "dominant_emotion";
      assert.equal(await box.isSelected(), !nominal);
      if (nominal) await box.click();
    }

    // 1. A run with 200 resamples, to completion.
    await setInput(b, "#analysis-resamples", RESAMPLES);
    await setInput(b, "#analysis-seed", SEED);
    const t0 = Date.now();
    await b.$("#analysis-run").click();
    await b.$("#analysis-result").waitForDisplayed({ timeout: 120000 });
    await b.waitUntil(async () => (await b.$("#analysis-status").getText()).includes("Done"), {
      timeout: 120000,
      timeoutMsg: "the run did not finish",
    });
    report.push(`200-resample run of the demo study, click → result (debug build): ${Date.now() - t0} ms`);
    const view = await b.$("#studio-content");
    const updates = Number(await view.getAttribute("data-progress-updates"));
    const last = await view.getAttribute("data-progress-last");
    assert.ok(updates >= 2, `the progress bar moved (${updates} updates)`);
    assert.equal(last, `${RESAMPLES}/${RESAMPLES}`, "progress reached the end");
    const firstKey = await b.$("#analysis-result").getAttribute("data-key");
    const shown = await shownTraitShares(b);

    // The same numbers as the CLI, at the precision shown.
    const dec = JSON.parse(cli("decompose", study, "--json", "--bootstrap", String(RESAMPLES), "--seed", String(SEED)));
    assert.equal(Object.keys(shown).length, dec.dimensions.length);
    for (const d of dec.dimensions) {
      // A nominal dimension is listed but not decomposed (no profile level): shown as "—".
      const want = d.profile_level ? `${(d.profile_level.trait_share * 100).toFixed(1)}%` : "—";
      assert.equal(shown[d.dimension], want, `${d.dimension}: shown ${shown[d.dimension]}, CLI ${want}`);
    }
    const ext = dec.dimensions.find((d) => d.dimension === "extraversion");
    const extCi = ext.ci.trait_share.map((v) => (v * 100).toFixed(1)).join(", ");
    const extRow = await b.$("#analysis-dimensions tr[data-dimension=extraversion] td.ci").getText();
    assert.equal(extRow, `[${extCi}]`, "the bootstrap interval equals the CLI's");
    const emotion = dec.dimensions.find((d) => d.dimension === "dominant_emotion");
    assert.equal(emotion.profile_level, null, "the nominal demo dimension is not decomposed");
    const emotionNote = await b.$("#analysis-dimensions tr[data-dimension=dominant_emotion] td.notes").getText();
    assert.match(emotionNote, /nominal/, "the table says why");
    const pooled = await b.$("#analysis-pooled .share-trait").getText();
    assert.equal(pooled, `Trait ${(dec.pooled.trait_share * 100).toFixed(1)}%`);

    // CHAMELEON_SCREENSHOTS=DIR: docs/screenshots/analysis.png comes from here.
    if (process.env.CHAMELEON_SCREENSHOTS) {
      await b.execute(() => document.querySelector("#studio-content").scrollTo(0, 0));
      await new Promise((r) => setTimeout(r, 800));
      const shot = path.join(process.env.CHAMELEON_SCREENSHOTS, "analysis.png");
      execFileSync("import", ["-window", "root", shot]);
      console.log(`screenshot ${shot}`);
      for (const [id, name] of [
        ["#figure-rater_level_shares", "analysis-figures.png"],
        ["#analysis-raters", "analysis-raters.png"],
      ]) {
        await b.execute((sel) => document.querySelector(sel).scrollIntoView(), id);
        await new Promise((r) => setTimeout(r, 500));
        execFileSync("import", ["-window", "root", path.join(process.env.CHAMELEON_SCREENSHOTS, name)]);
      }
      await b.execute(() => document.querySelector("#studio-content").scrollTo(0, 0));
    }

    // 2. A long run, cancelled midway; the UI answers meanwhile.
    await setInput(b, "#analysis-resamples", 100000);
    await b.$("#analysis-run").click();
    await b.$("#analysis-cancel").waitForDisplayed();
    await b.waitUntil(
      async () => {
        const v = await b.$("#analysis-progress").getAttribute("value");
        return Number(v) > 0;
      },
      { timeout: 60000, timeoutMsg: "the long run reported no progress" },
    );
    // Responsiveness while it runs: animation frames keep coming and the page answers.
    const frames = await b.executeAsync((done) => {
      let n = 0;
      const t0 = performance.now();
      const tick = () => {
        n++;
        if (performance.now() - t0 < 1000) requestAnimationFrame(tick);
        else done(n);
      };
      requestAnimationFrame(tick);
    });
    report.push(`animation frames in 1 s while a run computes: ${frames}`);
    assert.ok(frames > 5, `the UI thread is not blocked (${frames} frames in 1 s)`);
    const done = Number(await b.$("#analysis-progress").getAttribute("value"));
    await b.$("#analysis-cancel").click();
    await b.waitUntil(async () => (await b.$("#analysis-status").getText()).toLowerCase().includes("cancelled"), {
      timeout: 60000,
      timeoutMsg: "the UI did not say the run was cancelled",
    });
    report.push(`long run cancelled after ${done} of 100000 resamples`);
    assert.ok(done < 100000, "cancelled midway");
    assert.equal(await b.$("#analysis-result").getAttribute("data-key"), firstKey, "the first result remains");
    assert.deepEqual(await shownTraitShares(b), shown, "the first result's numbers remain");
    assert.equal(await b.$("#analysis-progress").isExisting(), false);

    // 3. Export the HTML report (the native dialog answered through the test hook).
    const out = path.join(dir, "export");
    mkdirSync(out);
    const file = path.join(out, "report.html");
    await b.execute((a) => {
      window.__chameleonDialogs = a;
    }, [file]);
    await b.$("#analysis-export-report").click();
    await b.waitUntil(async () => (await b.$("#analysis-status").getText()).includes("Saved"), {
      timeoutMsg: "the export did not report success",
    });
    assert.ok(existsSync(file), "the report was written");
    const html = readFileSync(file, "utf8");
    assert.ok(html.startsWith("<!DOCTYPE html>"));
    for (const bad of ['src="http', "src='http", 'href="http', "<link", "@import", "<script src"]) {
      assert.ok(!html.includes(bad), `self-contained: no ${bad}`);
    }
    assert.ok((html.match(/<svg/g) ?? []).length >= 4, "figures inline, the profile plot among them");
    const m = html.match(/<script type="application\/json" id="chameleon-data">(.*?)<\/script>/s);
    assert.ok(m, "the data block is embedded");
    const data = JSON.parse(m[1]);
    const repExt = data.decomposition.dimensions.find((d) => d.dimension === "extraversion");
    assert.equal(repExt.profile_level.trait_share, ext.profile_level.trait_share, "report = CLI, unrounded");
    assert.deepEqual(repExt.ci.trait_share, ext.ci.trait_share);

  });

  // Chameleon scale in the real app (issue 6's note): click → result for 1,000 resamples on
  // 150,030 ratings, and whether the page stayed responsive meanwhile (a timer and animation
  // frames, with the longest gap between frames). Printed, not asserted on time. Opt-in, as it
  // takes a while in a debug build: CHAMELEON_E2E_BENCH=1.
  test("Chameleon-scale run: time and responsiveness", { skip: !process.env.CHAMELEON_E2E_BENCH }, async () => {
    const bdir = tmpdir("analysis-bench");
    const db = path.join(bdir, "bench.chameleon");
    cli("sample", "bench", path.join(bdir, "ratings.csv"), "--profiles", path.join(bdir, "profiles.jsonl"));
    let cb = 'name = "bench"\nguidelines = ""\n';
    for (let d = 0; d < 10; d++) {
      cb += `[[dimensions]]\nname = "dim${d}"\nlabel = "dim${d}"\ndefinition = ""\nlevel = "ordinal"\n[dimensions.scale]\ntype = "likert"\nmin = 1\nmax = 7\n`;
    }
    writeFileSync(path.join(bdir, "codebook.toml"), cb);
    cli("study", "new", db);
    cli("import", "profiles", db, path.join(bdir, "profiles.jsonl"));
    cli("import", "codebook", db, path.join(bdir, "codebook.toml"));
    cli("import", "ratings", db, path.join(bdir, "ratings.csv"));
    const bench = await launch({ CHAMELEON_DATA_DIR: path.join(bdir, "data"), CHAMELEON_STUDY: db }, "#identity-screen, #start-screen");
    try {
      const b = bench.browser;
      await b.$("#open-studio").waitForDisplayed({ timeout: 60000 });
      await b.$("#open-studio").click();
      await b.$("#tab-analysis").click();
      await b.$("#analysis-options").waitForDisplayed({ timeout: 60000 });
      await setInput(b, "#analysis-resamples", 1000);
      // A page-side clock: ticks of a 100 ms timer and animation frames, longest frame gap.
      await b.execute(() => {
        const w = window;
        w.__probe = { ticks: 0, frames: 0, maxGap: 0, last: performance.now(), on: true };
        setInterval(() => w.__probe.on && w.__probe.ticks++, 100);
        const f = () => {
          const now = performance.now();
          w.__probe.maxGap = Math.max(w.__probe.maxGap, now - w.__probe.last);
          w.__probe.last = now;
          w.__probe.frames++;
          if (w.__probe.on) requestAnimationFrame(f);
        };
        requestAnimationFrame(f);
      });
      const t0 = await b.execute(() => {
        Object.assign(window.__probe, { ticks: 0, frames: 0, maxGap: 0, last: performance.now() });
        document.querySelector("#analysis-run").click();
        return performance.now();
      });
      await b.waitUntil(async () => (await b.$("#analysis-status").getText()).includes("Done"), {
        timeout: 600000,
        interval: 100,
        timeoutMsg: "the Chameleon-scale run did not finish",
      });
      const probe = await b.execute((start) => {
        const p = window.__probe;
        p.on = false;
        const shown = Number(document.querySelector("#analysis-view")?.closest("#studio-content")?.dataset.progressUpdates ?? 0);
        return { ms: performance.now() - start, ticks: p.ticks, frames: p.frames, maxGap: p.maxGap, shown };
      }, t0);
      const s = probe.ms / 1000;
      report.push(
        `Chameleon scale (150,030 ratings, 10 dimensions), 1000 resamples, click → result in the app: ${s.toFixed(1)} s ` +
          `(upper bound: the WebDriver poll is 100 ms); meanwhile ${probe.ticks} ticks of a 100 ms timer ` +
          `(${((probe.ticks * 100) / probe.ms * 100).toFixed(0)}% of expected), ${probe.frames} animation frames, ` +
          `longest gap between frames ${probe.maxGap.toFixed(0)} ms, ${probe.shown} progress updates shown`,
      );
      assert.ok(probe.ticks > 0 && probe.frames > 0, "the page kept running during the computation");
    } finally {
      await quit(bench);
    }
  });
});
