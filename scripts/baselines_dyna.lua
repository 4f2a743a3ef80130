-- baselines_dyna.lua — NON-SPIKING baselines on the Dyna maze (Sutton & Barto 2018, Example
-- 8.1, Fig. 8.2): a random walk, tabular Q-learning, and Dyna-Q with n = 5 and n = 50
-- planning steps (alpha 0.1, gamma 0.95, epsilon 0.1), each for params.seeds seeds of
-- params.episodes episodes. These are reference points for the spiking agents, not spiking
-- agents themselves.
--
-- Logs the steps of every episode (agent, seed, episode, steps, reward), draws
-- baselines_dyna.png (steps per episode, mean over seeds, from episode 2 as in Fig. 8.2) and
-- reports in results.json, per agent, episodes_to_optimum (mean and sd over seeds): the first
-- episode k from which episodes k..k+4 take on average at most 1.5 x the shortest path (21
-- steps for 14). With epsilon = 0.1 the steps settle near 17, not 14, so a run counts as
-- settled when its curve flattens as the book's do; a run that never settles counts as
-- episodes + 1. The book: about 25 episodes for n = 0, 5 for n = 5, 3 for n = 50.
--   soma run scripts/baselines_dyna.lua                    (10 seeds x 50 episodes, a second)
--   soma run scripts/baselines_dyna.lua --set seeds=30
params = {
  seeds = 10,        -- runs per agent
  episodes = 50,     -- episodes per run
  quick = false,     -- 2 seeds, 15 episodes, for the tests
}
local seeds = params.quick and 2 or params.seeds
local episodes = params.quick and 15 or params.episodes
local window, slack = 5, 1.5   -- settled: 5 episodes averaging <= 1.5 x the shortest path

local env = soma.env.grid{ name = "dyna", map = "maps/dyna_maze.txt" }
local _, info = env:reset()
local shortest = info.dist_to_goal   -- 14

local agents = {
  { name = "random walk", key = "random_walk", color = "grey",
    make = function(seed) return soma.agent.random_walk{ env = env, seed = seed } end },
  { name = "Q-learning (Dyna-Q n = 0)", key = "qlearning", color = "blue",
    make = function(seed) return soma.agent.qlearning{ env = env, seed = seed } end },
  { name = "Dyna-Q n = 5", key = "dynaq_5", color = "green",
    make = function(seed) return soma.agent.dynaq{ env = env, planning = 5, seed = seed } end },
  { name = "Dyna-Q n = 50", key = "dynaq_50", color = "red",
    make = function(seed) return soma.agent.dynaq{ env = env, planning = 50, seed = seed } end },
}

local stats = require "lib.stats"
local mean_sd = stats.mean_sd
local function settled(steps) return stats.settled(steps, window, slack * shortest) end

-- ---- the runs ------------------------------------------------------------------------------
local results, runs_done = {}, 0
for _, a in ipairs(agents) do
  a.curve, a.settle = {}, {}
  for k = 1, episodes do a.curve[k] = 0 end
  for s = 1, seeds do
    local agent = a.make(soma.seed * 1000 + s)
    local steps = {}
    for k = 1, episodes do
      local ep = agent:episode{ max_steps = 100000 }
      steps[k] = ep.steps
      a.curve[k] = a.curve[k] + ep.steps / seeds
      soma.log{ agent = a.key, seed = s, episode = k, steps = ep.steps, reward = ep.reward }
    end
    a.settle[s] = settled(steps)
    runs_done = runs_done + 1
    soma.progress(runs_done, seeds * #agents, "runs")
  end
  local m, sd = mean_sd(a.settle)
  local never = 0
  for _, k in ipairs(a.settle) do if k > episodes then never = never + 1 end end
  results[a.key] = { label = a.name, episodes_to_optimum = { mean = m, sd = sd }, never_settled = never,
                     mean_steps_per_episode = (mean_sd(a.curve)), last_episode_steps = a.curve[episodes] }
  print(string.format("%-26s episodes to optimum %5.1f +- %4.1f   steps in episode %d: %.1f",
                      a.name, m, sd, episodes, a.curve[episodes]))
end

soma.result{
  agents = results, seeds = seeds, episodes = episodes, shortest_path = shortest,
  settled_when = string.format("the first episode k from which episodes k..k+%d take on average at most "
                               .. "%g x %d steps; a run that never settles counts as %d", window - 1, slack,
                               shortest, episodes + 1),
  book = "Sutton & Barto 2018 Fig. 8.2: about 25 (n = 0), 5 (n = 5), 3 (n = 50)",
  note = "non-spiking baselines (tabular), reference points for the spiking agents",
}

-- ---- the figure ----------------------------------------------------------------------------
-- From episode 2: the first is alike for all (the goal found by chance). The random walk
-- learns nothing: its line is its mean over all its episodes.
local walk = results.random_walk.mean_steps_per_episode
local top = math.max(800, 200 * math.ceil(walk / 200 + 0.5))
local g = soma.figure{ width = 900, height = 600 }
local ax = g:axes{ x = 90, y = 60, w = 780, h = 440, xlim = { 2, episodes }, ylim = { 0, top },
                   xlabel = "episode", ylabel = "steps per episode",
                   title = string.format("Dyna maze: NON-SPIKING baselines, mean of %d seeds (cf. Sutton & Barto Fig. 8.2)", seeds) }
ax:line({ 2, episodes }, { shortest, shortest }, { color = "lightgrey" })
local xs = {}
for k = 2, episodes do xs[#xs + 1] = k end
for i, a in ipairs(agents) do
  local r, ys, label = results[a.key], {}, nil
  if a.key == "random_walk" then
    for _ = 2, episodes do ys[#ys + 1] = walk end
    label = string.format("%s: never settles (%.0f steps per episode)", a.name, walk)
  else
    for k = 2, episodes do ys[#ys + 1] = a.curve[k] end
    label = string.format("%s: settles after %.1f +- %.1f episodes", a.name,
                          r.episodes_to_optimum.mean, r.episodes_to_optimum.sd)
  end
  ax:line(xs, ys, { color = a.color })
  local y = 60 + 440 * 0.35 + 22 * i
  g:rect(400, y + 6, 18, 4, { color = a.color })
  g:text(425, y, label, { size = 13 })
end
g:text(90, 560, string.format("light grey: the shortest path (%d steps); with epsilon = 0.1 the settled agents "
                              .. "take about %d", shortest, math.floor(shortest * 1.2 + 0.5)), { size = 12 })
g:save("baselines_dyna.png")
