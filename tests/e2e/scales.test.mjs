// End-to-end test of the review's questionnaire scales (issue 16): the demo built with its
// BFI-10 questionnaire shows a reliability table per scale whose α and ω are the CLI's.
// With CHAMELEON_SHOTS=DIR it also saves scales.png of the real window.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { cli, launch, quit, tmpdir } from "./lib.mjs";

const SHOTS = process.env.CHAMELEON_SHOTS;
const pause = (ms) => new Promise((r) => setTimeout(r, ms));

describe("questionnaire scales in the review", { concurrency: 1 }, () => {
  test("each scale's α and ω equal the CLI's", async () => {
    const dir = tmpdir("scales");
    const db = path.join(dir, "demo.chameleon");
    cli("sample", "demo", path.join(dir, "files"), "--study", db, "--questionnaire");
    const expected = JSON.parse(cli("reliability", db, "--json"));
    const ctx = await launch({ CHAMELEON_DATA_DIR: path.join(dir, "data"), CHAMELEON_STUDY: db }, "#identity-screen");
    try {
      const b = ctx.browser;
      await b.$("#open-studio").click();
      await b.$("#agreement-table").waitForDisplayed({ timeout: 60000 });
      await b.$("#scales-table").waitForExist({ timeout: 60000 });
      const shown = await b.execute(() =>
        [...document.querySelectorAll("#scales-table tbody tr")].map((r) => [
          r.getAttribute("data-scale"),
          r.querySelector(".alpha")?.textContent ?? "",
          r.querySelector(".omega")?.textContent ?? "",
          [...r.querySelectorAll(".item-rest")].map((i) => i.textContent.split(" ").pop()),
        ]),
      );
      assert.deepEqual(
        shown.map((s) => s[0]),
        expected.map((e) => e.scale),
      );
      for (const [scale, alpha, omega, itemRest] of shown) {
        const e = expected.find((x) => x.scale === scale);
        assert.ok(alpha.startsWith(`${e.raw_alpha.toFixed(2)} [`), `${scale}: ${alpha}`);
        assert.ok(omega.startsWith(`${e.omega_total.toFixed(2)} [`), `${scale}: ${omega}`);
        assert.deepEqual(
          itemRest,
          e.items.map((i) => i.item_rest.toFixed(2)),
        );
      }
      if (SHOTS) {
        mkdirSync(SHOTS, { recursive: true });
        await b.execute(() => document.querySelector("#scales-section")?.scrollIntoView());
        await pause(800);
        execFileSync("import", ["-window", "root", path.join(SHOTS, "scales.png")]);
      }
    } finally {
      await quit(ctx);
    }
  });
});
