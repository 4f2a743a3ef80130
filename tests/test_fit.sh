#!/bin/sh
# test_fit.sh — `soma fit` as a user runs it: a short real run of the spiking agent (its steps
# timed on its own clock), then soma fit on it: the scorecard's keys and numbers, the figures
# decoded with their sizes, the exported data loaded by numpy with the right shapes, the split
# in the scorecard equal to split.npy, the same numbers from the exported plain files, the same
# scorecard and embeddings for 1 and 2 threads, and every bad input with its message and exit
# status (a non-empty --out is never overwritten).
. "$(dirname "$0")/sh_harness.sh"
export SOMA_PROGRESS_INTERVAL=1000 OMP_NUM_THREADS=1
RUN="$tmp/run"
$SOMA run tests/fit/agent.lua --out "$RUN" --quiet >"$tmp/run.log" 2>&1 ||
  not_ok "the recorded run" "$(head -5 "$tmp/run.log")"

# ---- the clock of the agent's steps -----------------------------------------------------------
if $PY - "$RUN" <<'EOF' >"$tmp/clock.log" 2>&1
import json, sys, numpy as np
d = sys.argv[1]
m = json.load(open(d + "/meta.json"))
env = m["environments"][0]
assert env["clock"] == "agent", env.get("clock")
b = np.load(d + "/" + env["file"])
t = b[:, env["columns"].index("t_ms")]
assert np.isfinite(t).all() and (np.diff(t) >= 0).all(), "t_ms must be finite and sorted"
spikes = np.load(d + "/agent/input.spike_t.npy")
assert t[-1] <= m["agents"][0]["time_ms"] and spikes.max() <= m["agents"][0]["time_ms"]
assert t[1] - t[0] == 100, t[:3]   # one decision window of the agent per step
EOF
then ok "an agent's steps carry its network's time; meta.json says clock 'agent'"
else not_ok "an agent's steps carry its network's time" "$(tail -3 "$tmp/clock.log")"; fi

# ---- a fit, its scorecard, figures and exported files ----------------------------------------
F1="$tmp/f1"
expect "soma fit writes the scorecard" 0 "wrote $F1/" \
  $SOMA fit "$RUN" --model pca --out "$F1" --seeds 3 --export --threads 1
if $PY - "$F1" <<'EOF' >"$tmp/keys.log" 2>&1
import json, math, sys
s = json.load(open(sys.argv[1] + "/scorecard.json"))
num = lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
for k in ["consistency_seeds", "identifiability", "decoding", "robustness", "cka", "rsa",
          "procrustes_angle", "fit_seconds_per_1000_iter", "model", "populations", "bin_ms",
          "split", "seeds", "n_neurons", "T"]:
    assert k in s, "missing key " + k
assert num(s["consistency_seeds"]) and s["model"] == "pca" and s["bin_ms"] == 25
assert s["populations"][0] == "agent/input" and len(s["populations"]) == 6, s["populations"]
assert s["seeds"] == [0, 1, 2] and s["n_neurons"] == 1277 and s["T"] > 100
for name in ["x", "y", "dist_to_goal", "level"]:
    e = s["identifiability"][name]
    assert num(e["knn_r2"]) and num(e["linear_r2"]) and len(e["knn_r2_seeds"]) == 3, name
assert "context" not in s["identifiability"] and "context" in s["identifiability_skipped"]
for d in ["knn", "ridge"]:
    assert num(s["decoding"][d]["r2"]) and num(s["decoding"][d]["median_error"]), d
assert set(s["robustness"]) == {"none", "drop_10%", "drop_30%", "drop_50%",
                                 "poisson_noise_0.5", "jitter_1_bin"}, s["robustness"]
assert all(num(v) for v in s["robustness"].values()) and "embedding" in s["robustness_method"]
for k in ["cka", "rsa", "procrustes_angle"]:
    assert num(s[k][k]) and "behaviour (x, y)" in s[k]["between"], k
assert 0 <= s["procrustes_angle"]["procrustes_angle"] <= math.pi
assert s["fit_seconds_per_1000_iter"] is None and num(s["fit_seconds"])   # PCA: no iterations
m = s["consistency_matrix"]
assert len(m) == 3 and m[0][0] is None and all(num(m[i][j]) for i in range(3) for j in range(3) if i != j)
EOF
then ok "scorecard.json: the issue's keys, numeric, with what they are between"
else not_ok "scorecard.json keys" "$(tail -3 "$tmp/keys.log")"; fi

if $PY - "$F1" <<'EOF' >"$tmp/png.log" 2>&1
import sys
sys.path.insert(0, "tests")
import png_pixels
d = sys.argv[1]
for name, w, h in [("embedding", 1240, 850), ("decoding", 1200, 620), ("consistency", 720, 640),
                   ("metrics", 900, None)]:
    rows = png_pixels.read("%s/%s.png" % (d, name))
    assert len(rows[0]) == w and (h is None or len(rows) == h), (name, len(rows[0]), len(rows))
    colours = set(p for r in rows[::7] for p in r[::7])
    assert len(colours) > 20, (name, "too few colours: nothing drawn?")
EOF
then ok "embedding, decoding, consistency and metrics PNGs decode with their sizes"
else not_ok "the figures" "$(tail -3 "$tmp/png.log")"; fi

if $PY - "$F1" <<'EOF' >"$tmp/export.log" 2>&1
import csv, json, sys, numpy as np
d = sys.argv[1]
s = json.load(open(d + "/scorecard.json"))
T, N = s["T"], s["n_neurons"]
shapes = {"x": (T, N), "behaviour": (T, 2), "latents": (T, len(s["latents"])), "t": (T, 1),
          "split": (T, 1), "embedding_seed0": (T, 3), "embedding_seed2": (T, 3)}
for name, shape in shapes.items():
    a = np.load("%s/%s.npy" % (d, name))
    assert a.shape == shape, (name, a.shape, shape)
    c = np.loadtxt("%s/%s.csv" % (d, name), delimiter=",", skiprows=1, ndmin=2)
    assert np.array_equal(a, c), name + ": the CSV differs from the .npy"
head = open(d + "/x.csv").readline().strip().split(",")
assert head[0] == "agent/input:0" and len(head) == N
assert open(d + "/behaviour.csv").readline().strip() == "x,y"
part = np.load(d + "/split.npy")[:, 0]
for k, name in enumerate(["train", "valid", "test"]):
    rows = np.zeros(T, bool)
    for a, b in s["split"][name]:
        rows[a:b] = True
    assert np.array_equal(rows, part == k), name + ": the scorecard's ranges differ from split.npy"
    assert s["split"]["counts"][name] == rows.sum()
assert s["split"]["test"] == [[T - (T - int(T * 0.8)), T]]   # CEBRA: the last 20 %
t = np.load(d + "/t.npy")[:, 0]
assert (np.diff(t) > 0).all() and np.allclose((t - 12.5) % 25, 0)
e0, e1 = np.load(d + "/embedding_seed0.npy"), np.load(d + "/embedding_seed1.npy")
assert np.array_equal(e0, e1)   # PCA is deterministic
EOF
then ok "the export loads with the right shapes; CSV = .npy; the split matches split.npy"
else not_ok "the export" "$(tail -3 "$tmp/export.log")"; fi

# the exported plain files give the same numbers
F3="$tmp/f3"
expect "soma fit --x --y on plain files" 0 "wrote $F3/" \
  $SOMA fit --x "$F1/x.npy" --y "$F1/behaviour.csv" --latents-file "$F1/latents.csv" \
  --bin-ms 25 --out "$F3" --seeds 3 --model pca
if $PY - "$F1" "$F3" <<'EOF' >"$tmp/files.log" 2>&1
import json, sys
a, b = (json.load(open(p + "/scorecard.json")) for p in sys.argv[1:])
for k in ["T", "n_neurons", "split", "consistency_seeds", "decoding", "identifiability", "cka",
          "rsa", "procrustes_angle", "robustness"]:
    assert a[k] == b[k], (k, a[k], b[k])
assert b["source"].startswith("files ") and b["populations"] == []
EOF
then ok "the same scorecard from the exported .npy/.csv files"
else not_ok "plain files" "$(tail -3 "$tmp/files.log")"; fi

# the same numbers and embeddings for 1 and 2 threads (PCA, the seeded HMM, the contrastive
# embedding once it is built)
models="pca hmm"
$SOMA fit --help | grep -q "contrastive" && models="$models contrastive"
for model in $models; do
  for th in 1 2; do
    $SOMA fit "$RUN" --model $model --seeds 2 --iterations 20 --export --threads $th --quiet \
      --out "$tmp/$model$th" >"$tmp/th.log" 2>&1 || not_ok "$model --threads $th" "$(cat "$tmp/th.log")"
  done
  if $PY - "$tmp/${model}1" "$tmp/${model}2" <<'EOF' >"$tmp/det.log" 2>&1
import json, sys
a, b = (json.load(open(p + "/scorecard.json")) for p in sys.argv[1:])
for s in (a, b):
    for k in ["fit_seconds", "fit_seconds_per_1000_iter", "wall_seconds"]:
        s.pop(k)
assert a == b, [k for k in a if a[k] != b[k]]
EOF
  then
    if cmp -s "$tmp/${model}1/embedding_seed1.npy" "$tmp/${model}2/embedding_seed1.npy"; then
      ok "$model: the same scorecard and embeddings for --threads 1 and 2"
    else not_ok "$model: embeddings differ between 1 and 2 threads"; fi
  else not_ok "$model: scorecards differ between 1 and 2 threads" "$(tail -2 "$tmp/det.log")"; fi
done
if $PY -c "import json,sys; s=json.load(open('$tmp/hmm1/scorecard.json')); assert s['iterations'] == 20 and s['fit_seconds_per_1000_iter'] > 0 and not s['deterministic']" 2>"$tmp/it.log"
then ok "an iterative model reports its iterations and fit_seconds_per_1000_iter"
else not_ok "hmm iterations" "$(tail -2 "$tmp/it.log")"; fi

# ---- bad input: messages and exit status --------------------------------------------------------
expect "soma --help lists fit" 0 "fit       fit a joint brain-behaviour model" $SOMA --help
expect "fit --help lists the flags" 0 "--behaviour COLS" $SOMA fit --help
expect "fit --help names the models" 0 "pca, lds, hmm" $SOMA fit --help
expect "no arguments print usage" 2 "usage: soma fit RUN_DIR" $SOMA fit
expect "a missing run directory" 2 "$tmp/none: no such run directory" $SOMA fit "$tmp/none"
mkdir -p "$tmp/empty"
expect "a directory without meta.json" 1 "not a soma run directory (no meta.json" $SOMA fit "$tmp/empty"
$SOMA run tests/fit/nospikes.lua --out "$tmp/nospikes" --quiet >/dev/null 2>&1
expect "a run without spikes" 1 "the run recorded no spikes" $SOMA fit "$tmp/nospikes" --out "$tmp/x1"
expect "an unknown column, with a suggestion" 2 \
  "--behaviour: environment 'env' has no column 'nod' (did you mean 'node'?)" \
  $SOMA fit "$RUN" --behaviour nod --out "$tmp/x2"
expect "an unknown latent" 2 "--latents: environment 'env' has no column 'hedaing' (did you mean 'heading'?)" \
  $SOMA fit "$RUN" --latents hedaing --out "$tmp/x3"
expect "an unknown population, with a suggestion" 2 \
  "--pop: the run has no population 'agent/inptu' with recorded spikes (did you mean 'agent/input'?)" \
  $SOMA fit "$RUN" --pop agent/inptu --out "$tmp/x4"
expect "an unknown model, with a suggestion" 2 "--model: unknown model 'pcaa' (did you mean 'pca'?)" \
  $SOMA fit "$RUN" --model pcaa
expect "an unknown decoder" 2 "--decoders: unknown decoder 'kalmn' (did you mean 'kalman'?)" \
  $SOMA fit "$RUN" --decoders knn,kalmn
expect "too few bins for the split" 1 "time bins are too few for the cebra split: at least 40 are needed (a smaller --bin" \
  $SOMA fit "$RUN" --bin 2000 --out "$tmp/x5"
[ ! -e "$tmp/x5" ] && ok "a failed fit leaves no empty output folder" || not_ok "a failed fit left $tmp/x5"
before=$(ls -l "$F1" | md5sum)
expect "a non-empty --out is refused" 1 "already exists and is not empty; soma never overwrites" \
  $SOMA fit "$RUN" --out "$F1"
[ "$(ls -l "$F1" | md5sum)" = "$before" ] && ok "the refused folder is untouched" || not_ok "the refused --out changed"
expect "an unknown flag, with a suggestion" 2 "unknown option '--behavior' (did you mean '--behaviour'?)" \
  $SOMA fit "$RUN" --behavior x
expect "a bad --bin" 2 "--bin: expected a number from 0.001" $SOMA fit "$RUN" --bin 0
expect "a bad --split" 2 "--split: expected cebra or interleaved, got 'random'" $SOMA fit "$RUN" --split random
expect "--x without --y" 2 "plain files need both --x (the activity) and --y" $SOMA fit --x "$F1/x.npy"
expect "a run directory and files" 2 "give a run directory or --x/--y files, not both" \
  $SOMA fit "$RUN" --x "$F1/x.npy" --y "$F1/behaviour.csv"
expect "files of different lengths" 1 "the data has 288 rows, the behaviour 210: they must be the same time bins" \
  $SOMA fit --x "$F1/x.npy" --y "$tmp/nospikes/behaviour.npy" --out "$tmp/x6"
expect "the default folder is in the run directory" 0 "wrote $RUN/fit-pca-" \
  $SOMA fit "$RUN" --model pca --seeds 1 --robustness none
done_tests
