#!/usr/bin/env bash
# The test suite's steadiness on a busy machine (issue 12): the full suite RUNS times on each
# database while two busy loops keep both cores busy, started and stopped here. Not part of CI.
#   bash bench/steady-tests.sh            # 3 runs on PGlite, 3 on the PostgreSQL server
#   RUNS=1 LOAD=0 bash bench/steady-tests.sh   # one idle run each
set -uo pipefail
cd "$(dirname "$0")/.."
RUNS="${RUNS:-3}"
LOAD="${LOAD:-2}"
PG_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
OUT="${OUT:-/tmp/orbit-steady}"
mkdir -p "$OUT"
pids=()
for _ in $(seq 1 "$LOAD"); do node -e "for(;;){}" & pids+=($!); done
trap 'kill "${pids[@]}" 2>/dev/null' EXIT
echo "load: $LOAD busy loops; $(nproc) cores; $(node --version)"
failed=0
for db in pglite postgres; do
  for run in $(seq 1 "$RUNS"); do
    log="$OUT/$db-$run.log"
    started=$(date +%s)
    if [ "$db" = postgres ]; then TEST_DATABASE_URL="$PG_URL" npx vitest run >"$log" 2>&1; else env -u TEST_DATABASE_URL npx vitest run >"$log" 2>&1; fi
    code=$?
    took=$(( $(date +%s) - started ))
    summary=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '^ +Tests ' | tail -1 | tr -s ' ')
    load=$(cut -d' ' -f1-3 /proc/loadavg)
    echo "$db run $run: exit $code in ${took}s;${summary}; load average $load"
    [ "$code" -eq 0 ] || failed=1
  done
done
exit "$failed"
