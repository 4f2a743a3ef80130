#!/bin/sh
# compare.sh — soma against Brian2 on the benchmark networks.
#
#   bench/peers/compare.sh [NAME...] [--time S] [--repeat N] [--seed N] [--scale X]
#                          [--brunel-scale X] [--own-net]
#
# NAME: coba, cuba, brunel (default: coba cuba; brunel runs at --brunel-scale, default 0.1),
# or coba_stdp alone (COBA with STDP on E->E, against static coba on both: writes
# bench/out/peers-stdp.md, see compare.py).
# For each network runs `${SOMA:-bin/soma} bench NAME --json` and bench/peers/brian2_bench.py
# N times each (default 3), prints rates E/I, CV of ISI, population Fano factor, the median
# simulation time per biological second of each simulator and the ratio Brian2 / soma, and
# writes the table as markdown to bench/out/peers.md. By default Brian2 simulates soma's exact
# network (synapses and initial state, through libsoma.a); --own-net lets it draw its own.
# Needs a built soma (make) and Debian's python3-brian (make deps).
cd "$(dirname "$0")/../.." || exit 1
if ! /usr/bin/python3 -c 'import brian2' >/dev/null 2>&1; then
  echo "compare.sh: /usr/bin/python3 cannot import brian2: run 'make deps' (Debian's python3-brian)" >&2
  exit 1
fi
exec /usr/bin/python3 bench/peers/compare.py "$@"
