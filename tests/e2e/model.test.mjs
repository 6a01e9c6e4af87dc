// End-to-end test of the Analysis view's variance-components models (issue #12 item 5): in the
// real app on the demo study (three contexts shared by every person), the formula field says
// what is wrong with a bad term as it is typed, a preset runs, and the components, shares and
// ranked context effects shown equal `chameleon decompose --model ... --json --effects context`.
// Then the "models as raters" preset with a parametric bootstrap and profile intervals: every
// component, share and interval end shown equals `decompose --model … --bootstrap N --seed S
// --profile-ci --json`, the rater:person modes equal `--effects rater:person`, and the app's
// "Everything to a folder" report holds the formula-model and model-raters sections.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { cli, launchFresh, openDemoAnalysis, quit } from "./lib.mjs";

const FORMULA = "value ~ 1 + (1|person) + (1|context) + (1|person:context)";

/** CSV lines of `--effects` (no quoted fields in the demo's names). */
function effectsCsv(file) {
  const [head, ...rows] = readFileSync(file, "utf8").trim().split("\n");
  assert.equal(head, "dimension,term,level,mode,sd");
  return rows.map((r) => {
    const [dimension, term, level, mode, sd] = r.split(",");
    return { dimension, term, level, mode: Number(mode), sd: Number(sd) };
  });
}

function close(a, b, what) {
  assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)), `${what}: app ${a}, CLI ${b}`);
}

describe("Analysis view: models, end to end", { concurrency: 1 }, () => {
  let ctx;
  let dir;
  let study;
  before(async () => {
    ({ ctx, dir, study } = await launchFresh("model"));
  });
  after(async () => {
    if (ctx) await quit(ctx);
  });

  test("a bad term is named under the field; a preset's fit equals the CLI's", async () => {
    const b = ctx.browser;
    await openDemoAnalysis(b);
    await b.$("#analysis-model-preset").waitForDisplayed();
    assert.ok(existsSync(study));

    // The preset shows its formula; core's check says which terms it fits.
    await b.$("#analysis-model-preset").selectByAttribute("value", "contexts");
    assert.equal(await b.$("#analysis-formula").getValue(), FORMULA);
    const message = b.$("#analysis-formula-message");
    await b.waitUntil(async () => (await message.getText()).startsWith("Fits:"), { timeoutMsg: "the preset was not checked" });

    // Typed: an unknown factor is named under the field, as the CLI names it.
    const field = b.$("#analysis-formula");
    await field.clearValue();
    await field.setValue("value ~ 1 + (1|person) + (1|subreddit)");
    await b.waitUntil(async () => (await message.getText()).includes("subreddit"), { timeoutMsg: "no message under the field" });
    assert.match(await message.getText(), /unknown factor 'subreddit'/);
    assert.equal(await b.$("#analysis-model-preset").getValue(), "custom");
    await field.clearValue();
    await field.setValue("value ~ 1 + (x|person)");
    await b.waitUntil(async () => (await message.getText()).includes("random slopes"), { timeoutMsg: "a slope was not refused" });

    // The preset again, no bootstrap: run.
    await b.$("#analysis-model-preset").selectByAttribute("value", "contexts");
    await b.$("#analysis-resamples").clearValue();
    await b.$("#analysis-resamples").setValue("0");
    await b.$("#analysis-run").click();
    await b.$("#analysis-model").waitForDisplayed({ timeout: 120000 });
    // Shown as lme4 prints it (`deparse`: "(1 | person)").
    const compact = (f) => f.replace(/\s+/g, "");
    assert.equal(compact(await b.$("#analysis-model code").getText()), compact(FORMULA));

    const shown = await b.execute(() => {
      const out = {};
      for (const tr of document.querySelectorAll("#analysis-model-table tbody tr")) {
        // An array: WebDriver's JSON does not keep an object's key order.
        out[tr.getAttribute("data-dimension")] = [...tr.querySelectorAll("td[data-term]")].map((td) => ({
          term: td.getAttribute("data-term"),
          share: td.querySelector(".share").textContent,
          variance: Number(td.getAttribute("data-variance")),
        }));
      }
      const effects = [...document.querySelectorAll("#effects-context tbody tr")].map((tr) => ({
        level: tr.getAttribute("data-level"),
        mode: Number(tr.getAttribute("data-mode")),
        sd: Number(tr.getAttribute("data-sd")),
      }));
      const dimension = document.querySelector("#analysis-effects-dimension")?.value;
      return { out, effects, dimension };
    });

    const effectsFile = path.join(dir, "effects.csv");
    const dec = JSON.parse(cli("decompose", study, "--json", "--model", FORMULA, "--effects", "context", effectsFile));
    const fitted = dec.dimensions.filter((d) => d.model);
    assert.ok(fitted.length >= 7, `the demo's numeric dimensions are fitted (${fitted.length})`);
    assert.deepEqual(Object.keys(shown.out).sort(), fitted.map((d) => d.dimension).sort());
    for (const d of fitted) {
      const cells = shown.out[d.dimension];
      assert.deepEqual(cells.map((c) => c.term), Object.keys(d.model.components), `${d.dimension}: the terms in formula order`);
      for (const c of cells) {
        close(c.variance, d.model.components[c.term], `${d.dimension} ${c.term} variance`);
        assert.equal(c.share, `${(d.model.shares[c.term] * 100).toFixed(1)}%`, `${d.dimension} ${c.term} share`);
      }
    }
    // The ranked context effects of the plotted dimension, level by level.
    const want = effectsCsv(effectsFile).filter((e) => e.dimension === shown.dimension);
    assert.equal(shown.effects.length, 3, "the demo's three contexts");
    assert.deepEqual(shown.effects.map((e) => e.level), want.map((e) => e.level), "same ranking");
    shown.effects.forEach((e, i) => {
      close(e.mode, want[i].mode, `${e.level} mode`);
      close(e.sd, want[i].sd, `${e.level} sd`);
    });

    if (process.env.CHAMELEON_SCREENSHOTS) {
      for (const [sel, name] of [
        ["#analysis-model-options", "analysis-model-options.png"],
        ["#analysis-model", "analysis-model.png"],
        ["#analysis-effects", "analysis-effects.png"],
      ]) {
        await b.execute((s) => document.querySelector(s).scrollIntoView(), sel);
        await new Promise((r) => setTimeout(r, 600));
        execFileSync("import", ["-window", "root", path.join(process.env.CHAMELEON_SCREENSHOTS, name)]);
      }
    }
  });

  test("the models-as-raters preset with intervals: every number and interval end is the CLI's", async () => {
    const b = ctx.browser;
    const RATERS = "value ~ 1 + (1|person) + (1|context) + (1|person:context) + (1|rater) + (1|rater:person)";
    const N = 40;
    const SEED = 3;
    await b.$("#analysis-model-preset").selectByAttribute("value", "model-raters");
    assert.equal((await b.$("#analysis-formula").getValue()).replace(/\s+/g, ""), RATERS.replace(/\s+/g, ""));
    await b.$("#analysis-resamples").clearValue();
    await b.$("#analysis-resamples").setValue(String(N));
    await b.$("#analysis-seed").clearValue();
    await b.$("#analysis-seed").setValue(String(SEED));
    const profile = b.$("#analysis-profile-ci");
    if (!(await profile.isSelected())) await profile.click();
    await b.$("#analysis-run").click();
    await b.waitUntil(async () => (await b.$("#analysis-status").getText()).includes("Done"), {
      timeout: 300000,
      timeoutMsg: "the model run with intervals did not finish",
    });
    await b.$("#analysis-model-intervals").waitForDisplayed();

    const shown = await b.execute(() => {
      const rows = [...document.querySelectorAll("#analysis-intervals-table tbody tr")].map((tr) => ({
        dimension: tr.getAttribute("data-dimension"),
        term: tr.getAttribute("data-term"),
        variance: Number(tr.getAttribute("data-variance")),
        share: Number(tr.getAttribute("data-share")),
        varianceCi: tr.getAttribute("data-variance-ci"),
        shareCi: tr.getAttribute("data-share-ci"),
        sdCi: tr.getAttribute("data-sd-ci"),
        text: [...tr.querySelectorAll("td")].map((td) => td.textContent),
      }));
      const methods = [...document.querySelectorAll(".analysis-interval-method")].map((p) => p.textContent);
      const rp = [...document.querySelectorAll("[id='effects-rater:person'] tbody tr")].map((tr) => ({
        level: tr.getAttribute("data-level"),
        mode: Number(tr.getAttribute("data-mode")),
        sd: Number(tr.getAttribute("data-sd")),
      }));
      const persons = [...document.querySelectorAll("#effects-disagreement tbody tr")].map((tr) => ({
        person: tr.getAttribute("data-person"),
        spread: Number(tr.getAttribute("data-spread")),
      }));
      const dimension = document.querySelector("#analysis-effects-dimension")?.value;
      return { rows, methods, rp, persons, dimension };
    });

    const effectsFile = path.join(dir, "rater-person.csv");
    const dec = JSON.parse(
      cli("decompose", study, "--json", "--model", RATERS, "--bootstrap", String(N), "--seed", String(SEED), "--profile-ci", "--effects", "rater:person", effectsFile),
    );
    const fitted = dec.dimensions.filter((d) => d.model);
    assert.ok(fitted.length >= 7, `fitted dimensions: ${fitted.length}`);
    // The method is named beside the numbers, as the CLI's JSON names it.
    assert.equal(fitted[0].model.bootstrap.method, "parametric");
    assert.ok(shown.methods.some((t) => t.includes("parametric bootstrap") && t.includes(`${N} resamples, seed ${SEED}`)), shown.methods.join(" | "));
    assert.ok(shown.methods.some((t) => t.includes("profile-likelihood")), shown.methods.join(" | "));
    const ends = (s) => (s ? s.split(",").map(Number) : null);
    let checked = 0;
    for (const d of fitted) {
      const m = d.model;
      const mine = shown.rows.filter((r) => r.dimension === d.dimension);
      assert.deepEqual(mine.map((r) => r.term), Object.keys(m.components), `${d.dimension}: terms in formula order`);
      for (const r of mine) {
        close(r.variance, m.components[r.term], `${d.dimension} ${r.term} variance`);
        close(r.share, m.shares[r.term], `${d.dimension} ${r.term} share`);
        const pairs = [
          [ends(r.varianceCi), m.components_ci95[r.term], "variance CI"],
          [ends(r.shareCi), m.shares_ci95[r.term], "share CI"],
          [ends(r.sdCi), m.sd_ci95?.[r.term] ?? null, "SD profile CI"],
        ];
        for (const [app, want, what] of pairs) {
          if (want === null || want === undefined) {
            assert.equal(app, null, `${d.dimension} ${r.term} ${what}: none in the CLI`);
            continue;
          }
          close(app[0], want[0], `${d.dimension} ${r.term} ${what} lower`);
          close(app[1], want[1], `${d.dimension} ${r.term} ${what} upper`);
          checked++;
        }
        // As shown: the share interval in percent, one decimal, as the CLI's numbers round.
        const want = m.shares_ci95[r.term];
        if (want) assert.equal(r.text[6], `[${(want[0] * 100).toFixed(1)}, ${(want[1] * 100).toFixed(1)}]`);
      }
    }
    assert.ok(checked > 50, `interval ends compared: ${checked}`);

    // rater:person modes of the plotted dimension, ranked as the CLI ranks them.
    const want = effectsCsv(effectsFile).filter((e) => e.dimension === shown.dimension);
    assert.ok(want.length > 20, `rater:person levels of ${shown.dimension}: ${want.length}`);
    const head = shown.rp.slice(0, 15);
    assert.deepEqual(head.map((e) => e.level), want.slice(0, 15).map((e) => e.level), "the same ranking");
    head.forEach((e, i) => {
      close(e.mode, want[i].mode, `${e.level} mode`);
      close(e.sd, want[i].sd, `${e.level} sd`);
    });
    // Whom the raters disagree about most: the widest spread of one person's modes in the CSV.
    const spread = new Map();
    for (const e of want) {
      const person = e.level.slice(e.level.indexOf(":") + 1);
      const [lo, hi] = spread.get(person) ?? [Infinity, -Infinity];
      spread.set(person, [Math.min(lo, e.mode), Math.max(hi, e.mode)]);
    }
    const widest = [...spread.entries()].map(([p, [lo, hi]]) => [p, hi - lo]).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    assert.ok(shown.persons.length > 0, "the disagreement table is shown");
    assert.equal(shown.persons[0].person, widest[0][0]);
    close(shown.persons[0].spread, widest[0][1], "largest spread");

    if (process.env.CHAMELEON_SCREENSHOTS) {
      for (const [sel, name] of [
        ["#analysis-model-intervals", "analysis-model-intervals.png"],
        ["#effects-disagreement", "analysis-rater-person.png"],
      ]) {
        await b.execute((s) => document.querySelector(s).scrollIntoView(), sel);
        await new Promise((r) => setTimeout(r, 600));
        execFileSync("import", ["-window", "root", path.join(process.env.CHAMELEON_SCREENSHOTS, name)]);
      }
    }

    // The app's own export: the report has chameleon report's model sections.
    const out = path.join(dir, "everything");
    mkdirSync(out);
    await b.execute((a) => {
      window.__chameleonDialogs = a;
    }, [out]);
    await b.$("#analysis-export-all").click();
    await b.waitUntil(async () => existsSync(path.join(out, "report.html")), { timeout: 60000, timeoutMsg: "no report.html in the folder" });
    await b.waitUntil(async () => (await b.$("#analysis-status").getText()).includes("Saved"), { timeoutMsg: "the export did not report success" });
    const html = readFileSync(path.join(out, "report.html"), "utf8");
    assert.ok(html.includes('<section id="model">'), "the formula model's section");
    assert.ok(html.includes('<section id="models">'), "the model raters' section");
    const data = JSON.parse(html.match(/<script type="application\/json" id="chameleon-data">(.*?)<\/script>/s)[1]);
    const ext = data.decomposition.dimensions.find((d) => d.dimension === "extraversion").model;
    const cliExt = fitted.find((d) => d.dimension === "extraversion").model;
    assert.deepEqual(ext.shares_ci95, cliExt.shares_ci95, "the report's intervals are the CLI's, unrounded");
    const models = JSON.parse(cli("model", "report", study, "--json", "--bootstrap", String(N), "--seed", String(SEED)));
    assert.deepEqual(data.models.summary, models.summary, "the model raters' section is chameleon model report's");
  });
});
