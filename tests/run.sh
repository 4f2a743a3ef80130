#!/bin/sh
# Runs every test program and script given (or found), adds up their "N passed, N failed"
# lines, and ends with the total. A program that crashes or prints no total counts as failed.
# Environment: SOMA (the soma binary to test), OUT (build directory), SANITIZE.
cd "$(dirname "$0")/.." || exit 1
passed=0
failed=0
log=$(mktemp)
for t in "$@" tests/test_*.sh; do
  [ -e "$t" ] || continue
  name=$(basename "$t")
  echo "== $name"
  if [ "${t%.sh}" != "$t" ]; then sh "$t" >"$log" 2>&1; else "$t" >"$log" 2>&1; fi
  rc=$?
  sed 's/^/   /' "$log" | grep -v '^   ok - ' || true
  total=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -1)
  if [ -z "$total" ]; then
    echo "   $name exited with status $rc without a total: counted as 1 failed"
    failed=$((failed + 1))
    continue
  fi
  p=${total%% passed*}
  f=${total#*, }
  f=${f%% failed*}
  if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
    echo "   $name exited with status $rc: counted as 1 failed"
    f=1
  fi
  passed=$((passed + p))
  failed=$((failed + f))
done
rm -f "$log"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
