// What a person can do about an error, by its code. `ErrorCode` is generated from the Rust enum
// (bindings.ts): a code added there stops this switch from type-checking until it is handled.
import type { ErrorCode } from "./bindings";

/** A next step for errors with one; `null` where the message already says everything. */
export function errorHint(code: ErrorCode): string | null {
  switch (code) {
    case "locked":
      return "Another window or program has this study open: close it there, then try again.";
    case "read_only":
      return "The study cannot be written here: copy it to a folder you can write to, or check its permissions.";
    case "newer_schema":
      return "This study was written by a newer Chameleon Studio: update the app to open it.";
    case "not_a_study":
      return "Choose a .chameleon study file.";
    case "no_such_study":
      return "The file may have been moved or deleted: open it again from where it is now.";
    case "damaged":
      return "Restore the study file from a backup or a colleague's copy.";
    case "no_study":
      return "Open a study first.";
    case "no_rater":
      return "Choose who is rating first.";
    case "already_running":
      return "Wait for the running analysis to finish, or cancel it.";
    case "bad_input":
    case "already_exists":
    case "invalid":
    case "package":
    case "no_ratings":
    case "analysis_failed":
    case "io":
    case "database":
    case "migration":
    case "not_found":
    case "internal":
      return null;
    default: {
      const unhandled: never = code;
      return unhandled;
    }
  }
}
