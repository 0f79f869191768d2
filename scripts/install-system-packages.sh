#!/usr/bin/env bash
# Installs the Debian packages that building and testing Backfill need. Idempotent; run as root
# (CI is root) or with sudo available. Skips the network when everything is already installed.
set -euo pipefail

packages=(
    libsqlite3-dev   # GRDB links the system SQLite
    sqlite3          # the sqlite3 shell, for people inspecting a warehouse
    zlib1g-dev       # gzip for flat files
    libdeflate-dev   # faster gzip for flat files
    python3-venv     # the test peers' virtualenv (moto, boto3)
)

missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "system packages: all present"
    exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "error: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    sudo="sudo"
fi
echo "system packages: installing ${missing[*]}"
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
