#!/bin/sh
# test_peer_brian2.sh — soma against Brian2 (the peer simulator) on COBA and CUBA.
#
# For 1 s of biological time at seed 1, Brian2 simulates soma's exact network (its synapses
# and initial state, exported through libsoma.a: brian2_bench.py --same-net) with the timing
# conventions that make the two simulators step for step the same (delay and refractory
# period: see bench/peers/brian2_bench.py). Checks that the mean E and I rates agree within
# 10 % and the CV of ISIs within 20 %, and, on one neuron, that the spike times are identical.
# Brian2 compiles C++ the first time; the projects stay in bench/out/brian2/ for the next run.
# Environment: SOMA (the soma binary; its libsoma.a is taken from the same directory).
cd "$(dirname "$0")/.." || exit 1
SOMA=${SOMA:-bin/soma}
case $SOMA in /*) ;; *) SOMA=$PWD/$SOMA ;; esac
export SOMA
passed=0
failed=0
ok() { echo "ok - $1"; passed=$((passed + 1)); }
notok() { echo "not ok - $1"; failed=$((failed + 1)); }
finish() { echo "$passed passed, $failed failed"; [ "$failed" = 0 ]; exit $?; }

if ! /usr/bin/python3 -c 'import brian2' >/dev/null 2>&1; then
  echo "# /usr/bin/python3 cannot import brian2 (Debian's python3-brian): run 'make deps'"
  notok "brian2 importable by /usr/bin/python3 (run 'make deps')"
  finish
fi
ok "brian2 importable by /usr/bin/python3"
if [ ! -x "$SOMA" ] || [ ! -f "$(dirname "$SOMA")/libsoma.a" ]; then
  notok "soma binary and libsoma.a at $SOMA (run make)"
  finish
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# within REL: |a - b| <= REL * max(|a|, |b|); prints the numbers either way
within() {
  /usr/bin/python3 -c '
import json, sys
a, b, key, rel = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3], float(sys.argv[4])
x, y = a.get(key), b.get(key)
good = x is not None and y is not None and abs(x - y) <= rel * max(abs(x), abs(y))
print("# %s: soma %s, brian2 %s (tolerance %g %%)" % (key, x, y, 100 * rel))
sys.exit(0 if good else 1)' "$1" "$2" "$3" "$4"
}

for net in coba cuba; do
  if ! "$SOMA" bench $net --time 1 --seed 1 --json >"$tmp/soma.json" 2>"$tmp/err"; then
    cat "$tmp/err"
    notok "$net: soma bench runs"
    continue
  fi
  if ! /usr/bin/python3 bench/peers/brian2_bench.py $net --time 1 --seed 1 --same-net --json \
      >"$tmp/brian2.json" 2>"$tmp/err"; then
    tail -20 "$tmp/err"
    notok "$net: brian2_bench.py runs"
    continue
  fi
  for k in rate_exc_hz rate_inh_hz; do
    if within "$tmp/soma.json" "$tmp/brian2.json" $k 0.10; then ok "$net: $k within 10 %"
    else notok "$net: $k within 10 %"; fi
  done
  if within "$tmp/soma.json" "$tmp/brian2.json" cv_isi 0.20; then ok "$net: cv_isi within 20 %"
  else notok "$net: cv_isi within 20 %"; fi
done

# one neuron of each benchmark model, constant current and input spikes: same spike times
if /usr/bin/python3 bench/peers/single_neuron.py --quick --time 300 >"$tmp/single" 2>&1; then
  ok "single neurons (lif_cond, lif, lif_alpha): identical spike times in soma and brian2"
else
  sed 's/^/# /' "$tmp/single" | grep -v Warning | tail -20
  notok "single neurons (lif_cond, lif, lif_alpha): identical spike times in soma and brian2"
fi
finish
