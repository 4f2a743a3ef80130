#!/bin/sh
# test_fuzz.sh — a short run of every libFuzzer target in tests/fuzz/ (built with clang into
# build/fuzz/ by `make fuzz-build`): each replays its seed corpus (tests/fuzz/corpus/<name>/,
# which holds the inputs of past findings too) and then fuzzes for FUZZ_TEST_SECONDS (default
# 4), starting afresh each time (new inputs are not kept). A crash, hang, leak or sanitizer
# report fails the target. `make fuzz` runs them longer.
# Without clang it passes nothing and says so. (Checkpoints, which issue 10 also wants fuzzed,
# do not exist yet: their reader gets a target when it is written.)
. tests/sh_harness.sh
secs=${FUZZ_TEST_SECONDS:-4}
if ! command -v clang >/dev/null 2>&1; then
  echo "note: clang is not installed: the fuzz targets are skipped (tools/deps.sh installs it)"
  done_tests
  exit 0
fi
# build them (a nested make: the test run's own jobserver is not ours)
if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u OUT make -s SANITIZE=0 MPI=0 fuzz-build >"$tmp/build.log" 2>&1; then
  not_ok "fuzz targets build" "$(tail -5 "$tmp/build.log")"
  done_tests
  exit 1
fi
for src in tests/fuzz/*.c; do
  t=$(basename "$src" .c)
  out=$(FUZZ_OUT=build/fuzz FUZZ_WORK="$tmp/corpus" tests/fuzz/run.sh "$secs" "build/fuzz/$t" 2>&1)
  if [ $? = 0 ]; then ok "$out"; else not_ok "fuzz target $t" "$out"; fi
done
done_tests
