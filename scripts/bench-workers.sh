#!/usr/bin/env bash
# Wall time of a backfill shared by W workers (`scraper --workers-from`), one `polygon-sandbox` as the API,
# into a new database of a running cluster (scripts/pg-cluster.sh), with the CPU each side used.
# usage: scripts/bench-workers.sh BIN_DIR PG_URL PG_DIR API_URL WORKERS LABEL [scraper args...]
set -euo pipefail
bin=$1; url=$2; dir=$3; api=$4; workers=$5; label=$6; shift 6
pw=$(echo "$url" | sed 's|postgres://postgres:\([^@]*\)@.*|\1|'); port=$(echo "$url" | sed 's|.*:\([0-9]*\)/postgres|\1|')
db="bench_$(date +%s%N)"
psql "$url" -qc "CREATE DATABASE $db"
postmaster=$(head -1 "$dir/data/postmaster.pid")
pgcpu() { awk '{print $14+$15+$16+$17}' /proc/$postmaster/stat; }
tick=$(getconf CLK_TCK)
apipid=$(ss -tlnp | grep ":${api##*:} " | sed 's/.*pid=\([0-9]*\).*/\1/' | head -1)
apicpu() { awk '{print $14+$15}' /proc/$apipid/stat; }
before=$(pgcpu); apibefore=$(apicpu)
start=$(date +%s.%N)
pids=()
for i in $(seq 1 "$workers"); do
  POLYGON_API_KEY=sandbox-key DB_PASSWORD=$pw /usr/bin/time -f "%U %S" -o ${BENCH_OUT:-/tmp}/time-$i.txt \
    "$bin/scraper" --base-url "$api" --rate-limit 100000 --workers-from "postgres://postgres@127.0.0.1:$port/$db" \
    --worker-id "w$i" "$@" > ${BENCH_OUT:-/tmp}/bench-out-$i.txt 2> ${BENCH_OUT:-/tmp}/bench-err-$i.txt &
  pids+=($!)
done
status=0
for p in "${pids[@]}"; do wait "$p" || status=$?; done
end=$(date +%s.%N)
sleep 1   # the postmaster reaps the backends of the closed connections (their CPU lands in its cutime)
after=$(pgcpu); apiafter=$(apicpu)
wcpu=0; for i in $(seq 1 "$workers"); do wcpu=$(echo "$wcpu + $(awk '{print $1+$2}' ${BENCH_OUT:-/tmp}/time-$i.txt)" | bc); done
rows=$(psql "postgres://postgres:$pw@127.0.0.1:$port/$db" -tAc "select count(*) from bars_minute")
printf '%s workers=%s wall=%.1fs workers_cpu=%.1fs pg_cpu=%.1fs api_cpu=%.1fs rows=%s exit=%s load=%s\n' "$label" "$workers" \
  "$(echo "$end - $start" | bc)" "$wcpu" "$(echo "($after - $before) / $tick" | bc -l)" \
  "$(echo "($apiafter - $apibefore) / $tick" | bc -l)" "$rows" "$status" "$(cut -d' ' -f1 /proc/loadavg)"
psql "$url" -qc "DROP DATABASE $db WITH (FORCE)"
