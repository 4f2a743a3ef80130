-- agent.lua — a short recorded run for tests/test_fit.sh: six runs of the recorded agent
-- (recorded_agent.lua), its steps timed on the agent's own clock.
params = { episodes = 6 }
local agent = require("recorded_agent").agent

function episode(k)
  local ep = agent:episode{}
  soma.log{ run = k, steps = ep.steps, reward = ep.reward }
end
