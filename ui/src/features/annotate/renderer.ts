// The rating screen's renderer: the profile's material (as text nodes only, see dom.ts) and
// one dimension's rating control with its save status. State lives in the RatingSession; the
// screen decides when to render.
import type { DimensionDto, Profile } from "../../bindings";
import { h, replace } from "../../dom";
import { formatValue, options, snap, stepOf } from "./scale";
import type { RatingSession } from "./session";

const STATUS_TEXT = { empty: "Not rated", saving: "Saving…", saved: "Saved", failed: "Not saved" };

/** The profile head (context, person, position in the queue) and its text cards. */
export function materialNodes(p: Profile, pos: number, queueLength: number): HTMLElement[] {
  return [
    h(
      "div",
      { class: "profile-head" },
      h("h1", { class: "context", id: "profile-context" }, p.context),
      h(
        "div",
        { class: "meta" },
        h("span", {}, "Person ", h("strong", { class: "person" }, p.person)),
        h("span", {}, pos > 0 ? `Profile ${pos} of ${queueLength}` : `Profile #${p.id}`),
        h("span", { class: "pid" }, `#${p.id}`),
      ),
    ),
    ...(p.texts.length === 0
      ? [h("p", { class: "empty" }, "This profile has no material.")]
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
export function fillDimension(el: HTMLElement, d: DimensionDto, labelId: string, s: RatingSession): void {
  const st = s.state(d.name);
  el.dataset.status = st.status;
  const head = h(
    "div",
    { class: "dim-head" },
    h("span", { class: "dim-label", id: labelId }, d.label),
    h(
      "span",
      { class: `dim-status ${st.status}` },
      STATUS_TEXT[st.status],
      st.error ? `: ${st.error}` : "",
    ),
    st.status === "failed"
      ? h("button", { class: "small", onclick: () => void s.retry(), tabindex: -1 }, "Retry")
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
      class: st.value === null ? "unset" : "",
    });
    slider.value = String(st.value ?? (scale.min + scale.max) / 2);
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
    body = h(
      "div",
      { class: `options ${d.scale.type}` },
      ...options(d.scale).map((o) =>
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
          o.key ? h("kbd", {}, o.key) : null,
          h("span", { class: "value" }, d.scale.type === "likert" ? String(o.value) : ""),
          o.label ? h("span", { class: "anchor" }, o.label) : null,
        ),
      ),
    );
  }
  replace(el, head, body);
}
