// Where lines of the UI belong (ARCHITECTURE.md): only the generated commands.ts calls Tauri's
// `invoke`, and only the composition root (main.ts) builds the Tauri-backed API objects that
// every screen and view is handed.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const SRC = path.dirname(new URL(import.meta.url).pathname);

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return sources(p);
    return p.endsWith(".ts") && !p.endsWith(".test.ts") ? [p] : [];
  });
}

const files = sources(SRC).map((p) => ({ rel: path.relative(SRC, p), text: readFileSync(p, "utf8") }));

describe("architecture", () => {
  it("only the generated commands.ts calls invoke", () => {
    const callers = files.filter((f) => /\binvoke\s*[<(]/.test(f.text)).map((f) => f.rel);
    expect(callers).toEqual(["commands.ts"]);
  });

  it("only main.ts uses the Tauri-backed API objects; their api.ts files define them", () => {
    const users = files
      .filter((f) => /\btauri(Backend|[A-Z]\w*Api)\b/.test(f.text))
      .filter((f) => !/export const tauri(Backend|[A-Z]\w*Api)\b/.test(f.text))
      .map((f) => f.rel);
    expect(users).toEqual(["main.ts"]);
  });
});
