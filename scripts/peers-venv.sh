#!/usr/bin/env bash
# Creates .venv-peers in the repository (gitignored) with the independent S3 peers the flat-file
# tests use: moto's S3 server (verifies SigV4) and boto3 (signs with botocore). Idempotent.
# Needs python3-venv (Debian) and PyPI. Tests skip with a recorded reason while it is absent.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
VENV=${PEERS_S3_VENV:-$ROOT/.venv-peers}
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --upgrade pip
"$VENV/bin/python" -m pip install -q 'moto[server]==5.1.*' 'boto3==1.*'
"$VENV/bin/python" -c 'import moto, boto3; print("peers venv ok: moto", moto.__version__, "boto3", boto3.__version__)'
