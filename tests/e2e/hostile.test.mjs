// End-to-end: hostile material in every name and text the app shows (issue 11, item 23). Two
// studies are built with the CLI from the same template, one with plain names and one with the
// hostile corpus (`<script>`, `onerror`, `javascript:` URLs, `"><svg onload>`, the RTL override,
// NUL, a 1 MB text) in rater names, person and context ids, dimension names and labels, anchors
// and categories, definitions, the codebook's name and Markdown guidelines, notes and profile
// texts. Both are walked through the same views of the real app: who-is-rating, the rating screen
// with its codebook panel and queue, the agreement dashboard and a dimension's detail, the
// disagreements and an opened profile, the codebook editor, the analysis result, the team view
// with its merge report, the audit trail, the error box of a refused import, and the exported
// HTML report. Each view's element structure (a count per tag) must be the plain study's exactly,
// so no payload became an element; on top, no `on*` attribute, no `javascript:` URL and no script
// but the app's own anywhere, and every chart the app shows is a data-URL SVG that parses and
// holds no script, event handler or foreign object. This checks structure, not that a payload
// did not run (the CSP alone would stop that).
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { Key } from "webdriverio";
import { cli, launch, quitAndReap, shownProfile, tmpdir } from "./lib.mjs";

// No `_`, `*`, backtick or `[` in the payloads: those are Markdown markers, and the plain and
// hostile guidelines must have the same Markdown structure for their DOM to be comparable.
const CORPUS = [
  `<script>window.pwned='script'</script>`,
  `<img src=x onerror="window.pwned='img'">`,
  `"><svg onload="window.pwned='svg'">`,
  `javascript:window.pwned='js'`,
  `'><a href="javascript:window.pwned='a'">x</a>`,
  `\u202Eevil\u202C<iframe src="javascript:1"></iframe>`,
  `nul\u0000<object data=x>`,
];
const MB = "x".repeat(1 << 20);

/** Writes the study's files with `name(i)` for every name and text; returns their paths. */
function writeStudyFiles(dir, name, { url, mb }) {
  mkdirSync(dir, { recursive: true });
  const persons = [0, 1, 2, 3].map((i) => `${name(i)}p${i}`);
  const contexts = [0, 1].map((i) => `${name(i + 4)}c${i}`);
  // Raters are also named on the command line (assign design), where NUL cannot travel.
  const raters = [0, 1, 2].map((i) => `${name(i)}r${i}`.replace(/[\u0000,]/g, ""));
  const dims = [`${name(2)}d0`, `${name(1)}d1`];
  const profiles = [];
  for (const [pi, person] of persons.entries()) {
    for (const [ci, context] of contexts.entries()) {
      const texts = [
        { title: name(pi + ci), text: `${name(pi)} ${name(ci + 3)}`, url },
        { text: name(pi + ci + 5) },
      ];
      // Every profile has three texts, so whichever one a view opens has the same structure.
      texts.push({ text: pi === 0 && ci === 0 ? mb : name(pi + 2) });
      profiles.push({ person, context, texts });
    }
  }
  const codebook = {
    name: name(3),
    guidelines: [
      `# Guide ${name(0)}`,
      "",
      `Read **${name(1)}** first, see [the manual ${name(2)}](${url}).`,
      "",
      `- ${name(3)}`,
      `- ${name(4)}`,
      "",
      `> ${name(5)}`,
      "",
      "```",
      name(6),
      "```",
      "",
      mb,
    ].join("\n"),
    dimensions: [
      {
        name: dims[0],
        label: `${name(4)} label`,
        definition: `${name(5)} ${url}`,
        level: "ordinal",
        scale: {
          type: "likert",
          min: 1,
          max: 5,
          anchors: [
            { value: 1, label: name(6) },
            { value: 5, label: name(0) },
          ],
        },
      },
      {
        name: dims[1],
        label: name(2),
        definition: name(3),
        scale: {
          type: "nominal",
          categories: [
            { value: 1, label: name(1) },
            { value: 2, label: name(4) },
            { value: 3, label: name(5) },
          ],
        },
      },
    ],
  };
  const q = (s) => `"${String(s).replace(/"/g, '""')}"`;
  let csv = "person,context,rater,dimension,value,note\n";
  for (const [pi, person] of persons.entries()) {
    for (const [ci, context] of contexts.entries()) {
      for (const [ri, rater] of raters.entries()) {
        const ordinal = ((pi * 3 + ci * 2 + ri * 5) % 5) + 1;
        const nominal = ((pi + ci + ri) % 3) + 1;
        const note = pi === 1 && ci === 0 && ri === 0 ? mb : name(pi + ri);
        csv += `${q(person)},${q(context)},${q(rater)},${q(dims[0])},${ordinal},${q(note)}\n`;
        csv += `${q(person)},${q(context)},${q(rater)},${q(dims[1])},${nominal},${q(name(ci + ri))}\n`;
      }
    }
  }
  const files = {
    profiles: path.join(dir, "profiles.jsonl"),
    codebook: path.join(dir, "codebook.json"),
    ratings: path.join(dir, "ratings.csv"),
    // A codebook that is refused: its error box quotes the hostile dimension name.
    badCodebook: path.join(dir, "bad-codebook.json"),
    // A file that is no package, named with a payload: the merge report shows its name.
    junk: path.join(dir, `${name(1).replace(/[/\u0000]/g, "")}.chameleon`),
  };
  writeFileSync(files.profiles, profiles.map((p) => JSON.stringify(p)).join("\n") + "\n");
  writeFileSync(files.codebook, JSON.stringify(codebook));
  writeFileSync(files.ratings, csv);
  writeFileSync(
    files.badCodebook,
    JSON.stringify({ ...codebook, dimensions: [codebook.dimensions[0], { ...codebook.dimensions[0] }] }),
  );
  writeFileSync(files.junk, "not a package");
  return { files, raters };
}

function buildStudy(dir, name, opts) {
  const { files, raters } = writeStudyFiles(dir, name, opts);
  const db = path.join(dir, "study.chameleon");
  cli("study", "new", db);
  cli("import", "profiles", db, files.profiles);
  cli("import", "codebook", db, files.codebook);
  cli("import", "ratings", db, files.ratings);
  cli("assign", "design", db, "--pool", raters.join(","), "--k", "2", "--extra-percent", "50", "--seed", "1");
  return { db, files, dir };
}

/**
 * In the page: the structure of `sel`'s subtree (element count per tag), and what must never be
 * there: `on*` attributes and `javascript:` URLs anywhere in the document, scripts in the view.
 */
function probe(sel) {
  const root = document.querySelector(sel);
  if (!root) return { missing: sel };
  const tags = {};
  for (const el of root.querySelectorAll("*")) tags[el.localName] = (tags[el.localName] ?? 0) + 1;
  const handlers = [];
  const jsUrls = [];
  for (const el of document.querySelectorAll("*")) {
    for (const a of el.attributes) {
      if (a.name.toLowerCase().startsWith("on")) handlers.push(`${el.localName}[${a.name}]`);
      if (/^\s*javascript:/i.test(a.value) && /^(href|src|action|formaction|data|xlink:href)$/i.test(a.name)) {
        jsUrls.push(`${el.localName}[${a.name}]`);
      }
    }
  }
  // Every image the app shows is one of its own charts: a data-URL SVG. It must parse and hold
  // nothing active (the names in its labels escaped).
  const charts = [];
  for (const img of root.querySelectorAll("img")) {
    const src = img.getAttribute("src") ?? "";
    const m = /^data:image\/svg\+xml(;charset=utf-8|;base64)?,(.*)$/s.exec(src);
    if (!m) {
      charts.push({ id: img.id, problem: `not a data-URL SVG: ${src.slice(0, 40)}` });
      continue;
    }
    let svg;
    if (m[1] === ";base64") {
      const bin = atob(m[2]);
      svg = new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
    } else svg = decodeURIComponent(m[2]);
    const doc = new DOMParser().parseFromString(svg, "image/svg+xml");
    const problems = [];
    if (doc.querySelector("parsererror")) problems.push("does not parse");
    for (const el of doc.querySelectorAll("*")) {
      if (["script", "foreignObject", "iframe", "object", "embed"].includes(el.localName)) problems.push(`<${el.localName}>`);
      for (const a of el.attributes) {
        if (a.name.toLowerCase().startsWith("on")) problems.push(`${el.localName}[${a.name}]`);
        if (/^\s*javascript:/i.test(a.value)) problems.push(`${el.localName}[${a.name}]=javascript:`);
      }
    }
    charts.push({ id: img.id, problems, elements: doc.querySelectorAll("*").length });
  }
  return {
    tags,
    handlers,
    jsUrls,
    scriptsInView: root.querySelectorAll("script").length,
    scripts: [...document.scripts].map((s) => s.src || `inline:${s.type}`),
    charts,
    text: root.textContent.length,
  };
}

/** The structure of an HTML document as the webview's parser builds it. */
function htmlShape(html) {
  const doc = new DOMParser().parseFromString(html, "text/html");
  const tags = {};
  const handlers = [];
  const jsUrls = [];
  for (const el of doc.querySelectorAll("*")) {
    const attrs = [...el.attributes].map((a) => a.name).sort().join(" ");
    const key = `${el.localName}(${attrs})`;
    tags[key] = (tags[key] ?? 0) + 1;
    for (const a of el.attributes) {
      if (a.name.toLowerCase().startsWith("on")) handlers.push(`${el.localName}[${a.name}]`);
      if (/^\s*javascript:/i.test(a.value)) jsUrls.push(`${el.localName}[${a.name}]`);
    }
  }
  const scripts = [...doc.querySelectorAll("script")].map((s) => s.type || "(classic)");
  const data = doc.getElementById("chameleon-data")?.textContent ?? null;
  return { tags, handlers, jsUrls, scripts, data };
}

async function answerDialogs(browser, answers) {
  await browser.execute((a) => {
    window.__chameleonDialogs = a;
  }, answers);
}

async function clickByText(browser, selector, text) {
  const ok = await browser.execute(
    (sel, t) => {
      const el = [...document.querySelectorAll(sel)].find((e) => e.textContent.trim() === t);
      el?.click();
      return Boolean(el);
    },
    selector,
    text,
  );
  assert.ok(ok, `no ${selector} "${text}"`);
}

async function allImagesLoaded(browser, sel) {
  await browser.waitUntil(
    () =>
      browser.execute(
        (s) => [...document.querySelectorAll(`${s} img`)].every((i) => i.complete && i.naturalWidth > 0),
        sel,
      ),
    { timeout: 15000, timeoutMsg: `an image in ${sel} did not load (an SVG that does not parse?)` },
  );
}

/** Walks every view of `study`; returns {view: probe}. */
async function walk(study) {
  const out = {};
  const dir = study.dir;
  const ctx = await launch({ CHAMELEON_DATA_DIR: path.join(dir, "data"), CHAMELEON_STUDY: study.db }, "#identity-screen");
  try {
    const b = ctx.browser;
    const take = async (name, sel) => {
      out[name] = await b.execute(probe, sel);
    };
    await b.waitUntil(async () => (await b.$$("#identity-screen button.rater")).length === 3, {
      timeoutMsg: "the three raters are not listed",
    });
    await take("identity", "#identity-screen");

    // The rating screen as the first rater: material, dimensions, codebook panel, queue.
    await b.$("#identity-screen button.rater").click();
    await b.$("#rate-screen").waitForDisplayed();
    await b.waitUntil(async () => (await shownProfile(b)) > 0, { timeoutMsg: "no profile shown" });
    await b.$("aside.codebook .anchors").waitForExist({ timeoutMsg: "the codebook panel shows no anchors" });
    await take("rate", "#rate-screen");
    await b.keys("q");
    await b.$("#queue").waitForDisplayed();
    await take("queue", "#rate-screen");
    await b.keys(Key.Escape);
    await b.$("#queue").waitForExist({ reverse: true });

    // Agreement dashboard, then the first dimension's detail with its charts.
    await b.$("#to-studio").click();
    await b.$("#agreement-table").waitForDisplayed({ timeout: 30000 });
    await take("agreement", "#agreement-view");
    await b.$("#agreement-table tbody tr .dim-open").click();
    await b.$("#kappa-heatmap").waitForDisplayed({ timeout: 30000 });
    await b.$("#drift-chart").waitForDisplayed();
    await allImagesLoaded(b, "#agreement-view");
    await take("agreementDetail", "#agreement-view");

    // Disagreements with the raters' names shown, and the most disputed profile opened.
    await b.$("#to-disagreements").click();
    await b.$("#disagreement-list tbody tr").waitForDisplayed({ timeout: 30000 });
    if (await b.$("#hide-names").isSelected()) {
      await b.$("#hide-names").click();
      await b.waitUntil(async () => !/Rater [A-C]/.test(await b.$("#disagreement-list tbody").getText()), {
        timeoutMsg: "the raters' names are still hidden",
      });
    }
    await b.$("#disagreement-list tbody tr .open-profile").click();
    await b.$("#side-by-side").waitForDisplayed();
    await take("disagreements", "#disagreements-view");

    // The codebook editor: guidelines rendered from Markdown, definitions in the form.
    await b.$("#tab-codebook").click();
    await b.$("#guidelines-preview").waitForDisplayed();
    await take("codebook", "#codebook-view");

    // The analysis result with its figures, then the report exported from it.
    await b.$("#tab-analysis").click();
    await b.$("#analysis-options").waitForDisplayed();
    const resamples = await b.$("#analysis-resamples");
    await resamples.clearValue();
    await resamples.setValue("20");
    await b.$("#analysis-run").click();
    await b.$("#analysis-result").waitForDisplayed({ timeout: 60000 });
    await b.waitUntil(async () => (await b.$("#analysis-status").getText()).includes("Done"), {
      timeout: 60000,
      timeoutMsg: "the analysis did not finish",
    });
    await allImagesLoaded(b, "#analysis-view");
    await take("analysis", "#analysis-view");
    const report = path.join(dir, "report.html");
    await answerDialogs(b, [report]);
    await b.$("#analysis-export-report").click();
    await b.waitUntil(async () => (await b.$("#analysis-status").getText()).includes("Saved"), {
      timeoutMsg: "the report was not exported",
    });
    out.report = await b.execute(htmlShape, readFileSync(report, "utf8"));

    // Team: the assignment table, and the merge report refusing a file named with a payload.
    await b.$("#tab-team").click();
    await b.$("#team-view").waitForDisplayed();
    await b.waitUntil(async () => (await b.$$("#assignment-table tbody tr")).length === 3, {
      timeoutMsg: "the assignment table does not list the three raters",
    });
    await answerDialogs(b, [[study.files.junk]]);
    await b.$("#merge-packages").click();
    await b.$("#merge-report tbody tr.refused").waitForExist({ timeout: 15000 });
    out.refusedFile = await b.$("#merge-report tbody tr.refused").getAttribute("data-package");
    await take("team", "#team-view");

    // The audit trail: imports, the design and the merge attempt, with their details.
    await b.$("#tab-audit").click();
    await b.$("#audit-table tbody tr").waitForExist({ timeout: 15000 });
    await take("audit", "#audit-view");

    // Back to the start screen: creating a study from the refused codebook shows an error box
    // that quotes the hostile dimension name.
    await clickByText(b, "#studio-screen button", "Close study");
    await b.$("#start-screen").waitForDisplayed();
    await b.$("#profiles-path").setValue(study.files.profiles);
    await b.$("#codebook-path").setValue(study.files.badCodebook);
    await b.$("#study-path").setValue(path.join(dir, "refused.chameleon"));
    await b.$("#create").click();
    await b.$("#start-screen .error-box").waitForDisplayed({ timeout: 15000 });
    out.errorText = await b.$("#start-screen .error-box").getText();
    await take("error", "#start-screen .error-box");
  } finally {
    await quitAndReap(ctx);
  }
  return out;
}

describe("hostile names and texts, end to end", { concurrency: 1 }, () => {
  test("every view and the report keep the plain study's structure: no payload became markup", async () => {
    const top = tmpdir("hostile");
    const plain = buildStudy(path.join(top, "plain"), (i) => `name${i % CORPUS.length}`, {
      url: "https://example.org/manual",
      mb: MB,
    });
    const hostile = buildStudy(path.join(top, "hostile"), (i) => CORPUS[i % CORPUS.length], {
      url: "javascript:window.pwned='url'",
      mb: `${CORPUS[1]}${MB}`,
    });
    const want = await walk(plain);
    const got = await walk(hostile);

    const views = ["identity", "rate", "queue", "agreement", "agreementDetail", "disagreements", "codebook", "analysis", "team", "audit", "error"];
    for (const v of views) {
      const p = got[v];
      assert.ok(!p.missing, `${v}: ${p.missing} not found`);
      assert.deepEqual(p.handlers, [], `${v}: no on* attribute anywhere in the document`);
      assert.deepEqual(p.jsUrls, [], `${v}: no javascript: URL anywhere in the document`);
      assert.equal(p.scriptsInView, 0, `${v}: no script element in the view`);
      assert.deepEqual(p.scripts, want[v].scripts, `${v}: only the app's own scripts`);
      for (const c of p.charts) {
        assert.deepEqual(c.problems ?? [c.problem], [], `${v}: chart ${c.id} holds nothing active and parses`);
      }
      assert.deepEqual(
        p.charts.map((c) => c.id),
        want[v].charts.map((c) => c.id),
        `${v}: the same charts as with plain names`,
      );
      assert.deepEqual(p.tags, want[v].tags, `${v}: the same elements as with plain names`);
      assert.ok(p.text > 0, `${v}: the view shows text`);
    }
    // The payloads are shown, as text (a view that dropped them would also pass the checks).
    assert.ok(got.errorText.includes(`${CORPUS[2]}d0`), `the error box quotes the dimension name: ${got.errorText.slice(0, 200)}`);
    assert.ok(got.refusedFile.includes(CORPUS[1]), `the merge report names the hostile file: ${got.refusedFile}`);
    assert.ok(got.rate.text > MB.length, "the 1 MB guidelines are in the codebook panel");
    assert.ok(got.codebook.text > MB.length, "the 1 MB guidelines are in the codebook editor");

    // The exported report: the parsed document has the plain report's elements and attribute
    // names, exactly one script besides none (the JSON data block), and its data block is JSON.
    for (const r of [got.report, want.report]) {
      assert.deepEqual(r.handlers, [], "no on* attribute in the report");
      assert.deepEqual(r.jsUrls, [], "no javascript: URL in the report");
      assert.deepEqual(r.scripts, ["application/json"], "the data block is the report's only script");
      assert.ok(r.data !== null);
    }
    assert.deepEqual(got.report.tags, want.report.tags, "the report has the plain report's elements");
    const data = JSON.parse(got.report.data);
    assert.ok(JSON.stringify(data).includes("<script>"), "the names travel in the data block, intact");
  });
});
