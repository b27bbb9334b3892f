#!/usr/bin/env bash
# Article pages while readers download Word files (issue 20, criterion 5): starts
# `yuanxun serve --demo` (release build, default rate limits, behind a proxy on loopback
# so each simulated reader has their own address), publishes five stories of ten
# large photos each, and measures article-page latency alone, during 20 parallel first
# downloads of their .docx, and during 20 cached ones. Usage: bench/word.sh
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=$PWD/target/bench/word
PORT=18090
rm -rf "$OUT" && mkdir -p "$OUT"
cargo build -q --release --bin yuanxun
cargo build -q --release -p yuanxun-server --example word_load
cleanup() { kill "${YPID:-}" 2>/dev/null || true; }
trap cleanup EXIT
YUANXUN_DEMO_PASSWORD=Bench2026pass target/release/yuanxun serve --demo --data "$OUT/data" --listen 127.0.0.1:$PORT --trusted-proxy 127.0.0.1 >"$OUT/serve.log" 2>&1 &
YPID=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/" >/dev/null && break; sleep 0.2; done
target/release/examples/word_load "http://127.0.0.1:$PORT" Bench2026pass
echo "server peak memory: $(grep VmHWM /proc/$YPID/status | awk '{print $2/1024 " MB"}')"
