#!/bin/sh
# test_bad_input.sh — the catalogue of bad input (issue 10): every class of mistake a user can
# make, as one table: Lua errors, wrong types, unknown and misspelled names, out-of-range
# values (negative time constants, probabilities above 1, delays below dt, NaN), impossible
# networks, bad maps, missing files, unwritable output directories, a full disk (a small
# tmpfs when this user may mount one, else a file size limit; and /dev/full behind a file soma
# is about to write),
# bad command-line flags, and numerical blow-ups. Each row gives the exact message (or a
# precise part of it) and the exit status, and checks that the process ended cleanly (no
# crash, no sanitizer report) with the files intact: a run directory's meta.json is valid JSON
# with status "error" and the message, every .npy in it loads with numpy, no half-written
# file (*.tmp) is left, and a directory that existed before is unchanged.
. "$(dirname "$0")/sh_harness.sh"
S=$tmp/s
R=$tmp/r
mkdir -p "$S" "$R"
cd "$S" || exit 1
SOMA=$(cd "$OLDPWD" && cd "$(dirname "$SOMA")" && pwd)/$(basename "$SOMA")
ROOT=$OLDPWD

# ---- the scripts and files the table refers to ---------------------------------------------
w() { printf '%s\n' "$2" >"$S/$1"; }
w syntax.lua      'local x = = 1'
w runtime.lua     'error("boom")'
w callback.lua    'params = { episodes = 2 }
function episode(k) if k == 2 then local t = nil; return t.x end end'
w finish.lua      'function finish(status) error("finish failed after " .. status) end'
w exit3.lua       'os.exit(3)'
w require.lua     'require "no_such_module"'
w n_string.lua    'local net = soma.net{}
net:pop{ name = "E", model = "lif", n = "ten" }'
w dt_string.lua   'soma.net{ dt = "x" }'
w pop_string.lua  'local net = soma.net{}
net:connect(net:pop{ name = "E", model = "lif", n = 3 }, "I")'
w tua_m.lua       'local net = soma.net{}
net:pop{ name = "E", model = "lif", n = 10, tua_m = 20 }'
w lfi.lua         'local net = soma.net{}
net:pop{ name = "E", model = "lfi", n = 3 }'
w bernouli.lua    'local net = soma.net{}
local E = net:pop{ name = "E", model = "lif", n = 3 }
net:connect(E, E, { rule = "bernouli", p = 0.1 })'
w stpd.lua        'local net = soma.net{}
local E = net:pop{ name = "E", model = "lif", n = 3 }
net:connect(E, E, {}):plastic{ rule = "stpd" }'
w mpa.lua         'soma.env.grid{ mpa = "maps/tmaze.txt" }'
w neg_tau.lua     'local net = soma.net{}
net:pop{ name = "E", model = "lif", n = 10, tau_m = -20 }'
w p_above_1.lua   'local net = soma.net{}
local E = net:pop{ name = "E", model = "lif", n = 10 }
net:connect(E, E, { rule = "bernoulli", p = 1.5 })'
w delay_dt.lua    'local net = soma.net{}
local E = net:pop{ name = "E", model = "lif", n = 10 }
net:connect(E, E, { delay = 0.01 })'
w nan_weight.lua  'local net = soma.net{}
local E = net:pop{ name = "E", model = "lif", n = 10 }
net:connect(E, E, { weight = 0/0 })'
w nan_state.lua   'local net = soma.net{}
net:pop{ name = "E", model = "lif", n = 3, V_m = 0/0 }'
w nan_set.lua     'local net = soma.net{}
local E = net:pop{ name = "E", model = "lif", n = 3 }
local j = net:connect(E, E, {})
j:set_weights(0/0)'
w dt_zero.lua     'soma.net{ dt = 0 }'
w run_neg.lua     'soma.net{}:run(-1)'
w rotation.lua    'soma.env.reach{ rotation = 200 }'
w rate_huge.lua   'local net = soma.net{}
net:pop{ name = "E", model = "lif", n = 3 }:poisson_input{ rate = 1e300, weight = 1 }'
w clip_nothing.lua 'local net = soma.net{}
local E = net:pop{ name = "E", model = "lif", n = 3 }
net:connect(E, E, { weight = soma.normal(0, 1):clip(10, 11) })'
w n_zero.lua      'local net = soma.net{}
net:pop{ name = "E", model = "lif", n = 0 }'
w two_nets.lua    'local a, b = soma.net{}, soma.net{}
local E = a:pop{ name = "E", model = "lif", n = 10 }
local F = b:pop{ name = "F", model = "lif", n = 10 }
a:connect(E, F)'
w one_to_one.lua  'local net = soma.net{}
local E = net:pop{ name = "E", model = "lif", n = 3 }
local F = net:pop{ name = "F", model = "lif", n = 4 }
net:connect(E, F, { rule = "one_to_one" })'
w indegree.lua    'local net = soma.net{}
local E = net:pop{ name = "E", model = "lif", n = 4 }
net:connect(E, E, { rule = "fixed_indegree", k = 12, multapses = false })'
w record_v.lua    'local net = soma.net{}
net:record(net:pop{ name = "E", model = "lif", n = 3 }, "V")'
w destroyed.lua   'local net = soma.net{}
local E = net:pop{ name = "E", model = "lif", n = 3 }
net:destroy()
E:set{ tau_m = 10 }'
printf '#####\n#S.Q#\n#..G#\n#####\n' >"$S/cell.txt"
printf '#####\n#S#G#\n#####\n' >"$S/unreachable.txt"
printf '#####\n#S..#\n#####\n' >"$S/nogoal.txt"
printf '#####\n#S.G#\n####\n' >"$S/ragged.txt"
printf '#####\n#SSG#\n#####\n' >"$S/two_starts.txt"
printf '; only a comment\n' >"$S/empty.txt"
for m in cell unreachable nogoal ragged two_starts empty missing; do
  w "map_$m.lua" "soma.env.grid{ map = \"$m.txt\" }"
done
w io_missing.lua  'assert(io.open("/nonexistent/data.csv"))'
w params.lua      'params = { n = 10, quick = false, label = "a" }'
w save_nodir.lua  'soma.array{ 1, 2 }:save("nodir/x.npy")'
w fig_nodir.lua   'soma.figure{}:save("nodir/x.png")'
w stream.lua      'local net = soma.net{}
local E = net:pop{ name = "E", model = "poisson", n = 100, rate = 200 }
net:record(E, "spikes", { stream = true })
net:record(E, "rate", { stream = true, interval = 1 })
soma.log{ step = 1 }
net:run(2000)'
# a full disk without mounting one: the temporary file soma writes results.json (or an
# array) through is made a link to /dev/full, which refuses every write with ENOSPC
w full_results.lua 'os.execute("ln -s /dev/full " .. soma.dir .. "/results.json.tmp")
local net = soma.net{}
net:record(net:pop{ name = "E", model = "poisson", n = 5, rate = 50 }, "spikes")
net:run(50)
soma.log{ x = 1 }'
w full_array.lua  'os.execute("ln -s /dev/full " .. soma.dir .. "/a.npy.tmp")
soma.array{ 1, 2, 3 }:save("a.npy")'
w stdp_blowup.lua 'local net = soma.net{}
local src = net:pop{ name = "src", model = "poisson", n = 20, rate = 200 }
local post = net:pop{ name = "post", model = "lif", n = 5 }
net:record(post, "spikes")
local j = net:connect(src, post, { weight = 100, name = "src->post" })
j:plastic{ rule = "stdp", A_plus = 1e38, A_minus = 0 }
net:run(500)'
w adex_blowup.lua 'local net = soma.net{}
local p = net:pop{ name = "fast_w", model = "adex", n = 2, tau_w = 0.02, I_e = 500, max_rate = 0 }
net:record(p, "V_m")
net:run(300)'
w huge_weight.lua 'local net = soma.net{}
local src = net:pop{ name = "src", model = "poisson", n = 10, rate = 500 }
local t = net:pop{ name = "target", model = "lif", n = 2 }
net:connect(src, t, { weight = 3e38 })
net:run(200)'
w mod_overflow.lua 'local net = soma.net{}
local da = net:modulator{ name = "dopamine" }
da:add(1e308)
da:add(1e308)'
mkdir -p "$S/keep" && echo "an earlier run" >"$S/keep/meta.json"
echo "a file" >"$S/afile"

# ---- small filesystems: full (64 KiB) and read-only, when this user may mount them ----------
FULL= RO=
if [ -z "$NO_MOUNT" ] && mkdir -p "$tmp/full" "$tmp/ro" && mount -t tmpfs -o size=64k tmpfs "$tmp/full" 2>/dev/null; then
  FULL=$tmp/full
  mount -t tmpfs -o ro,size=64k tmpfs "$tmp/ro" 2>/dev/null && RO=$tmp/ro
  trap 'umount "$tmp/full" 2>/dev/null; umount "$tmp/ro" 2>/dev/null; rm -rf "$tmp"' EXIT
fi

# ---- the table ---------------------------------------------------------------------------
# class | case | exit status | message (a fixed string of the output) | check | soma arguments
# @O@ is the case's run directory ($tmp/r/<case>). Checks: meta (meta.json says "error" with
# the message's first line; files load), nodir (nothing was created), keep (keep/ unchanged),
# full (as meta, on the small filesystem), - (the message and the status only).
table() {
  cat <<'TABLE'
lua error | syntax error | 1 | syntax.lua:1: unexpected symbol near '=' | meta | run --out @O@ syntax.lua
lua error | runtime error | 1 | runtime.lua:1: boom | meta | run --out @O@ runtime.lua
lua error | error in a callback | 1 | callback.lua:2: attempt to index a nil value (local 't') | meta | run --out @O@ callback.lua
lua error | error in finish | 1 | finish.lua:1: finish failed after ok | meta | run --out @O@ finish.lua
lua error | os.exit(3) | 3 | the script called os.exit(3) | meta | run --out @O@ exit3.lua
lua error | missing module | 1 | module 'no_such_module' not found | meta | run --out @O@ require.lua
wrong type | n a string | 1 | n_string.lua:2: net:pop: 'n' must be a whole number, got string | meta | run --out @O@ n_string.lua
wrong type | dt a string | 1 | dt_string.lua:1: soma.net: 'dt' must be a number, got string | meta | run --out @O@ dt_string.lua
wrong type | a string for a population | 1 | pop_string.lua:2: net:connect: expected a population (made by net:pop{...}), got string | meta | run --out @O@ pop_string.lua
wrong type | --set text for a number | 2 | soma run: --set n=abc: params.n is a number (default 10), and 'abc' is not | nodir-meta | run --out @O@ params.lua --set n=abc
wrong type | --set text for a boolean | 2 | soma run: --set quick=maybe: params.quick is true or false, and 'maybe' is neither | nodir-meta | run --out @O@ params.lua --set quick=maybe
unknown name | misspelled parameter | 1 | tua_m.lua:2: net:pop: population 'E': unknown parameter 'tua_m' of model 'lif' (did you mean 'tau_m'?); known: C_m, tau_m, | meta | run --out @O@ tua_m.lua
unknown name | misspelled model | 1 | lfi.lua:2: net:pop: unknown neuron model 'lfi' (did you mean 'lif'?); models: lif, | meta | run --out @O@ lfi.lua
unknown name | misspelled connection rule | 1 | bernouli.lua:3: net:connect: unknown rule 'bernouli' (did you mean 'bernoulli'?) (rules: all_to_all, | meta | run --out @O@ bernouli.lua
unknown name | misspelled learning rule | 1 | stpd.lua:3: proj:plastic: projection 'E->E': unknown learning rule 'stpd' (did you mean 'stdp'?); rules: stdp, | meta | run --out @O@ stpd.lua
unknown name | misspelled world option | 1 | mpa.lua:1: soma.env.grid: unknown option 'mpa' of world 'grid' (did you mean 'map'?); options: | meta | run --out @O@ mpa.lua
unknown name | misspelled --set key | 2 | soma run: --set nn=3: the script has no parameter 'nn' (did you mean 'n'?); its parameters: label, n, quick | nodir-meta | run --out @O@ params.lua --set nn=3
out of range | negative time constant | 1 | neg_tau.lua:2: net:pop: population 'E' (lif): tau_m must be > 0 ms (got -20) | meta | run --out @O@ neg_tau.lua
out of range | probability above 1 | 1 | p_above_1.lua:3: net:connect: projection 'E->E': connection probability p must be in [0, 1] (got 1.5) | meta | run --out @O@ p_above_1.lua
out of range | delay below dt | 1 | delay_dt.lua:3: net:connect: projection 'E->E': delays must be in [dt, max_delay] = [0.1, 500] ms, but const(0.01) is outside | meta | run --out @O@ delay_dt.lua
out of range | NaN weight | 1 | nan_weight.lua:3: net:connect: projection 'E->E': weights: const(nan): parameters must be finite numbers | meta | run --out @O@ nan_weight.lua
out of range | NaN state | 1 | nan_state.lua:2: net:pop: population 'E' (lif): V_m must be a finite number within float range (got nan) | meta | run --out @O@ nan_state.lua
out of range | NaN from set_weights | 1 | nan_set.lua:4: proj:set_weights: projection 'E->E': set weights: value 1 is nan, but weights on port 'ex' of lif must be >= 0 pA | meta | run --out @O@ nan_set.lua
out of range | dt of 0 | 1 | dt_zero.lua:1: soma.net: 'dt' must be from 0.0001 to 10 (got 0) | meta | run --out @O@ dt_zero.lua
out of range | negative run time | 1 | run_neg.lua:1: net:run: the time to run (ms) must be from 0 to 1000000000000 (got -1) | meta | run --out @O@ run_neg.lua
out of range | world option | 1 | rotation.lua:1: soma.env.reach: world 'reach': rotation must be <= 180 deg (got 200) | meta | run --out @O@ rotation.lua
out of range | Poisson input rate | 1 | rate_huge.lua:2: pop:poisson_input: population 'E': Poisson input rate must be at most 1e+08 Hz, the summed rate of all its inputs (got 1e+300) | meta | run --out @O@ rate_huge.lua
out of range | bounds that keep nothing | 1 | clip_nothing.lua:3: dist:clip: normal(0, 1) in [10, 11]: the bounds keep only 7.6e-22% of the distribution (values outside them are drawn again; at least 1% must fall inside): widen them | meta | run --out @O@ clip_nothing.lua
out of range | --set number too large | 2 | soma run: --set n=1e999: params.n is a number (default 10), and '1e999' is not a finite one | nodir-meta | run --out @O@ params.lua --set n=1e999
impossible network | empty population | 1 | n_zero.lua:2: net:pop: 'n' must be a whole number from 1 to 1073741823 (got 0) | meta | run --out @O@ n_zero.lua
impossible network | across networks | 1 | two_nets.lua:4: net:connect: population 'F' belongs to network 2, not to this one (network 1): both populations must belong to this network | meta | run --out @O@ two_nets.lua
impossible network | one_to_one of unequal sizes | 1 | one_to_one.lua:4: net:connect: projection 'E->F': one_to_one needs populations of equal size ('E' has 3 neurons, 'F' has 4) | meta | run --out @O@ one_to_one.lua
impossible network | indegree above the sources | 1 | indegree.lua:3: net:connect: projection 'E->E': indegree k = 12 exceeds the 3 distinct sources available without multapses | meta | run --out @O@ indegree.lua
impossible network | recording no variable | 1 | record_v.lua:2: net:record: recording 'E': model 'lif' has no state variable 'V' (variables: V_m, | meta | run --out @O@ record_v.lua
impossible network | a destroyed network | 1 | destroyed.lua:4: pop:set: population 'E' belongs to a network that was destroyed (net:destroy()) | meta | run --out @O@ destroyed.lua
bad map | unknown cell | 1 | map_cell.lua:1: soma.env.grid: cell.txt:2:4: unknown cell 'Q' (legend: # wall, . floor, | meta | run --out @O@ map_cell.lua
bad map | goal unreachable | 1 | map_unreachable.lua:1: soma.env.grid: unreachable.txt:2:4: the goal 'G' cannot be reached from the start at 2:2 | meta | run --out @O@ map_unreachable.lua
bad map | no goal | 1 | map_nogoal.lua:1: soma.env.grid: nogoal.txt:1:1: no goal: the map needs one 'G' (or 'W') cell | meta | run --out @O@ map_nogoal.lua
bad map | ragged rows | 1 | map_ragged.lua:1: soma.env.grid: ragged.txt:3:5: ragged map: this row is 4 cells wide, expected 5 like the row at line 1 | meta | run --out @O@ map_ragged.lua
bad map | two starts | 1 | map_two_starts.lua:1: soma.env.grid: two_starts.txt:2:3: more than one start ('S'; the first is at 2:2) | meta | run --out @O@ map_two_starts.lua
bad map | no rows | 1 | map_empty.lua:1: soma.env.grid: empty.txt:1:1: empty map: no rows of cells | meta | run --out @O@ map_empty.lua
missing file | map | 1 | map_missing.lua:1: soma.env.grid: cannot open map 'missing.txt': No such file or directory | meta | run --out @O@ map_missing.lua
missing file | script | 2 | soma run: cannot open nothere.lua: No such file or directory | nodir | run --out @O@ nothere.lua
missing file | data file the script opens | 1 | io_missing.lua:1: /nonexistent/data.csv: No such file or directory | meta | run --out @O@ io_missing.lua
missing file | sweep to collect | 2 | soma sweep: --collect /nonexistent/sw: cannot open /nonexistent/sw/sweep.json: No such file or directory | - | sweep --collect /nonexistent/sw
missing file | sweep to resume | 2 | soma sweep: --resume: cannot open @O@/sweep.json: No such file or directory; nothing to resume | nodir | sweep params.lua --out @O@ --resume
unwritable output | --out under a file | 1 | soma run: cannot create directory afile/sub: Not a directory | - | run --out afile/sub runtime.lua
unwritable output | --out of an earlier run | 1 | soma run: keep already exists and is not empty; soma never overwrites a run: choose another --out or remove it | keep | run --out keep runtime.lua
unwritable output | array into a missing folder | 1 | save_nodir.lua:1: array:save: cannot write @O@/nodir/x.npy: No such file or directory | meta | run --out @O@ save_nodir.lua
unwritable output | figure into a missing folder | 1 | fig_nodir.lua:1: g:save: cannot create @O@/nodir/x.png: No such file or directory | meta | run --out @O@ fig_nodir.lua
unwritable output | sweep --out under a file | 101 | afile/sw: Not a directory | - | sweep params.lua --grid n=1,2 --out afile/sw
unwritable output | read-only filesystem | 1 | soma run: cannot create directory @RO@/run: Read-only file system | ro | run --out @RO@/run runtime.lua
full disk | results.json on /dev/full | 1 | soma run: cannot write @O@/results.json: No space left on device | meta | run --out @O@ full_results.lua
full disk | array on /dev/full | 1 | full_array.lua:2: array:save: cannot write @O@/a.npy: No space left on device | meta | run --out @O@ full_array.lua
full disk | streamed recordings on a full filesystem | 1 | cannot write its stream: @NOSPACE@ | full | run --out @FULL@/run stream.lua
bad flag | threads not a number | 2 | soma run: --threads: expected a whole number from 1 to 1024, got 'x' | nodir | run --out @O@ --threads x runtime.lua
bad flag | negative seed | 2 | soma run: --seed: expected a whole number from 0 to 4294967295, got '-1' | nodir | run --out @O@ --seed -1 runtime.lua
bad flag | misspelled flag | 2 | soma run: unknown option '--sed' (did you mean '--seed'?); see 'soma run --help' | nodir | run --out @O@ --sed 3 runtime.lua
bad flag | --set without = | 2 | soma run: --set: expected KEY=VALUE, got '=3' | nodir | run --out @O@ runtime.lua --set =3
bad flag | --set without a value | 2 | soma run: --set needs a value | nodir | run --out @O@ runtime.lua --set
bad flag | --set twice | 2 | soma run: --set n given twice | nodir | run --out @O@ params.lua --set n=1 --set n=2
bad flag | two scripts | 2 | soma run: one script at a time (got 'runtime.lua' and 'params.lua') | nodir | run --out @O@ runtime.lua params.lua
bad flag | unknown command | 2 | soma: unknown command 'frobnicate'; see 'soma --help' | - | frobnicate
bad flag | sweep grid without values | 2 | soma sweep: --grid g: expected KEY=V1,V2,... (e.g. --grid g=4,5,6) | nodir | sweep params.lua --grid g --out @O@
bad flag | sweep jobs 0 | 2 | soma sweep: --jobs: expected a whole number from 1 to 1024, got '0' | nodir | sweep params.lua --grid n=1,2 --jobs 0 --out @O@
bad flag | sweep seed twice | 2 | soma sweep: --seed-list 1,1: the seed 1 is given twice | nodir | sweep params.lua --seed-list 1,1 --out @O@
bad flag | sweep shard | 2 | soma sweep: --shard 3/2: K must be in 1..N | nodir | sweep params.lua --grid n=1,2 --shard 3/2 --out @O@
bad flag | misspelled bench network | 2 | soma bench: unknown network 'cob' (did you mean 'coba'?); networks: coba, | - | bench cob
bad flag | demo time | 2 | soma demo: --time: expected a number from 0.001 to 100000, got '-1' | nodir | demo --out @O@ --time -1
blow-up | a learning rule diverges | 1 | stdp_blowup.lua:7: net:run: projection 'src->post' (stdp): the weight from 'src' neuron 0 to 'post' neuron 0 became inf by t = 100 ms: the learning rule diverged, so the run stopped. Check its parameters (learning rates, w_max) | meta | run --out @O@ stdp_blowup.lua
blow-up | a neuron model diverges | 1 | adex_blowup.lua:4: net:run: population 'fast_w' (adex): | meta | run --out @O@ adex_blowup.lua
blow-up | an input that overflows | 1 | huge_weight.lua:5: net:run: population 'target' (lif): I_syn_ex of neuron 0 became inf by t = 100 ms: the integration diverged | meta | run --out @O@ huge_weight.lua
blow-up | a modulator that overflows | 1 | mod_overflow.lua:4: mod:add: modulator 'dopamine': adding 1e+308 to its phasic part (1e+308) overflows | meta | run --out @O@ mod_overflow.lua
TABLE
}

sha_keep=$(cat "$S/keep/"* | sha256sum)
# the files of a run directory: meta.json says error with the message; every .npy loads
files_ok() {   # DIR MESSAGE
  $PY - "$1" "$2" <<'EOF'
import glob, json, os, sys
import numpy as np
d, msg = sys.argv[1], sys.argv[2]
m = json.load(open(os.path.join(d, "meta.json")))
assert m["status"] == "error", "status " + m["status"]
first = msg.split(" (")[0] if "soma run: " in msg else msg
first = first.replace("soma run: ", "")
assert first in (m["error"] or ""), "meta.json error: %r, expected %r" % (m["error"], first)
for f in glob.glob(os.path.join(d, "**", "*.npy"), recursive=True):
    np.load(f)
for f in ("results.json",):
    p = os.path.join(d, f)
    if os.path.exists(p):
        json.load(open(p))
left = glob.glob(os.path.join(d, "**", "*.tmp"), recursive=True)
assert not left, "half-written files left: %r" % left
EOF
}

n_rows=0
table | while IFS='|' read -r class name status msg check args; do
  class=$(echo $class) name=$(echo $name) status=$(echo $status) check=$(echo $check)
  msg=$(printf '%s' "$msg" | sed 's/^ //; s/ $//')
  if [ "$check" = ro ] && [ -z "$RO" ]; then ok "$class: $name (skipped: cannot mount a read-only tmpfs here)"; continue; fi
  O=$R/$(echo "$name" | tr ' /' '__')
  # without a small filesystem, a file size limit stands in for it (writes fail with EFBIG)
  nospace="No space left on device" full=$FULL limit=
  if [ "$check" = full ] && [ -z "$FULL" ]; then nospace="File too large" full=$R/limited limit=128; fi
  args=$(printf '%s' "$args" | sed "s|@O@|$O|g; s|@RO@|$RO|g; s|@FULL@|$full|g")
  msg=$(printf '%s' "$msg" | sed "s|@O@|$O|g; s|@RO@|$RO|g; s|@FULL@|$full|g; s|@NOSPACE@|$nospace|g")
  # shellcheck disable=SC2086
  if [ -n "$limit" ]; then
    mkdir -p "$full"
    out=$(sh -c 'trap "" XFSZ; ulimit -f '$limit'; exec "$@"' sh "$SOMA" $args 2>&1)
  else
    out=$("$SOMA" $args 2>&1)
  fi
  rc=$?
  why=""
  [ "$rc" = "$status" ] || why="exit $rc, expected $status"
  printf '%s' "$out" | grep -qF -- "$msg" || why="$why; no '$msg'"
  if printf '%s' "$out" | grep -qE 'Sanitizer|Segmentation|core dumped|Aborted|\(null\)'; then why="$why; crashed"; fi
  case $check in
    meta) [ -n "$why" ] || err=$(files_ok "$O" "$msg" 2>&1) || why="files: $(echo "$err" | tail -1)" ;;
    full) [ -n "$why" ] || err=$(files_ok "$full/run" "$msg" 2>&1) || why="files: $(echo "$err" | tail -1)"
          rm -rf "$full/run" ;;
    nodir) [ ! -e "$O" ] || why="$why; $O was created" ;;
    nodir-meta) # a bad --set: the run directory exists (the script ran until params) with status error
          [ -n "$why" ] || err=$(files_ok "$O" "${msg#soma run: }" 2>&1) || why="files: $(echo "$err" | tail -1)" ;;
    keep) [ "$(cat "$S/keep/"* | sha256sum)" = "$sha_keep" ] && [ "$(ls "$S/keep")" = meta.json ] || why="$why; keep/ changed" ;;
    ro) [ ! -e "$RO/run" ] || why="$why; created on a read-only filesystem" ;;
  esac
  if [ -z "$why" ]; then ok "$class: $name"
  else not_ok "$class: $name" "$why; output: $(printf '%s' "$out" | head -3)"; fi
done >"$tmp/results"
cat "$tmp/results"
passed=$(grep -c '^ok - ' "$tmp/results")
failed=$(grep -c '^not ok - ' "$tmp/results")
classes=$(grep -E '^(ok|not ok) - ' "$tmp/results" | sed 's/^[a-z ]*- //; s/:.*//' | sort -u | wc -l)
echo "  $((passed + failed)) bad inputs in $classes classes"
done_tests
