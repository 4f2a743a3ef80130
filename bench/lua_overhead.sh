#!/bin/sh
# The cost of driving soma from Lua: COBA built by scripts/bench/coba.lua against the same
# network built in C by `soma bench coba`, alternating runs; prints the median simulation wall
# times, their ratio, and checks that both give the same spikes. Writes bench/out/lua.md.
#   REPEAT=N (default 7)  TIME=S biological seconds (default 10)
set -e
cd "$(dirname "$0")/.."
SOMA=${SOMA:-bin/soma}
REPEAT=${REPEAT:-7}
TIME=${TIME:-10}
mkdir -p bench/out
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
r=0
while [ $r -lt "$REPEAT" ]; do
  $SOMA bench coba --time "$TIME" --json >>"$tmp/c.jsonl"
  $SOMA run --quiet --out "$tmp/run$r" --set time="$TIME" scripts/bench/coba.lua
  cat "$tmp/run$r/results.json" | tr -d '\n' >>"$tmp/lua.jsonl"
  echo >>"$tmp/lua.jsonl"
  r=$((r + 1))
done
/usr/bin/python3 - "$tmp" "$REPEAT" "$TIME" <<'PY' | tee bench/out/lua.md
import json, sys, statistics as st
d, n, t = sys.argv[1], sys.argv[2], sys.argv[3]
c = [json.loads(l) for l in open(d + "/c.jsonl") if l.strip()]
l = [json.loads(x)["result"] for x in open(d + "/lua.jsonl") if x.strip()]
assert {x["spikes_sha256"] for x in c} == {x["spikes_sha256"] for x in l}, "Lua and C disagree on spikes"
mc, ml = st.median(x["sim_wall_s"] for x in c), st.median(x["sim_wall_s"] for x in l)
print("| COBA, %s s | built in C (soma bench) | built in Lua (scripts/bench/coba.lua) | Lua / C |" % t)
print("|---|---|---|---|")
print("| median simulation wall s (min-max) | %.3f (%.3f-%.3f) | %.3f (%.3f-%.3f) | %.3f |" % (
    mc, min(x["sim_wall_s"] for x in c), max(x["sim_wall_s"] for x in c),
    ml, min(x["sim_wall_s"] for x in l), max(x["sim_wall_s"] for x in l), ml / mc))
print()
print("same spikes_sha256 %s…; medians of %s alternating runs" % (c[0]["spikes_sha256"][:16], n))
PY
