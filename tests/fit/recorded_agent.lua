-- recorded_agent.lua — the spiking actor-critic in the labyrinth, started a few cells from the
-- water, with its input, actor and critic spikes recorded and every step in behaviour.npy:
-- the short real run tests/test_fit.sh and tests/lua/test_joint.lua fit. Returns {env, agent}.
local env = soma.env.grid{ map = "maps/labyrinth.txt", max_steps = 3000, record = true }
env:set{ start = { 31, 17 } }
local agent = soma.agent.actor_critic{ env = env, input = "x,y", seed = 1, replay = true,
  replay_gain = 20, replay_gamma = 0.98, step_reward = -0.3,
  record = { "input", "actors", "critic" },
  encoder = { kind = "place", nx = 37, ny = 31, x_hi = 36, y_hi = 30, sigma = 0.6 } }
return { env = env, agent = agent }
