-- nospikes.lua — a run with behaviour and no spikes, for soma fit's message.
params = { episodes = 1 }
local env = soma.env.bandit{ record = true }
function episode(k)
  env:reset()
  for i = 1, 20 do env:step(i % 2) end
end
