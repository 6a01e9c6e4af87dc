// End-to-end test of the Analysis view's variance-components models (issue #12 item 5): in the
// real app on the demo study (three contexts shared by every person), the formula field says
// what is wrong with a bad term as it is typed, a preset runs, and the components, shares and
// ranked context effects shown equal `chameleon decompose --model ... --json --effects context`.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
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
});
