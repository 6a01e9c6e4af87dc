// End-to-end test of the PI's review views (issue 6): the agreement dashboard against the CLI's
// numbers, the kappa heatmap, and adjudicating the most disputed profile, checked in the file.
// With CHAMELEON_SHOTS=DIR it also saves agreement.png and adjudication.png of the real window.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { Key } from "webdriverio";
import { cli, launch, quit, sql, tmpdir } from "./lib.mjs";

const SHOTS = process.env.CHAMELEON_SHOTS;
const pause = (ms) => new Promise((r) => setTimeout(r, ms));

async function shot(name) {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await pause(600); // let the window repaint before grabbing the X screen
  execFileSync("import", ["-window", "root", path.join(SHOTS, name)]);
}

/** Every non-adjudicated rating of a profile: [rater, dimension, value, updated_at]. */
function ratersRatings(db, profileId) {
  return sql(
    db,
    `SELECT t.name, d.name, r.value, r.updated_at FROM rating r JOIN rater t ON t.id = r.rater_id
       JOIN dimension d ON d.id = r.dimension_id
      WHERE r.profile_id = ? AND t.kind <> 'adjudicated' ORDER BY t.name, d.name`,
    [profileId],
  );
}

describe("review views, end to end", { concurrency: 1 }, () => {
  test("agreement table equals the CLI, heatmap opens, a profile is adjudicated, codebook edited", async () => {
    const dir = tmpdir("review");
    const db = path.join(dir, "demo.chameleon");
    cli("sample", "demo", path.join(dir, "files"), "--study", db);
    // The app and the CLI default to the same pool of raters (humans with enough ratings).
    const expected = JSON.parse(cli("agreement", db, "--json")).dimensions;
    const ctx = await launch({ CHAMELEON_DATA_DIR: path.join(dir, "data"), CHAMELEON_STUDY: db }, "#identity-screen");
    try {
      const b = ctx.browser;
      // A PI needs no rater: straight from "who is rating" to the studio.
      await b.$("#open-studio").click();
      await b.$("#agreement-table").waitForDisplayed({ timeout: 30000 });
      const rows = await b.execute(() =>
        [...document.querySelectorAll("#agreement-table tbody tr")].map((r) => ({
          dimension: r.getAttribute("data-dimension"),
          alpha: r.querySelector(".alpha")?.textContent ?? "",
          band: r.getAttribute("data-band"),
        })),
      );
      assert.deepEqual(
        rows.map((r) => r.dimension),
        expected.map((d) => d.dimension),
        "one row per dimension, in codebook order",
      );
      for (const [i, d] of expected.entries()) {
        const cliAlpha = d.alpha[d.level];
        assert.equal(typeof cliAlpha, "number", `${d.dimension}: the CLI computes alpha`);
        const shown = rows[i].alpha.match(/-?\d+\.\d{3}/)?.[0];
        assert.equal(shown, cliAlpha.toFixed(3), `${d.dimension}: alpha (${d.level}) as displayed`);
        const band = cliAlpha >= 0.8 ? "good" : cliAlpha >= 0.667 ? "tentative" : "poor";
        assert.equal(rows[i].band, band, `${d.dimension}: coloured by the default thresholds`);
      }

      // Open the first dimension: the kappa heatmap is a data-URI SVG that the CSP lets load.
      await b.$('#agreement-table tr[data-dimension="openness"] .dim-open').click();
      const heatmap = b.$("#kappa-heatmap");
      await heatmap.waitForDisplayed({ timeout: 30000 });
      assert.match(await heatmap.getAttribute("src"), /^data:image\/svg\+xml/);
      await b.waitUntil(async () => (await b.execute(() => document.getElementById("kappa-heatmap")?.naturalWidth ?? 0)) > 0, {
        timeoutMsg: "the heatmap image did not load",
      });
      const raterRows = await b.$$("#rater-diagnostics tbody tr");
      assert.equal(raterRows.length, expected[0].raters, "one diagnostics row per rater");
      await b.$("#drift-chart").waitForDisplayed();
      // The opened dimension's detail in view, with the end of the table above it.
      await b.execute(() => {
        document.getElementById("agreement-detail")?.scrollIntoView({ block: "start" });
        document.getElementById("studio-content")?.scrollBy(0, -150);
      });
      await shot("agreement.png");
      await b.execute(() => document.getElementById("distribution-chart")?.scrollIntoView({ block: "end" }));
      await shot("agreement-figures.png");

      // Disagreements on the same dimension, from the detail's link.
      await b.$("#to-disagreements").click();
      await b.$("#disagreement-list tbody tr").waitForDisplayed({ timeout: 30000 });
      assert.equal(await b.$("#disagreement-dimension").getValue(), "openness");
      const before = await b.$("#alpha-before").getText();
      assert.equal(before, expected[0].alpha[expected[0].level].toFixed(3), "alpha before adjudication is the dashboard's");
      const names = await b.$("#disagreement-list tbody tr .values").getText();
      assert.match(names, /Rater [A-D]/, "rater names are hidden by default");
      assert.doesNotMatch(names, /\bana\b|\bben\b|\bchloe\b/);

      const top = Number(await b.$("#disagreement-list tbody tr").getAttribute("data-profile-id"));
      const ratersBefore = ratersRatings(db, top);
      assert.ok(ratersBefore.length > 0);
      await b.$("#disagreement-list tbody tr .open-profile").click();
      await b.$("#adjudicate-form").waitForDisplayed();
      await b.$("#side-by-side").waitForDisplayed();
      // Pick 3, write the note, and save from the keyboard with Ctrl+Enter.
      await b.$("#adjudicated-value").selectByAttribute("value", "3");
      await b.$("#adjudication-note").setValue("e2e: settled after reading all posts");
      await b.$("#adjudication-note").click();
      await b.keys([Key.Ctrl, Key.Enter]);
      await b.$(`#disagreement-list tr.settled[data-profile-id="${top}"]`).waitForExist({ timeout: 15000 });
      await b.waitUntil(async () => (await b.$("#adjudicated-count").getText()).startsWith("1 of"), {
        timeoutMsg: "the list does not count the adjudication",
      });

      const adjudicated = sql(
        db,
        `SELECT r.value, r.note, t.kind FROM rating r JOIN rater t ON t.id = r.rater_id
           JOIN dimension d ON d.id = r.dimension_id
          WHERE r.profile_id = ? AND d.name = 'openness' AND t.kind = 'adjudicated'`,
        [top],
      );
      assert.deepEqual(adjudicated, [[3, "e2e: settled after reading all posts", "adjudicated"]]);
      assert.deepEqual(ratersRatings(db, top), ratersBefore, "the raters' ratings are unchanged");

      assert.equal(await b.$("#alpha-before").getText(), before, "alpha before stays");
      const after = await b.$("#alpha-after").getText();
      assert.match(after, /^-?\d\.\d{3}$/, "alpha after adjudication is shown");
      // The next unsettled profile is open for the PI to go on.
      await b.$("#disagreement-list tr.current").waitForExist();
      assert.notEqual(Number(await b.$("#disagreement-list tr.current").getAttribute("data-profile-id")), top);
      await shot("adjudication.png");

      // The codebook editor opens on the study's codebook with its guidelines rendered.
      await b.$("#tab-codebook").click();
      await b.$("#guidelines-preview").waitForDisplayed();
      assert.equal((await b.$$("#cb-dims .cb-dim")).length, expected.length);
      await shot("codebook.png");

      // Edit a definition and save: a new codebook version, and an annotator who rated under
      // the old one sees "Codebook changed" on the rating screen.
      const version = sql(db, "SELECT MAX(version) FROM codebook_version")[0][0];
      await b.$("#cb-0-definition").addValue(" Includes aesthetic interests.");
      await b.$("#save-codebook").click();
      // The change is shown first; the save is made on confirmation.
      await b.$("#codebook-confirm-save").waitForDisplayed({ timeout: 15000 });
      assert.match(await b.$("#codebook-changes").getText(), /definition/);
      await b.$("#codebook-confirm-save").click();
      await b.waitUntil(async () => /^Saved as version \d+/.test(await b.$("#codebook-messages").getText()), {
        timeoutMsg: "the codebook was not saved",
      });
      assert.equal(sql(db, "SELECT MAX(version) FROM codebook_version")[0][0], version + 1);
      await b.$("#to-annotate").click();
      await b.$("#identity-screen").waitForDisplayed();
      await b.$("#rater-name").setValue("ana");
      await b.keys(Key.Enter);
      await b.$("#rate-screen").waitForDisplayed();
      await b.$("#codebook-changed").waitForDisplayed({ timeout: 15000 });
    } finally {
      await quit(ctx);
    }
  });
});
