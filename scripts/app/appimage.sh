#!/usr/bin/env bash
# Builds the AppImage of an already built app (issue #18), without Tauri's AppImage bundler: that
# one downloads AppRun and linuxdeploy from GitHub, which these machines cannot reach. The image is
# the AppImage type-2 runtime (from the crate registry, see appimage-runtime/Cargo.toml) followed
# by a squashfs of an AppDir that holds the app, its desktop entry, icon and study type.
#
#   scripts/app/appimage.sh [--debug]      (default: the release build of scripts/app/build.sh)
#
# The image carries the app, not the system's libraries: it runs where WebKitGTK 4.1 and GTK 3 are
# installed (Debian 12, Ubuntu 22.04, Fedora 36 and later). docs/app.md says why.
set -euo pipefail
source "$(dirname "$0")/env.sh"
PROFILE=release
[ "${1:-}" = "--debug" ] && PROFILE=debug
BIN="$CARGO_TARGET_DIR/$PROFILE/chameleon-studio"
[ -x "$BIN" ] || { echo "appimage: $BIN is missing: build the app first" >&2; exit 1; }
command -v mksquashfs > /dev/null || { echo "appimage: mksquashfs is missing: run scripts/app/install-deps.sh" >&2; exit 1; }
[ "$(uname -m)" = x86_64 ] || { echo "appimage: only x86_64 is supported (the runtime is x86_64)" >&2; exit 1; }

# The runtime: AppImageKit's, as the `appimage` crate ships it; its checksum is pinned here too.
RUNTIME_SHA256=328e0d745c5c6817048c27bc3e8314871703f8f47ffa81a37cb06cd95a94b323
manifest=$(cargo metadata --format-version 1 --locked \
  --manifest-path "$ROOT/scripts/app/appimage-runtime/Cargo.toml" \
  | python3 -c 'import json, sys; print(next(p["manifest_path"] for p in json.load(sys.stdin)["packages"] if p["name"] == "appimage"))')
RUNTIME="$(dirname "$manifest")/assets/runtime-x86_64"
echo "$RUNTIME_SHA256  $RUNTIME" | sha256sum --check --quiet \
  || { echo "appimage: $RUNTIME does not have the pinned checksum" >&2; exit 1; }

VERSION=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["version"])' "$ROOT/src-tauri/tauri.conf.json")
OUT="$CARGO_TARGET_DIR/$PROFILE/bundle/appimage"
APPDIR="$OUT/chameleon-studio.AppDir"
IMAGE="$OUT/chameleon-studio_${VERSION}_amd64.AppImage"
rm -rf "$APPDIR" "$IMAGE"
mkdir -p "$APPDIR/usr/bin" "$APPDIR/usr/share/applications" "$APPDIR/usr/share/mime/packages" \
         "$APPDIR/usr/share/icons/hicolor/128x128/apps"
install -m 755 "$BIN" "$APPDIR/usr/bin/chameleon-studio"
# A debug build's debug info is most of its 600 MB; the image is for running, not debugging.
[ "$PROFILE" = debug ] && strip --strip-debug "$APPDIR/usr/bin/chameleon-studio"
install -m 644 "$ROOT/src-tauri/packaging/chameleon-studio.xml" "$APPDIR/usr/share/mime/packages/"
install -m 644 "$ROOT/icons/128x128.png" "$APPDIR/usr/share/icons/hicolor/128x128/apps/chameleon-studio.png"
# The same desktop entry as the .deb's (its template, filled as Tauri fills it).
sed -e 's/{{categories}}/Education;/' \
    -e 's/{{comment}}/Rate contextual psychological profiles and study state vs trait/' \
    -e 's/{{exec}}/chameleon-studio/g' -e 's/{{icon}}/chameleon-studio/' \
    -e 's|{{mime_type}}|application/x-chameleon-study|' \
    "$ROOT/src-tauri/packaging/chameleon-studio.desktop" > "$APPDIR/usr/share/applications/chameleon-studio.desktop"
grep -q '{{' "$APPDIR/usr/share/applications/chameleon-studio.desktop" \
  && { echo "appimage: the desktop template has a placeholder this script does not fill" >&2; exit 1; }
# The AppImage spec's top level: the desktop entry, the icon, and AppRun as the entry point.
cp "$APPDIR/usr/share/applications/chameleon-studio.desktop" "$APPDIR/"
cp "$APPDIR/usr/share/icons/hicolor/128x128/apps/chameleon-studio.png" "$APPDIR/"
ln -s chameleon-studio.png "$APPDIR/.DirIcon"
cat > "$APPDIR/AppRun" << 'EOF'
#!/bin/sh
# The runtime sets APPDIR to the mounted (or extracted) image.
exec "$APPDIR/usr/bin/chameleon-studio" "$@"
EOF
chmod 755 "$APPDIR/AppRun"

# gzip: the compression this runtime reads.
mksquashfs "$APPDIR" "$OUT/chameleon-studio.squashfs" -root-owned -noappend -comp gzip -quiet > /dev/null
cat "$RUNTIME" "$OUT/chameleon-studio.squashfs" > "$IMAGE"
chmod 755 "$IMAGE"
rm -f "$OUT/chameleon-studio.squashfs"
echo "appimage: $IMAGE ($(du -h "$IMAGE" | cut -f1))"
