#!/usr/bin/env bash
# A million articles (issue 22, criterion 3): N published articles across 20 hospitals on one
# PostgreSQL database, then measured: `reindex` time and index size, search p50/p99 beside
# SQLite FTS5 (trigram) on the same texts, home and channel pages uncached, and the time a
# publish takes to be live (page, lists, feeds, sitemap, search index, static export).
# Needs: psql and a PostgreSQL server at $PG_URL (default postgres://postgres:postgres@127.0.0.1:5432).
# Usage: bench/million.sh [N] [generate|measure|both]   (N defaults to 1,000,000)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
STEP=${2:-both}
PG_URL=${PG_URL:-postgres://postgres:postgres@127.0.0.1:5432}
DB=yuanxun_million
OUT=$PWD/target/bench/million
DATA=$OUT/data
PASSWORD=Million2026demo
PORT=18095
SITES=${SITES:-20}   # hospitals (SITES=1 N=50000: one hospital of the million, quickly)
cargo build -q --release -p yuanxun --bin yuanxun --example publish_probe
BIN=target/release/yuanxun
export DATABASE_URL="$PG_URL/$DB"
cleanup() { [ -n "${YPID:-}" ] && kill "$YPID" 2>/dev/null || true; }
trap cleanup EXIT

serve() { # serve with the render cache off, so every page is built from the database
    YUANXUN_DEMO_PASSWORD=$PASSWORD $BIN serve --demo --data "$DATA" --listen 127.0.0.1:$PORT --rate-limits off --page-cache off "$@" >>"$OUT/serve.log" 2>&1 &
    YPID=$!
    for _ in $(seq 600); do curl -fs "http://127.0.0.1:$PORT/" >/dev/null && return; sleep 0.5; done
    echo "serve did not start; see $OUT/serve.log" >&2; exit 1
}
stop() { kill -TERM "$YPID"; wait "$YPID" || true; YPID=; }

if [ "$STEP" != measure ]; then
    rm -rf "$OUT" && mkdir -p "$OUT"
    psql -q "$PG_URL/postgres" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
    serve; stop   # the schema and the demo hospital
    for i in $(seq 2 $SITES); do
        $BIN site add --data "$DATA" --slug "h$i" --name "第${i}示范医院" --host "h$i.example" >/dev/null
    done
    start=$(date +%s)
    python3 bench/million.py generate "$DATABASE_URL" "$N" "$OUT/fts5.db"
    psql -qtA "$DATABASE_URL" -c "SELECT 'database size: ' || pg_size_pretty(pg_database_size('$DB'))"
    echo "generated in $(( $(date +%s) - start )) s"
    rm -rf "$DATA/search"
    start=$(date +%s.%N)
    for i in $(seq 1 $SITES); do
        slug=$([ "$i" = 1 ] && psql -qtA "$DATABASE_URL" -c "SELECT slug FROM sites ORDER BY id LIMIT 1" || echo "h$i")
        $BIN reindex --data "$DATA" --site "$slug" | tail -1
    done
    echo "reindex of all $SITES sites: $(awk "BEGIN { printf \"%.0f\", $(date +%s.%N) - $start }") s; index size $(du -shc "$DATA"/search* | tail -1 | cut -f1) (every site's; the first site's $(du -sh "$DATA/search" | cut -f1)); FTS5 table $(du -sh "$OUT/fts5.db" | cut -f1)"
    start=$(date +%s.%N)
    $BIN export --data "$DATA" --out "$OUT/export" | tail -1
    echo "static export of the first site: $(awk "BEGIN { printf \"%.0f\", $(date +%s.%N) - $start }") s"
fi

if [ "$STEP" != generate ]; then
    HOSTS=$(psql -qtA "$DATABASE_URL" -c "SELECT string_agg(CASE WHEN id = (SELECT MIN(id) FROM sites) THEN '127.0.0.1' ELSE host END, ',' ORDER BY id) FROM sites")
    python3 bench/million.py queries "$OUT/queries.txt"
    serve --export "$OUT/export"
    echo "== $N articles, $SITES sites, PostgreSQL, render cache off"
    python3 bench/million.py search "http://127.0.0.1:$PORT" "$OUT/queries.txt" "$HOSTS" "$OUT/fts5.db" "$DATABASE_URL"
    python3 bench/million.py pages "http://127.0.0.1:$PORT" "$HOSTS"
    echo "publishing with the static export kept (serve --export):"
    target/release/examples/publish_probe "http://127.0.0.1:$PORT" "$PASSWORD" "$OUT/export" 20
    stop
    serve
    echo "publishing without a static export:"
    target/release/examples/publish_probe "http://127.0.0.1:$PORT" "$PASSWORD" - 20
    stop
fi
