#!/usr/bin/env bash
# Install the Debian packages the site and its tests need, when missing (Debian 12).
set -euo pipefail
wanted=(fonts-noto-cjk fonts-dejavu-core poppler-utils chromium postgresql-15 libreoffice-writer-nogui)
missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing Debian packages: ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
