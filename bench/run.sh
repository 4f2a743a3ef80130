#!/bin/sh
# Benchmarks: COBA, CUBA and Brunel (hpc_benchmark, scale 1) with 1 and 2 threads, several
# runs each; prints a markdown table of medians and writes it to bench/out/results.md.
# Then, if Brian2 is installed, the side-by-side peer comparison (bench/peers/compare.sh):
# bench/out/peers.md (COBA, CUBA, 10 s), bench/out/peers-brunel.md (Brunel at scale 0.1) and
# bench/out/peers-stdp.md (COBA with STDP on E->E against static COBA, 10 s).
#   REPEAT=N (default 5)  TIME=S (default 10 for coba/cuba, 1 for brunel)  PEERS=0 to skip
set -e
cd "$(dirname "$0")/.."
SOMA=${SOMA:-bin/soma}
REPEAT=${REPEAT:-5}
mkdir -p bench/out
out=bench/out/results.md
tmp=$(mktemp)
echo "| network | threads | bio s | median wall s per bio s (min-max) | setup s | events/s | E Hz | I Hz | CV ISI | bytes/syn | peak MB |" >"$out"
echo "|---|---|---|---|---|---|---|---|---|---|---|" >>"$out"
for spec in "coba ${TIME:-10}" "cuba ${TIME:-10}" "brunel ${BRUNEL_TIME:-1}"; do
  set -- $spec
  for th in 1 2; do
    : >"$tmp"
    r=0
    while [ $r -lt "$REPEAT" ]; do
      $SOMA bench "$1" --time "$2" --threads $th --json >>"$tmp"
      r=$((r + 1))
    done
    /usr/bin/python3 - "$tmp" "$1" "$th" >>"$out" <<'PY'
import json, sys, statistics as st
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
w = [r["wall_per_bio_s"] for r in rows]
r = rows[0]
hashes = {x["spikes_sha256"] for x in rows}
assert len(hashes) == 1, "runs disagree on spikes"
print(f"| {sys.argv[2]} | {sys.argv[3]} | {r['bio_time_s']:g} | {st.median(w):.4f} ({min(w):.4f}-{max(w):.4f}) | "
      f"{st.median([x['setup_wall_s'] for x in rows]):.2f} | {st.median([x['events_per_s'] for x in rows]):.3g} | "
      f"{r['rate_exc_hz']:.2f} | {r['rate_inh_hz']:.2f} | {r['cv_isi']:.2f} | {r['bytes_per_synapse']:.2f} | "
      f"{max(x['peak_rss_mb'] for x in rows):.0f} |")
PY
  done
done
rm -f "$tmp"
{
  echo
  echo "soma $($SOMA --version | cut -d' ' -f2), $(date -u +%Y-%m-%d), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); medians of $REPEAT runs"
} >>"$out"
cat "$out"
if [ "${PEERS:-1}" != 0 ] && [ -x bench/peers/compare.sh ]; then
  bench/peers/compare.sh coba cuba --time 10 --repeat "$REPEAT"
  bench/peers/compare.sh brunel --time 1 --repeat 3 --out bench/out/peers-brunel.md
  bench/peers/compare.sh coba_stdp --time 10 --repeat 3 --out bench/out/peers-stdp.md
fi
# the cost of building and driving a network from Lua (bench/out/lua.md)
bench/lua_overhead.sh
