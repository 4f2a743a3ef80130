#!/bin/sh
# test_run.sh — `soma run` as a user runs it: usage and help, --set typing and its errors,
# syntax and runtime errors with file:line and a traceback, the run directory (meta.json,
# results.json/.csv, recordings numpy reads), the callbacks, progress lines, and Ctrl-C
# (SIGINT/SIGTERM) stopping a run with everything simulated so far written.
. "$(dirname "$0")/sh_harness.sh"
S=$tmp/scripts
mkdir -p "$S/lib"

expect "soma --help lists run" 0 "run       run a Lua experiment script" $SOMA --help
expect "run --help" 0 "--set KEY=VAL" $SOMA run --help
expect "run without a script prints usage" 2 "usage: soma run SCRIPT.lua" $SOMA run
expect "misspelt option" 2 "unknown option '--sed' (did you mean '--seed'?)" $SOMA run --sed 1 x.lua
expect "missing script" 2 "cannot open nope.lua: No such file" $SOMA run nope.lua
expect "--set without =" 2 "--set: expected KEY=VALUE, got 'n'" $SOMA run --set n x.lua

cat >"$S/params.lua" <<'LUA'
params = { n = 10, rate = 2.5, fast = false, label = "base", quick = false }
assert(math.type(params.n) == "integer", "n stays an integer")
assert(math.type(params.rate) == "float", "rate stays a float")
soma.result{ n = params.n, rate = params.rate, fast = params.fast, label = params.label,
             seed = soma.seed, threads = soma.threads }
LUA
if $SOMA run --quiet --out "$tmp/p" --seed 42 --threads 2 --set n=20 --set rate=3 --set fast=true \
     --set label=x,y "$S/params.lua" && $PY - "$tmp/p" <<'EOF'; then ok "--set keeps types; meta.json records params, seed, threads"; else not_ok "--set typing"; fi
import json, sys
d = sys.argv[1]
r = json.load(open(d + "/results.json"))["result"]
assert r == {"n": 20, "rate": 3, "fast": True, "label": "x,y", "seed": 42, "threads": 2}, r
m = json.load(open(d + "/meta.json"))
assert m["params"]["n"] == 20 and m["set"] == ["n=20", "rate=3", "fast=true", "label=x,y"], m
assert m["status"] == "ok" and m["seed"] == 42 and len(m["script_sha256"]) == 64, m
for k in ("soma_version", "git_revision", "started", "ended", "wall_s", "networks", "script", "dt_ms", "headless", "argv"):
    assert k in m, k
EOF
expect "unknown --set key lists the parameters" 2 "soma run: --set rat=3: the script has no parameter 'rat' (did you mean 'rate'?); its parameters: fast, label, n, quick, rate" \
  $SOMA run --quiet --out "$tmp/p2" --set rat=3 "$S/params.lua"
expect "--set of the wrong type" 2 "--set n=many: params.n is a number (default 10), and 'many' is not" \
  $SOMA run --quiet --out "$tmp/p3" --set n=many "$S/params.lua"
printf 'params = { n = 0, m = 1.5 }\nassert(params.n == 2.5 and math.type(params.m) == "float" and params.m == 2)\n' >"$S/fraction.lua"
expect "--set of a fraction for a whole default" 0 "wrote" $SOMA run --out "$tmp/p4" --set n=2.5 --set m=2 "$S/fraction.lua"
expect "--set of a boolean" 2 "params.fast is true or false, and 'maybe' is neither" \
  $SOMA run --quiet --out "$tmp/p5" --set fast=maybe "$S/params.lua"
echo 'local x = 1' >"$S/noparams.lua"
expect "--set for a script without params" 2 "--set n=1: the script assigns no global params table" \
  $SOMA run --quiet --out "$tmp/p6" --set n=1 "$S/noparams.lua"

printf 'local net = soma.net{}\nlocal x = = 2\n' >"$S/syntax.lua"
expect "syntax error names file and line" 1 "syntax.lua:2: unexpected symbol near '='" \
  $SOMA run --quiet --out "$tmp/e1" "$S/syntax.lua"
cat >"$S/runtime.lua" <<'LUA'
local function build(net)
  return net:pop{ name = "E", model = "lif", n = 10, tua_m = 5 }
end
local net = soma.net{}
build(net)
LUA
$SOMA run --quiet --out "$tmp/e2" "$S/runtime.lua" >"$tmp/e2.out" 2>&1
rc=$?
if [ "$rc" = 1 ] && grep -qF "runtime.lua:2: net:pop: population 'E': unknown parameter 'tua_m' of model 'lif' (did you mean 'tau_m'?)" "$tmp/e2.out" &&
   grep -qF "stack traceback:" "$tmp/e2.out" && grep -qF "runtime.lua:5: in main chunk" "$tmp/e2.out" &&
   $PY -c "import json,sys; m=json.load(open('$tmp/e2/meta.json')); assert m['status']=='error' and 'tua_m' in m['error'], m" 2>/dev/null
then ok "runtime error: file:line, traceback, exit 1, meta.json status error"
else not_ok "runtime error" "exit $rc: $(head -3 "$tmp/e2.out")"; fi
mkdir -p "$tmp/full" && touch "$tmp/full/x"
expect "a run directory is never overwritten" 1 "already exists and is not empty" $SOMA run --quiet --out "$tmp/full" "$S/noparams.lua"

printf 'local n = soma.net{}\nlocal p = n:pop{ name = "E", model = "lif", n = 2 }\nn:record(p, "V_m")\nn:run(5)\nos.exit(3)\nprint("not reached")\n' >"$S/exit.lua"
$SOMA run --quiet --out "$tmp/ex" "$S/exit.lua" >"$tmp/ex.out" 2>&1
rc=$?
if [ "$rc" = 3 ] && ! grep -q "not reached" "$tmp/ex.out" && [ -f "$tmp/ex/E.V_m.npy" ] &&
   grep -q '"status": "error", "error": "the script called os.exit(3)"' "$tmp/ex/meta.json"
then ok "os.exit(3) ends the script, keeps its data, exits 3"; else not_ok "os.exit" "exit $rc: $(cat "$tmp/ex.out")"; fi

# results keep a snapshot of arrays (views die with their network); params that JSON cannot
# hold leave meta.json valid; NaN in the CSV; networks listed in the order they were made
cat >"$S/values.lua" <<'LUA'
params = { n = 3, f = function() end }
local a = soma.net{ name = "first" }
local b = soma.net{ name = "second" }
local p = b:pop{ name = "S", model = "spike_source", n = 3 }
p:add_spikes({ 0, 2 }, { 1, 2 })
local r = b:record(p, "spikes")
b:run(5)
a:pop{ name = "A", model = "lif", n = 1 }
soma.result{ ids = r:ids() }
b:destroy()
soma.log{ x = 0 / 0 }
LUA
$SOMA run --quiet --out "$tmp/v" "$S/values.lua" >"$tmp/v.out" 2>&1
rc=$?
if [ "$rc" = 0 ] && $PY - "$tmp/v" <<'EOF'; then ok "array results are snapshots; odd params keep meta.json valid; nan in CSV; networks in order"; else not_ok "result snapshots" "exit $rc: $(head -3 "$tmp/v.out")"; fi
import json, sys
d = sys.argv[1]
r = json.load(open(d + "/results.json"))
assert r["result"]["ids"] == [0, 2], r
m = json.load(open(d + "/meta.json"))
assert m["params"] is None and [n["name"] for n in m["networks"]] == ["first", "second"], m
assert open(d + "/results.csv").read() == "x\nnan\n"
EOF

# require next to the script; callbacks in order; results.csv; a second network's folder
cat >"$S/lib/util.lua" <<'LUA'
return { double = function(x) return 2 * x end }
LUA
cat >"$S/callbacks.lua" <<'LUA'
local util = require "lib.util"
params = { episodes = 5, stop_after = 3 }
local order = {}
local net, pop, rec
function setup()
  order[#order + 1] = "setup"
  net = soma.net{}
  pop = net:pop{ name = "E", model = "lif", n = 4, I_e = 500 }
  rec = net:record(pop, "spikes")
  local second = soma.net{}
  local p2 = second:pop{ name = "F", model = "lif", n = 2 }
  second:record(p2, "V_m")
  second:run(5)
end
function episode(k)
  order[#order + 1] = "episode" .. k
  net:run(100)
  soma.log{ episode = k, spikes = rec.count, doubled = util.double(k) }
  if k == params.stop_after then return false end
end
function finish(status)
  order[#order + 1] = "finish:" .. status
  soma.result{ order = table.concat(order, " ") }
end
LUA
if $SOMA run --quiet --out "$tmp/cb" "$S/callbacks.lua" && $PY - "$tmp/cb" <<'EOF'; then ok "require, setup/episode/finish, results.csv, recordings per network"; else not_ok "callbacks"; fi
import csv, json, sys, numpy as np
d = sys.argv[1]
r = json.load(open(d + "/results.json"))
assert r["result"]["order"] == "setup episode1 episode2 episode3 finish:ok", r
assert [row["doubled"] for row in r["log"]] == [2, 4, 6], r
rows = list(csv.DictReader(open(d + "/results.csv")))
assert [row["episode"] for row in rows] == ["1", "2", "3"] and list(rows[0]) == ["doubled", "episode", "spikes"], rows
t = np.load(d + "/E.spike_t.npy")
assert len(t) > 40 and t.max() <= 300, t
assert np.load(d + "/net2/F.V_m.npy").shape == (50, 2)
m = json.load(open(d + "/meta.json"))
assert [n["folder"] for n in m["networks"]] == [".", "net2"], m["networks"]
assert m["networks"][0]["description"]["populations"][0]["name"] == "E"
EOF

cat >"$S/step.lua" <<'LUA'
params = { duration = 50, step_ms = 10 }
local net = soma.net{}
net:pop{ name = "E", model = "lif", n = 1 }
local calls = {}
function step(t) calls[#calls + 1] = t end
function finish() soma.result{ calls = calls, t = net.t } end
LUA
if $SOMA run --quiet --out "$tmp/st" "$S/step.lua" && $PY -c "
import json; r = json.load(open('$tmp/st/results.json'))['result']
assert r == {'calls': [10, 20, 30, 40, 50], 't': 50}, r"; then ok "step(t) every step_ms until duration"
else not_ok "step callback"; fi
printf 'params = {}\nfunction episode() end\n' >"$S/noep.lua"
expect "episode without params.episodes" 1 "the script defines episode(k), so the script needs params.episodes" \
  $SOMA run --quiet --out "$tmp/ne" "$S/noep.lua"

# progress: plain lines when stderr is not a terminal; --quiet silences everything
cat >"$S/long.lua" <<'LUA'
params = { ms = 400 }
local net = soma.net{ chunk = 10 }
local e = net:pop{ name = "E", model = "lif", n = 2000, I_e = 400 }
net:connect(e, e, { rule = "fixed_indegree", k = 50, weight = 1 })
net:record(e, "spikes", { stream = params.ms > 10000 })
net:record(e, "V_m", { ids = { 0, 1 }, interval = 1 })
net:run(params.ms)
LUA
SOMA_PROGRESS_INTERVAL=0 $SOMA run --out "$tmp/pr" "$S/long.lua" >"$tmp/pr.out" 2>"$tmp/pr.err"
if grep -q "^progress: t = .* s, run [0-9]*%, .*x real time, ETA" "$tmp/pr.err" && grep -qF "wrote $tmp/pr/" "$tmp/pr.out"
then ok "progress lines when not on a terminal"; else not_ok "progress lines" "$(head -3 "$tmp/pr.err")"; fi
out=$($SOMA run --quiet --out "$tmp/q" "$S/noparams.lua" 2>&1)
if [ -z "$out" ]; then ok "--quiet prints nothing"; else not_ok "--quiet" "$out"; fi

# Ctrl-C: the run stops at a chunk boundary; recordings (memory and streamed) and meta.json
# are written, status "interrupted", exit 128 + signal
interrupt() {  # NAME SIGNAL STATUS SETTINGS...
  name=$1 sig=$2 want=$3
  shift 3
  $SOMA run --quiet --out "$tmp/$name" "$@" "$S/long.lua" >"$tmp/$name.out" 2>&1 &
  pid=$!
  sleep 2
  kill -"$sig" $pid
  wait $pid
  rc=$?
  if [ "$rc" = "$want" ] && $PY - "$tmp/$name" <<'EOF'; then ok "SIG$sig stops the run and keeps its data"; else not_ok "SIG$sig" "exit $rc: $(head -3 "$tmp/$name.out")"; fi
import json, sys, numpy as np
d = sys.argv[1]
m = json.load(open(d + "/meta.json"))
assert m["status"] == "interrupted", m["status"]
t_end = m["networks"][0]["description"]["time_ms"]
assert 0 < t_end < 1e6, t_end
t = np.load(d + "/E.spike_t.npy"); i = np.load(d + "/E.spike_i.npy")
assert len(t) == len(i) > 0 and t.max() <= t_end + 1e-9, (len(t), t.max(), t_end)
assert m["networks"][0]["description"]["populations"][0]["spikes"] == len(t)
v = np.load(d + "/E.V_m.npy")
assert abs(v.shape[0] - t_end) <= 1, (v.shape, t_end)
EOF
}
interrupt int INT 130 --set ms=1000000
interrupt term TERM 143 --set ms=1000000
printf 'while true do end\n' >"$S/loop.lua"
$SOMA run --quiet --out "$tmp/loop" "$S/loop.lua" >/dev/null 2>&1 &
pid=$!
sleep 1
kill -INT $pid
wait $pid
rc=$?
if [ "$rc" = 130 ] && grep -q '"status": "interrupted"' "$tmp/loop/meta.json"; then ok "Ctrl-C stops a busy Lua loop"
else not_ok "Ctrl-C in Lua code" "exit $rc"; fi

done_tests
