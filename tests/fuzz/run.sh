#!/bin/sh
# run.sh SECONDS TARGET... — runs each libFuzzer target (build/fuzz/<name>) for SECONDS on its
# seed corpus (tests/fuzz/corpus/<name>/) plus the inputs found before (build/fuzz/corpus/
# <name>/, where new ones go), one process at a time, and reports executions per target. A
# crash, hang (10 s), leak or sanitizer report is saved as build/fuzz/crashes/<name>-* and
# makes the run fail. Used by `make fuzz` (FUZZ_SECONDS) and tests/test_fuzz.sh (a short run).
# FUZZ_RUNS=N runs N executions instead of for a time; FUZZ_WORK=DIR keeps new inputs in
# DIR/<name>/ instead (the tests start from the seeds alone).
cd "$(dirname "$0")/../.." || exit 1
secs=${1:-60}
shift
out=${FUZZ_OUT:-build/fuzz}
mkdir -p "$out/crashes"
status=0
for bin in "$@"; do
  t=$(basename "$bin")
  work=${FUZZ_WORK:-$out/corpus}/$t
  mkdir -p "$work"
  log="$out/$t.log"
  if [ -n "$FUZZ_RUNS" ]; then limit="-runs=$FUZZ_RUNS"; else limit="-max_total_time=$secs"; fi
  # -close_fd_mask=2: the messages the code under test prints are not wanted (libFuzzer and
  # the sanitizers still report through their own copy of stderr)
  t0=$(date +%s)
  "$bin" $limit -timeout=10 -rss_limit_mb=2048 -max_len=4096 -close_fd_mask=2 \
    -print_final_stats=1 -artifact_prefix="$out/crashes/$t-" \
    "$work" "tests/fuzz/corpus/$t" >"$log" 2>&1
  rc=$?
  took=$(( $(date +%s) - t0 ))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  if [ "$rc" = 0 ]; then
    echo "$t: ${execs:-?} executions in ${took} s, no findings"
  else
    status=1
    echo "$t: FAILED (exit $rc) after ${execs:-?} executions; the report:"
    art=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
    grep -E '^(==[0-9]+==|SUMMARY)' "$log" | head -5
    if [ -n "$art" ]; then   # again without -close_fd_mask, for the message
      echo "  input: $art; replayed:"
      "$bin" -timeout=10 "$art" 2>&1 | grep -aE 'fuzz property|runtime error|Sanitizer|^    #[0-6] ' | head -12
    fi
    echo "  (full log: $log)"
  fi
done
exit $status
