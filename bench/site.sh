#!/usr/bin/env bash
# An article page served by `yuanxun serve` (render cache, views counted) beside nginx
# serving the same page exported as a file, in one run: wrk -t1 -c50 against each, each
# server pinned to CPU 0 and wrk to CPU 1. Prints req/s, p99 latency and the ratio.
# Needs: apt-get install -y nginx wrk. Usage: bench/site.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-15}
OUT=$PWD/target/bench/site
PORT_Y=18080 PORT_N=18081
rm -rf "$OUT" && mkdir -p "$OUT/export/news" "$OUT/nginx"
cargo build -q --release --bin yuanxun
cleanup() { kill "${YPID:-}" "${NPID:-}" 2>/dev/null || true; }
trap cleanup EXIT

YUANXUN_DEMO_PASSWORD=Bench2026pass taskset -c 0 target/release/yuanxun serve --demo --data "$OUT/data" --listen 127.0.0.1:$PORT_Y >"$OUT/serve.log" 2>&1 &
YPID=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT_Y/" >/dev/null && break; sleep 0.2; done
path=$(python3 bench/site_setup.py "http://127.0.0.1:$PORT_Y" Bench2026pass)
URL_Y="http://127.0.0.1:$PORT_Y/$path"
curl -fs "$URL_Y" -o "$OUT/export/$path"
bytes=$(stat -c %s "$OUT/export/$path")
views_before=$(curl -fs "http://127.0.0.1:$PORT_Y/api/v1/articles/$(basename "$path" .html)" | python3 -c 'import json,sys; print(json.load(sys.stdin)["view_count"])')

cat >"$OUT/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $OUT/nginx/nginx.pid;
error_log $OUT/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  default_type text/html;
  server { listen 127.0.0.1:$PORT_N; root $OUT/export; }
}
CONF
taskset -c 0 nginx -c "$OUT/nginx/nginx.conf" -p "$OUT/nginx" &
NPID=$!
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$PORT_N/$path" >/dev/null && break; sleep 0.1; done
URL_N="http://127.0.0.1:$PORT_N/$path"

run() { taskset -c 1 wrk -t1 -c50 -d"${SECS}s" --latency "$1"; }
rps() { sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' <<<"$1"; }
p99() { awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v=v*1000}; print v}' <<<"$1"; }
echo "page: /$path, $bytes bytes"
run "$URL_Y" >/dev/null   # warm-up
ny=$(run "$URL_N"); yy=$(run "$URL_Y")
requests=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' <<<"$yy")
echo "nginx:   $(rps "$ny") req/s, p99 $(p99 "$ny") ms"
echo "yuanxun: $(rps "$yy") req/s, p99 $(p99 "$yy") ms"
python3 -c "print(f'ratio yuanxun/nginx: {float(\"$(rps "$yy")\")/float(\"$(rps "$ny")\"):.2f}')"
# Every request counted a view: stop serve (SIGTERM flushes) and compare.
kill -TERM $YPID; wait $YPID || true; YPID=
url="sqlite://$OUT/data/yuanxun.db"
after=$(python3 -c "import sqlite3; print(sqlite3.connect('$OUT/data/yuanxun.db').execute('SELECT view_count FROM articles WHERE id = ?', ($(basename "$path" .html),)).fetchone()[0])")
echo "views counted: $((after - views_before)) (warm-up and measured runs: at least $requests in the measured run)"
