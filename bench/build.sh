#!/usr/bin/env bash
# A full static export of N articles (default 100,000; about 1.5 KB of Chinese text each)
# beside Hugo (Debian package) building the same N pages from Markdown with equally simple
# templates, in one run. Prints wall time and peak memory (RSS) of both and the ratios.
# Needs: apt-get install -y hugo. Usage: bench/build.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
OUT=$PWD/target/bench/build
rm -rf "$OUT" && mkdir -p "$OUT"
cargo build -q --release --bin yuanxun
# The demo hospital gives the schema, channels and people; then N articles are added.
YUANXUN_DEMO_PASSWORD=Bench2026pass target/release/yuanxun serve --demo --data "$OUT/data" --listen 127.0.0.1:0 >"$OUT/serve.log" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q "院讯已启动" "$OUT/serve.log" && break; sleep 0.2; done
kill -TERM $pid; wait $pid || true
python3 bench/build_data.py "$OUT/data" "$OUT/hugo" "$N"

measure() { /usr/bin/time -f "%e %M" -o "$OUT/time" "$@" >"$OUT/last.log" 2>&1; cat "$OUT/time"; }
read -r y_s y_kb < <(measure target/release/yuanxun export --data "$OUT/data" --out "$OUT/site" --public-url https://news.example.cn)
read -r h_s h_kb < <(measure hugo --source "$OUT/hugo" --destination "$OUT/hugo-public" --quiet)
pages_y=$(find "$OUT/site" -name '*.html' | wc -l); pages_h=$(find "$OUT/hugo-public" -name '*.html' | wc -l)
echo "yuanxun export: ${y_s} s, peak ${y_kb} KB, ${pages_y} HTML files"
echo "hugo:           ${h_s} s, peak ${h_kb} KB, ${pages_h} HTML files"
python3 -c "print(f'speed: yuanxun is {float(\"$h_s\")/float(\"$y_s\"):.2f}x Hugo; memory: {float(\"$y_kb\")/float(\"$h_kb\"):.2f} of Hugo peak')"
