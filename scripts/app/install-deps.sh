#!/usr/bin/env bash
# Installs the Debian packages Tauri's build and the e2e tests need (docs/app.md, TAURI.md).
# Idempotent: does nothing when they are all installed.
set -euo pipefail
PKGS=(libwebkit2gtk-4.1-dev build-essential curl wget file libxdo-dev libssl-dev
      libayatana-appindicator3-dev librsvg2-dev xvfb xauth webkit2gtk-driver imagemagick
      fonts-dejavu-core dbus-daemon xdg-utils libfile-mimeinfo-perl shared-mime-info rpm squashfs-tools)
# fonts-dejavu-core: text in PNG figures (resvg); dbus-daemon: the e2e tests' session bus;
# xdg-utils, shared-mime-info, rpm: the packages test (scripts/app/package-test.sh);
# libfile-mimeinfo-perl: xdg-mime's file-type lookup outside a desktop session (without it
# xdg-mime asks `file`, which reads a study as SQLite by its magic and ignores the glob);
# squashfs-tools: the AppImage (scripts/app/appimage.sh)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PKGS[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
