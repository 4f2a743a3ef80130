#!/bin/sh
# soak.sh — the soak test (issue 10): bench/soak.lua runs the spiking agent in the labyrinth for
# one simulated hour (or --set hours=H) with its resident memory sampled, into
# bench/out/soak-<date>-<time>/ (results.csv: the samples; results.json: the fitted slope in MB
# per simulated hour after warm-up). Extra arguments go to soma run. Not part of make test.
cd "$(dirname "$0")/.." || exit 1
mkdir -p bench/out
out=bench/out/soak-$(date +%Y%m%d-%H%M%S)
bin/soma run bench/soak.lua --quiet --out "$out" "$@" || exit 1
/usr/bin/python3 - "$out" <<'PY'
import json, sys
r = json.load(open(sys.argv[1] + "/results.json"))["result"]
print("wrote %s/: slope %s MB per simulated hour (RSS %.1f -> %.1f MB)" % (
    sys.argv[1], r.get("slope_mb_per_hour"), r["rss_start_mb"], r["rss_end_mb"]))
PY
