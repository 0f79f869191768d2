#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for the tests (Debian's postgresql package, no system service).
#
#   eval "$(scripts/pg-cluster.sh start)"   # prints: export BACKFILL_TEST_PG_URL=… BACKFILL_TEST_PG_DIR=…
#   scripts/pg-cluster.sh stop "$BACKFILL_TEST_PG_DIR"
#   scripts/pg-cluster.sh pause DIR; scripts/pg-cluster.sh resume DIR   # the server down, then up on the same port
#
# start: a new data directory under /tmp, a free 127.0.0.1 port, password (scram) auth over TCP with
# a random password for the superuser `postgres`; the server only listens on loopback. PostgreSQL
# refuses to run as root, so as root (CI) initdb and the server run as the `postgres` user.
# stop: stops the server by the PID in its postmaster.pid (never by process name), removes the directory.
# pause/resume: a fast shutdown (clients get 57P01 and lose their connections), then the same server
# started again with the same options (tests of riding out a restart).
# The password is only in the printed URL (a throw-away cluster's), never in logs.
set -euo pipefail

bin=${PG_BIN:-}
if [ -z "$bin" ]; then
    for candidate in /usr/lib/postgresql/*/bin; do [ -x "$candidate/initdb" ] && bin=$candidate; done
fi

as_owner() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
    if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
        echo "error: PostgreSQL server binaries not found (install Debian's 'postgresql' package:" \
            "scripts/install-system-packages.sh, or set PG_BIN)" >&2
        exit 1
    fi
    local dir port password
    dir=$(mktemp -d /tmp/backfill-pg.XXXXXX)
    chmod 700 "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    password=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
    printf '%s\n' "$password" >"$dir/pwfile"
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir/pwfile"
    as_owner "$bin/initdb" -D "$dir/data" -U postgres --pwfile="$dir/pwfile" --auth-local=trust \
        --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    rm -f "$dir/pwfile"
    # Loopback only, the socket in the cluster's folder. Throw-away data: no fsync unless PG_DEFAULTS=1
    # (benchmarks: the server's defaults, as ../shared/peers/bench_pg.sh runs it).
    local options="-p $port -c listen_addresses=127.0.0.1 -k $dir"
    [ "${PG_DEFAULTS:-0}" = 1 ] || options="$options -c fsync=off -c full_page_writes=off -c max_connections=200"
    printf '%s\n' "$options" >"$dir/options"
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o "$options" start >/dev/null \
        || { cat "$dir/server.log" >&2; exit 1; }
    echo "export BACKFILL_TEST_PG_URL=postgres://postgres:$password@127.0.0.1:$port/postgres"
    echo "export BACKFILL_TEST_PG_DIR=$dir"
}

stop() {
    local dir=${1:?usage: pg-cluster.sh stop DIR}
    local pidfile="$dir/data/postmaster.pid"
    if [ -f "$pidfile" ]; then
        local pid
        pid=$(head -1 "$pidfile")
        kill -INT "$pid" 2>/dev/null || true   # fast shutdown
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    fi
    case "$dir" in /tmp/backfill-pg.*) rm -rf "$dir" ;; esac
}

pause() {
    local dir=${1:?usage: pg-cluster.sh pause DIR}
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null
}

resume() {
    local dir=${1:?usage: pg-cluster.sh resume DIR}
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o "$(cat "$dir/options")" start >/dev/null \
        || { tail -20 "$dir/server.log" >&2; exit 1; }
}

case "${1:-}" in
    start) start ;;
    stop) stop "${2:-}" ;;
    pause) pause "${2:-}" ;;
    resume) resume "${2:-}" ;;
    *) echo "usage: $0 start | stop DIR | pause DIR | resume DIR" >&2; exit 2 ;;
esac
