// End-to-end tests of the PI's lab workflow (issue 15), in the real app: a 3-person pilot shows
// "too few data" instead of a share or a coloured alpha; agreement pools humans with enough
// ratings by default (the CLI's numbers) and takes another pool; ratings are imported from the
// app, a bad file refused with its line; an export of a result older than the ratings is
// refused and writes nothing; a gold profile marked in the app shows the accuracy table and is
// left out of the statistics, which say so; a codebook save shows its diff and asks, anchors
// survive a shrunk range; a rename reaches the header and Recent. With CHAMELEON_SHOTS=DIR it
// saves a screenshot of each.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { spawnSync } from "node:child_process";
import { CLI, cli, launch, quit, sql, tmpdir } from "./lib.mjs";

const SHOTS = process.env.CHAMELEON_SHOTS;
const pause = (ms) => new Promise((r) => setTimeout(r, ms));

async function shot(name) {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await pause(700); // let the window repaint before grabbing the X screen
  execFileSync("import", ["-window", "root", path.join(SHOTS, name)]);
}

/** Answers the next native dialogs (the file dialogs cannot be driven through WebDriver). */
async function answerDialogs(b, answers) {
  await b.execute((a) => {
    window.__chameleonDialogs = a;
  }, answers);
}

async function openStudio(b, tab) {
  await b.$("#open-studio").waitForDisplayed({ timeout: 30000 });
  await b.$("#open-studio").click();
  await b.$(`#tab-${tab}`).waitForDisplayed();
  await b.$(`#tab-${tab}`).click();
}

async function runAnalysis(b) {
  await b.$("#analysis-run").click();
  await b.$("#analysis-result").waitForDisplayed({ timeout: 120000 });
  await b.waitUntil(async () => (await b.$("#analysis-status").getText()).includes("Done"), {
    timeout: 120000,
    timeoutMsg: "the run did not finish",
  });
}

/** The agreement table's rows: dimension, alpha cell text, band. */
async function agreementRows(b) {
  return b.execute(() =>
    [...document.querySelectorAll("#agreement-table tbody tr")].map((r) => ({
      dimension: r.getAttribute("data-dimension"),
      alpha: r.querySelector(".alpha")?.textContent ?? "",
      band: r.getAttribute("data-band"),
    })),
  );
}

function alphaText(d) {
  return d.alpha[d.level].toFixed(3);
}

describe("the PI's lab workflow, end to end (issue 15)", { concurrency: 1 }, () => {
  test("a 3-person pilot shows too few data instead of a share and of a coloured alpha", async () => {
    const dir = tmpdir("lab-pilot");
    const db = path.join(dir, "pilot.chameleon");
    cli("sample", "demo", path.join(dir, "files"), "--persons", "3", "--study", db);
    const ctx = await launch({ CHAMELEON_DATA_DIR: path.join(dir, "data"), CHAMELEON_STUDY: db }, "#identity-screen");
    try {
      const b = ctx.browser;
      await openStudio(b, "agreement");
      await b.$("#agreement-table").waitForDisplayed({ timeout: 30000 });
      const rows = await agreementRows(b);
      assert.ok(rows.length > 0);
      for (const r of rows) {
        assert.match(r.alpha, /^too few data \(n = \d\)$/, `${r.dimension}: no alpha as a result`);
        assert.equal(r.band, "caution", `${r.dimension}: not coloured`);
      }
      await shot("lab-pilot-agreement.png");

      await b.$("#tab-analysis").click();
      await b.$("#analysis-options").waitForDisplayed();
      await runAnalysis(b);
      const cells = await b.execute(() =>
        [...document.querySelectorAll("#analysis-dimensions tbody tr")].map((r) => [r.getAttribute("data-dimension"), r.querySelector(".trait-share")?.textContent ?? ""]),
      );
      const dec = JSON.parse(cli("decompose", db, "--json"));
      for (const [dim, text] of cells) {
        const d = dec.dimensions.find((x) => x.dimension === dim);
        assert.ok(d.caution, `${dim}: the CLI cautions too`);
        assert.equal(text, d.caution.message, `${dim}: the CLI's caution instead of a share`);
        assert.equal(text, "too few data (n = 3)");
      }
      const pooled = await b.$("#analysis-pooled").getText();
      assert.match(pooled, /too few data \(n = 3\)/);
      assert.doesNotMatch(pooled, /Trait \d/, "no pooled trait share as a result");
      await shot("lab-pilot-analysis.png");
      await b.execute(() => document.getElementById("analysis-pooled")?.scrollIntoView({ block: "start" }));
      await shot("lab-pilot-analysis-table.png");
      await b.execute(() => document.getElementById("figure-trait_state_shares")?.scrollIntoView({ block: "start" }));
      await shot("lab-pilot-figure.png");
    } finally {
      await quit(ctx);
    }
  });

  test("humans-only agreement by default, as the CLI; another pool on request; import, refused stale export", async () => {
    const dir = tmpdir("lab-demo");
    const db = path.join(dir, "demo.chameleon");
    cli("sample", "demo", path.join(dir, "files"), "--study", db);
    // The files of step 3, and what the CLI says of the bad one (before the app opens the study).
    const [person, context] = readFileSync(path.join(dir, "files", "ratings.csv"), "utf8").split("\n")[1].split(",");
    const bad = path.join(dir, "bad-ratings.csv");
    writeFileSync(bad, `person,context,rater,dimension,value\n${person},${context},zoe,openness,4\n${person},${context},zoe,conscientiousness,lots\n`);
    const good = path.join(dir, "more-ratings.csv");
    writeFileSync(good, `person,context,rater,dimension,value\n${person},${context},zoe,openness,4\n`);
    const refused = spawnSync(CLI, ["import", "ratings", db, bad], { encoding: "utf8" });
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /line 3, column 'value'/, "the CLI names the bad line");
    const count = () => sql(db, "SELECT count(*) FROM rating")[0][0];
    const before = count();
    const humans = JSON.parse(cli("agreement", db, "--json"));
    const every = JSON.parse(cli("agreement", db, "--json", "--rater-kind", "any"));
    assert.ok(humans.raters.excluded.some((e) => e.reason === "kind model"), "the CLI leaves the model out");
    const ctx = await launch({ CHAMELEON_DATA_DIR: path.join(dir, "data"), CHAMELEON_STUDY: db }, "#identity-screen");
    try {
      const b = ctx.browser;
      await openStudio(b, "agreement");
      await b.$("#agreement-table").waitForDisplayed({ timeout: 30000 });
      // 1. The default pool: humans with at least 10 ratings, the CLI's numbers, said with them.
      let rows = await agreementRows(b);
      for (const [i, d] of humans.dimensions.entries()) {
        assert.equal(rows[i].dimension, d.dimension);
        assert.equal(rows[i].alpha.match(/-?\d+\.\d{3}/)?.[0], alphaText(d), `${d.dimension}: humans-only alpha`);
      }
      const summary = await b.$("#agreement-rater-choice").getText();
      assert.match(summary, /kind human; at least 10 ratings — 3 included; excluded: model-gpt \(kind model\)/);
      assert.equal(await b.$("#agreement-rater-kind").getValue(), "human");
      await shot("lab-agreement-humans.png");
      // Every kind: the model's ratings join, as `--rater-kind any`.
      await b.$("#agreement-rater-kind").selectByAttribute("value", "any");
      await b.waitUntil(async () => (await b.$("#agreement-rater-choice").getText()).includes("4 included"), {
        timeoutMsg: "the table did not follow the rater choice",
      });
      rows = await agreementRows(b);
      for (const [i, d] of every.dimensions.entries()) {
        assert.equal(rows[i].alpha.match(/-?\d+\.\d{3}/)?.[0], alphaText(d), `${d.dimension}: every rater's alpha`);
      }
      assert.notEqual(alphaText(every.dimensions[0]), alphaText(humans.dimensions[0]), "the pools differ");

      // 2. An analysis of the data as they are.
      await b.$("#tab-analysis").click();
      await b.$("#analysis-options").waitForDisplayed();
      await runAnalysis(b);
      assert.match(await b.$("#analysis-rater-summary").getText(), /Raters: all raters — 4 included/);

      // 3. Ratings from the app: a bad file is refused whole with its line; a good one goes in.
      await b.$("#tab-team").click();
      await b.$("#team-data").waitForDisplayed({ timeout: 30000 });
      await answerDialogs(b, [[bad]]);
      await b.$("#import-ratings").click();
      await b.$("#data-errors .row-errors").waitForDisplayed({ timeout: 15000 });
      const errorRows = await b.execute(() =>
        [...document.querySelectorAll("#data-errors .row-errors tbody tr")].map((r) => [...r.children].map((c) => c.textContent)),
      );
      assert.equal(errorRows.length, 1);
      assert.equal(errorRows[0][0], "3", "the bad row's line, as the CLI names it");
      assert.equal(errorRows[0][1], "value");
      assert.match(await b.$("#data-errors .error-title").getText(), /bad-ratings\.csv/);
      assert.equal(count(), before, "nothing was written");
      await b.execute(() => document.getElementById("team-data")?.scrollIntoView({ block: "center" }));
      await shot("lab-import-error.png");
      await answerDialogs(b, [[good]]);
      await b.$("#import-ratings").click();
      await b.waitUntil(async () => (await b.$("#data-status").getText()).startsWith("more-ratings.csv: 1 added"), {
        timeoutMsg: "the good file was not imported",
      });

      // 4. The analysis is now stale: "Everything to a folder…" is refused with the reason.
      await b.$("#tab-analysis").click();
      await b.$("#analysis-stale").waitForDisplayed({ timeout: 30000 });
      const out = path.join(dir, "bundle");
      await answerDialogs(b, [out]);
      await b.$("#analysis-export-all").click();
      const error = await b.$("#analysis-view .error-box");
      await error.waitForDisplayed({ timeout: 15000 });
      const text = await error.getText();
      assert.match(text, /changed since this analysis was computed/);
      assert.match(text, /now \d+ ratings by 5 raters/);
      assert.ok(!existsSync(out), "no stale file was written");
      await b.execute(() => document.getElementById("studio-content")?.scrollTo(0, 0));
      await shot("lab-stale-export.png");
      // Run again: the export goes through and its files name the data.
      await b.$("#analysis-rerun").click();
      await b.waitUntil(async () => !(await b.$("#analysis-stale").isExisting()), { timeout: 120000, timeoutMsg: "still stale" });
      await answerDialogs(b, [out]);
      await b.$("#analysis-export-all").click();
      await b.waitUntil(async () => (await b.$("#analysis-status").getText()).includes("Saved"), { timeoutMsg: "no export" });
      const hash = await b.$("#analysis-result").getAttribute("data-key");
      assert.ok(hash);
      const csv = readFileSync(path.join(out, "decomposition.csv"), "utf8");
      assert.match(csv.split("\n")[0], /,data_hash,computed_at$/);
      assert.match(readFileSync(path.join(out, "trait_state_shares.svg"), "utf8"), /<desc>data hash [0-9a-f]{64}; computed /);
    } finally {
      await quit(ctx);
    }
  });

  test("the PI marks a gold profile in the app: accuracy shown, the statistics leave it out and say so", async () => {
    const dir = tmpdir("lab-gold");
    const db = path.join(dir, "demo.chameleon");
    cli("sample", "demo", path.join(dir, "files"), "--study", db);
    const unitsBefore = JSON.parse(cli("agreement", db, "--json")).dimensions[0].units;
    const ctx = await launch({ CHAMELEON_DATA_DIR: path.join(dir, "data"), CHAMELEON_STUDY: db }, "#identity-screen");
    try {
      const b = ctx.browser;
      await openStudio(b, "agreement");
      await b.$("#agreement-table").waitForDisplayed({ timeout: 30000 });
      await b.$("#gold-form").waitForDisplayed({ timeout: 15000 });
      assert.ok(await b.$("#gold-marks-empty").isExisting());
      // The first profile, the first dimension, its top value, as a gold value.
      const label = await b.execute(() => document.querySelector("#gold-profile").selectedOptions[0].textContent);
      const dimension = await b.$("#gold-dimension").getValue();
      const max = await b.$("#gold-value").getAttribute("max");
      await b.$("#gold-value").setValue(max);
      await b.$("#gold-mark").click();
      await b.waitUntil(async () => (await b.$("#gold-status").getText()).includes("marked"), { timeoutMsg: "no mark" });
      // person/context (a context may itself hold a slash, as the demo's subreddits do).
      const cut = label.indexOf("/");
      const [person, context] = [label.slice(0, cut), label.slice(cut + 1)];
      assert.deepEqual(sql(db, "SELECT pe.name, c.name, d.name, g.value, g.kind FROM gold_value g JOIN profile p ON p.id = g.profile_id JOIN person pe ON pe.id = p.person_id JOIN context c ON c.id = p.context_id JOIN dimension d ON d.id = g.dimension_id"), [
        [person, context, dimension, Number(max), "gold"],
      ]);
      const audit = sql(db, "SELECT actor, detail FROM audit_log WHERE action = 'gold'");
      assert.equal(audit.length, 1);
      assert.match(audit[0][1], new RegExp(`"profile":"${label}"`), "the audit names the profile as person/context");
      // The accuracy table, as the CLI's.
      const cliRows = JSON.parse(cli("gold", "accuracy", db, "--json"));
      assert.ok(cliRows.length > 0, "raters rated the marked profile");
      await b.waitUntil(async () => (await b.$$("#gold-accuracy tbody tr")).length === cliRows.length, { timeoutMsg: "no accuracy table" });
      const first = cliRows[0];
      const cells = await b.execute(
        (r) => [...document.querySelectorAll(`#gold-accuracy tr[data-rater="${r}"][data-kind="gold"] > *`)].map((c) => c.textContent),
        first.rater,
      );
      assert.equal(cells[2], `${first.rated} of ${first.items}`);
      assert.equal(cells[3], String(first.exact));
      // The statistics leave it out, and say so with the numbers (the CLI too).
      const said = `1 gold profile left out of the statistics: ${label}`;
      await b.waitUntil(async () => (await b.$("#agreement-rater-choice").getText()).includes(said), { timeoutMsg: "the agreement does not say it" });
      const after = JSON.parse(cli("agreement", db, "--json"));
      assert.deepEqual(after.raters.known_left_out, { gold: [label], attention: [] });
      assert.equal(after.dimensions[0].units, unitsBefore - 1);
      await b.execute(() => document.getElementById("gold-section")?.scrollIntoView({ block: "start" }));
      await shot("lab-gold-marked.png");
      await b.$("#tab-analysis").click();
      await b.$("#analysis-options").waitForDisplayed();
      await runAnalysis(b);
      const analysisSummary = await b.$("#analysis-rater-summary").getText();
      assert.ok(analysisSummary.includes(said), analysisSummary);
      await shot("lab-gold-analysis.png");
      // The mark removed: the profile is back in the statistics.
      await b.$("#tab-agreement").click();
      await b.$("#gold-form").waitForDisplayed({ timeout: 15000 });
      await b.$("#gold-marks .gold-remove").waitForDisplayed({ timeout: 15000 });
      await b.$("#gold-marks .gold-remove").click();
      await b.$("#gold-marks-empty").waitForDisplayed({ timeout: 15000 });
      assert.equal(sql(db, "SELECT count(*) FROM gold_value")[0][0], 0);
      assert.equal(sql(db, "SELECT count(*) FROM audit_log WHERE action = 'gold'")[0][0], 2);
      assert.equal(JSON.parse(cli("agreement", db, "--json")).dimensions[0].units, unitsBefore);
    } finally {
      await quit(ctx);
    }
  });

  test("a codebook save shows its diff and asks; anchors survive a shrunk range; the study is renamed", async () => {
    const dir = tmpdir("lab-codebook");
    const db = path.join(dir, "demo.chameleon");
    cli("sample", "demo", path.join(dir, "files"), "--study", db);
    const version = () => sql(db, "SELECT max(version) FROM codebook_version")[0][0];
    const v0 = version();
    const ctx = await launch({ CHAMELEON_DATA_DIR: path.join(dir, "data"), CHAMELEON_STUDY: db }, "#identity-screen");
    try {
      const b = ctx.browser;
      await openStudio(b, "codebook");
      await b.$("#cb-dims").waitForDisplayed({ timeout: 30000 });
      // Positive affect (1–7, "extreme" at 7): shrunk to 5 and grown back, the anchor is kept.
      const max = await b.$("#cb-5-max");
      await max.setValue("5");
      await b.waitUntil(async () => !(await b.$("#cb-5-anchor-7").isExisting()), { timeoutMsg: "the range did not shrink" });
      await max.setValue("7");
      await b.$("#cb-5-anchor-7").waitForDisplayed();
      assert.equal(await b.$("#cb-5-anchor-7").getValue(), "extreme");
      // A definition changed: the save shows it and asks.
      await b.$("#cb-0-definition").setValue("Curious, imaginative, open to new ideas.");
      await b.$("#save-codebook").click();
      await b.$("#codebook-confirm").waitForDisplayed({ timeout: 15000 });
      const items = await b.execute(() => [...document.querySelectorAll("#codebook-changes li")].map((li) => li.textContent));
      assert.equal(items.length, 1, items.join(" | "));
      assert.match(items[0], /^Openness — definition: .+ → Curious, imaginative, open to new ideas\.$/);
      assert.equal(await b.$("#codebook-confirm-save").getText(), `Save as version ${v0 + 1}`);
      await shot("lab-codebook-diff.png");
      await b.$("#codebook-cancel-save").click();
      await b.$("#codebook-cancelled").waitForDisplayed();
      assert.equal(version(), v0, "Cancel saved nothing");
      await b.$("#save-codebook").click();
      await b.$("#codebook-confirm-save").waitForDisplayed({ timeout: 15000 });
      await b.$("#codebook-confirm-save").click();
      await b.waitUntil(async () => (await b.$("#codebook-version").getText()) === `version ${v0 + 1}`, { timeoutMsg: "not saved" });
      assert.equal(version(), v0 + 1);
      assert.match(sql(db, "SELECT definition FROM dimension WHERE name = 'openness'")[0][0], /open to new ideas/);
      const anchors = JSON.parse(sql(db, "SELECT scale FROM dimension WHERE name = 'positive_affect'")[0][0]).anchors;
      assert.deepEqual(anchors.map((a) => [a.value, a.label]), [[1, "none"], [7, "extreme"]], "the anchors were saved as they were");

      // Rename: the header shows the codebook's name, then the PI's; Recent follows.
      const headerName = () => b.execute(() => document.getElementById("study-name")?.textContent ?? "");
      assert.equal(await headerName(), "Chameleon demo: Big Five and affect");
      await b.$("#study-name").click();
      await b.$("#study-name-input").waitForDisplayed();
      await b.$("#study-name-input").setValue("Spring pilot 2026");
      await shot("lab-rename.png");
      await b.$("#study-name-save").click();
      await b.waitUntil(async () => (await headerName()) === "Spring pilot 2026", { timeoutMsg: "not renamed" });
      assert.deepEqual(sql(db, "SELECT value FROM study_meta WHERE key = 'name'"), [["Spring pilot 2026"]]);
      const windows = execFileSync("xwininfo", ["-root", "-tree"], { encoding: "utf8" });
      assert.match(windows, /"Spring pilot 2026 — Chameleon Studio"/, "the window title follows the rename");
      const audit = sql(db, "SELECT detail FROM audit_log WHERE action = 'rename'");
      assert.equal(audit.length, 1);
      assert.deepEqual(JSON.parse(audit[0][0]), { from: "Chameleon demo: Big Five and affect", to: "Spring pilot 2026" });
      await b.$("button=Close study").click();
      await b.$("#start-screen").waitForDisplayed({ timeout: 15000 });
      await b.waitUntil(async () => (await b.$$("#recent .recent-name")).length > 0, { timeoutMsg: "no recent list" });
      assert.equal(await b.execute(() => document.querySelector("#recent .recent-name")?.textContent), "Spring pilot 2026");
      await shot("lab-recent-renamed.png");
    } finally {
      await quit(ctx);
    }
  });
});
