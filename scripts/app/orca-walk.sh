#!/usr/bin/env bash
# The screen reader walk-through of docs/accessibility.md, performed: the built app under Xvfb
# with the Orca screen reader, keys typed with xdotool as a user would, and what Orca said read
# from its debug log (it logs every utterance, with or without a speech synthesiser). Prints the
# keys and the utterances in time order, and checks the ones a rater depends on.
#
#   scripts/app/orca-walk.sh          (needs: apt-get install orca xdotool; the debug app built)
#
# Not part of scripts/test.sh: Orca's timing under a loaded machine is not a test's to rely on.
set -euo pipefail
source "$(dirname "$0")/env.sh"
for c in orca xdotool xvfb-run dbus-run-session; do
  command -v "$c" > /dev/null || { echo "orca-walk: $c is missing (apt-get install orca xdotool)" >&2; exit 1; }
done
[ -x "$APP_BIN" ] || { echo "orca-walk: $APP_BIN is missing: scripts/app/build.sh" >&2; exit 1; }
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
"$CARGO_TARGET_DIR/debug/chameleon" sample demo "$W/files" --persons 3 --study "$W/study.chameleon" > /dev/null 2>&1

cat > "$W/walk.sh" << 'WALK'
#!/usr/bin/env bash
set -u
cd "$W"
/usr/libexec/at-spi-bus-launcher --launch-immediately &
sleep 1
# Orca first, as on a user's desktop, so it sees the app's window appear.
orca -u "$W/prefs" --debug-file "$W/orca.log" > /dev/null 2>&1 &
orca=$!
sleep 5
CHAMELEON_DATA_DIR="$W/data" "$APP_BIN" "$W/study.chameleon" > "$W/app.log" 2>&1 &
app=$!
for _ in $(seq 60); do grep -q "opened study" "$W/data/logs/chameleon-studio.log" 2> /dev/null && break; sleep 1; done
sleep 4
k() { echo "$(date +%T.%N | cut -c1-12) KEY ${2:-$1}" >> "$W/keys.log"; xdotool key "$1"; sleep 2; }
echo "$(date +%T.%N | cut -c1-12) KEY (types) zoe" >> "$W/keys.log"; xdotool type --delay 150 zoe; sleep 1
k Return             # a new rater: the instructions page
k Return             # Start rating: the first profile
k Insert+z "Orca+Z"  # Orca 43 on WebKitGTK: structural navigation keys off, so digits reach the app
k 5                  # Openness 5, on to Conscientiousness
k Right              # Conscientiousness: a step, to 1
k x                  # can't judge, on to Extraversion
k Left               # Extraversion: a step down from nothing, to 5
k shift+Tab          # back to Conscientiousness
k Down               # on to Extraversion
k Return             # save and go to the next profile
sleep 1
# By process id: a pattern would also match builds whose command line names the app.
kill "$orca" "$app" 2> /dev/null; sleep 1
WALK
chmod +x "$W/walk.sh"
W="$W" APP_BIN="$APP_BIN" timeout 240 dbus-run-session -- \
  xvfb-run -a -s "-screen 0 1280x800x24" "$W/walk.sh" 2> /dev/null || true

transcript=$( (grep "SPEECH OUTPUT" "$W/orca.log" | sed -E "s/^([0-9:.]{12})[0-9]* - SPEECH OUTPUT: '(.*)' ?\{.*$/\1      Orca: \2/"
               sed -E 's/^([0-9:.]{12}) KEY (.*)/\1 key: \2/' "$W/keys.log") | sort -s -k1,1 | cut -c14-)
echo "$transcript"
fail=0
expect() { grep -qF -- "$1" <<< "$transcript" || { echo "orca-walk: Orca never said '$1'" >&2; fail=1; }; }
expect "Structural navigation keys off."
expect "Openness List with 6 items"
expect "5 5 very high."
expect "Conscientiousness List with 6 items"
expect "x can't judge."
expect "Extraversion List with 6 items"
# The ratings the keys made, read back from the study (can't judge is not a value of the export).
"$CARGO_TARGET_DIR/debug/chameleon" export ratings "$W/study.chameleon" "$W/out.csv" > /dev/null 2>&1
for r in "zoe,openness,5" "zoe,extraversion,5"; do
  grep -q ",$r\$" "$W/out.csv" || { echo "orca-walk: the study has no rating $r" >&2; fail=1; }
done
[ $fail = 0 ] && echo "orca-walk: passed (Openness 5 and Extraversion 5 stored for zoe)"
exit $fail
