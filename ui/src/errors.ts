// What a person can do about an error, by its code. `ErrorCode` is generated from the Rust enum
// (bindings.ts): a code added there stops this switch from type-checking until it is handled.
import type { ErrorCode } from "./bindings";
import { t } from "./i18n";

/** A next step for errors with one; `null` where the message already says everything. */
export function errorHint(code: ErrorCode): string | null {
  switch (code) {
    case "locked":
      return t().errorHints.locked;
    case "read_only":
      return t().errorHints.readOnly;
    case "newer_schema":
      return t().errorHints.newerSchema;
    case "not_a_study":
      return t().errorHints.notAStudy;
    case "no_such_study":
      return t().errorHints.noSuchStudy;
    case "damaged":
      return t().errorHints.damaged;
    case "no_study":
      return t().errorHints.noStudy;
    case "no_rater":
      return t().errorHints.noRater;
    case "already_running":
      return t().errorHints.alreadyRunning;
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
