#!/usr/bin/env bash
# The check's speed beside pyahocorasick, in one run, on the same corpus and terms:
# ~20 MB of news text built from ../shared/samples (shuffled with a fixed seed) and the
# deduplicated terms of ../shared/lexicons/sensitive-lexicon. Prints MB/s of both, the match
# counts (they must agree) and the ratio; then the full check with every category, on one
# core and on all of them.
# Usage: bench/check.sh [MB]
set -euo pipefail
cd "$(dirname "$0")/.."
MB=${1:-20}
SHARED=${SHARED:-../shared}
OUT=target/bench
mkdir -p "$OUT"
if [ ! -x "$OUT/venv/bin/python" ] || ! "$OUT/venv/bin/python" -c "import ahocorasick" 2>/dev/null; then
  python3 -m venv "$OUT/venv"
  "$OUT/venv/bin/pip" install -q pyahocorasick
fi
cargo build -q --release -p yuanxun-check --example bench_check
args=("$OUT/corpus.txt" "$OUT/terms.txt" "$SHARED/samples" "$SHARED/lexicons/sensitive-lexicon/Vocabulary" "$MB")
ours=$(taskset -c 0 target/release/examples/bench_check "${args[@]}")
echo "$ours"
# The full check again on every core of the machine (documents spread over the cores).
target/release/examples/bench_check "${args[@]}" --all-cores
peer=$(taskset -c 0 "$OUT/venv/bin/python" bench/pyahocorasick_pass.py "$OUT/corpus.txt" "$OUT/terms.txt")
echo "$peer"
field() { sed -n "s/.*$2=\([0-9.]*\).*/\1/p" <<<"$1" | head -1; }
ours_pass=$(grep '^lexicon_pass' <<<"$ours")
n_ours=$(field "$ours_pass" matches)
n_peer=$(field "$(grep '^pyahocorasick_reference' <<<"$peer")" matches)
n_iter_long=$(field "$(grep '^pyahocorasick ' <<<"$peer")" matches)
r_ours=$(field "$ours_pass" mb_per_s); r_peer=$(field "$(grep '^pyahocorasick ' <<<"$peer")" mb_per_s)
if [ "$n_ours" != "$n_peer" ]; then
  echo "MATCH COUNTS DIFFER: yuanxun $n_ours, leftmost-longest from pyahocorasick $n_peer" >&2
  exit 1
fi
echo "matches agree: $n_ours leftmost-longest (pyahocorasick iter_long itself returns $n_iter_long: its known missed-match bug)"
python3 -c "print(f'lexicon pass: yuanxun {float(\"$r_ours\"):.0f} MB/s, pyahocorasick {float(\"$r_peer\"):.1f} MB/s, ratio {float(\"$r_ours\")/float(\"$r_peer\"):.1f}x')"
