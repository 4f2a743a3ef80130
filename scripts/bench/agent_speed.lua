-- agent_speed.lua — how fast a spiking agent of about 2,000 neurons runs, headless, one core:
-- the actor-critic with 1,849 place cells (43 x 43) on the Dyna maze, learning with replay,
-- for a few episodes; reports simulated seconds per wall second (results.json: speedup).
--   soma run scripts/bench/agent_speed.lua --threads 1
params = {
  episodes = 3,        -- episodes of up to 200 steps (100 ms each)
  nx = 43,             -- place cells per side
  learn_every = 5,     -- ms between TD-LTP weight updates (the agent's default)
  quick = false,       -- one short episode, for the tests
}
local env = soma.env.grid{ map = "maps/dyna_maze.txt", max_steps = params.quick and 20 or 200 }
local agent = soma.agent.actor_critic{ env = env, input = "x,y", replay = true, replay_gain = 20,
  step_reward = -0.3, learn_every = params.learn_every,
  encoder = { kind = "place", nx = params.nx, ny = params.nx, x_hi = 8, y_hi = 5, sigma = 0.3 } }
local t0 = soma.clock()
for k = 1, params.quick and 1 or params.episodes do
  agent:episode{}
  soma.progress(k, params.episodes, "episodes")
end
local wall = soma.clock() - t0
local speedup = agent.t / 1000 / wall
print(string.format("%d neurons, %d synapses: %.1f s simulated in %.2f s, %.1fx faster than real time",
                    agent.neurons, agent.synapses, agent.t / 1000, wall, speedup))
soma.result{ neurons = agent.neurons, synapses = agent.synapses, simulated_s = agent.t / 1000,
             wall_s = wall, speedup = speedup, threads = soma.threads }
