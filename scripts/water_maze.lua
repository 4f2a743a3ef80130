-- water_maze.lua — the Morris water maze with a spiking actor-critic (after Foster, Morris &
-- Dayan 2000, Vasilaki et al. 2009, Frémaux et al. 2013): place cells over the pool, one actor
-- population per compass direction (8), TD-LTP, reverse replay of the rewarded path. A hidden
-- platform in the NE quadrant, four start points (N, E, S, W, drawn per trial); after
-- `trials` trials the platform moves to the SW quadrant for as many more. Reported: escape
-- latency per trial (s), trials to criterion before and after the move, with the same agent
-- without replay as the ablation.
--   soma run scripts/water_maze.lua                   (5 seeds with and without replay)
--   soma run scripts/water_maze.lua --window          (watch the swimmer)
-- Criterion: the first trial from which the next 5 average at most `criterion_s` seconds
-- (the straight swims take 2.3 to 5.5 s from the four starts at 0.3 m/s); a phase that never
-- gets there counts `trials` + 1. results.json: trials_to_criterion, relearn_trials (means over
-- seeds, *_sd beside them), latency_s (mean per trial), and the same under no_replay.
params = {
  seeds = 5,            -- agents per condition
  trials = 40,          -- before the move, and after it
  criterion_s = 15,     -- mean latency of 5 trials
  quick = false,        -- 1 seed, 6 trials per phase, for the tests
}
local seeds = params.quick and 1 or params.seeds
local trials = params.quick and 6 or params.trials
local dt = 0.5                      -- s per step: 15 cm at 0.3 m/s
local max_steps = 120               -- 60 s, then the trial ends (as a rat is put on the platform)

local function agent_for(env, seed, replay)
  return soma.agent.actor_critic{ env = env, input = "x,y", seed = seed, replay = replay,
    replay_gain = 20, step_reward = -0.3,
    encoder = { kind = "place", nx = 11, ny = 11, x_lo = -1, x_hi = 1, y_lo = -1, y_hi = 1, sigma = 0.25 } }
end

-- the first trial of a phase from which 5 trials average at most the criterion, or n + 1
local function to_criterion(lat, from, n)
  return require("lib.stats").settled(table.move(lat, from, from + n - 1, 1, {}), 5, params.criterion_s)
end

local mean_sd = require("lib.stats").mean_sd

local function condition(replay)
  local learn, relearn, curves = {}, {}, {}
  for s = 1, seeds do
    local env = soma.env.watermaze{ name = (replay and "replay" or "no_replay") .. s, actions = "discrete8",
                                    dt = dt, max_steps = max_steps, snapshot_every = (s == 1 and replay) and trials or 0 }
    local agent = agent_for(env, soma.seed * 1000 + s, replay)
    local lat = {}
    for k = 1, 2 * trials do
      if k == trials + 1 then env:set{ platform = { -0.5, -0.5 } } end
      local ep = agent:episode{}
      lat[k] = ep.steps * dt
      soma.log{ condition = replay and "replay" or "no_replay", seed = s, trial = k, latency_s = lat[k] }
    end
    learn[s], relearn[s], curves[s] = to_criterion(lat, 1, trials), to_criterion(lat, trials + 1, trials), lat
    soma.progress(s, seeds, (replay and "" or "ablation ") .. "agents")
  end
  local r = {}
  r.trials_to_criterion, r.trials_to_criterion_sd = mean_sd(learn)
  r.relearn_trials, r.relearn_trials_sd = mean_sd(relearn)
  r.latency_s = {}
  for k = 1, 2 * trials do
    local xs = {}
    for s = 1, seeds do xs[s] = curves[s][k] end
    r.latency_s[k] = mean_sd(xs)
  end
  r.seeds = seeds
  return r
end

local with, without = condition(true), condition(false)
local result = with
result.no_replay = without
result.criterion = string.format("5 trials in a row averaging <= %g s latency; the platform moves after trial %d",
                                 params.criterion_s, trials)
soma.result(result)
print(string.format("with replay: %.1f trials to criterion, %.1f after the move; without: %.1f and %.1f",
                    with.trials_to_criterion, with.relearn_trials, without.trials_to_criterion, without.relearn_trials))

local g = soma.figure{ width = 900, height = 500 }
local ax = g:axes{ x = 80, y = 50, w = 780, h = 370, xlim = { 0, 2 * trials + 1 }, ylim = { 0, max_steps * dt },
                   xlabel = "trial (the platform moves after trial " .. trials .. ")", ylabel = "escape latency (s)",
                   title = "water maze: with replay (blue), without (grey); mean over " .. seeds .. " agents" }
local xs = {}
for k = 1, 2 * trials do xs[k] = k end
ax:line(xs, without.latency_s, { color = "grey" })
ax:line(xs, with.latency_s, { color = "blue" })
ax:line({ trials + 0.5, trials + 0.5 }, { 0, max_steps * dt }, { color = "red" })
g:save("water_maze.png")
