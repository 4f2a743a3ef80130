#!/bin/sh
# test_env_run.sh — an environment in a headless run: behaviour.npy and its columns in
# meta.json, the snapshots of the world every N episodes and summary.png, all decoded with
# the expected dimensions; a spiking agent's spikes and replay log in its folder; and a map
# shipped in maps/ found from another directory.
. "$(dirname "$0")/sh_harness.sh"
PNG="$(cd "$(dirname "$0")" && pwd)"
SOMA_ABS="$(cd "$(dirname "$SOMA")" && pwd)/$(basename "$SOMA")"

cat >"$tmp/reach.lua" <<'LUA'
params = { episodes = 6 }
local env = soma.env.reach{ record = true, snapshot_every = 3 }
local net = soma.net{}
local E = net:pop{ name = "E", model = "lif", n = 20, I_e = soma.uniform(400, 600) }
net:record(E, "spikes")
function episode(k)
  local obs = env:reset()
  local steps, total, over = 0, 0, false
  repeat
    local o, r, term, trunc = env:step{ 6 * (obs[5] - obs[1]) - 0.5 * obs[3], 6 * (obs[6] - obs[2]) - 0.5 * obs[4] }
    obs, steps, total, over = o, steps + 1, total + r, term or trunc
    net:run(10)
  until over
  soma.log{ episode = k, steps = steps, reward = total }
end
LUA
if $SOMA run --quiet --out "$tmp/r" "$tmp/reach.lua" >"$tmp/r.out" 2>&1 &&
   $PY - "$tmp/r" "$PNG" <<'EOF'; then ok "behaviour.npy, snapshots and summary.png"; else not_ok "headless outputs" "$(head -5 "$tmp/r.out")"; fi
import json, sys
import numpy as np
sys.path.insert(0, sys.argv[2]); import png_pixels
d = sys.argv[1]
meta = json.load(open(d + "/meta.json"))
env = meta["environments"][0]
assert env["world"] == "reach" and env["file"] == "behaviour.npy" and env["episodes"] == 6, env
b = np.load(d + "/behaviour.npy")
assert b.shape == (env["rows"], len(env["columns"])), (b.shape, env)
cols = env["columns"]
assert cols[:3] == ["episode", "step", "t_ms"] and "target" in cols and "angular_error" in cols
assert sorted(set(b[:, 0])) == [1, 2, 3, 4, 5, 6]
# the rows are in time order next to the spikes: t_ms grows with the network
assert np.all(np.diff(b[:, 2]) >= 0) and b[-1, 2] > 0
# one row at each reset (step 0), then one per step
assert np.sum(b[:, 1] == 0) == 6
for name, w, h in [("env-episode-3.png", 480, 480), ("env-episode-6.png", 480, 480), ("summary.png", 1200, 700)]:
    rows = png_pixels.read(d + "/" + name)
    assert len(rows) == h and len(rows[0]) == w, (name, len(rows), len(rows[0]))
    assert len(set(p for r in rows[::7] for p in r[::7])) > 3, name + " is blank"
EOF

# a spiking agent's recorded spikes and replays go into its folder, and meta.json lists it
cat >"$tmp/agent.lua" <<'LUA'
local env = soma.env.grid{ map = "maps/tmaze.txt", max_steps = 60 }
local agent = soma.agent.actor_critic{ env = env, input = "x,y", replay = true, replay_gain = 20,
  step_reward = -0.3, name = "rat", record = { "critic", "actors" },
  encoder = { kind = "place", nx = 9, ny = 7, x_hi = 8, y_hi = 6, sigma = 0.6 } }
for k = 1, 8 do agent:episode{} end
LUA
if $SOMA run --quiet --out "$tmp/a" "$tmp/agent.lua" >"$tmp/a.out" 2>&1 &&
   $PY - "$tmp/a" <<'EOF'; then ok "an agent's spikes and replays in its folder"; else not_ok "agent outputs" "$(head -5 "$tmp/a.out")"; fi
import json, sys
import numpy as np
d = sys.argv[1]
agents = json.load(open(d + "/meta.json"))["agents"]
assert len(agents) == 1 and agents[0]["name"] == "rat" and agents[0]["folder"] == "rat", agents
assert agents[0]["episodes"] == 8 and agents[0]["replays"] > 0
r = np.load(d + "/rat/replays.npy")
assert r.shape == (agents[0]["replays"], 4) and set(r[:, 3]) == {2}   # reverse replays
assert np.all(np.diff(r[:, 0]) > 0)                                    # in time order
t = np.load(d + "/rat/critic.spike_t.npy")
assert len(t) > 0 and t.max() <= agents[0]["time_ms"]
for a in range(4):
    np.load(d + "/rat/actor%d.spike_i.npy" % a)
EOF

# a script run from elsewhere finds the maps shipped next to bin/soma
mkdir -p "$tmp/elsewhere"
printf 'local env = soma.env.grid{ map = "maps/dyna_maze.txt" }\nenv:reset()\nsoma.result{ n = env.obs_space.n }\n' >"$tmp/elsewhere/map.lua"
if (cd "$tmp/elsewhere" && $SOMA_ABS run --quiet --out "$tmp/m" map.lua >"$tmp/m.out" 2>&1); then
  ok "maps/ is found next to soma from another directory"
else not_ok "maps from elsewhere" "$(head -3 "$tmp/m.out")"; fi
printf 'soma.env.grid{ map = "maps/no_such_map.txt" }\n' >"$tmp/nomap.lua"
expect "a missing map names the file" 1 "maps/no_such_map.txt" $SOMA run --quiet --out "$tmp/nm" "$tmp/nomap.lua"
done_tests
