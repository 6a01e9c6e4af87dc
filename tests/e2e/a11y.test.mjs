// Accessibility of every screen of the real app (issue #18): axe-core's WCAG 2.1 A/AA rules over
// the start screen, "who is rating", the rating screen (also with the codebook panel open) and
// every studio tab (with an analysis run shown); no serious or critical violation.
import { strict as assert } from "node:assert";
import { describe, test } from "node:test";
import path from "node:path";
import { Key } from "webdriverio";
import { cli, launch, quit, seriousA11yViolations, tmpdir } from "./lib.mjs";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Checks the screen shown now; collects what is found under `name` rather than stopping. */
async function check(b, name, found) {
  // Let async sections settle (loading notes are replaced by their content).
  await sleep(500);
  const v = await seriousA11yViolations(b);
  if (v.length) found.push({ screen: name, violations: v });
  return v;
}

function report(found) {
  return found
    .map((f) => `${f.screen}:\n` + f.violations.map((v) => `  [${v.impact}] ${v.id}: ${v.help}\n    ${v.nodes.slice(0, 5).join("\n    ")}`).join("\n"))
    .join("\n");
}

describe("accessibility (axe-core), end to end", { concurrency: 1 }, () => {
  test("no serious or critical violation on any screen", async () => {
    const dir = tmpdir("a11y");
    const db = path.join(dir, "demo.chameleon");
    cli("sample", "demo", path.join(dir, "files"), "--study", db);
    const found = [];
    // The start screen: its own launch, without a study.
    let ctx = await launch({ CHAMELEON_DATA_DIR: path.join(dir, "data-start") }, "#start-screen");
    try {
      await check(ctx.browser, "start screen", found);
    } finally {
      await quit(ctx);
    }
    ctx = await launch({ CHAMELEON_DATA_DIR: path.join(dir, "data"), CHAMELEON_STUDY: db }, "#identity-screen");
    try {
      const b = ctx.browser;
      await check(b, "who is rating", found);
      await b.$("#rater-name").setValue("ally");
      await b.keys(Key.Enter);
      // The instructions page may come first; then the rating screen.
      await b.$("#rate-screen, #instructions").waitForDisplayed({ timeout: 15000 });
      if (await b.$("#instructions").isDisplayed().catch(() => false)) {
        await check(b, "instructions", found);
      }
      await b.execute(() => document.querySelector("#instructions button")?.click());
      await b.$("#rate-screen").waitForDisplayed({ timeout: 15000 });
      await check(b, "rating screen", found);
      // A rating given: the saved state and the next profile.
      await b.keys("3");
      await sleep(300);
      await check(b, "rating screen after a rating", found);

      await b.$("#to-studio, #open-studio").click();
      await b.$("#studio-screen").waitForDisplayed({ timeout: 15000 });
      const tabs = await b.execute(() => [...document.querySelectorAll("[role=tab]")].map((t) => t.id));
      assert.ok(tabs.length >= 5, `the studio has its tabs: ${tabs}`);
      for (const id of tabs) {
        await b.$(`#${id}`).click();
        await sleep(1500);
        await check(b, `studio tab ${id}`, found);
        if (id === "tab-analysis") {
          await b.$("#analysis-run").click();
          await b.$("#analysis-result").waitForDisplayed({ timeout: 120000 });
          await check(b, "analysis results", found);
        }
      }
    } finally {
      await quit(ctx);
    }
    assert.equal(found.length, 0, `serious or critical accessibility violations:\n${report(found)}`);
  });
});
