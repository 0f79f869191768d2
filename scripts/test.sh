#!/usr/bin/env bash
# The whole test suite, exactly as CI runs it (.ci/run calls this):
#   1. installs the system packages the build and the tests need,
#   2. prepares the peers' Python venv when a test needs one,
#   3. builds once (debug, tests included) and runs every test without rebuilding,
#   4. prints the test runner's summary and a plain "N passed, N failed" line; exits non-zero on
#      any failure and when no test ran.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)

scripts/install-system-packages.sh
bash scripts/peers-venv.sh   # .venv-peers: moto, boto3, massive (independent peers for some tests)

echo "== build ($(swift --version 2>&1 | head -1))"
swift build --build-tests

echo "== test"
mkdir -p .build
# One throw-away PostgreSQL cluster for the suite (each test makes its own database in it), stopped
# by PID on exit, failure included: a cluster per test would cost an initdb (~2-5 s) each.
pg_env=$(scripts/pg-cluster.sh start)   # a failed start stops here (set -e), with its log
eval "$pg_env"
trap 'scripts/pg-cluster.sh stop "$BACKFILL_TEST_PG_DIR"' EXIT
log=.build/test-output.txt
set +e
# Swift Testing starts every test at once by default; on a 2-core machine hundreds of concurrent
# servers, browsers and child processes starve each other for seconds, which turns deadlines in
# behaviour tests (a socket's handshake, a Ctrl-C reaching a started child) into noise. Eight at a
# time still keeps both cores busy (measured: see README "Tests").
export SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH=${SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH:-8}
swift test --skip-build 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

passed=$(grep -E '^\S+ Test .* passed after' "$log" | grep -cvE '^\S+ Test run with' || true)
failed=$(grep -E '^\S+ Test .* failed after' "$log" | grep -cvE '^\S+ Test run with' || true)
echo "== tests finished in $(( $(date +%s) - started ))s (swift test exit $status)"
echo "${passed} passed, ${failed} failed"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ]; then exit 1; fi
if [ "$passed" -eq 0 ]; then echo "error: no test ran" >&2; exit 1; fi
