#!/usr/bin/env bash
# Installs the Debian packages listed in scripts/system-packages.txt. Idempotent: does nothing when
# all are present. Run as root (CI is root) or with sudo available. `--update` refreshes the
# package lists first even when nothing is missing.
set -euo pipefail
cd "$(dirname "$0")"
mapfile -t packages < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' system-packages.txt | grep -v '^$')

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "error: need root or sudo to install packages" >&2; exit 1; }
    sudo="sudo"
fi
if [ "${1:-}" = "--update" ]; then $sudo apt-get update -q; fi

missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "system packages: all present (${packages[*]})"
    exit 0
fi
echo "system packages: installing ${missing[*]}"
[ "${1:-}" = "--update" ] || $sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
