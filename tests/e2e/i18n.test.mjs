// The annotator's screens in German (issue #18): the language follows the system locale the app
// is started with (LANGUAGE/LANG, as WebKit reads them), and the start screen's choice overrides
// it. A rating given in German is stored like any other. CHAMELEON_SHOTS=DIR also saves
// rating-de.png (the real window).
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { Key } from "webdriverio";
import { cli, launch, quit, settledStatuses, shownProfile, sql, tmpdir } from "./lib.mjs";

const SHOTS = process.env.CHAMELEON_SHOTS;
const pause = (ms) => new Promise((r) => setTimeout(r, ms));
async function shot(name) {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await pause(600);
  execFileSync("import", ["-window", "root", path.join(SHOTS, name)]);
}

describe("translations, end to end", { concurrency: 1 }, () => {
  test("a German system locale gives German annotator screens; the start screen can switch back", async () => {
    const dir = tmpdir("i18n");
    const db = path.join(dir, "demo.chameleon");
    cli("sample", "demo", path.join(dir, "files"), "--study", db);
    const env = { LANGUAGE: "de_DE", LANG: "de_DE.UTF-8" };
    let ctx = await launch({ ...env, CHAMELEON_DATA_DIR: path.join(dir, "data-1") }, "#start-screen");
    try {
      const b = ctx.browser;
      // Follow the system (a choice stored by an earlier run would win otherwise).
      await b.$("#language").selectByAttribute("value", "");
      await b.$("#open-path").setValue(db);
      await b.$("#open-form button[type=submit]").click();
      await b.$("#identity-screen").waitForDisplayed();
      assert.equal(await b.$("#identity-screen h1").getText(), "Wer bewertet?");
      assert.equal(await b.execute(() => document.documentElement.lang), "de");
      await b.$("#rater-name").setValue("greta");
      await b.keys(Key.Enter);
      await b.$("#rate-screen").waitForDisplayed({ timeout: 15000 });
      await b.waitUntil(async () => (await shownProfile(b)) > 0);
      assert.match(await b.$("#rate-screen").getText(), /Speichern & weiter/);
      // The instructions page opens before the first profile; a rating key closes it.
      await b.keys("4");
      const statuses = Object.values(await settledStatuses(b));
      assert.ok(statuses.includes("saved"), `a rating is saved: ${statuses}`);
      const status = await b.execute(() => document.querySelector('.dim[data-status="saved"] .dim-status')?.textContent ?? "");
      assert.equal(status, "Gespeichert");
      assert.match(await b.$(".save-status").getText(), /Alles gespeichert/);
      await b.keys("?");
      assert.equal(await b.$("#help h2").getText(), "Tastenkürzel");
      await b.keys(Key.Escape);
      await shot("rating-de.png");
      const stored = sql(db, "SELECT COUNT(*) FROM rating r JOIN rater ON rater.id = r.rater_id WHERE rater.name = 'greta'");
      assert.equal(stored[0][0], 1, "the rating given in German is stored");
    } finally {
      await quit(ctx);
    }
    // The start screen's choice wins over the system locale.
    ctx = await launch({ ...env, CHAMELEON_DATA_DIR: path.join(dir, "data-2") }, "#start-screen");
    try {
      const b = ctx.browser;
      await b.$("#language").selectByAttribute("value", "en");
      await b.$("#open-path").setValue(db);
      await b.$("#open-form button[type=submit]").click();
      await b.$("#identity-screen").waitForDisplayed();
      assert.equal(await b.$("#identity-screen h1").getText(), "Who is rating?");
    } finally {
      // The choice is kept by the webview for this user: leave the system's language.
      await ctx.browser.execute(() => localStorage.removeItem("chameleon.language")).catch(() => {});
      await quit(ctx);
    }
  });
});
