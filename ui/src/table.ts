// The one shape of a data table in the UI: a header row and body rows, in a scrolling box when
// asked. Views build their cells; this keeps the markup (and so the styles and the tests'
// selectors) the same everywhere.
import { h, type Child } from "./dom";
import { t } from "./i18n";

export interface TableSpec {
  id?: string;
  class?: string;
  /** Header cells: text, or a `<th>` built by the caller (for spans and titles). */
  head: (string | HTMLTableCellElement)[];
  rows: HTMLTableRowElement[];
  /** Wrapped in `<div class="scroll">` (wide tables). */
  scroll?: boolean;
  /** The scrolling box's accessible name (default: "Table"). */
  label?: string;
}

/**
 * The attributes of a box that scrolls sideways: reachable with the keyboard (Tab, then the
 * arrow keys scroll it) and named for screen readers, as WCAG 2.1.1 asks of a scrollable region.
 */
export function scrollBox(label: string): Record<string, string | number> {
  return { class: "scroll", tabindex: 0, role: "region", "aria-label": label };
}

export function table(spec: TableSpec): HTMLElement {
  const th = (c: string | HTMLTableCellElement): Child => (typeof c === "string" ? h("th", {}, c) : c);
  const el = h(
    "table",
    { id: spec.id, class: spec.class },
    h("thead", {}, h("tr", {}, ...spec.head.map(th))),
    h("tbody", {}, ...spec.rows),
  );
  return spec.scroll ? h("div", scrollBox(spec.label ?? t().table), el) : el;
}
