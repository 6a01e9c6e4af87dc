// The rating screen's renderer: the profile's material (as text nodes only, see dom.ts) and
// one dimension's rating control with its save status. State lives in the RatingSession; the
// screen decides when to render.
import type { DimensionView, Profile } from "../../bindings";
import { h, replace } from "../../dom";
import { formatValue, options, snap, stepOf } from "./scale";
import { CANT_JUDGE, type RatingSession } from "./session";
import { t } from "../../i18n";

/** "Text 2" (the material's `t` shadows the catalogue inside the card builder). */
const textLabel = (n: number): string => t().textN(n);

/**
 * The profile head (context, position in the queue, the person only when the codebook shows
 * person ids: hidden by default, so annotators judge the context and not whom they recognise)
 * and its text cards.
 */
/**
 * Where the profile stands in the queue: `pos` is its 1-based place (0: not in the queue), or
 * `null` while the queue list is still on its way.
 */
export function positionText(pos: number | null, queueLength: number): string {
  if (pos === null) return t().queueLoading;
  return pos > 0 ? t().profileOf(pos, queueLength) : t().profileOutsideQueue;
}

export function materialNodes(p: Profile, pos: number | null, queueLength: number, showPerson = false): HTMLElement[] {
  return [
    h(
      "div",
      { class: "profile-head" },
      h("h1", { class: "context", id: "profile-context" }, p.context),
      h(
        "div",
        { class: "meta" },
        showPerson ? h("span", {}, t().person, h("strong", { class: "person" }, p.person)) : null,
        h("span", { id: "profile-position" }, positionText(pos, queueLength)),
      ),
    ),
    ...(p.texts.length === 0
      ? [h("p", { class: "empty" }, t().noMaterial)]
      : p.texts.map((t, i) =>
          h(
            "article",
            { class: "text-card", "aria-label": textLabel(i + 1) },
            t.title ? h("h2", { class: "text-title" }, t.title) : null,
            t.created_at || t.url
              ? h(
                  "div",
                  { class: "text-meta" },
                  t.created_at ? h("time", {}, t.created_at) : null,
                  t.url ? h("span", { class: "url" }, t.url) : null,
                )
              : null,
            h("div", { class: "text-body" }, t.text),
          ),
        )),
  ];
}

/** Fills a dimension's element with its label, save status and control (options or a slider). */
export function fillDimension(el: HTMLElement, d: DimensionView, labelId: string, s: RatingSession): void {
  const st = s.state(d.name);
  const cant = st.value === CANT_JUDGE;
  el.dataset.status = st.status;
  el.dataset.cantJudge = cant ? "true" : "false";
  const head = h(
    "div",
    { class: "dim-head" },
    h("span", { class: "dim-label", id: labelId }, d.label),
    h(
      "span",
      { class: `dim-status ${st.status}`, id: `${labelId}-status` },
      t().status[st.status],
      cant && st.status === "saved" ? t().cantJudgeSaved : "",
      st.error ? `: ${st.error}` : "",
    ),
    st.status === "failed"
      ? h("button", { class: "small", onclick: () => void s.retry(), tabindex: -1 }, t().retry)
      : null,
  );
  let body: HTMLElement;
  if (d.scale.type === "continuous") {
    const scale = d.scale;
    const slider = h("input", {
      type: "range",
      min: scale.min,
      max: scale.max,
      step: stepOf(scale),
      tabindex: -1,
      "aria-labelledby": labelId,
      class: typeof st.value === "number" ? "" : "unset",
    });
    slider.value = String(typeof st.value === "number" ? st.value : (scale.min + scale.max) / 2);
    const shown = h("output", { class: "slider-value" }, formatValue(scale, st.value));
    slider.addEventListener("input", () => {
      shown.textContent = formatValue(scale, Number(slider.value));
    });
    slider.addEventListener("change", () => void s.set(d.name, snap(scale, Number(slider.value))));
    body = h(
      "div",
      { class: "slider" },
      h("span", { class: "end" }, String(scale.min)),
      slider,
      h("span", { class: "end" }, String(scale.max)),
      shown,
    );
  } else {
    const opts = options(d.scale);
    // Seven points or more beside "can't judge" leave each button narrow: a key that is the
    // shown number itself is then left out (the number says it), so the two do not collide.
    const dense = opts.length >= 7;
    body = h(
      "div",
      {
        class: `options ${d.scale.type}${dense ? " dense" : ""}`,
        // A listbox of the points: see focusStop for why not radio buttons.
        role: "listbox",
        "aria-labelledby": labelId,
        "aria-describedby": `${labelId}-status`,
        "aria-orientation": "horizontal",
      },
      ...opts.map((o, i) =>
        h(
          "button",
          {
            class: "option",
            role: "option",
            id: `${labelId}-o${i}`,
            tabindex: -1,
            "aria-selected": st.value === o.value ? "true" : "false",
            "data-value": o.value,
            onclick: () => void s.set(d.name, o.value),
          },
          o.key && !(dense && d.scale.type === "likert" && o.key === String(o.value)) ? h("kbd", {}, o.key) : null,
          h("span", { class: "value" }, d.scale.type === "likert" ? String(o.value) : ""),
          o.label ? h("span", { class: "anchor" }, o.label) : null,
        ),
      ),
    );
  }
  const cantButton = h(
    "button",
    {
      class: cant ? "small cant-judge on" : "small cant-judge",
      // One more option of the listbox; beside a slider, a toggle button.
      role: d.scale.type === "continuous" ? null : "option",
      id: `${labelId}-cant`,
      tabindex: -1,
      "aria-selected": d.scale.type === "continuous" ? null : cant ? "true" : "false",
      "aria-pressed": d.scale.type === "continuous" ? (cant ? "true" : "false") : null,
      title: t().cantJudgeTitle,
      // Read at the click: the button outlives a change (see patchOptions).
      onclick: () => void s.set(d.name, s.state(d.name).value === CANT_JUDGE ? null : CANT_JUDGE),
    },
    h("kbd", {}, "x"),
    t().cantJudge,
  );
  body.append(cantButton);
  const hadFocus = el.contains(document.activeElement) && document.activeElement !== el;
  if (!patchOptions(el, head, body)) replace(el, head, body);
  const stop = focusStop(el);
  if (stop) stop.tabIndex = 0;
  // The focus stays in the dimension, on the chosen option (or the new slider).
  if (hadFocus && stop && document.activeElement !== stop) stop.focus({ preventScroll: true });
}

/**
 * Brings a drawn listbox up to date in place instead of drawing it again, when it shows the
 * same options: a screen reader loses track of a focus that leaves a removed element (Orca then
 * announces the next dimension's option without the dimension's name). Returns false when the
 * options differ (or for a slider), and the caller draws the dimension anew.
 */
function patchOptions(el: HTMLElement, head: HTMLElement, body: HTMLElement): boolean {
  const [oldHead, oldBody] = [el.children[0], el.children[1]];
  if (!(oldHead instanceof HTMLElement) || !(oldBody instanceof HTMLElement) || el.children.length !== 2) return false;
  if (body.getAttribute("role") !== "listbox" || oldBody.className !== body.className) return false;
  const [olds, news] = [[...oldBody.children], [...body.children]];
  const same =
    olds.length === news.length &&
    olds.every((o, i) => o.id === news[i].id && o.getAttribute("data-value") === news[i].getAttribute("data-value"));
  if (!same) return false;
  olds.forEach((o, i) => {
    const n = news[i];
    o.className = n.className;
    (o as HTMLElement).tabIndex = -1;
    for (const a of ["aria-selected", "aria-pressed"]) {
      const v = n.getAttribute(a);
      if (v === null) o.removeAttribute(a);
      else o.setAttribute(a, v);
    }
  });
  el.replaceChild(head, oldHead);
  return true;
}

/**
 * The one control of a dimension that takes the focus (roving focus): its chosen option, else
 * its first, or its slider. A focused option of a listbox is where screen readers leave their
 * browse mode (Orca's WebKitGTK and web scripts, NVDA), so the rating keys reach the app and
 * each change is announced as the newly selected option; focus on a radio button or on the
 * group itself leaves Orca in browse mode, where digits jump to headings
 * (docs/accessibility.md, the walk-through).
 */
function focusStop(el: HTMLElement): HTMLElement | null {
  return (
    el.querySelector<HTMLElement>('[role="option"][aria-selected="true"]') ??
    el.querySelector<HTMLElement>('[role="option"], input[type="range"]')
  );
}

/** Moves the focus into a dimension: onto its chosen option, first option or slider. */
export function focusDimension(el: HTMLElement, options: FocusOptions = {}): void {
  (focusStop(el) ?? el).focus(options);
}
