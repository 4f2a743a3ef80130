-- test_actor_critic.lua — the spiking actor-critic from Lua: it learns a two-armed bandit
-- through its synapses, records its steps, steps the environment as env:step does, and its
-- mistakes get messages.
local H = require "harness"

local function bandit() return soma.env.bandit{ arms = 2, p = { 0.9, 0.1 }, trials = 1 } end
local constant = { kind = "ratecode", group = 100, code = "monotone", lo = -1, hi = 1, r_max = 40 }

H.test("it learns the better arm of a bandit", function()
  local env = bandit()
  local agent = soma.agent.actor_critic{ env = env, input = "context", encoder = constant, seed = 5 }
  H.equal(tostring(agent), "soma spiking agent 'actor_critic' (2 actions)", "tostring")
  H.check(agent.spiking and agent.kind == "actor_critic", "kind")
  H.equal(agent.neurons, 100 + 50 + 2 * 20, "neurons: input, critic, two actor populations")
  local late = 0
  for k = 1, 100 do
    local ep = agent:episode{ record = true }
    H.equal(ep.steps, 1, "one pull per episode")
    if k > 60 and ep.actions[1] == 0 then late = late + 1 end
  end
  H.check(late >= 34, "the better arm in " .. late .. " of the last 40 trials")
  H.equal(env.episode, 100, "the environment counted the agent's episodes")
  H.equal(agent.episodes, 100, "episodes")
  H.check(agent.t > 0 and agent.spikes > 0, "the network ran")
end)

H.test("a recorded episode lists actions, rewards, values and dopamine", function()
  local env = soma.env.grid{ map = "maps/tmaze.txt", max_steps = 5 }
  local agent = soma.agent.actor_critic{ env = env, input = "x,y",
    encoder = { kind = "place", nx = 9, ny = 7, x_hi = 8, y_hi = 6, sigma = 0.8 } }
  local ep = agent:episode{ record = true }
  H.equal(ep.steps, 5, "truncated at max_steps")
  H.check(ep.truncated and not ep.terminated, "truncated")
  for _, k in ipairs{ "actions", "rewards", "values", "dopamine" } do H.equal(#ep[k], 5, k) end
  agent:learning(false)
  agent:exploration{ temperature = 1, epsilon = 0.1 }
  H.equal(agent:episode{ max_steps = 3 }.steps, 3, "a capped episode")
end)

H.test("replay after a rewarded episode, logged", function()
  local env = soma.env.grid{ map = "maps/tmaze.txt", max_steps = 60 }
  local agent = soma.agent.actor_critic{ env = env, input = "x,y", replay = true, replay_gain = 20,
    step_reward = -0.3, encoder = { kind = "place", nx = 9, ny = 7, x_hi = 8, y_hi = 6, sigma = 0.6 } }
  local replayed, rewarded = 0, 0
  for k = 1, 12 do
    local ep = agent:episode{}
    replayed = replayed + ep.replayed
    if ep.reward > 0 then rewarded = rewarded + 1 else H.equal(ep.replayed, 0, "no reward, no replay") end
  end
  H.check(rewarded > 0 and replayed > 0, "rewarded " .. rewarded .. ", replayed " .. replayed)
  local log = agent:replays()
  H.equal(#log, replayed, "every replayed state is logged")
  H.equal(log[1].kind, "reverse", "kind")
  H.check(log[1].t_ms > 0 and log[1].episode >= 1 and log[1].step >= 1, "when and what")
  -- the loop-erased path: at most one replay per cell, from the reward backwards
  H.check(log[1].step > log[2].step, "backwards")
end)

H.test("discrete TD with planning replays, and the critic's value", function()
  local env = soma.env.grid{ map = "maps/tmaze.txt", max_steps = 40 }
  local agent = soma.agent.actor_critic{ env = env, input = "x,y", td = "discrete", plan = 3,
    prioritized = false, critic_noise_hz = 4000, w_critic = 25, step_reward = -0.03,
    encoder = { kind = "place", nx = 9, ny = 7, x_hi = 8, y_hi = 6, sigma = 0.6, r_max = 300 } }
  local ep = agent:episode{}
  H.equal(ep.planned, 3 * ep.steps, "3 planning replays per step")
  H.check(ep.td_abs > 0, "mean |TD error| " .. ep.td_abs)
  local log = agent:replays()
  H.equal(#log, ep.planned, "each planning replay is logged")
  H.equal(log[1].kind, "uniform", "drawn uniformly")
  local v = agent:value{ 4, 4 }
  H.check(v >= 0 and v < 5, "a value: " .. v)
end)

H.test("the dopamine, sampled every 5 ms", function()
  local agent = soma.agent.actor_critic{ env = bandit(), input = "context", encoder = constant, seed = 2 }
  H.check(agent:episode{}.da == nil, "no trace unless asked")
  agent:trace_dopamine(5)
  local ep = agent:episode{}
  H.equal(#ep.da, 120, "600 ms of a trial in 5 ms samples")
  H.equal(#ep.da_t, #ep.da, "a time per sample")
  H.near(ep.da_t[2] - ep.da_t[1], 5, 1e-9, "every 5 ms")
  H.errors(function() agent:trace_dopamine(-1) end, "agent:trace_dopamine", "must be >= 0 ms (got -1)")
end)

local cases = {
  { "planning without discrete TD", function() soma.agent.actor_critic{ env = bandit(), encoder = constant, plan = 5 } end, { "needs td_discrete = 1" } },
  { "an unknown TD", function() soma.agent.actor_critic{ env = bandit(), encoder = constant, td = "monte carlo" } end, { "td must be \"continuous\"", "(got 'monte carlo')" } },
  { "a value of the wrong size", function() soma.agent.actor_critic{ env = bandit(), encoder = constant }:value{ 1, 2, 3 } end, { "agent:value" } },
  { "no encoder", function() soma.agent.actor_critic{ env = bandit() } end, { "soma.agent.actor_critic", "give the encoder as encoder = {kind" } },
  { "an unknown encoder", function() soma.agent.actor_critic{ env = bandit(), encoder = { kind = "grid" } } end, { "encoder kind must be" } },
  { "a bad encoder parameter", function() soma.agent.actor_critic{ env = bandit(), encoder = { kind = "place", sigma = 0 } } end, { "sigma must be > 0" } },
  { "an unknown encoder option", function() soma.agent.actor_critic{ env = bandit(), encoder = { kind = "onehot", size = 3 } } end, { "unknown option 'size'" } },
  { "a continuous world", function() soma.agent.actor_critic{ env = soma.env.reach{}, encoder = constant } end, { "world 'reach' has continuous ones" } },
  { "no world", function() soma.agent.actor_critic{ encoder = constant } end, { "give the world as env =" } },
  { "a bad parameter", function() soma.agent.actor_critic{ env = bandit(), encoder = constant, tau_e = -5 } end, { "tau_e must be > 0" } },
  { "a misspelt parameter", function() soma.agent.actor_critic{ env = bandit(), encoder = constant, lr_actr = 1 } end, { "unknown option 'lr_actr'", "did you mean 'lr_actor'" } },
  { "a bad recording", function() soma.agent.actor_critic{ env = bandit(), encoder = constant, record = { "cortex" } } end, { "record: 'cortex' is not one of input, critic, actors" } },
  { "a bad agent name", function() soma.agent.actor_critic{ env = bandit(), encoder = constant, name = "a b" } end, { "name must be 1 to 63 letters" } },
  { "a missing latent", function() soma.agent.actor_critic{ env = bandit(), encoder = constant, input = "x" }:episode() end, { "agent:episode", "world 'bandit' has no latent 'x'" } },
}
for _, c in ipairs(cases) do
  H.test(c[1], function()
    local msg = H.errors(c[2], table.unpack(c[3]))
    if msg then H.check(msg:find("test_actor_critic.lua:%d+:"), "no script location in: " .. msg) end
  end)
end

H.done()
