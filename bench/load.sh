#!/usr/bin/env bash
# Mixed load (issue 22, criterion 2): 50 simulated staff (the `staff_load` example: log in,
# write and save with the check, upload photos, review at three levels, publish, search)
# while wrk reads article pages as fast as the machine allows, for SECONDS, on SQLite and
# on PostgreSQL. Prints wrk's rate and latencies, the staff actions' p50/p99, 5xx counts,
# serve's RSS every 10 s with its trend after the first minute, and the view counts in the
# database against the page views wrk was answered.
# Needs: wrk, and for PostgreSQL a server at $PG_URL (default postgres://postgres:postgres@127.0.0.1:5432).
# THINK_MS (environment, default 0): each simulated person's pause before an action, on
# average (see staff_load): 0 is a stress test at machine speed, 2000 a brisk human pace.
# Usage: [THINK_MS=2000] bench/load.sh [SECONDS] [sqlite|postgres|both]
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-600}
ENGINES=${2:-both}
THINK_MS=${THINK_MS:-0}
PG_URL=${PG_URL:-postgres://postgres:postgres@127.0.0.1:5432}
OUT=$PWD/target/bench/load
PASSWORD=Load2026demo
PORT=18090
cargo build -q --release -p yuanxun --bin yuanxun --example staff_load
BIN=target/release/yuanxun
STAFF=target/release/examples/staff_load
cleanup() { [ -n "${YPID:-}" ] && kill "$YPID" 2>/dev/null || true; [ -n "${SPID:-}" ] && kill "$SPID" 2>/dev/null || true; }
trap cleanup EXIT

views() { # the sum of view counts in the database
    if [ "$1" = postgres ]; then psql -qtA "$PG_URL/yuanxun_load" -c 'SELECT COALESCE(SUM(view_count),0) FROM articles'
    else python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT COALESCE(SUM(view_count),0) FROM articles').fetchone()[0])" "$2/yuanxun.db"; fi
}

run_engine() {
    local engine=$1 dir=$OUT/$1
    rm -rf "$dir" && mkdir -p "$dir"
    local env=()
    if [ "$engine" = postgres ]; then
        psql -q "$PG_URL/postgres" -c 'DROP DATABASE IF EXISTS yuanxun_load' -c 'CREATE DATABASE yuanxun_load'
        env=(DATABASE_URL="$PG_URL/yuanxun_load")
    fi
    env "${env[@]}" YUANXUN_DEMO_PASSWORD=$PASSWORD $BIN serve --demo --data "$dir/data" --listen 127.0.0.1:$PORT --rate-limits off >"$dir/serve.log" 2>&1 &
    YPID=$!
    for _ in $(seq 300); do curl -fs "http://127.0.0.1:$PORT/" >/dev/null && break; sleep 0.2; done
    # Readers: every published article, at random (sitemap.xml is an index of parts).
    for part in $(curl -fs "http://127.0.0.1:$PORT/sitemap.xml" | grep -o '/sitemaps/[0-9a-z]*\.xml' | sort -u); do
        curl -fs "http://127.0.0.1:$PORT$part"
    done | grep -o '/news/[0-9]*\.html' | sort -u >"$dir/paths.txt"
    [ -s "$dir/paths.txt" ] || { echo "no article pages in the sitemap" >&2; exit 1; }
    cat >"$dir/readers.lua" <<LUA
local paths = {}
for line in io.lines("$dir/paths.txt") do paths[#paths + 1] = line end
math.randomseed(20261202)
request = function() return wrk.format("GET", paths[math.random(#paths)]) end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("answered %d non2xx %d socket_errors %d\n", summary.requests - e.status - e.connect - e.read - e.write - e.timeout, e.status, e.connect + e.read + e.write + e.timeout))
end
LUA
    local before; before=$(views "$engine" "$dir/data")
    ( while kill -0 $YPID 2>/dev/null; do echo "$(date +%s) $(ps -o rss= -p $YPID)"; sleep 10; done ) >"$dir/rss.txt" &
    $STAFF "http://127.0.0.1:$PORT" $PASSWORD "$SECS" 50 "$THINK_MS" >"$dir/staff.json" 2>"$dir/staff.log" &
    SPID=$!
    sleep 5 # the staff have signed in and started
    # Criterion 5: a backup half-way through, while staff and readers work.
    ( sleep $((SECS / 2)); start=$(date +%s.%N)
      if env "${env[@]}" $BIN backup --data "$dir/data" --out "$dir/backup" >"$dir/backup.log" 2>&1; then echo "ok $(awk "BEGIN { printf \"%.1f\", $(date +%s.%N) - $start }")" >"$dir/backup.rc"; else echo failed >"$dir/backup.rc"; fi ) &
    BPID=$!
    wrk -t1 -c50 -d"$((SECS - 10))s" --timeout 5s --latency -s "$dir/readers.lua" "http://127.0.0.1:$PORT" >"$dir/wrk.txt"
    wait $SPID; SPID=
    wait $BPID || true
    kill -TERM $YPID; wait $YPID || true; YPID=   # SIGTERM flushes the last views
    local after; after=$(views "$engine" "$dir/data")
    local answered; answered=$(sed -n 's/^answered \([0-9]*\).*/\1/p' "$dir/wrk.txt")
    echo "== $engine, $SECS s, 50 staff (think ${THINK_MS} ms) + wrk -c50"
    grep -E "Requests/sec|^ +(50|99)%|non2xx" "$dir/wrk.txt" | sed 's/^/  readers: /'
    python3 - "$dir/staff.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
for name, a in s["actions"].items():
    print(f"  staff {name:16} n={a['n']:6} p50={a['p50_ms']:7.1f} ms p99={a['p99_ms']:7.1f} ms max={a['max_ms']:7.1f} ms refused={a['refused']} 5xx={a['server_errors']}")
print(f"  staff total {s['total']} actions, {s['server_errors']} 5xx, {s['refused']} refused, waiting at the end {s['waiting_at_end']}")
PY
    python3 - "$dir/rss.txt" <<'PY'
import sys
rows = [tuple(map(int, l.split())) for l in open(sys.argv[1]) if len(l.split()) == 2]
t0 = rows[0][0]
print("  rss MB every 10 s: " + " ".join(f"{r / 1024:.0f}" for _, r in rows))
late = [(t - t0, r / 1024) for t, r in rows if t - t0 >= 60]
if len(late) >= 3:
    n = len(late); mx = sum(t for t, _ in late) / n; my = sum(r for _, r in late) / n
    slope = sum((t - mx) * (r - my) for t, r in late) / sum((t - mx) ** 2 for t, _ in late)
    print(f"  rss trend after the first minute: {slope * 60:+.2f} MB/min ({late[0][1]:.0f} → {late[-1][1]:.0f} MB)")
PY
    local restore_env=()
    if [ "$engine" = postgres ]; then
        psql -q "$PG_URL/postgres" -c 'DROP DATABASE IF EXISTS yuanxun_load_restored' -c 'CREATE DATABASE yuanxun_load_restored'
        restore_env=(DATABASE_URL="$PG_URL/yuanxun_load_restored")
    fi
    if grep -q '^ok' "$dir/backup.rc" 2>/dev/null && env "${restore_env[@]}" $BIN restore --from "$dir/backup" --data "$dir/restored" >"$dir/restore.log" 2>&1; then
        echo "  backup under load: written in $(cut -d' ' -f2 "$dir/backup.rc") s; restored and verified: $(tail -1 "$dir/restore.log")"
    else
        echo "  backup under load: FAILED ($(cat "$dir/backup.rc" 2>/dev/null); see $dir/backup.log, $dir/restore.log)"
    fi
    echo "  views counted in the database: $((after - before)); page views answered to wrk: $answered (difference $((after - before - answered)), at most the requests in flight when wrk stopped)"
}

case $ENGINES in
    both) run_engine sqlite; run_engine postgres ;;
    sqlite | postgres) run_engine "$ENGINES" ;;
    *) echo "usage: bench/load.sh [SECONDS] [sqlite|postgres|both]" >&2; exit 2 ;;
esac
