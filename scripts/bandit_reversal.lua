-- bandit_reversal.lua — serial reversals of a two-armed bandit (p = 0.8 and 0.2) with the
-- spiking actor-critic (continuous TD: the critic's TD error and the rewards are its dopamine,
-- TD-LTP on its input synapses), and, beside it, NON-SPIKING tabular Q-learning. Each trial is
-- one pull: a cue (the input population switches on) for one decision window, the pull, the
-- reward, then silence. Once the agent chooses the better arm in `hits` of the last 10 trials
-- (the criterion), it plays `extra` more trials and the arms swap, `reversals` times.
-- The dopamine is sampled every 5 ms: its response to the cue (mean over the decision window
-- above the level before the trial) grows as the critic learns to predict the reward, and its
-- response to the reward (mean over the 100 ms after a rewarded pull, against the 50 ms before
-- it) shrinks, and turns into a dip as the critic's value falls when the cue goes off: the
-- shift of Schultz, Dayan & Montague 1997.
--   soma run scripts/bandit_reversal.lua                  (5 seeds, 4 reversals; about 1 min)
-- results.json: trials_to_criterion_per_reversal (first learning, then each reversal; means
-- over seeds, a phase never reaching criterion counts max_trials) with *_sd beside it;
-- da_peak_shift: the first trial from which the cue response (mean over seeds, 5-trial
-- average) exceeds the reward response; da_cue and da_reward per trial of the first phase
-- (means over seeds, as far as every seed played it); baselines.qlearning likewise.
params = {
  seeds = 5,
  reversals = 4,
  max_trials = 150,    -- per phase
  hits = 8,            -- criterion: the better arm in this many of the last 10 trials
  extra = 20,          -- trials played after the criterion, before the swap
  da_trials = 80,      -- first-phase trials whose dopamine responses are reported
  quick = false,       -- 1 seed, 1 reversal, 40 trials per phase, for the tests
}
local stats = require "lib.stats"
local quick = params.quick
local seeds = quick and 1 or params.seeds
local reversals = quick and 1 or params.reversals
local max_trials = quick and 40 or params.max_trials
local da_trials = math.min(params.da_trials, max_trials)
local probs = { { 0.8, 0.2 }, { 0.2, 0.8 } }
local cue = { kind = "ratecode", group = 100, code = "monotone", lo = -1, hi = 1, r_max = 40 }

-- the mean dopamine over (a, b] ms after t0 in a trial's trace
local function mean_da(ep, a, b, t0)
  local s, n = 0, 0
  for i, t in ipairs(ep.da_t) do
    local r = t - t0
    if r > a and r <= b then s, n = s + ep.da[i], n + 1 end
  end
  return n > 0 and s / n or 0
end

local kinds = {
  { key = "spiking", make = function(env, seed)
      local a = soma.agent.actor_critic{ env = env, input = "context", seed = seed, w_critic = 5, encoder = cue }
      a:trace_dopamine(5)
      return a
    end },
  { key = "qlearning", make = function(env, seed) return soma.agent.qlearning{ env = env, seed = seed } end },
}

-- one agent through the protocol: trials to criterion per phase, and the first phase's
-- dopamine responses (spiking agents only)
local function protocol(kind, seed)
  local env = soma.env.bandit{ name = kind.key .. seed, arms = 2, p = probs[1], trials = 1 }
  local agent = kind.make(env, seed)
  local per_phase, da_cue, da_reward = {}, {}, {}   -- da_reward: rewarded trials only
  local before = 0   -- the dopamine level at the end of the previous trial
  for phase = 1, reversals + 1 do
    local best = phase % 2 == 1 and 0 or 1
    env:set{ p = probs[2 - phase % 2] }
    local recent, reached = {}, nil
    local k = 0
    while k < max_trials + (reached and params.extra or 0) do
      k = k + 1
      local ep = agent:episode{ record = true }
      recent[#recent + 1] = ep.actions[1] == best and 1 or 0
      if #recent > 10 then table.remove(recent, 1) end
      local hits = 0
      for _, h in ipairs(recent) do hits = hits + h end
      if not reached and #recent == 10 and hits >= params.hits then reached = k end
      if reached and k >= reached + params.extra then break end
      if ep.da_t then
        local t0 = ep.da_t[1] - 5
        if phase == 1 and k <= da_trials then
          da_cue[k] = mean_da(ep, 0, 100, t0) - before
          if ep.reward > 0 then da_reward[k] = mean_da(ep, 100, 200, t0) - mean_da(ep, 50, 100, t0) end
        end
        before = mean_da(ep, 500, 600, t0)
      end
      soma.log{ agent = kind.key, seed = seed, phase = phase, trial = k, choice = ep.actions[1], reward = ep.reward }
    end
    per_phase[phase] = reached or max_trials
  end
  return per_phase, da_cue, da_reward
end

local result = { seeds = seeds, criterion = string.format(
  "the better arm in %d of the last 10 trials; arms swap %d trials later", params.hits, params.extra) }
local curves = {}
for _, kind in ipairs(kinds) do
  local phases, cues, rewards = {}, {}, {}
  for s = 1, seeds do
    local p, c, r = protocol(kind, soma.seed * 1000 + s)
    phases[s], cues[s], rewards[s] = p, c, r
    soma.progress(s, seeds, kind.key)
  end
  local per, per_sd = {}, {}
  for phase = 1, reversals + 1 do
    local xs = {}
    for s = 1, seeds do xs[s] = phases[s][phase] end
    per[phase], per_sd[phase] = stats.mean_sd(xs)
  end
  curves[kind.key] = per
  local out = { trials_to_criterion_per_reversal = per, trials_to_criterion_per_reversal_sd = per_sd }
  if kind.key == "spiking" then
    local n = da_trials   -- the trials of the first phase every seed played
    for s = 1, seeds do n = math.min(n, #cues[s]) end
    local dc, dr = {}, {}
    for k = 1, n do
      local c, r, m = 0, 0, 0
      for s = 1, seeds do
        c = c + cues[s][k] / seeds
        if rewards[s][k] then r, m = r + rewards[s][k], m + 1 end
      end
      dc[k], dr[k] = c, m > 0 and r / m or (dr[k - 1] or 0)   -- no rewarded seed: the last value
    end
    out.da_cue, out.da_reward = dc, dr
    -- the first trial from which the 5-trial average of the cue response exceeds the reward's
    for k = 1, n - 4 do
      local c, r = 0, 0
      for j = k, k + 4 do c, r = c + dc[j], r + dr[j] end
      if c > r then out.da_peak_shift = k break end
    end
    for key, v in pairs(out) do result[key] = v end
  else
    result.baselines = { qlearning = out }
  end
end
soma.result(result)
local function list(xs) local t = {} for i, x in ipairs(xs) do t[i] = string.format("%.1f", x) end return table.concat(t, ", ") end
print("trials to criterion, spiking: " .. list(result.trials_to_criterion_per_reversal) ..
      "; Q-learning (non-spiking): " .. list(result.baselines.qlearning.trials_to_criterion_per_reversal))
print(string.format("dopamine: the cue response overtakes the reward response at trial %s",
                    tostring(result.da_peak_shift)))

local g = soma.figure{ width = 900, height = 420 }
local a1 = g:axes{ x = 70, y = 50, w = 340, h = 300, xlim = { 0.5, reversals + 1.5 }, ylim = { 0, max_trials },
                   xlabel = "phase (1: first learning)", ylabel = "trials to criterion",
                   title = "spiking (blue) vs Q-learning (grey)" }
local xs = {}
for phase = 1, reversals + 1 do xs[phase] = phase end
a1:line(xs, curves.qlearning, { color = "grey" })
a1:line(xs, curves.spiking, { color = "blue" })
a1:points(xs, curves.spiking, { color = "blue" })
local n_da = #result.da_cue
local lo, hi = 0, 0
for k = 1, n_da do lo, hi = math.min(lo, result.da_cue[k], result.da_reward[k]), math.max(hi, result.da_cue[k], result.da_reward[k]) end
local a2 = g:axes{ x = 500, y = 50, w = 360, h = 300, xlim = { 1, n_da }, ylim = { lo, hi + 0.1 },
                   xlabel = "trial (first phase)", ylabel = "dopamine response",
                   title = "cue (blue) and reward (orange) responses" }
local ts = {}
for k = 1, n_da do ts[k] = k end
a2:line(ts, result.da_cue, { color = "blue" })
a2:line(ts, result.da_reward, { color = "orange" })
g:save("bandit_reversal.png")
