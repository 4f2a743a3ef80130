-- dyna_maze.lua — Sutton & Barto's Dyna maze (Example 8.1, 6 x 9, shortest path 14) with the
-- spiking actor-critic learning by discrete TD (each transition re-presented after the step,
-- its TD error read from the critic's spikes) and 0, 5 or 50 planning replays of stored
-- transitions per real step (prioritized by |TD error|), beside NON-SPIKING Dyna-Q with 0, 5
-- and 50 planning steps; the spiking agent with continuous TD, with and without sleep replay
-- (reverse replay of the loop-erased rewarded path after each reward); then the changing
-- worlds: the blocking maze (the wall moves at step 1000) and the shortcut maze (a shortcut
-- opens at step 3000), cumulative reward.
--   soma run scripts/dyna_maze.lua                    (5 seeds, 40 episodes; about 10 minutes)
-- Episodes to the optimum: the first episode from which 5 in a row average at most 1.5 x 14
-- steps (a run that never gets there counts episodes + 1). results.json:
-- episodes_to_optimum {replay_0, replay_5, replay_50} for the spiking agent, continuous
-- {no_replay, sleep} for its continuous-TD form, baselines.dynaq {replay_0, replay_5,
-- replay_50} (means, *_sd beside), and blocking / shortcut: the cumulative reward of the
-- spiking agent (5 replays per step) and of Dyna-Q (n = 5) at the end.
params = {
  seeds = 5,
  episodes = 40,
  quick = false,      -- 1 seed, 8 episodes, short changing worlds, for the tests
}
local stats = require "lib.stats"
local quick = params.quick
local seeds = quick and 1 or params.seeds
local episodes = quick and 8 or params.episodes
local shortest, window, slack = 14, 5, 1.5

-- continuous TD, with or without sleep replay
local function spiking(env, seed, replay)
  return soma.agent.actor_critic{ env = env, input = "x,y", seed = seed, replay = replay,
    replay_gain = 20, step_reward = -0.3,
    encoder = { kind = "place", nx = 9, ny = 6, x_hi = 8, y_hi = 5, sigma = 0.6 } }
end

-- discrete TD with `plan` replays per real step
local function planning(env, seed, plan)
  return soma.agent.actor_critic{ env = env, input = "x,y", seed = seed, td = "discrete",
    plan = plan, critic_noise_hz = 4000, w_critic = 25, w_max = 200, step_reward = -0.03,
    encoder = { kind = "place", nx = 9, ny = 6, x_hi = 8, y_hi = 5, sigma = 0.6, r_max = 300 } }
end

local kinds = {
  { key = "replay_0", make = function(env, s) return planning(env, s, 0) end },
  { key = "replay_5", make = function(env, s) return planning(env, s, 5) end },
  { key = "replay_50", make = function(env, s) return planning(env, s, 50) end },
  { key = "continuous", make = function(env, s) return spiking(env, s, false) end },
  { key = "sleep", make = function(env, s) return spiking(env, s, true) end },
  { key = "dynaq_0", make = function(env, s) return soma.agent.qlearning{ env = env, seed = s } end },
  { key = "dynaq_5", make = function(env, s) return soma.agent.dynaq{ env = env, seed = s, planning = 5 } end },
  { key = "dynaq_50", make = function(env, s) return soma.agent.dynaq{ env = env, seed = s, planning = 50 } end },
}

local settle, curves = {}, {}
for _, kind in ipairs(kinds) do
  settle[kind.key], curves[kind.key] = {}, {}
  for s = 1, seeds do
    local env = soma.env.grid{ name = kind.key .. s, map = "maps/dyna_maze.txt", max_steps = 2000 }
    local agent = kind.make(env, soma.seed * 1000 + s)
    local steps = {}
    for k = 1, episodes do
      steps[k] = agent:episode{}.steps
      soma.log{ agent = kind.key, seed = s, episode = k, steps = steps[k] }
    end
    settle[kind.key][s] = stats.settled(steps, window, slack * shortest)
    curves[kind.key][s] = steps
    soma.progress(s, seeds, kind.key)
  end
end

local function summary(keys)
  local out = {}
  for name, key in pairs(keys) do
    out[name], out[name .. "_sd"] = stats.mean_sd(settle[key])
  end
  return out
end

-- changing worlds: cumulative reward over a fixed number of steps, the map switching midway
local function changing(name, map, after, change_at, total, make)
  local rewards = {}
  for s = 1, seeds do
    local env = soma.env.grid{ name = name .. s, map = map, map_after = after,
                               change_at = change_at, max_steps = total }
    local agent = make(env, soma.seed * 1000 + s)
    local steps, reward = 0, 0
    while steps < total do
      local ep = agent:episode{ max_steps = total - steps }
      steps, reward = steps + ep.steps, reward + ep.reward
    end
    rewards[s] = reward
  end
  return stats.mean_sd(rewards)
end

local result = { episodes_to_optimum = summary{ replay_0 = "replay_0", replay_5 = "replay_5", replay_50 = "replay_50" },
                 continuous = { episodes_to_optimum = summary{ no_replay = "continuous", sleep = "sleep" } },
                 baselines = { dynaq = { episodes_to_optimum = summary{ replay_0 = "dynaq_0", replay_5 = "dynaq_5",
                                                                        replay_50 = "dynaq_50" } } },
                 seeds = seeds, episodes = episodes,
                 criterion = "the first episode from which 5 in a row average <= 21 steps (1.5 x 14)" }
local worlds = {
  blocking = { "maps/dyna_blocking.txt", "maps/dyna_blocking_after.txt", quick and 300 or 1000, quick and 600 or 3000 },
  shortcut = { "maps/dyna_shortcut.txt", "maps/dyna_shortcut_after.txt", quick and 300 or 3000, quick and 600 or 6000 },
}
for name, w in pairs(worlds) do
  local spk, spk_sd = changing(name .. "_spiking", w[1], w[2], w[3], w[4], function(env, s) return planning(env, s, 5) end)
  local dq, dq_sd = changing(name .. "_dynaq", w[1], w[2], w[3], w[4], function(env, s) return soma.agent.dynaq{ env = env, seed = s } end)
  result[name] = { change_at = w[3], steps = w[4], spiking_reward = spk, spiking_reward_sd = spk_sd,
                   dynaq_reward = dq, dynaq_reward_sd = dq_sd }
end
soma.result(result)
local e = result.episodes_to_optimum
local c = result.continuous.episodes_to_optimum
local b = result.baselines.dynaq.episodes_to_optimum
print(string.format("episodes to the optimum: spiking %.1f, %.1f, %.1f (0, 5, 50 replays per step); continuous TD %.1f, with sleep replay %.1f; Dyna-Q (non-spiking) %.1f, %.1f, %.1f (n = 0, 5, 50)",
                    e.replay_0, e.replay_5, e.replay_50, c.no_replay, c.sleep, b.replay_0, b.replay_5, b.replay_50))
print(string.format("blocking: reward %.1f (spiking) %.1f (Dyna-Q); shortcut: %.1f and %.1f", result.blocking.spiking_reward,
                    result.blocking.dynaq_reward, result.shortcut.spiking_reward, result.shortcut.dynaq_reward))

local g = soma.figure{ width = 900, height = 540 }
local ax = g:axes{ x = 90, y = 50, w = 770, h = 370, xlim = { 2, episodes }, ylim = { 0, 200 },
                   xlabel = "episode", ylabel = "steps (mean over seeds)",
                   title = "Dyna maze: steps per episode (red: the optimum, 14)" }
local colours = { replay_0 = "orange", replay_5 = "green", replay_50 = "blue", continuous = "cyan", sleep = "purple",
                  dynaq_0 = "lightgrey", dynaq_5 = "grey", dynaq_50 = "black" }
for key, per_seed in pairs(curves) do
  local xs, ys = {}, {}
  for k = 2, episodes do
    local m = 0
    for s = 1, seeds do m = m + per_seed[s][k] / seeds end
    xs[#xs + 1], ys[#ys + 1] = k, math.min(m, 200)
  end
  ax:line(xs, ys, { color = colours[key] })
end
ax:line({ 2, episodes }, { shortest, shortest }, { color = "red" })
local legend = { { "replay_0", "spiking, 0 replays/step" }, { "replay_5", "spiking, 5" }, { "replay_50", "spiking, 50" },
                 { "continuous", "continuous TD" }, { "sleep", "continuous TD + sleep replay" },
                 { "dynaq_0", "Q-learning (non-spiking)" }, { "dynaq_5", "Dyna-Q n = 5" }, { "dynaq_50", "Dyna-Q n = 50" } }
for i, l in ipairs(legend) do
  local x, y = 90 + ((i - 1) % 4) * 200, 475 + math.floor((i - 1) / 4) * 22
  g:rect(x, y + 4, 14, 6, { color = colours[l[1]] })
  g:text(x + 20, y, l[2], { size = 12 })
end
g:save("dyna_maze.png")
