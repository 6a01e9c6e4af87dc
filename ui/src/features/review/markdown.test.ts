import { describe, expect, it } from "vitest";
import { renderMarkdown } from "./markdown";

function render(src: string): HTMLElement {
  const div = document.createElement("div");
  div.append(renderMarkdown(src));
  return div;
}

const ALLOWED = new Set(["P", "H3", "H4", "UL", "OL", "LI", "STRONG", "EM", "CODE", "PRE", "BLOCKQUOTE", "HR", "SPAN"]);

describe("markdown preview", () => {
  it("renders the usual guideline markup", () => {
    const d = render("# Rating\n\nRead **all** posts, then *decide*.\n\n- one\n- two `x`\n\n1. first\n2. second\n\n> quoted\n\n---\n\n```\ncode <b>\n```");
    expect(d.querySelector("h3")?.textContent).toBe("Rating");
    expect(d.querySelector("strong")?.textContent).toBe("all");
    expect(d.querySelector("em")?.textContent).toBe("decide");
    expect(d.querySelectorAll("ul li").length).toBe(2);
    expect(d.querySelectorAll("ol li").length).toBe(2);
    expect(d.querySelector("blockquote")?.textContent).toBe("quoted");
    expect(d.querySelector("hr")).not.toBeNull();
    expect(d.querySelector("pre code")?.textContent).toBe("code <b>");
  });

  it("never turns hostile text into elements, attributes or links", () => {
    const hostile = [
      '<img src=x onerror="window.__pwned=1">',
      "<script>window.__pwned=1</script>",
      "[click](javascript:window.__pwned=1)",
      '<a href="javascript:alert(1)">x</a>',
      "<svg onload=alert(1)><iframe src=//evil></iframe>",
      '**<b onclick="x">bold</b>**',
      "# <h1>big</h1>",
      "- <style>body{display:none}</style>",
      "`<script>`",
      '> <div style="position:fixed">',
    ].join("\n\n");
    const d = render(hostile);
    for (const el of d.querySelectorAll("*")) {
      expect(ALLOWED.has(el.tagName), el.tagName).toBe(true);
      expect(el.getAttributeNames().filter((a) => a !== "class")).toEqual([]);
    }
    expect(d.querySelector("a, img, script, iframe, svg, style, b, div")).toBeNull();
    expect(d.textContent).toContain("<script>window.__pwned=1</script>");
    expect(d.textContent).toContain("(javascript:window.__pwned=1)");
    expect((window as unknown as { __pwned?: number }).__pwned).toBeUndefined();
  });

  it("keeps unbalanced markers as text", () => {
    const d = render("2 * 3 and a_b and **open");
    expect(d.textContent).toBe("2 * 3 and a_b and **open");
  });
});
