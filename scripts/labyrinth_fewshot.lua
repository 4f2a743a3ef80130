-- labyrinth_fewshot.lua — few-shot learning in the binary-tree labyrinth of Rosenberg et al.
-- 2021 (eLife 10:e66175): 63 T-junctions, 64 end nodes, water at end node 116, entered from a
-- home area. Each episode is one run from home until the agent drinks (or max_steps). A run is
-- direct when it never enters a node off the path to the water (the 6 binary choices all
-- right). Mice need about 10 rewards to run directly. Reported, over `seeds` agents each:
--   rewards_to_criterion: rewards drunk before the first window of 10 runs of which >= 80 %
--     are direct (null when never, in `episodes` runs)
--   direct_fraction_after_10_rewards: the fraction of direct runs among runs 11-20
-- for the spiking actor-critic (place cells over the maze, TD-LTP, reverse replay of the
-- rewarded path: in a tree its loop-erased path is the direct path), the same agent without
-- replay (the ablation, a few runs only: each is a long random search), and NON-SPIKING
-- Q-learning and Dyna-Q (n = 5) on the same maze and protocol.
--   soma run scripts/labyrinth_fewshot.lua                 (3 seeds per agent, about 8 min)
--   soma run scripts/labyrinth_fewshot.lua --set seeds=10  (the full comparison, about 25 min)
--   soma run scripts/labyrinth_fewshot.lua --set demo=true  (the demo: one spiking agent, 20
--                                                       runs, its steps in behaviour.npy, snapshots)
--   soma run scripts/labyrinth_fewshot.lua --set demo=true --window   (watch it learn)
params = {
  seeds = 3,             -- agents per kind
  episodes = 20,         -- runs per agent (spiking and tabular)
  ablation_episodes = 3, -- runs per agent without replay ...
  ablation_max_steps = 10000,   -- ... of at most this many steps (a random search: slow)
  max_steps = 60000,     -- per run
  demo = false,          -- one spiking agent with replay, recorded, with snapshots (make demo)
  quick = false,         -- 1 seed, 3 runs from a start near the water, for the tests
}
local quick, demo = params.quick, params.demo
local seeds = (quick or demo) and 1 or params.seeds
local episodes = quick and 3 or params.episodes

-- the nodes on the way to the water: node k's parent is (k - 1) // 2
local WATER = 116
local on_path = {}
do
  local k = WATER
  while k >= 0 do
    on_path[k] = true
    if k == 0 then break end
    k = (k - 1) // 2
  end
end

local function labyrinth(name, max_steps)
  local env = soma.env.grid{ name = name, map = "maps/labyrinth.txt", max_steps = max_steps or params.max_steps,
                             record = demo, snapshot_every = demo and 4 or 0 }
  if quick then env:set{ start = { 31, 17 } } end   -- a few cells from the water
  return env
end

local kinds = {
  { key = "spiking", label = "spiking actor-critic with replay",
    make = function(env, seed)
      return soma.agent.actor_critic{ env = env, input = "x,y", seed = seed, replay = true,
        replay_gain = 20, replay_gamma = 0.98, step_reward = -0.3,
        encoder = { kind = "place", nx = 37, ny = 31, x_hi = 36, y_hi = 30, sigma = 0.6 } }
    end },
  { key = "no_replay", label = "spiking actor-critic without replay", episodes = params.ablation_episodes,
    max_steps = params.ablation_max_steps,
    make = function(env, seed)
      return soma.agent.actor_critic{ env = env, input = "x,y", seed = seed, replay = false,
        step_reward = -0.3, encoder = { kind = "place", nx = 37, ny = 31, x_hi = 36, y_hi = 30, sigma = 0.6 } }
    end },
  { key = "qlearning", label = "Q-learning (non-spiking)",
    make = function(env, seed) return soma.agent.qlearning{ env = env, seed = seed } end },
  { key = "dynaq", label = "Dyna-Q n = 5 (non-spiking)",
    make = function(env, seed) return soma.agent.dynaq{ env = env, seed = seed, planning = 5 } end },
}

-- one agent's runs: rewards, whether each run was direct, steps
local function runs(kind, seed)
  local env = labyrinth(kind.key .. seed, kind.max_steps)
  local agent = kind.make(env, seed)
  local n = quick and episodes or (kind.episodes or episodes)
  local out = { direct = {}, rewarded = {}, steps = {} }
  for k = 1, n do
    local ep = agent:episode{ latents = { "node" } }
    local direct = ep.reward > 0
    for _, node in ipairs(ep.node) do
      if node == node and not on_path[math.floor(node)] then direct = false break end   -- NaN: home
    end
    out.direct[k], out.rewarded[k], out.steps[k] = direct, ep.reward > 0, ep.steps
    soma.log{ agent = kind.key, seed = seed, run = k, steps = ep.steps, reward = ep.reward,
              direct = direct and 1 or 0, replayed = ep.replayed or 0 }
  end
  return out
end

-- rewards before the first window of 10 runs (or the runs left) with >= 80 % direct
local function rewards_to_criterion(r)
  local rewards = 0
  for k = 1, #r.direct do
    local window, direct = 0, 0
    for j = k, math.min(#r.direct, k + 9) do
      window, direct = window + 1, direct + (r.direct[j] and 1 or 0)
    end
    if window >= math.min(10, #r.direct) and direct >= 0.8 * window then return rewards end
    if r.rewarded[k] then rewards = rewards + 1 end
  end
  return nil
end

local function direct_after_10(r)
  local rewards, n, direct = 0, 0, 0
  for k = 1, #r.direct do
    if rewards >= 10 and n < 10 then n, direct = n + 1, direct + (r.direct[k] and 1 or 0) end
    if r.rewarded[k] then rewards = rewards + 1 end
  end
  return n > 0 and direct / n or nil
end

local mean_sd = require("lib.stats").mean_sd

if demo then kinds = { kinds[1] } end
soma.view{ curve = "steps" }
local results, curves = {}, {}
for _, kind in ipairs(kinds) do
  local rtc, daf, never = {}, {}, 0
  curves[kind.key] = {}
  for s = 1, seeds do
    local r = runs(kind, soma.seed * 1000 + s)
    local c = rewards_to_criterion(r)
    if c then rtc[#rtc + 1] = c else never = never + 1 end
    local d = direct_after_10(r)
    if d then daf[#daf + 1] = d end
    curves[kind.key][s] = r.steps
    soma.progress(s, seeds, kind.key .. " agents")
  end
  local res = { seeds = seeds, never_reached = never }
  res.rewards_to_criterion, res.rewards_to_criterion_sd = mean_sd(rtc)
  res.direct_fraction_after_10_rewards, res.direct_fraction_after_10_rewards_sd = mean_sd(daf)
  results[kind.key] = res
  print(string.format("%-38s rewards to criterion %s (never: %d of %d), direct after 10 rewards %s", kind.label,
                      res.rewards_to_criterion and string.format("%.1f +- %.1f", res.rewards_to_criterion, res.rewards_to_criterion_sd) or "-",
                      never, seeds,
                      res.direct_fraction_after_10_rewards and string.format("%.2f", res.direct_fraction_after_10_rewards) or "-"))
end

local result = results.spiking
result.no_replay = results.no_replay
result.baselines = not demo and { qlearning = results.qlearning, dynaq = results.dynaq } or nil
result.criterion = "rewards drunk before the first 10 runs of which >= 80 % are direct (no node off "
                   .. "the path to the water); means over the seeds that got there"
soma.result(result)

-- steps per run (log scale), every agent
local g = soma.figure{ width = 900, height = 500 }
local n = episodes
local ax = g:axes{ x = 90, y = 50, w = 770, h = 370, xlim = { 0.5, n + 0.5 }, ylim = { 1, 5 },
                   xlabel = "run", ylabel = "log10 steps to the water",
                   title = "labyrinth: spiking with replay (blue), without (orange), Q-learning (grey), Dyna-Q (green)" }
local colours = { spiking = "blue", no_replay = "orange", qlearning = "grey", dynaq = "green" }
for key, per_seed in pairs(curves) do
  for _, steps in ipairs(per_seed) do
    local xs, ys = {}, {}
    for k, s in ipairs(steps) do xs[k], ys[k] = k, math.log(s, 10) end
    ax:line(xs, ys, { color = colours[key] })
  end
end
ax:line({ 0.5, n + 0.5 }, { math.log(47, 10), math.log(47, 10) }, { color = "red" })
g:save("labyrinth_fewshot.png")
