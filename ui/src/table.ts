// The one shape of a data table in the UI: a header row and body rows, in a scrolling box when
// asked. Views build their cells; this keeps the markup (and so the styles and the tests'
// selectors) the same everywhere.
import { h, type Child } from "./dom";

export interface TableSpec {
  id?: string;
  class?: string;
  /** Header cells: text, or a `<th>` built by the caller (for spans and titles). */
  head: (string | HTMLTableCellElement)[];
  rows: HTMLTableRowElement[];
  /** Wrapped in `<div class="scroll">` (wide tables). */
  scroll?: boolean;
}

export function table(spec: TableSpec): HTMLElement {
  const th = (c: string | HTMLTableCellElement): Child => (typeof c === "string" ? h("th", {}, c) : c);
  const el = h(
    "table",
    { id: spec.id, class: spec.class },
    h("thead", {}, h("tr", {}, ...spec.head.map(th))),
    h("tbody", {}, ...spec.rows),
  );
  return spec.scroll ? h("div", { class: "scroll" }, el) : el;
}
