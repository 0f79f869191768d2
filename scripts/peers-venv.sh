#!/usr/bin/env bash
# Creates .venv-peers in the repository (gitignored) with the independent peers the tests use:
# moto's S3 server (verifies SigV4), boto3 (signs with botocore) and the official Polygon/Massive
# Python client `massive`. Idempotent. Needs python3-venv (Debian) and PyPI.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
VENV=${PEERS_S3_VENV:-$ROOT/.venv-peers}
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --upgrade pip
"$VENV/bin/python" -m pip install -q 'moto[server]==5.1.*' 'boto3==1.*' 'massive==2.9.1'
"$VENV/bin/python" -c 'from importlib.metadata import version as v; print("peers venv ok: moto", v("moto"), "boto3", v("boto3"), "massive", v("massive"))'
