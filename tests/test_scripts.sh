#!/bin/sh
# test_scripts.sh — every script in scripts/ runs in its short mode (--set quick=true), so
# none rots; scripts/bench/coba.lua must reach the same spikes as `soma bench coba`.
. "$(dirname "$0")/sh_harness.sh"
cd "$(dirname "$0")/.." || exit 1
for s in $(find scripts -name '*.lua' -not -path 'scripts/lib/*' | sort); do
  name=$(echo "$s" | tr / _)
  if $SOMA run --quiet --out "$tmp/$name" --set quick=true "$s" >"$tmp/$name.log" 2>&1; then ok "$s runs in quick mode"
  else not_ok "$s runs in quick mode" "$(tail -5 "$tmp/$name.log")"; fi
done
if $SOMA bench coba --time 0.1 --json >"$tmp/coba.json" &&
   $PY - "$tmp/coba.json" "$tmp/scripts_bench_coba.lua/results.json" <<'EOF'; then ok "coba.lua gives the spikes of soma bench coba"; else not_ok "coba.lua spikes"; fi
import json, sys
c = json.load(open(sys.argv[1]))
l = json.load(open(sys.argv[2]))["result"]
assert c["spikes_sha256"] == l["spikes_sha256"], (c["spikes_sha256"], l["spikes_sha256"])
assert c["synapses"] == l["synapses"] and c["spikes"] == l["spikes"]
EOF
done_tests
