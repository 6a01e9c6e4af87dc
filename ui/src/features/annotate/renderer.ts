// The rating screen's renderer: the profile's material (as text nodes only, see dom.ts) and
// one dimension's rating control with its save status. State lives in the RatingSession; the
// screen decides when to render.
import type { DimensionView, Profile } from "../../bindings";
import { h, replace } from "../../dom";
import { formatValue, options, snap, stepOf } from "./scale";
import { CANT_JUDGE, type RatingSession } from "./session";
import { t } from "../../i18n";


/**
 * The profile head (context, position in the queue, the person only when the codebook shows
 * person ids: hidden by default, so annotators judge the context and not whom they recognise)
 * and its text cards.
 */
export function materialNodes(p: Profile, pos: number, queueLength: number, showPerson = false): HTMLElement[] {
  return [
    h(
      "div",
      { class: "profile-head" },
      h("h1", { class: "context", id: "profile-context" }, p.context),
      h(
        "div",
        { class: "meta" },
        showPerson ? h("span", {}, t().person, h("strong", { class: "person" }, p.person)) : null,
        h("span", {}, pos > 0 ? t().profileOf(pos, queueLength) : t().profileOutsideQueue),
      ),
    ),
    ...(p.texts.length === 0
      ? [h("p", { class: "empty" }, t().noMaterial)]
      : p.texts.map((t, i) =>
          h(
            "article",
            { class: "text-card", "aria-label": `Text ${i + 1}` },
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
      { class: `dim-status ${st.status}` },
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
      { class: `options ${d.scale.type}${dense ? " dense" : ""}` },
      ...opts.map((o) =>
        h(
          "button",
          {
            class: "option",
            role: "radio",
            tabindex: -1,
            "aria-checked": st.value === o.value ? "true" : "false",
            "data-value": o.value,
            onclick: () => {
              void s.set(d.name, o.value);
              el.focus();
            },
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
      role: "radio",
      tabindex: -1,
      "aria-checked": cant ? "true" : "false",
      title: t().cantJudgeTitle,
      onclick: () => {
        void s.set(d.name, cant ? null : CANT_JUDGE);
        el.focus();
      },
    },
    h("kbd", {}, "x"),
    t().cantJudge,
  );
  body.append(cantButton);
  replace(el, head, body);
}
