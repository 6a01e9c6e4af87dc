// Screenshots of the real app window (start screen, rating screen, 200% zoom), taken with
// ImageMagick's `import -window root` under Xvfb while WebDriver drives the app.
//   xvfb-run -a -s "-screen 0 1280x800x24" node screenshots.mjs OUT_DIR
// (scripts/app/screenshots.sh does the building and the xvfb-run.)
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { Key } from "webdriverio";
import { cli, launch, quit, settledStatuses, shownProfile, tmpdir } from "./lib.mjs";

const out = path.resolve(process.argv[2] ?? "screenshots");
mkdirSync(out, { recursive: true });
const shot = (name) => {
  const file = path.join(out, name);
  execFileSync("import", ["-window", "root", file]);
  console.log(file);
};
const pause = (ms) => new Promise((r) => setTimeout(r, ms));

const dir = tmpdir("shots");
const db = path.join(dir, "demo-study.chameleon");
cli("sample", "demo", path.join(dir, "files"), "--study", db);
let ctx = await launch({ CHAMELEON_DATA_DIR: path.join(dir, "data") }, "#start-screen");
try {
  const b = ctx.browser;
  await b.$("#open-path").setValue(db);
  await pause(800);
  shot("start.png");
  await b.$("#open-form button[type=submit]").click();
  await b.$("#identity-screen").waitForDisplayed();
  await b.$("#rater-name").setValue("maria");
  await b.keys(Key.Enter);
  await b.$("#rate-screen").waitForDisplayed();
  await b.waitUntil(async () => (await shownProfile(b)) > 0);
  // Move on to a profile with more material, then rate part of it.
  await b.keys(Key.Enter);
  await pause(800);
  for (const k of ["4", "3", "2"]) await b.keys(k);
  await settledStatuses(b);
  await pause(800);
  shot("rating.png");
  await b.keys("?");
  await pause(800);
  shot("help.png");
  await b.keys(Key.Escape);
  await b.keys("q");
  await pause(800);
  shot("queue.png");
  await b.keys(Key.Escape);
  // Revisit a rating, change it, come back to it: the codebook panel recalls the earlier value.
  await b.keys(Key.ArrowUp);
  await b.keys("3");
  await settledStatuses(b);
  await b.keys(Key.ArrowUp);
  await b.$("#rating-history").waitForDisplayed({ timeout: 10000 });
  await pause(500);
  shot("rating-history.png");
  // 200%: the app's zoom hotkeys (Ctrl+=, 0.2 per press), as a user would zoom.
  for (let i = 0; i < 5; i++) await b.keys([Key.Ctrl, "="]);
  await pause(1000);
  shot("rating-zoom200.png");
} finally {
  await quit(ctx);
}
