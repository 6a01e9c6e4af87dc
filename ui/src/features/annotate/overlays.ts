// The rating screen's overlays: the keyboard shortcuts and the queue (filter, jump, progress by
// dimension). Each returns its element and what to focus once it is shown.
import { toAppError } from "../../api";
import type { CodebookView, OwnProgress, QueueItem } from "../../bindings";
import { append, h, replace } from "../../dom";
import { dimensionsRemaining, isDone, position } from "./queue";
import { t } from "../../i18n";

export interface Overlay {
  el: HTMLElement;
  focus: () => void;
}

export function helpOverlay(onClose: () => void): Overlay {
  const close = h("button", { onclick: onClose }, t().close);
  const el = h(
    "div",
    { class: "overlay", role: "dialog", "aria-modal": "true", "aria-label": t().keyboardShortcuts },
    h(
      "div",
      { class: "panel", id: "help" },
      h("h2", {}, t().keyboardShortcuts),
      h(
        "table",
        { class: "shortcuts" },
        h("tbody", {}, ...t().shortcuts.map(([k, what]) => h("tr", {}, h("th", {}, k), h("td", {}, what)))),
      ),
      close,
    ),
  );
  return { el, focus: () => close.focus() };
}

export interface QueueOverlayOptions {
  queue: QueueItem[];
  current: number | undefined;
  codebook: CodebookView;
  progress: () => Promise<OwnProgress[]>;
  onJump: (profileId: number) => void;
  onClose: () => void;
}

export function queueOverlay(o: QueueOverlayOptions): Overlay {
  const filter = h("input", {
    type: "search",
    placeholder: o.codebook.showPersonIds ? t().filterAll : t().filterContext,
    "aria-label": t().filterProfiles,
  });
  const onlyOpen = h("input", { type: "checkbox", id: "only-open" });
  const list = h("ol", { class: "queue-list", role: "listbox", "aria-label": t().profiles });
  const current = o.current;
  const fill = () => {
    const q = filter.value.trim().toLowerCase();
    const rows = o.queue.filter(
      (e) =>
        (!onlyOpen.checked || !isDone(e)) &&
        (q === "" ||
          e.context.toLowerCase().includes(q) ||
          e.person.toLowerCase().includes(q) ||
          `#${e.profileId}` === q),
    );
    replace(
      list,
      ...rows.map((e) =>
        h(
          "li",
          {},
          h(
            "button",
            {
              class: `queue-item${e.profileId === current ? " current" : ""}`,
              "data-profile-id": e.profileId,
              onclick: () => o.onJump(e.profileId),
            },
            h("span", { class: "q-pos" }, String(position(o.queue, e.profileId))),
            h("span", { class: "q-context" }, e.context),
            o.codebook.showPersonIds ? h("span", { class: "q-person" }, e.person) : null,
            h("span", { class: `q-count${isDone(e) ? " done" : ""}` }, `${e.rated}/${e.total}`),
            e.flagged ? h("span", { class: "q-flag", title: t().flaggedTitle }, "⚑") : null,
          ),
        ),
      ),
    );
    if (rows.length === 0) append(list, h("li", { class: "empty" }, t().noProfileMatches));
  };
  filter.addEventListener("input", fill);
  onlyOpen.addEventListener("change", fill);
  const byDimension = h("div", { class: "queue-dims", id: "queue-dimensions", "aria-label": t().progressByDimension });
  void o.progress().then(
    (rows) => replace(byDimension, ...dimensionProgressRows(rows, o.codebook)),
    (e) => replace(byDimension, h("p", { class: "muted" }, t().progressUnavailable(toAppError(e).message))),
  );
  const panel = h(
    "div",
    { class: "panel queue-panel", id: "queue" },
    h("h2", {}, t().queue),
    byDimension,
    h("div", { class: "queue-tools" }, filter, h("label", {}, onlyOpen, t().notDoneOnly)),
    list,
    h("button", { onclick: () => o.onClose() }, `${t().close} `, h("kbd", {}, "Esc")),
  );
  panel.addEventListener("keydown", (ev) => {
    const items = [...list.querySelectorAll<HTMLButtonElement>("button.queue-item")];
    const i = items.indexOf(document.activeElement as HTMLButtonElement);
    if (ev.key === "Escape") {
      ev.preventDefault();
      o.onClose();
    } else if (ev.key === "ArrowDown") {
      ev.preventDefault();
      items[Math.min(items.length - 1, i + 1)]?.focus();
    } else if (ev.key === "ArrowUp") {
      ev.preventDefault();
      (i <= 0 ? filter : items[i - 1]).focus();
    }
  });
  const el = h("div", { class: "overlay", role: "dialog", "aria-modal": "true", "aria-label": t().queue }, panel);
  fill();
  return {
    el,
    focus: () => {
      filter.focus();
      list.querySelector<HTMLElement>(".current")?.scrollIntoView({ block: "center" });
    },
  };
}

/** The queue panel's "by dimension" table: which dimensions are still incomplete, and by how much. */
function dimensionProgressRows(rows: OwnProgress[], codebook: CodebookView): HTMLElement[] {
  const dims = dimensionsRemaining(rows, codebook);
  if (dims.length === 0) return [];
  const incomplete = dims.filter((d) => d.missing > 0).length;
  return [
    h(
      "h3",
      {},
      t().byDimension,
      h("span", { class: "muted" }, incomplete === 0 ? t().allComplete : t().incompleteOf(incomplete, dims.length)),
    ),
    h(
      "ul",
      { class: "dim-progress" },
      ...dims.map((d) =>
        h(
          "li",
          { "data-dimension": d.dimension, class: d.missing > 0 ? "incomplete" : "complete" },
          h("span", { class: "dp-label" }, d.label),
          h("progress", { max: Math.max(1, d.assigned), value: d.rated, "aria-label": t().dimensionRated(d.label) }),
          h("span", { class: "dp-count" }, d.missing > 0 ? t().toGo(d.rated, d.assigned, d.missing) : `${d.rated}/${d.assigned} ✓`),
        ),
      ),
    ),
  ];
}
