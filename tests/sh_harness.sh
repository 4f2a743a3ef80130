# sh_harness.sh — sourced by the shell tests (tests/test_*.sh): ok/not_ok record results,
# expect checks a command's exit status and output, done prints "N passed, N failed".
SOMA=${SOMA:-bin/soma}
PY=/usr/bin/python3
passed=0
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { passed=$((passed + 1)); echo "ok - $1"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $1"; [ -n "$2" ] && echo "  $2"; }

# expect NAME STATUS PATTERN CMD...: exit status and a fixed string in stdout+stderr
expect() {
  name=$1 status=$2 pattern=$3
  shift 3
  out=$("$@" 2>&1)
  rc=$?
  if [ "$rc" = "$status" ] && printf '%s' "$out" | grep -qF -- "$pattern"; then ok "$name"
  else not_ok "$name" "exit $rc (want $status), output: $(printf '%s' "$out" | head -5)"; fi
}

done_tests() {
  echo "$passed passed, $failed failed"
  [ "$failed" = 0 ]
}
