-- test_baselines.lua — the non-spiking baseline agents from Lua (soma.agent.random_walk,
-- qlearning, dynaq, dynaq_plus): episodes, step-by-step act/learn, the fields, the same seed
-- giving the same episodes, and the messages for mistakes.
local H = require "harness"

local function maze(opts)
  opts = opts or {}
  opts.map = "maps/dyna_maze.txt"
  return soma.env.grid(opts)
end

H.test("the constructors are in soma.agent and say what they are", function()
  for _, kind in ipairs{ "random_walk", "qlearning", "dynaq", "dynaq_plus" } do
    H.check(type(soma.agent[kind]) == "function", "soma.agent." .. kind)
    local a = soma.agent[kind]{ env = maze() }
    H.equal(a.kind, kind, "kind")
    H.equal(a.spiking, false, "spiking")
    H.equal(tostring(a), "soma baseline agent '" .. kind .. "' (non-spiking)", "tostring")
    H.equal(a.actions, 4, "actions")
    H.equal(a.states, 0, "no state seen yet")
  end
  local d = soma.agent.dynaq{ env = maze(), planning = 50, alpha = 0.2, seed = 3 }
  H.equal(d.planning, 50, "planning")
  H.equal(d.alpha, 0.2, "alpha")
  H.equal(d.gamma, 0.95, "default gamma")
  H.equal(d.epsilon, 0.1, "default epsilon")
  H.equal(d.seed, 3, "seed")
  H.equal(soma.agent.dynaq{ env = maze() }.planning, 5, "default planning")
  H.equal(soma.agent.dynaq_plus{ env = maze() }.kappa, 1e-3, "default kappa")
  H.equal(soma.agent.qlearning{ env = maze() }.planning, 0, "Q-learning plans nothing")
end)

H.test("Dyna-Q learns the Dyna maze through agent:episode", function()
  local env = maze()
  local agent = soma.agent.dynaq{ env = env, planning = 50, seed = 7 }
  local first = agent:episode()
  H.check(first.terminated and not first.truncated, "the first episode reaches the goal")
  H.equal(first.reward, 1, "reward at the goal")
  H.equal(first.episode, 1, "episode count")
  local last
  for _ = 2, 10 do last = agent:episode{ max_steps = 1000 } end
  H.check(last.steps < 30 and last.steps >= 14, "settled near the shortest path (14): " .. last.steps)
  H.check(last.steps < first.steps, "fewer steps than the first episode")
  H.equal(agent.episodes, 10, "episodes")
  H.equal(env.episode, 10, "the environment saw every episode")
  H.check(env.done, "the environment's episode is over")
  H.check(agent.states > 30 and agent.states <= 47, "states seen: " .. agent.states)
  H.check(agent:value{ 0, 2 } > 0, "the start has value after learning")
  local q = agent:q{ 0, 2 }
  H.equal(#q, 4, "one value per action")
  H.near(math.max(q[1], q[2], q[3], q[4]), agent:value{ 0, 2 }, 0, "value = max q")
end)

H.test("record = true gives the actions and rewards of the episode", function()
  local env = maze{ record = true }
  local agent = soma.agent.random_walk{ env = env, seed = 2 }
  local ep = agent:episode{ max_steps = 40, record = true }
  H.equal(#ep.actions, ep.steps, "one action per step")
  H.equal(#ep.rewards, ep.steps, "one reward per step")
  local total = 0
  for i = 1, ep.steps do
    H.check(ep.actions[i] >= 0 and ep.actions[i] <= 3, "action index")
    total = total + ep.rewards[i]
  end
  H.equal(total, ep.reward, "rewards add up")
  H.check(ep.truncated or ep.terminated, "ended")
  H.check(agent:episode().actions == nil, "no record unless asked")
end)

H.test("the same seed gives the same episodes", function()
  local function run(seed)
    local agent = soma.agent.dynaq_plus{ env = maze(), seed = seed }
    local out = {}
    for k = 1, 6 do out[k] = agent:episode().steps end
    return table.concat(out, ",")
  end
  H.equal(run(11), run(11), "same seed")
  H.check(run(11) ~= run(12), "different seeds differ")
end)

H.test("step by step: act and learn as a script's own loop", function()
  local agent = soma.agent.qlearning{ env = maze(), alpha = 0.5, epsilon = 0, seed = 1 }
  local a = agent:act{ 0, 2 }
  H.check(a >= 0 and a <= 3, "an action index")
  H.equal(agent.states, 1, "act notes the state")
  agent:learn({ 7, 1 }, 1, 2.0, { 8, 1 }, true)        -- terminal: Q = 0.5 * 2
  H.near(agent:value{ 7, 1 }, 1.0, 1e-15, "one update")
  agent:learn({ 6, 1 }, 2, 0, { 7, 1 }, false)         -- Q = 0.5 * 0.95 * 1
  H.near(agent:q{ 6, 1 }[3], 0.475, 1e-15, "bootstrapped")
  H.equal(agent:act{ 7, 1 }, 1, "greedy")
  H.equal(agent.steps, 2, "steps learnt from")
  H.equal(agent:value{ 3, 3 }, 0, "unseen: q_init")
end)

H.test("a bandit and a random walk", function()
  local env = soma.env.bandit{ p = { 0.2, 0.8 }, trials = 50 }
  local agent = soma.agent.qlearning{ env = env, gamma = 0, seed = 5 }
  local late = 0
  for k = 1, 30 do
    local ep = agent:episode()
    H.equal(ep.steps, 50, "trials")
    if k > 25 then late = late + ep.reward end
  end
  H.check(late / 250 > 0.6, "prefers the better arm: " .. late / 250)
  H.equal(agent.states, 5, "start + 2 arms x 2 rewards")
  local walk = soma.agent.random_walk{ env = soma.env.grid{ map = "maps/labyrinth.txt" }, seed = 1 }
  local ep = walk:episode{ max_steps = 3000000 }
  H.check(ep.terminated, "the random walk reaches the water")
end)

H.test("mistakes get messages that name the call", function()
  H.errors(function() soma.agent.qlearning{ env = 3 } end, "soma.agent.qlearning",
           "'env' must be an environment made by soma.env.<world>{...}, got integer")
  H.errors(function() soma.agent.dynaq{} end, "soma.agent.dynaq", "env = soma.env.<world>")
  H.errors(function() soma.agent.qlearning{ env = soma.env.reach{} } end, "soma.agent.qlearning:",
           "qlearning needs a world with discrete actions; 'reach' has continuous ones")
  H.errors(function() soma.agent.qlearning{ env = maze(), epsilon = 2 } end,
           "soma.agent.qlearning: epsilon must be in [0, 1] (got 2)")
  H.errors(function() soma.agent.dynaq{ env = maze(), alpha = 0 } end, "soma.agent.dynaq: alpha must be in (0, 1]")
  H.errors(function() soma.agent.dynaq{ env = maze(), planning = -2 } end, "planning must be from 0")
  H.errors(function() soma.agent.dynaq_plus{ env = maze(), kappa = -1 } end, "kappa must be a finite number >= 0")
  H.errors(function() soma.agent.qlearning{ env = maze(), planning = 5 } end, "unknown option 'planning'")
  H.errors(function() soma.agent.dynaq{ env = maze(), kappa = 1 } end, "unknown option 'kappa'")
  H.errors(function() soma.agent.qlearning{ env = maze(), alpah = 0.1 } end, "did you mean 'alpha'?")
  H.errors(function() soma.agent.random_walk{ env = maze(), epsilon = 0.1 } end, "unknown option 'epsilon'")
  H.errors(function() soma.agent.qlearning{ env = maze(), gamma = 0 / 0 } end, "'gamma' must be a finite number")
  H.errors(function() soma.agent.qlearning(maze()) end, "soma.agent.qlearning", "expected a table of options")
  local agent = soma.agent.qlearning{ env = maze() }
  H.errors(function() agent.episode{} end, "agent:episode", "call methods with a colon")
  H.errors(function() agent:episode{ steps = 3 } end, "agent:episode", "unknown option 'steps'")
  H.errors(function() agent:episode{ max_steps = -1 } end, "'max_steps' must be a whole number")
  H.errors(function() agent:act{ 1, 2, 3 } end, "agent:act: the observation has 3 values; this agent's world gives 2")
  H.errors(function() agent:act("north") end, "agent:act")
  H.errors(function() agent:learn({ 0, 0 }, 4, 0, { 0, 1 }, false) end, "agent:learn", "the action must be a whole number from 0 to 3 (got 4)")
  H.errors(function() agent:learn({ 0, 0 }, 1, 0, { 0, 1 }, 1) end, "agent:learn", "terminated (argument 5) must be true or false")
  H.errors(function() agent:learn({ 0, 0 }, 1, 0 / 0, { 0, 1 }) end, "agent:learn", "the reward must be a finite number")
  H.errors(function() return agent.colour end, "baseline agents have no field 'colour'")
  -- the agent steps the environment as env:step does: the environment counts its steps
  local env = maze()
  local walker = soma.agent.random_walk{ env = env }
  local ep = walker:episode{ max_steps = 50 }
  H.equal(env.steps, ep.steps, "the environment's steps")
  H.equal(env.episode, 1, "the environment's episodes")
  local pool = soma.env.watermaze{ actions = "discrete8" }
  local lost = soma.agent.qlearning{ env = pool, max_states = 20 }
  H.errors(function() lost:episode{ max_steps = 500 } end, "agent:episode",
           "more than 20 states seen (max_states)", "discrete in practice")
end)

H.done()
