#!/bin/sh
# Runs every tests/lua/test_*.lua inside the real soma binary (soma run) and adds up their
# "N passed, N failed" lines. A script that fails without a total counts as 1 failed.
cd "$(dirname "$0")/.." || exit 1
SOMA=${SOMA:-bin/soma}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
for t in tests/lua/test_*.lua; do
  name=$(basename "$t" .lua)
  "$SOMA" run --quiet --out "$tmp/$name" "$t" >"$tmp/$name.log" 2>&1
  rc=$?
  grep -v '^ok - ' "$tmp/$name.log" | grep -vE '^[0-9]+ passed, [0-9]+ failed$' | sed "s|^|  $name: |"
  total=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$tmp/$name.log" | tail -1)
  if [ -z "$total" ]; then
    echo "  $name exited with status $rc without a total: counted as 1 failed"
    failed=$((failed + 1))
    continue
  fi
  p=${total%% passed*}
  f=${total#*, }
  f=${f%% failed*}
  [ "$rc" != 0 ] && [ "$f" = 0 ] && f=1
  echo "  $name: $total"
  passed=$((passed + p))
  failed=$((failed + f))
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
