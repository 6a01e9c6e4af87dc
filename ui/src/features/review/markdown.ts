// A small Markdown renderer that builds DOM nodes directly: headings, paragraphs, lists, block
// quotes, code blocks, rules, and inline emphasis, strong, code and links. Every piece of the
// source becomes a text node inside elements this module chooses, so nothing in the text can
// become HTML, an attribute or a script; links are shown as their text and address, never
// made clickable (the app navigates nowhere).
import { h } from "../../dom";

type Inline = Node;

// Emphasis markers must touch their text on the inside ("2 * 3" is not emphasis).
const INLINE = /(\*\*|__)(?=\S)(.+?)(?<=\S)\1|(\*|_)(?=\S)(.+?)(?<=\S)\3|`([^`]+)`|\[([^\]]+)\]\(([^)\s]*)\)/;

export function renderInline(src: string): Inline[] {
  const out: Inline[] = [];
  let rest = src;
  while (rest.length > 0) {
    const m = INLINE.exec(rest);
    if (!m) {
      out.push(document.createTextNode(rest));
      break;
    }
    if (m.index > 0) out.push(document.createTextNode(rest.slice(0, m.index)));
    if (m[2] !== undefined) out.push(h("strong", {}, ...renderInline(m[2])));
    else if (m[4] !== undefined) out.push(h("em", {}, ...renderInline(m[4])));
    else if (m[5] !== undefined) out.push(h("code", {}, m[5]));
    else if (m[6] !== undefined) {
      out.push(h("span", { class: "md-link" }, ...renderInline(m[6])));
      if (m[7]) out.push(document.createTextNode(` (${m[7]})`));
    }
    rest = rest.slice(m.index + m[0].length);
  }
  return out;
}

/** Renders Markdown into a fragment of safe DOM nodes. */
export function renderMarkdown(src: string): DocumentFragment {
  const frag = document.createDocumentFragment();
  const lines = src.replace(/\r\n?/g, "\n").split("\n");
  let para: string[] = [];
  let list: { el: HTMLElement; ordered: boolean } | null = null;
  let quote: string[] = [];
  const flushPara = () => {
    if (para.length) frag.append(h("p", {}, ...renderInline(para.join(" "))));
    para = [];
  };
  const flushQuote = () => {
    if (quote.length) frag.append(h("blockquote", {}, ...renderInline(quote.join(" "))));
    quote = [];
  };
  const flushAll = () => {
    flushPara();
    flushQuote();
    list = null;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const fence = /^\s*(```|~~~)/.exec(line);
    if (fence) {
      flushAll();
      const body: string[] = [];
      i++;
      while (i < lines.length && !lines[i].trim().startsWith(fence[1])) body.push(lines[i++]);
      frag.append(h("pre", {}, h("code", {}, body.join("\n"))));
      continue;
    }
    if (line.trim() === "") {
      flushAll();
      continue;
    }
    const heading = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      flushAll();
      // Guideline headings sit under the view's own headings: # becomes h3, the rest h4.
      const tag = heading[1].length === 1 ? "h3" : "h4";
      frag.append(h(tag, { class: "md-h" }, ...renderInline(heading[2])));
      continue;
    }
    if (/^\s{0,3}([-*_])(\s*\1){2,}\s*$/.test(line)) {
      flushAll();
      frag.append(h("hr", {}));
      continue;
    }
    const q = /^\s{0,3}>\s?(.*)$/.exec(line);
    if (q) {
      flushPara();
      list = null;
      quote.push(q[1]);
      continue;
    }
    const item = /^\s{0,3}(?:([-*+])|(\d{1,9})[.)])\s+(.*)$/.exec(line);
    if (item) {
      flushPara();
      flushQuote();
      const ordered = item[2] !== undefined;
      if (!list || list.ordered !== ordered) {
        const el: HTMLElement = ordered ? h("ol", {}) : h("ul", {});
        frag.append(el);
        list = { el, ordered };
      }
      list.el.append(h("li", {}, ...renderInline(item[3])));
      continue;
    }
    if (list && /^\s+\S/.test(line)) {
      // A continuation line of the last list item.
      list.el.lastElementChild?.append(" ", ...renderInline(line.trim()));
      continue;
    }
    flushQuote();
    list = null;
    para.push(line.trim());
  }
  flushAll();
  return frag;
}
