#!/bin/sh
# test_cli.sh — the soma command as a user runs it: help, version, bad flags and their
# messages, `soma bench --json` fields and determinism across threads, `soma demo` run
# directories (numpy reads them; an existing run is never overwritten), `soma models`.
. "$(dirname "$0")/sh_harness.sh"

expect "no arguments prints usage, exit 2" 2 "usage: soma COMMAND" $SOMA
expect "--help" 0 "commands:" $SOMA --help
expect "--version" 0 "soma 0." $SOMA --version
expect "unknown command with a suggestion" 2 "unknown command 'bnech' (did you mean 'bench'?)" $SOMA bnech
expect "bench --help" 0 "usage: soma bench NAME" $SOMA bench --help
expect "bench without a network" 2 "usage: soma bench" $SOMA bench
expect "bench unknown network" 2 "unknown network 'cobra'" $SOMA bench cobra
expect "bench bad --threads" 2 "--threads: expected a whole number from 1 to 1024, got 'two'" $SOMA bench coba --threads two
expect "bench bad --time" 2 "--time: expected a number" $SOMA bench coba --time -1
expect "bench misspelled option" 2 "did you mean '--threads'" $SOMA bench coba --thread 2
expect "bench option without value" 2 "--seed needs a value" $SOMA bench coba --seed
expect "demo --help" 0 "usage: soma demo" $SOMA demo --help
expect "demo unknown option" 2 "unknown option '--outt'" $SOMA demo --outt x
expect "models lists lif_cond" 0 "lif_cond" $SOMA models
expect "models describes units" 0 "tau_syn_ex   ms" $SOMA models lif_cond
expect "models unknown" 2 "unknown model 'lif_con' (did you mean 'lif_cond'?)" $SOMA models lif_con
expect "rules lists triplet" 0 "triplet" $SOMA rules
expect "rules describes a rule" 0 "tau_e      ms" $SOMA rules stdp_dopamine
expect "rules unknown" 2 "unknown learning rule 'stpd' (did you mean 'stdp'?)" $SOMA rules stpd

# bench --json: one object with every documented field; same spikes with 1 and 2 threads
if $SOMA bench coba --time 0.2 --json >"$tmp/t1.json" && $SOMA bench coba --time 0.2 --threads 2 --json >"$tmp/t2.json" &&
   $SOMA bench coba --time 0.2 --seed 2 --json >"$tmp/s2.json"; then
  if $PY - "$tmp" <<'EOF'; then ok "bench --json fields; same spikes for 1 and 2 threads; seed changes them"; else not_ok "bench --json"; fi
import json, sys
d = sys.argv[1]
a, b, c = (json.load(open(f"{d}/{n}.json")) for n in ("t1", "t2", "s2"))
need = ["neurons", "synapses", "bio_time_s", "threads", "setup_wall_s", "sim_wall_s", "spikes",
        "synaptic_events", "events_per_s", "rate_exc_hz", "rate_inh_hz", "cv_isi", "peak_rss_mb",
        "bytes_per_synapse", "spikes_sha256"]
missing = [k for k in need if k not in a]
assert not missing, missing
assert a["neurons"] == 4000 and 300000 < a["synapses"] < 340000, a
assert a["bytes_per_synapse"] <= 8, a["bytes_per_synapse"]
assert a["threads"] == 1 and b["threads"] == 2
assert a["spikes_sha256"] == b["spikes_sha256"], "threads changed the spikes"
assert a["spikes_sha256"] != c["spikes_sha256"], "seed did not change the spikes"
assert 5 < a["rate_exc_hz"] < 40, a["rate_exc_hz"]
EOF
else not_ok "bench --json runs"; fi

# demo: a run directory numpy can read, and a second run never overwrites it
if $SOMA demo --out "$tmp/run" --time 0.2 --quiet >"$tmp/demo.out" 2>&1; then
  if $PY - "$tmp/run" <<'EOF'; then ok "demo writes meta.json, results.json, .npy and demo.png"; else not_ok "demo outputs"; fi
import json, sys, numpy as np
d = sys.argv[1]
meta = json.load(open(f"{d}/meta.json"))
res = json.load(open(f"{d}/results.json"))
assert meta["status"] == "ok" and meta["net"]["neurons"] == 4000
t = np.load(f"{d}/E.spike_t.npy"); i = np.load(f"{d}/E.spike_i.npy")
assert t.dtype == np.float64 and i.dtype == np.int32 and t.shape == i.shape
assert (np.diff(t) >= 0).all() and t.max() <= 200 + 1e-9 and i.max() < 3200
v = np.load(f"{d}/E.V_m.npy")
assert v.shape == (2000, 3) and v.dtype == np.float32
assert open(f"{d}/demo.png", "rb").read(8) == b"\x89PNG\r\n\x1a\n"
assert abs(res["rate_exc_hz"] - len(t) / 3200 / 0.2) < 1e-3
EOF
else not_ok "demo runs" "$(cat "$tmp/demo.out")"; fi
expect "demo refuses to overwrite a run" 1 "never overwrites a run" $SOMA demo --out "$tmp/run" --time 0.1 --quiet

done_tests
