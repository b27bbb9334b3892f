#!/usr/bin/env bash
# The crash harness at full count (issue 22, criterion 1): `serve` on SQLite is killed with
# SIGKILL at random moments while a client drives the spine's writes, then restarted and
# checked (integrity_check, audit verify, every acknowledged operation exactly once,
# nothing half-applied). Usage: bench/crash.sh [OPERATIONS] [SEED]
set -euo pipefail
cd "$(dirname "$0")/.."
export YUANXUN_CRASH_OPS=${1:-200}
[ -n "${2:-}" ] && export YUANXUN_CRASH_SEED=$2
cargo test -q -p yuanxun --test crash -- --nocapture 2>&1 | grep -E "crash harness|test result|panicked|assert"
