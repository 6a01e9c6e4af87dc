// Compile-time checks of the generated wrappers (`npm run build` runs `tsc`; never bundled):
// a call that names a parameter otherwise than the Rust command does must not type-check, so a
// parameter renamed in Rust (and regenerated into commands.ts) breaks the build at every caller.
import * as cmd from "./commands";

export function wrappersRefuseWrongNames(): void {
  // @ts-expect-error: the Rust parameter is `profile_id`, so the key is `profileId`
  void cmd.loadProfile({ id: 3 });
  // @ts-expect-error: `dimension` is missing
  void cmd.ratingHistory({ profileId: 1 });
  // @ts-expect-error: a level the Rust enum does not have
  void cmd.chooseRater({ name: "ana", kind: "robot" });
}
