#!/usr/bin/env bash
# Fuzzing (issue 22, criterion 4): every parser that reads what users and the internet send,
# under libFuzzer with AddressSanitizer. Usage: bench/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
# (default 900 s each, every target). Corpora grow in fuzz/corpus/ (not committed; seeded by
# fuzz/seeds.py); a crash is saved in fuzz/artifacts/<target>/ and must become a regression
# test. The stable toolchain builds it: RUSTC_BOOTSTRAP lets cargo-fuzz pass its -Z flags.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
secs=${1:-900}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(check docx sanitize feed json_mapping html_recipe rule_expr people_table theme)
export RUSTC_BOOTSTRAP=1
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
python3 seeds.py corpus >/dev/null
cargo fuzz build -O 2>&1 | grep -E "^(error|warning: unused)" || true
mkdir -p logs
printf '%-13s %8s %12s %8s %8s %s\n' target seconds executions exec/s corpus result
for t in "${targets[@]}"; do
    case $t in docx | people_table) len=262144 ;; theme) len=32768 ;; *) len=65536 ;; esac
    start=$(date +%s)
    if cargo fuzz run -O "$t" -- -max_total_time="$secs" -max_len="$len" -rss_limit_mb=2048 -timeout=20 -print_final_stats=1 >"logs/$t.log" 2>&1; then result=clean; else result="CRASH (see fuzz/artifacts/$t, logs/$t.log)"; fi
    runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "logs/$t.log" | grep -oE '[0-9]+$' || echo 0)
    took=$(($(date +%s) - start))
    printf '%-13s %8s %12s %8s %8s %s\n' "$t" "$took" "$runs" "$((runs / (took > 0 ? took : 1)))" "$(ls "corpus/$t" | wc -l)" "$result"
done
