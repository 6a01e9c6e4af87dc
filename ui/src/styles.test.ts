// A merge once dropped the body of one rule in styles.css: browsers then read every later rule as
// nested inside it and the analysis and team views lost their styles without any error. This
// checks the shape of the sheet: blocks balance, and only at-rules contain other blocks.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

/** The problems in a flat (non-nested) style sheet's block structure, with line numbers. */
export function blockProblems(css: string): string[] {
  const problems: string[] = [];
  const stack: { atRule: boolean; line: number }[] = [];
  let line = 1;
  let prelude = "";
  for (let i = 0; i < css.length; i++) {
    const c = css[i];
    if (c === "\n") line++;
    if (c === "/" && css[i + 1] === "*") {
      const end = css.indexOf("*/", i + 2);
      const stop = end < 0 ? css.length : end + 2;
      line += (css.slice(i, stop).match(/\n/g) ?? []).length;
      i = stop - 1;
      continue;
    }
    if (c === '"' || c === "'") {
      const end = css.indexOf(c, i + 1);
      i = end < 0 ? css.length : end;
      continue;
    }
    if (c === "{") {
      const parent = stack.at(-1);
      if (parent && !parent.atRule) {
        problems.push(`line ${line}: a rule inside the rule opened on line ${parent.line} (missing "}"?)`);
      }
      stack.push({ atRule: prelude.trim().startsWith("@"), line });
      prelude = "";
    } else if (c === "}") {
      if (!stack.pop()) problems.push(`line ${line}: "}" without a block to close`);
      prelude = "";
    } else if (c === ";") {
      prelude = "";
    } else {
      prelude += c;
    }
  }
  for (const open of stack) problems.push(`line ${open.line}: block never closed`);
  return problems;
}

describe("styles.css", () => {
  it("has balanced blocks and no rule nested in a rule", () => {
    // Vitest runs in ui/ (the happy-dom environment has no file URL for this module).
    expect(blockProblems(readFileSync(join(process.cwd(), "src", "styles.css"), "utf8"))).toEqual([]);
  });

  it("finds a rule whose body was lost", () => {
    const broken = ".a { color: red; }\n.b,\n.c {\n.d { margin: 0; }\n@media (x) { .e { top: 0; } }\n";
    expect(blockProblems(broken)).toEqual([
      'line 4: a rule inside the rule opened on line 3 (missing "}"?)',
      "line 5: a rule inside the rule opened on line 3 (missing \"}\"?)",
      "line 3: block never closed",
    ]);
    expect(blockProblems("@media (max-width: 1px) { .a { b: c; } }\n.x { content: \"{\"; }")).toEqual([]);
  });
});
