// The rating screen's keyboard map: a key event → an action. Pure, unit-tested; the screen
// executes the actions. Keys typed into a text field are left alone (except Escape and
// Ctrl+Enter), so notes can be written freely.

export type Action =
  | { type: "digit"; digit: string }
  | { type: "cantJudge" }
  | { type: "confidence" }
  | { type: "previous" }
  | { type: "focus"; delta: 1 | -1 }
  | { type: "step"; delta: 1 | -1 }
  | { type: "next" }
  | { type: "undo" }
  | { type: "help" }
  | { type: "flag" }
  | { type: "skip" }
  | { type: "queue" }
  | { type: "note" }
  | { type: "retry" }
  | { type: "escape" };

export interface KeyLike {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  shiftKey?: boolean;
}

export type Target = "dimension" | "text" | "button" | "other";

export function actionFor(ev: KeyLike, target: Target): Action | null {
  const mod = !!(ev.ctrlKey || ev.metaKey);
  if (ev.key === "Escape") return { type: "escape" };
  if (target === "text") {
    return mod && ev.key === "Enter" ? { type: "next" } : null;
  }
  if (ev.altKey) return null;
  if (mod) {
    if (ev.key === "z" || ev.key === "Z") return ev.shiftKey ? null : { type: "undo" };
    if (ev.key === "Enter") return { type: "next" };
    return null;
  }
  switch (ev.key) {
    case "Tab":
      // Only between dimensions; from elsewhere Tab keeps its usual meaning.
      return target === "dimension" ? { type: "focus", delta: ev.shiftKey ? -1 : 1 } : null;
    case "ArrowDown":
      return { type: "focus", delta: 1 };
    case "ArrowUp":
      return { type: "focus", delta: -1 };
    case "ArrowRight":
      return target === "button" ? null : { type: "step", delta: 1 };
    case "ArrowLeft":
      return target === "button" ? null : { type: "step", delta: -1 };
    case "Enter":
      // A focused button (Flag, Retry…) keeps Enter for itself.
      return target === "button" ? null : { type: "next" };
    case "Backspace":
      return { type: "undo" };
    case "?":
      return { type: "help" };
    case "f":
      return { type: "flag" };
    case "s":
      return { type: "skip" };
    case "q":
      return { type: "queue" };
    case "n":
      return { type: "note" };
    case "r":
      return { type: "retry" };
    case "x":
      return { type: "cantJudge" };
    case "c":
      return { type: "confidence" };
    case "p":
      return { type: "previous" };
  }
  // "-" (the key after 0) is the 11th point of a 0–10 scale.
  if (/^[0-9-]$/.test(ev.key)) return { type: "digit", digit: ev.key };
  return null;
}
