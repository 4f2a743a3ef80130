#!/bin/sh
# Runs every test program and script given (or found): C test programs, shell scripts
# (tests/test_*.sh) and Lua tests (tests/lua/test_*.lua, inside the real binary: soma run).
# Adds up their "N passed, N failed" lines and ends with the total. A test that crashes or
# prints no total counts as failed.
# Environment: SOMA (the soma binary to test, default bin/soma), OUT (build directory), SANITIZE.
cd "$(dirname "$0")/.." || exit 1
passed=0
failed=0
log=$(mktemp)
runs=$(mktemp -d)
trap 'rm -rf "$log" "$runs"' EXIT
for t in "$@" tests/test_*.sh tests/lua/test_*.lua; do
  [ -e "$t" ] || continue
  name=$(basename "$t")
  echo "== $name"
  case "$t" in
    *.sh) sh "$t" >"$log" 2>&1 ;;
    *.lua) "${SOMA:-bin/soma}" run --quiet --out "$runs/$name" "$t" >"$log" 2>&1 ;;
    *) "$t" >"$log" 2>&1 ;;
  esac
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
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
