// End-to-end: the annotator's side of issue 15 in the real app. The demo study (made with the
// CLI) gets Markdown guidelines holding the hostile corpus; a new annotator sees them rendered
// (headings, emphasis, lists, links as text) with no payload turned into an element, rates a
// dimension and then marks it "can't judge", which must leave the dimension's α exactly as
// before (the CLI and the app's agreement table agree); the rating screen keeps Save/Skip/the
// note in view at 1280×800; and a second installation that tries to continue as that annotator
// is refused, with the refusal in the audit trail. The PI's agreement view shows zoe's accuracy
// on a gold profile imported with the CLI.
// With CHAMELEON_SHOTS=DIR it saves instructions.png, rating-1280x800.png, cant-judge.png,
// gold-accuracy.png and identity-refused.png of the real window.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { Key } from "webdriverio";
import { cli, launch, quit, settledStatuses, shownProfile, sql, tmpdir } from "./lib.mjs";

const SHOTS = process.env.CHAMELEON_SHOTS;
const pause = (ms) => new Promise((r) => setTimeout(r, ms));

async function shot(name) {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await pause(600); // let the window repaint before grabbing the X screen
  execFileSync("import", ["-window", "root", path.join(SHOTS, name)]);
}

// No `_`, `*`, backtick or `[` inside the payloads (they are Markdown markers).
const CORPUS = [
  `<script>window.pwned='script'</script>`,
  `<img src=x onerror="window.pwned='img'">`,
  `"><svg onload="window.pwned='svg'">`,
  `'><a href="javascript:window.pwned='a'">x</a>`,
  `<iframe src="javascript:1"></iframe>`,
];

const GUIDELINES = [
  `# How to rate ${CORPUS[0]}`,
  "",
  `Rate **only** what this context shows ${CORPUS[1]}.`,
  "",
  `- read every text ${CORPUS[2]}`,
  `- see [the manual ${CORPUS[3]}](javascript:window.pwned='link')`,
  "",
  `## When in doubt ${CORPUS[4]}`,
  "",
  "Choose *can't judge* when the material says nothing.",
].join("\n");

/**
 * α of `dimension` at its level as the CLI computes it: over every rater (so a newcomer's few
 * ratings count), or with `poolArgs` as given (none: the default pool, the app's too).
 */
function cliAlpha(db, dimension, poolArgs = ["--rater-kind", "any", "--min-ratings", "0"]) {
  const report = JSON.parse(cli("agreement", db, "--json", ...poolArgs));
  const d = report.dimensions.find((x) => x.dimension === dimension);
  return d.alpha[d.level];
}

async function chooseRater(b, name) {
  await b.$("#identity-screen").waitForDisplayed();
  await b.$("#rater-name").setValue(name);
  await b.keys(Key.Enter);
}

describe("the annotator's side, end to end", { concurrency: 1 }, () => {
  const dir = tmpdir("annotator");
  const db = path.join(dir, "demo.chameleon");
  cli("sample", "demo", path.join(dir, "files"), "--study", db);
  const cbFile = path.join(dir, "codebook.json");
  cli("export", "codebook", db, cbFile);
  const cb = JSON.parse(readFileSync(cbFile, "utf8"));
  writeFileSync(cbFile, JSON.stringify({ ...cb, guidelines: GUIDELINES }));
  cli("import", "codebook", db, cbFile);

  test("rendered guidelines are inert, can't judge stays out of α, the form fits 1280×800", async () => {
    const ctx = await launch({ CHAMELEON_DATA_DIR: path.join(dir, "zoe"), CHAMELEON_STUDY: db }, "#identity-screen");
    try {
      const b = ctx.browser;
      await chooseRater(b, "zoe");
      // Before the first profile: the instructions, the guidelines rendered into elements the
      // app chose, every payload as text.
      await b.$("#instructions").waitForDisplayed();
      const page = await b.execute(() => {
        const g = document.getElementById("instructions-guidelines");
        const all = [...document.querySelectorAll("#instructions *")];
        return {
          h3: g.querySelector("h3")?.textContent,
          h4: g.querySelector("h4")?.textContent,
          strong: g.querySelector("strong")?.textContent,
          em: g.querySelector("em")?.textContent,
          items: g.querySelectorAll("li").length,
          link: g.querySelector(".md-link")?.textContent,
          tags: [...new Set(all.map((e) => e.tagName.toLowerCase()))].sort(),
          handlers: all.filter((e) => [...e.attributes].some((a) => a.name.startsWith("on"))).length,
          anchors: document.querySelectorAll("#instructions a, #instructions [href]").length,
          text: g.textContent,
          pwned: window.pwned ?? null,
        };
      });
      assert.equal(page.h3, `How to rate ${CORPUS[0]}`, "# is a heading; its payload is text");
      assert.equal(page.h4, `When in doubt ${CORPUS[4]}`);
      assert.equal(page.strong, "only");
      assert.equal(page.em, "can't judge");
      assert.equal(page.items, 2);
      assert.equal(page.link, `the manual ${CORPUS[3]}`, "a link is shown as text");
      assert.ok(page.text.includes("(javascript:window.pwned='link')"), "its address as text, never a link");
      for (const bad of ["script", "img", "svg", "iframe", "a", "object"]) {
        assert.ok(!page.tags.includes(bad), `no <${bad}> in the instructions: ${page.tags}`);
      }
      assert.equal(page.handlers, 0, "no on* attribute");
      assert.equal(page.anchors, 0, "nothing to click away to");
      for (const p of CORPUS) assert.ok(page.text.includes(p), `shown literally: ${p}`);
      assert.equal(page.pwned, null, "no payload ran");
      await shot("instructions.png");

      // The first key closes the instructions and rates: openness 1, saved.
      const profile = await shownProfile(b);
      const before = cliAlpha(db, "openness");
      await b.keys("1");
      await settledStatuses(b);
      assert.equal(await b.$("#instructions").isExisting(), false);
      const rated = sql(
        db,
        `SELECT r.value, r.cant_judge FROM rating r JOIN rater t ON t.id = r.rater_id
           JOIN dimension d ON d.id = r.dimension_id
          WHERE t.name = 'zoe' AND d.name = 'openness' AND r.profile_id = ?`,
        [profile],
      );
      assert.deepEqual(rated, [[1, 0]]);
      const withValue = cliAlpha(db, "openness");
      assert.notEqual(withValue, before, "zoe's rating counts in α (so the next check can fail)");

      // 1280×800: Save, Skip and the note are in view without scrolling.
      const layout = await b.execute(() => {
        const inView = (sel) => {
          const r = document.querySelector(sel)?.getBoundingClientRect();
          return !!r && r.top >= 0 && r.bottom <= window.innerHeight && r.left >= 0 && r.right <= window.innerWidth;
        };
        return { w: window.innerWidth, h: window.innerHeight, next: inView("#next"), skip: inView("#skip"), note: inView("#note") };
      });
      assert.ok(layout.next && layout.skip && layout.note, `Save/Skip/Note in view at ${layout.w}×${layout.h}`);
      await shot("rating-1280x800.png");
      // A 7-point row beside its "can't judge" button: every point in one line, none cut.
      const row7 = await b.execute(() => {
        const dim = document.querySelector('.dim[data-dimension="positive_affect"]');
        dim?.scrollIntoView({ block: "center" });
        const keys = [...(dim?.querySelectorAll(".options .option") ?? [])].map((e) => e.getBoundingClientRect());
        const tops = new Set(keys.map((r) => Math.round(r.top)));
        const right = dim?.getBoundingClientRect().right ?? 0;
        return { n: keys.length, lines: tops.size, inside: keys.every((r) => r.right <= right + 1 && r.width >= 24) };
      });
      assert.ok(row7.n >= 7 && row7.lines === 1 && row7.inside, `7-point row: ${JSON.stringify(row7)}`);
      await shot("rating-7-point.png");
      // 200 % (the app's zoom keys, as a user would): the material stays in view at the top,
      // and Save, Skip and the note can be reached.
      for (let i = 0; i < 5; i++) await b.keys([Key.Ctrl, "="]);
      await pause(1000);
      const zoomed = await b.execute(() => {
        const r = (sel) => document.querySelector(sel)?.getBoundingClientRect();
        const m = r(".left .material");
        document.querySelector("#next")?.scrollIntoView({ block: "nearest" });
        const inView = (sel) => {
          const x = r(sel);
          return !!x && x.top >= 0 && x.bottom <= window.innerHeight && x.left >= 0 && x.right <= window.innerWidth;
        };
        const after = r(".left .material");
        return {
          w: window.innerWidth,
          h: window.innerHeight,
          material: !!m && m.top >= 0 && m.top < window.innerHeight / 2 && m.height > 40,
          materialStays: !!after && after.top >= 0 && after.bottom > 40,
          next: inView("#next"),
          skip: inView("#skip"),
          note: inView("#note"),
        };
      });
      await shot("rating-zoom200.png");
      for (let i = 0; i < 5; i++) await b.keys([Key.Ctrl, "-"]);
      await pause(500);
      assert.ok(zoomed.w < 700, `zoomed in (${zoomed.w}×${zoomed.h} CSS px)`);
      assert.ok(zoomed.material && zoomed.materialStays, `material in view at 200 %: ${JSON.stringify(zoomed)}`);
      assert.ok(zoomed.next && zoomed.skip && zoomed.note, `Save/Skip/Note reachable at 200 %: ${JSON.stringify(zoomed)}`);

      // Back on openness, x: can't judge. Stored as such, and α is as if zoe had not rated it.
      await b.keys(Key.ArrowUp);
      await b.keys("x");
      await b.waitUntil(
        async () => (await b.$('.dim[data-dimension="openness"]').getAttribute("data-cant-judge")) === "true",
        { timeoutMsg: "openness not marked can't judge" },
      );
      await settledStatuses(b);
      assert.deepEqual(
        sql(
          db,
          `SELECT r.value, r.cant_judge FROM rating r JOIN rater t ON t.id = r.rater_id
             JOIN dimension d ON d.id = r.dimension_id
            WHERE t.name = 'zoe' AND d.name = 'openness' AND r.profile_id = ?`,
          [profile],
        ),
        [[null, 1]],
        "stored as can't judge, not as a value",
      );
      const after = cliAlpha(db, "openness");
      assert.equal(after, before, "can't judge is left out of α");
      await shot("cant-judge.png");

      // The focus moved on: 2 on the next dimension, which the PI then marks as gold (2) from
      // the CLI.
      await b.keys("2");
      await settledStatuses(b);
      const [[goldDim, person, context]] = sql(
        db,
        `SELECT d.name, pe.name, c.name FROM rating r JOIN rater t ON t.id = r.rater_id
           JOIN dimension d ON d.id = r.dimension_id JOIN profile p ON p.id = r.profile_id
           JOIN person pe ON pe.id = p.person_id JOIN context c ON c.id = p.context_id
          WHERE t.name = 'zoe' AND r.profile_id = ? AND r.value = 2`,
        [profile],
      );
      const goldCsv = path.join(dir, "gold.csv");
      const q = (x) => `"${x.replace(/"/g, '""')}"`;
      writeFileSync(goldCsv, `person,context,dimension,value,kind\n${q(person)},${q(context)},${q(goldDim)},2,gold\n`);
      cli("gold", "import", db, goldCsv);
      const cliGold = JSON.parse(cli("gold", "accuracy", db, "--json")).find((r) => r.rater === "zoe");
      assert.deepEqual([cliGold.rated, cliGold.exact, cliGold.accuracy], [1, 1, 1]);

      // The app's agreement table shows the same α.
      await b.$("#to-studio").click();
      await b.$("#agreement-table").waitForDisplayed({ timeout: 30000 });
      const shown = await b.execute(
        () => document.querySelector('#agreement-table tr[data-dimension="openness"] .alpha')?.textContent ?? "",
      );
      // The app's default pool is the CLI's (humans with enough ratings), not every rater.
      const shownDefault = cliAlpha(db, "openness", []);
      assert.equal(shown.match(/-?\d+\.\d{3}/)?.[0], shownDefault.toFixed(3), "the app's α equals the CLI's");
      // Gold accuracy in the PI's review: zoe's row says 1 of 1, 100 %.
      const goldRow = b.$('#gold-accuracy tr[data-rater="zoe"][data-kind="gold"]');
      await goldRow.waitForDisplayed({ timeout: 15000 });
      const cells = await b.execute(() =>
        [...document.querySelectorAll('#gold-accuracy tr[data-rater="zoe"] > *')].map((c) => c.textContent),
      );
      assert.deepEqual(cells, ["zoe", "gold profiles", "1 of 1", "1", "100 %", "0.00"]);
      await b.execute(() => document.getElementById("gold-section")?.scrollIntoView());
      await shot("gold-accuracy.png");
    } finally {
      await quit(ctx);
    }
  });

  test("another installation cannot continue as zoe", async () => {
    const ctx = await launch({ CHAMELEON_DATA_DIR: path.join(dir, "bob"), CHAMELEON_STUDY: db }, "#identity-screen");
    try {
      const b = ctx.browser;
      const zoe = await b.$("//ul[contains(@class,'raters')]//button[contains(., 'zoe')]");
      await zoe.waitForDisplayed();
      await zoe.click();
      const err = await b.$("#identity-screen .error-box");
      await err.waitForDisplayed();
      assert.match(await err.getText(), /zoe rates in this study from another installation .*Only the PI/s);
      assert.equal(await b.$("#rate-screen").isExisting(), false, "no rating screen as zoe");
      await shot("identity-refused.png");
      const audit = sql(db, "SELECT action, detail FROM audit_log WHERE action LIKE '%identity' ORDER BY id");
      assert.deepEqual(
        audit.map((a) => a[0]),
        ["claim_identity", "refused_identity"],
        "zoe's claim and the refusal are audited",
      );
      assert.equal(JSON.parse(audit[1][1]).rater, "zoe");
      // Their own name is theirs to claim.
      await chooseRater(b, "bob");
      await b.$("#rate-screen").waitForDisplayed();
    } finally {
      await quit(ctx);
    }
  });
});
