// End-to-end: the team workflow through the real app (issue 7). A study made with the CLI;
// assignments designed in the app's form; one annotator's package exported with the app's
// button; the package opened in the app and rated with the keyboard; merged back with the
// "Merge packages…" button; the report, the study file (plain SQL), a second merge and the audit
// trail checked. Native dialogs are answered through `window.__chameleonDialogs` (dialogs.ts).
// With CHAMELEON_TEAM_SCREENSHOTS=DIR the screens are also saved there (team.png: the team view
// with the assignment table and a merge report; package.png: the rating screen of a package;
// audit.png: the audit trail).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { Key } from "webdriverio";
import { cli, launch, quitAndReap, settledStatuses, shownProfile, sql, tmpdir, waitForProfileChange } from "./lib.mjs";

const DIGITS = ["3", "4", "2", "5", "1", "6", "2", "3"];
const SHOTS = process.env.CHAMELEON_TEAM_SCREENSHOTS;

/** Saves the whole (virtual) screen as SHOTS/name when screenshots were asked for. */
async function shot(name) {
  if (!SHOTS) return;
  await new Promise((r) => setTimeout(r, 800));
  execFileSync("import", ["-window", "root", path.join(SHOTS, name)]);
}

/** Answers the next native dialogs (save path, or a list of files to open). */
async function answerDialogs(browser, answers) {
  await browser.execute((a) => {
    window.__chameleonDialogs = a;
  }, answers);
}

async function toTeamView(browser) {
  await browser.$("#open-studio").click();
  await browser.$("#tab-team").click();
  await browser.$("#team-view").waitForDisplayed();
}

/** Cells of the merge report: [{file, klass, added, updated, unchanged, text}]. */
async function mergeReport(browser) {
  return browser.execute(() =>
    [...document.querySelectorAll("#merge-report tbody tr")].map((r) => ({
      file: r.getAttribute("data-package"),
      klass: r.className,
      added: r.querySelector(".added")?.textContent ?? null,
      updated: r.querySelector(".updated")?.textContent ?? null,
      unchanged: r.querySelector(".unchanged")?.textContent ?? null,
      text: r.textContent,
    })),
  );
}

async function mergeWithButton(browser, files) {
  const shown = () => browser.execute(() => Number(document.querySelector("#merge-report-host")?.dataset.reports ?? 0));
  const before = await shown();
  await answerDialogs(browser, [files]);
  await browser.$("#merge-packages").click();
  await browser.waitUntil(async () => (await shown()) === before + 1, { timeoutMsg: "no merge report" });
  return mergeReport(browser);
}

/** Sends the webview the drag-drop event Tauri emits when files are dropped on the window. */
async function dropFiles(browser, paths) {
  const shown = () => browser.execute(() => Number(document.querySelector("#merge-report-host")?.dataset.reports ?? 0));
  const before = await shown();
  await browser.execute(
    (p) =>
      window.__TAURI_INTERNALS__.invoke("plugin:event|emit_to", {
        target: { kind: "Webview", label: "main" },
        event: "tauri://drag-drop",
        payload: { paths: p, position: { x: 10, y: 10 } },
      }),
    paths,
  );
  await browser.waitUntil(async () => (await shown()) === before + 1, { timeoutMsg: "the drop was not merged" });
  return mergeReport(browser);
}

function ratingsOf(db, rater) {
  return sql(
    db,
    `SELECT r.profile_id, d.name, r.value FROM rating r JOIN dimension d ON d.id = r.dimension_id
       JOIN rater t ON t.id = r.rater_id WHERE t.name = ? AND r.value IS NOT NULL
      ORDER BY r.profile_id, d.name`,
    [rater],
  );
}

describe("team workflow in the app", { concurrency: 1 }, () => {
  test("design, export a package, rate it by keyboard, merge it back twice, audit", async () => {
    const dir = tmpdir("team");
    const study = path.join(dir, "fieldwork.chameleon");
    const pkg = path.join(dir, "out", "dana.chameleon");
    const junk = path.join(dir, "files", "codebook.toml");
    cli("sample", "demo", path.join(dir, "files"), "--persons", "4", "--study", study);
    execFileSync("mkdir", ["-p", path.dirname(pkg)]);
    const env = { CHAMELEON_DATA_DIR: path.join(dir, "data"), CHAMELEON_USER: "pi-e2e" };
    const otherRatingsBefore = sql(study, "SELECT COUNT(*) FROM rating")[0][0];

    // 1. The PI designs assignments in the form and exports dana's package with the button.
    let ctx = await launch({ ...env, CHAMELEON_STUDY: study }, "#identity-screen");
    try {
      const b = ctx.browser;
      await toTeamView(b);
      await b.$("#team-pool").setValue("dana, eli, fay");
      await b.$("#team-k").setValue("1");
      await b.$("#team-extra").setValue("50");
      await b.$("#team-seed").setValue("3");
      await b.$("#team-design-submit").click();
      await b.waitUntil(async () => (await b.$$("#assignment-table tbody tr")).length === 3, {
        timeoutMsg: "the assignment table did not show three annotators",
      });
      const assigned = sql(
        study,
        "SELECT t.name, COUNT(*) FROM assignment a JOIN rater t ON t.id = a.rater_id GROUP BY t.name ORDER BY t.name",
      );
      assert.deepEqual(assigned.map((r) => r[0]), ["dana", "eli", "fay"], "the design is stored in the study");
      assert.equal(
        assigned.reduce((s, r) => s + r[1], 0),
        12 + 6,
        "12 profiles once, plus 50% of each context's profiles once more",
      );
      await answerDialogs(b, [pkg]);
      await b.$('button.export-package[data-rater="dana"]').click();
      await b.waitUntil(async () => (await b.$("#export-status").getText()).startsWith("Wrote dana's package"), {
        timeoutMsg: "the export did not report what it wrote",
      });
      assert.match(await b.$("#export-status").getText(), new RegExp(`${assigned[0][1]} profiles`));
    } finally {
      await quitAndReap(ctx);
    }
    assert.ok(existsSync(pkg), "the package file was written where the dialog said");
    assert.deepEqual(sql(pkg, "SELECT name FROM rater"), [["dana"]], "the package holds only its annotator");
    assert.equal(sql(pkg, "SELECT COUNT(*) FROM rating")[0][0], 0, "no other rater's ratings travel (blind coding)");
    const n = sql(pkg, "SELECT COUNT(*) FROM profile")[0][0];
    const dims = sql(pkg, "SELECT COUNT(*) FROM dimension")[0][0];
    assert.ok(n > 0 && dims === DIGITS.length);

    // 2. The annotator opens the package: the app says so and rates as dana; all by keyboard.
    ctx = await launch({ ...env, CHAMELEON_STUDY: pkg }, "#rate-screen");
    try {
      const b = ctx.browser;
      assert.match(await b.$("#package-badge").getText(), /^Package for dana from study fieldwork\b/, "the app says it is a package");
      assert.match(await b.$("#rate-screen .who").getText(), /Rating as dana/);
      await b.waitUntil(async () => (await shownProfile(b)) > 0, { timeoutMsg: "no profile shown" });
      await shot("package.png");
      for (let i = 0; i < n; i++) {
        const shown = await shownProfile(b);
        for (const d of DIGITS) await b.keys(d);
        const st = await settledStatuses(b);
        assert.deepEqual(Object.values(st), Array(dims).fill("saved"), `profile ${shown} saved`);
        await b.keys(Key.Enter);
        if (i < n - 1) await waitForProfileChange(b, shown);
      }
      await b.waitUntil(async () => sql(pkg, "SELECT COUNT(*) FROM rating WHERE value IS NOT NULL")[0][0] === n * dims, {
        timeoutMsg: "not every rating reached the package file",
      });
      // The team view of a package shows only what it is.
      await b.$("#to-studio").click();
      await b.$("#tab-team").click();
      await b.$("#package-info").waitForDisplayed();
      assert.equal(await b.$$("#team-design").length, 0, "no design form in a package");
      assert.equal(await b.$$("#merge-packages").length, 0, "no merge in a package");
      // The annotator closes the package before sending it: closing folds its -wal into the
      // file. (A package whose app was killed says it is still open, and a merge refuses it
      // with the reason: issue #11, item 1.)
      const closed = await b.execute(() => {
        const el = [...document.querySelectorAll("#studio-screen button")].find((e) => e.textContent.trim() === "Close study");
        el?.click();
        return Boolean(el);
      });
      assert.ok(closed, "a Close study button");
      await b.$("#start-screen").waitForDisplayed({ timeout: 15000 });
      assert.equal(sql(pkg, "SELECT value FROM study_meta WHERE key = 'package_open'")[0]?.[0], "0", "the closed package says so");
    } finally {
      await quitAndReap(ctx);
    }
    const rated = ratingsOf(pkg, "dana");
    assert.equal(rated.length, n * dims);

    // 3. The PI merges the package with the button (the accessible path), twice.
    ctx = await launch({ ...env, CHAMELEON_STUDY: study }, "#identity-screen");
    try {
      const b = ctx.browser;
      await toTeamView(b);
      // A drop as the webview reports it (Tauri's own drag-drop event, sent through the real IPC
      // and the listener the view registered): folders, relative paths and repeats are left out.
      const ratingsBefore = sql(study, "SELECT COUNT(*) FROM rating")[0][0];
      const dropped = await dropFiles(b, [junk, junk, `${dir}/`, "relative.chameleon"]);
      assert.deepEqual(
        dropped.map((r) => [r.file, r.klass]),
        [["codebook.toml", "refused"]],
        "one merge attempt for the one file dropped, refused because it is no package",
      );
      assert.equal(sql(study, "SELECT COUNT(*) FROM rating")[0][0], ratingsBefore, "a refused drop changes nothing");
      const first = await mergeWithButton(b, [pkg, junk]);
      assert.deepEqual(
        first.map((r) => [r.file, r.klass, r.added, r.updated, r.unchanged]),
        [
          ["dana.chameleon", "merged", String(n * dims), "0", "0"],
          ["codebook.toml", "refused", null, null, null],
        ],
        "every rating of the package was added; a file that is no package is refused",
      );
      assert.match(first[1].text, /Refused: .*package/i, "the refusal says why");
      assert.match(await b.$("#merge-status").getText(), /1 refused/);
      assert.match(await b.$("#merge-backups").getText(), /backups/, "where the snapshot went");
      const danaRow = await b.$('#assignment-table tr[data-rater="dana"] .done').getText();
      assert.equal(danaRow, String(n), "the table counts dana's profiles as done after the merge");
      assert.deepEqual(ratingsOf(study, "dana"), rated, "the ratings arrived under dana, value for value");
      const total = sql(study, "SELECT COUNT(*) FROM rating")[0][0];
      assert.equal(total, otherRatingsBefore + n * dims, "nothing but the package's ratings arrived");

      await shot("team.png");

      const second = await mergeWithButton(b, [pkg]);
      assert.deepEqual(
        second.map((r) => [r.file, r.klass, r.added, r.updated, r.unchanged]),
        [["dana.chameleon", "merged", "0", "0", String(n * dims)]],
        "merging again changes nothing",
      );
      assert.equal(sql(study, "SELECT COUNT(*) FROM rating")[0][0], total, "the second merge changed nothing");
      assert.equal(
        sql(study, "SELECT COUNT(*) FROM rating_history h JOIN rating r ON r.id = h.rating_id JOIN rater t ON t.id = r.rater_id WHERE t.name = 'dana'")[0][0],
        n * dims,
        "one history row per merged rating, none from the second merge",
      );

      // 4. The audit trail shows the merge (once: the second one changed nothing).
      await b.$("#tab-audit").click();
      await b.$("#audit-table").waitForDisplayed();
      await b.$("#audit-kind").selectByAttribute("value", "package-merge");
      await b.waitUntil(
        async () =>
          (await b.execute(() => [...document.querySelectorAll("#audit-table tbody tr")].map((r) => r.getAttribute("data-action")))).join() ===
          "package-merge",
        { timeoutMsg: "the audit trail does not show exactly one merge" },
      );
      await shot("audit.png");
      const row = await b.$("#audit-table tbody tr").getText();
      assert.match(row, /pi-e2e/, "who merged");
      assert.match(row, new RegExp(`added: ${n * dims}`), "what the merge did");
      const csv = path.join(dir, "audit.csv");
      await answerDialogs(b, [csv]);
      await b.$("#audit-export").click();
      await b.waitUntil(async () => (await b.$("#audit-status").getText()).startsWith("Wrote 1 entry "), {
        timeoutMsg: "the CSV export did not report",
      });
      const lines = readFileSync(csv, "utf8").trim().split("\n");
      assert.equal(lines[0], "at,actor,action,detail,package_id");
      assert.equal(lines.length, 2, "only the chosen kind");
      assert.match(lines[1], /pi-e2e,package-merge,/);
    } finally {
      await quitAndReap(ctx);
    }
    const audited = sql(study, "SELECT actor, package_id FROM audit_log WHERE action = 'package-merge'");
    const pkgId = sql(pkg, "SELECT value FROM study_meta WHERE key = 'package_id'")[0][0];
    assert.deepEqual(audited, [["pi-e2e", pkgId]], "one audited merge, from this package");
  });
});
