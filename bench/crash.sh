#!/usr/bin/env bash
# The crash harness at full count (issue 22, criterion 1): `serve` is killed with SIGKILL at
# random moments while a client drives every kind of write, then restarted and checked
# (the database's own consistency checks, audit verify, every acknowledged operation exactly
# once, nothing half-applied). On SQLite and on PostgreSQL (a server at
# YUANXUN_TEST_POSTGRES_URL, default postgres://postgres:postgres@127.0.0.1/postgres).
# Usage: bench/crash.sh [OPERATIONS] [SEED] [sqlite|postgres|both]
set -euo pipefail
cd "$(dirname "$0")/.."
export YUANXUN_CRASH_OPS=${1:-200}
[ -n "${2:-}" ] && export YUANXUN_CRASH_SEED=$2
case ${3:-both} in
    sqlite) filter=a_killed_server_loses ;;
    postgres) filter=a_killed_server_on_postgresql ;;
    *) filter=a_killed_server ;;
esac
cargo test -q -p yuanxun --test crash "$filter" -- --nocapture --test-threads 1 2>&1 | grep -E "crash harness|test result|panicked|assert|NOT RUN"
