-- tmaze_reversal.lua — serial reversal learning in a T-maze: the water is at the end of the
-- left arm; once the agent reaches it in `run` trials in a row within `limit` steps (the
-- criterion), it moves to the other arm, and so on for `reversals` reversals. Reported: the
-- trials to criterion of the first learning and after each reversal (which fall across
-- reversals in animals), for the spiking actor-critic (place cells, TD-LTP, reverse replay of
-- the rewarded path) and, beside it, NON-SPIKING tabular Q-learning under the same protocol.
--   soma run scripts/tmaze_reversal.lua                    (5 seeds, 4 reversals)
--   soma run scripts/tmaze_reversal.lua --set seeds=10
-- results.json: trials_to_criterion_per_reversal (list: first learning, then each reversal;
-- means over seeds, a phase not reaching criterion counts max_trials), with *_sd beside it,
-- seeds, and the same under baselines.qlearning.
params = {
  seeds = 5,           -- agents per kind
  reversals = 4,       -- goal moves after the first learning
  max_trials = 60,     -- per phase
  run = 3,             -- criterion: this many rewarded trials in a row ...
  limit = 12,          -- ... each within this many steps (the shortest path is 7)
  max_steps = 60,      -- per trial
  quick = false,       -- 1 seed, 1 reversal, for the tests
}
local seeds = params.quick and 1 or params.seeds
local reversals = params.quick and 1 or params.reversals
local goals = { { 1, 1 }, { 7, 1 } }   -- the ends of the left and right arms

local kinds = {
  { key = "spiking", label = "spiking actor-critic with replay", colour = "blue",
    make = function(env, seed)
      return soma.agent.actor_critic{ env = env, input = "x,y", seed = seed, replay = true,
        replay_gain = 20, step_reward = -0.3,
        encoder = { kind = "place", nx = 9, ny = 7, x_hi = 8, y_hi = 6, sigma = 0.6 } }
    end },
  { key = "qlearning", label = "Q-learning (non-spiking)", colour = "grey",
    make = function(env, seed) return soma.agent.qlearning{ env = env, seed = seed } end },
}

-- trials to criterion in each phase for one agent
local function protocol(kind, seed)
  local env = soma.env.grid{ name = kind.key .. seed, map = "maps/tmaze.txt", max_steps = params.max_steps }
  local agent = kind.make(env, seed)
  local per_phase = {}
  for phase = 0, reversals do
    env:set{ goal = goals[phase % 2 + 1] }
    local streak, trials = 0, 0
    while trials < params.max_trials and streak < params.run do
      local ep = agent:episode{}
      trials = trials + 1
      streak = (ep.reward > 0 and ep.steps <= params.limit) and streak + 1 or 0
      soma.log{ agent = kind.key, seed = seed, phase = phase, trial = trials, steps = ep.steps,
                reward = ep.reward }
    end
    per_phase[#per_phase + 1] = trials
  end
  return per_phase
end

local mean_sd = require("lib.stats").mean_sd

local summary = {}
for _, kind in ipairs(kinds) do
  local runs = {}
  for s = 1, seeds do
    runs[s] = protocol(kind, soma.seed * 1000 + s)
    soma.progress(s, seeds, kind.key .. " agents")
  end
  local means, sds = {}, {}
  for p = 1, reversals + 1 do
    local xs = {}
    for s = 1, seeds do xs[s] = runs[s][p] end
    means[p], sds[p] = mean_sd(xs)
  end
  summary[kind.key] = { trials_to_criterion_per_reversal = means,
                        trials_to_criterion_per_reversal_sd = sds, seeds = seeds, runs = runs }
  print(string.format("%-34s trials to criterion: %s", kind.label,
                      table.concat((function() local t = {} for p = 1, #means do t[p] = string.format("%.1f", means[p]) end return t end)(), ", ")))
end

local result = summary.spiking
result.baselines = { qlearning = summary.qlearning }
result.criterion = string.format("%d rewarded trials in a row within %d steps (shortest path 7); "
                                 .. "a phase stops after %d trials", params.run, params.limit, params.max_trials)
soma.result(result)

local g = soma.figure{ width = 800, height = 500 }
local top = params.max_trials
local ax = g:axes{ x = 80, y = 50, w = 680, h = 370, xlim = { -0.3, reversals + 0.3 }, ylim = { 0, top },
                   xlabel = "phase (0: first learning, then each reversal)", ylabel = "trials to criterion",
                   title = "T-maze serial reversals: spiking (blue) and Q-learning (grey), mean +- sd" }
for _, kind in ipairs(kinds) do
  local s, xs = summary[kind.key], {}
  for p = 1, reversals + 1 do
    xs[p] = p - 1
    local m, sd = s.trials_to_criterion_per_reversal[p], s.trials_to_criterion_per_reversal_sd[p]
    ax:line({ p - 1, p - 1 }, { math.max(0, m - sd), m + sd }, { color = kind.colour })
  end
  ax:line(xs, s.trials_to_criterion_per_reversal, { color = kind.colour })
  ax:points(xs, s.trials_to_criterion_per_reversal, { color = kind.colour, size = 7 })
end
g:save("tmaze_reversal.png")
