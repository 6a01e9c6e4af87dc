#!/usr/bin/env bash
# Packages test (issue #18): bundles the already built debug app as .deb and .rpm (`tauri bundle`,
# no second compile) and checks what they install; builds the AppImage (scripts/app/appimage.sh)
# and starts it with a study under Xvfb; then installs the .deb and opens a study from
# the command line with `xdg-open` under Xvfb: the installed app must open it, and a second
# `xdg-open` of another study must hand it to the same process. The package is removed again.
#
#   scripts/app/package-test.sh        (run by scripts/test.sh after the e2e tests)
#
# Installing needs root (or sudo); without either the install part is skipped with a message.
# CHAMELEON_SKIP_PACKAGE_TEST=1 skips it all (a developer machine where the app is installed).
set -euo pipefail
source "$(dirname "$0")/env.sh"
if [ -n "${CHAMELEON_SKIP_PACKAGE_TEST:-}" ]; then
  echo "package-test: skipped (CHAMELEON_SKIP_PACKAGE_TEST is set)"
  exit 0
fi
[ -x "$APP_BIN" ] || { echo "package-test: $APP_BIN is missing: run scripts/app/e2e.sh first" >&2; exit 1; }
CLI="$CARGO_TARGET_DIR/debug/chameleon"
BUNDLE="$CARGO_TARGET_DIR/debug/bundle"
fail() { echo "package-test: FAIL: $*" >&2; exit 1; }

rm -rf "$BUNDLE/deb" "$BUNDLE/rpm" "$BUNDLE/appimage"
(cd "$ROOT/src-tauri" && "$ROOT/ui/node_modules/.bin/tauri" bundle --debug --bundles deb,rpm)
DEB=$(ls "$BUNDLE"/deb/*.deb)
RPM=$(ls "$BUNDLE"/rpm/*.rpm)

# What the .deb installs: the binary, a desktop entry that takes a file and names the study
# type, and the shared-mime-info XML that defines the type (Tauri does not register it).
listing=$(dpkg-deb -c "$DEB")
for f in usr/bin/chameleon-studio usr/share/applications/chameleon-studio.desktop \
         usr/share/mime/packages/chameleon-studio.xml; do
  grep -qE " (\./)?$f\$" <<< "$listing" || fail "$DEB does not install /$f"
done
desktop=$(dpkg-deb --fsys-tarfile "$DEB" | tar -xO --wildcards '*usr/share/applications/chameleon-studio.desktop')
grep -qx 'Exec=chameleon-studio %f' <<< "$desktop" || fail "the desktop entry's Exec takes no file: $desktop"
grep -qx 'MimeType=application/x-chameleon-study;' <<< "$desktop" || fail "the desktop entry names no study type: $desktop"
grep -qx 'Name=Chameleon Studio' <<< "$desktop" || fail "the desktop entry's name: $desktop"
# The .rpm: the same files (read with rpm when it is installed; a header check otherwise).
if command -v rpm > /dev/null; then
  # The list is read once: `rpm … | grep -q` under pipefail fails when grep stops reading early.
  rpm_files=$(rpm -qlp "$RPM") || fail "rpm cannot read $RPM"
  grep -qx /usr/share/mime/packages/chameleon-studio.xml <<< "$rpm_files" || fail "$RPM lacks the MIME XML"
  grep -qx /usr/bin/chameleon-studio <<< "$rpm_files" || fail "$RPM lacks the binary"
else
  head -c 4 "$RPM" | od -An -tx1 | grep -q "ed ab ee db" || fail "$RPM is not an rpm file"
fi
echo "package-test: $(basename "$DEB") and $(basename "$RPM") install the app, its desktop entry and the study type"

# The AppImage: built from the same binary, started under Xvfb with a study to open. The runtime
# mounts the image with FUSE where it can; containers have none, so it extracts and runs it.
"$ROOT/scripts/app/appimage.sh" --debug
IMAGE=$(ls "$BUNDLE"/appimage/*.AppImage)
AI=$(mktemp -d)
"$CLI" sample demo "$AI/files" --persons 3 --study "$AI/study.chameleon" > /dev/null 2>&1
cat > "$AI/run.sh" << 'RUN'
#!/usr/bin/env bash
set -u
log="$CHAMELEON_DATA_DIR/logs/chameleon-studio.log"
opened() { grep -q "opened study study=$AI/study.chameleon\$" "$log" 2> /dev/null; }
APPIMAGE_EXTRACT_AND_RUN=1 "$IMAGE" "$AI/study.chameleon" > "$AI/app.log" 2>&1 &
for _ in $(seq 90); do opened && break; sleep 1; done
opened || { echo "the AppImage did not open the study"; tail -20 "$AI/app.log"; exit 1; }
# The window shows the study: the webview drew more than a blank surface.
sleep 3
import -window root "$AI/screen.png"
colours=$(identify -format %k "$AI/screen.png")
pkill -f "appimage_extracted_.*/usr/bin/chameleon-studio" || true
[ "$colours" -gt 50 ] || { echo "the AppImage's window is blank ($colours colours)"; exit 1; }
echo "the AppImage opened study.chameleon and drew its window ($colours colours)"
RUN
chmod +x "$AI/run.sh"
IMAGE="$IMAGE" AI="$AI" CHAMELEON_DATA_DIR="$AI/data" timeout 300 \
  dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24" "$AI/run.sh" 2> "$AI/stderr.log" \
  || { grep -v "dbus-daemon\|SpiRegistry" "$AI/stderr.log" | tail -20; rm -rf "$AI"; fail "starting the AppImage"; }
rm -rf "$AI"
echo "package-test: $(basename "$IMAGE") starts and opens a study"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo > /dev/null && sudo -n true 2> /dev/null; then
    SUDO="sudo"
  else
    echo "package-test: not root and no sudo: skipping the install and xdg-open part"
    exit 0
  fi
fi
if dpkg-query -W -f='${Status}' chameleon-studio 2> /dev/null | grep -q "install ok installed"; then
  echo "package-test: chameleon-studio is installed on this machine: skipping the install part (it would replace it)"
  exit 0
fi

WORK=$(mktemp -d)
cleanup() {
  pkill -f '^/usr/bin/chameleon-studio' 2> /dev/null || true
  DEBIAN_FRONTEND=noninteractive $SUDO dpkg -r chameleon-studio > /dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
DEBIAN_FRONTEND=noninteractive $SUDO dpkg -i "$DEB" > "$WORK/dpkg.log" 2>&1 || { cat "$WORK/dpkg.log"; fail "dpkg -i"; }
"$CLI" sample demo "$WORK/files-1" --persons 3 --study "$WORK/first.chameleon" > /dev/null 2>&1
"$CLI" sample demo "$WORK/files-2" --persons 3 --study "$WORK/second.chameleon" > /dev/null 2>&1

type=$(xdg-mime query filetype "$WORK/first.chameleon")
[ "$type" = application/x-chameleon-study ] || fail "a .chameleon file is '$type', not application/x-chameleon-study"
handler=$(xdg-mime query default application/x-chameleon-study)
[ "$handler" = chameleon-studio.desktop ] || fail "the study type opens with '$handler'"

# The installed app under a private display and session bus, with its own data folder (so a
# user's app is never found); its log says which study it opened.
cat > "$WORK/open.sh" << 'EOF'
#!/usr/bin/env bash
set -u
log="$CHAMELEON_DATA_DIR/logs/chameleon-studio.log"
opened() { grep -c "opened study study=$1\$" "$log" 2> /dev/null || true; }
xdg-open "$WORK/first.chameleon" > "$WORK/xdg-open.log" 2>&1 &
for _ in $(seq 90); do [ "$(opened "$WORK/first.chameleon")" -ge 1 ] && break; sleep 1; done
[ "$(opened "$WORK/first.chameleon")" -ge 1 ] || { echo "the app did not open the first study"; cat "$log"; exit 1; }
# A second xdg-open hands its study to the running app and ends.
timeout 60 xdg-open "$WORK/second.chameleon" || { echo "the second xdg-open did not end"; exit 1; }
for _ in $(seq 30); do [ "$(opened "$WORK/second.chameleon")" -ge 1 ] && break; sleep 1; done
[ "$(opened "$WORK/second.chameleon")" -ge 1 ] || { echo "the running app did not open the second study"; cat "$log"; exit 1; }
n=$(pgrep -c -f '^/usr/bin/chameleon-studio' || true)
[ "$n" = 1 ] || { echo "$n app processes, expected 1"; exit 1; }
echo "xdg-open opened first.chameleon in the installed app; a second xdg-open handed second.chameleon to it (1 process)"
EOF
chmod +x "$WORK/open.sh"
WORK="$WORK" CHAMELEON_DATA_DIR="$WORK/data" timeout 300 \
  dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24" "$WORK/open.sh" 2> "$WORK/stderr.log" \
  || { grep -v "dbus-daemon\|SpiRegistry" "$WORK/stderr.log" | tail -20; fail "opening a study with xdg-open"; }
echo "package-test: passed"
