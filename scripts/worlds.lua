-- worlds.lua — a tour of soma's environments, driven from Lua without any network: each
-- world runs a few episodes under a simple scripted policy (NOT a learning agent: random
-- walks, a proportional controller, epsilon-greedy on the bandit, steering toward the food
-- rays), logs steps and reward per episode, records every step (behaviour.npy per world) and
-- ends with worlds.png, each world drawn with the path of its last episode.
--   soma run scripts/worlds.lua                   (5 episodes per world)
--   soma run scripts/worlds.lua --window          (watch them)
--   soma worlds / soma worlds NAME                (what each world offers)
params = {
  episodes = 5,     -- per world
  quick = false,    -- 2 short episodes, for the tests
}
local episodes = params.quick and 2 or params.episodes
local cap = params.quick and 200 or nil   -- max_steps in quick mode

math.randomseed(soma.seed)
local function random_action(n) return math.random(n) - 1 end

local tour = {
  { title = "labyrinth (Rosenberg 2021): random walk",
    env = soma.env.grid{ name = "labyrinth", map = "maps/labyrinth.txt", record = true, max_steps = cap or 4000 },
    policy = function(env) return random_action(4) end },
  { title = "Dyna maze (Sutton & Barto): random walk",
    env = soma.env.grid{ name = "dyna", map = "maps/dyna_maze.txt", record = true, max_steps = cap or 2000 },
    policy = function(env) return random_action(4) end },
  { title = "water maze: persistent random swim",
    env = soma.env.watermaze{ name = "watermaze", record = true, max_steps = cap or 1200 },
    policy = function(env, obs, state)
      state.angle = (state.angle or math.random() * 2 * math.pi) + (math.random() - 0.5) * 0.8
      return { math.cos(state.angle), math.sin(state.angle) }
    end },
  { title = "foraging arena: steer to the nearest food ray",
    env = soma.env.forage{ name = "forage", record = true, max_steps = cap or 1000 },
    policy = function(env, obs)
      local rays, best, best_ray = env.obs_space.n // 4, 0, nil
      for r = 0, rays - 1 do
        local food = math.max(obs[4 * r + 2], obs[4 * r + 3])
        if food > best then best, best_ray = food, r end
      end
      if not best_ray then return math.random() < 0.3 and 1 or 0 end   -- search: forward, turning now and then
      local middle = (rays - 1) / 2
      if best_ray < middle - 0.5 then return 1 elseif best_ray > middle + 0.5 then return 2 end
      return 0
    end },
  { title = "two-armed bandit: epsilon-greedy",
    env = soma.env.bandit{ name = "bandit", record = true, p = { 0.3, 0.7 }, trials = cap and 50 or 100 },
    policy = function(env, obs, state)
      state.n, state.q = state.n or { 0, 0 }, state.q or { 0, 0 }
      local a = (math.random() < 0.1) and random_action(2) or (state.q[2] > state.q[1] and 1 or 0)
      if state.last then   -- obs: one-hot of the last arm, then its reward
        local i = state.last + 1
        state.n[i] = state.n[i] + 1
        state.q[i] = state.q[i] + (obs[3] - state.q[i]) / state.n[i]
      end
      state.last = a
      return a
    end },
  { title = "center-out reaching (30 deg rotation): PD controller",
    env = soma.env.reach{ name = "reach", record = true, rotation = 30 },
    policy = function(env, obs)
      return { 6 * (obs[5] - obs[1]) - 0.5 * obs[3], 6 * (obs[6] - obs[2]) - 0.5 * obs[4] }
    end },
}

local summary = {}
for _, w in ipairs(tour) do
  local env, total_steps = w.env, 0
  for k = 1, episodes do
    local obs = env:reset()
    local state, steps, reward, over = {}, 0, 0, false
    repeat
      local o, r, term, trunc = env:step(w.policy(env, obs, state))
      obs, steps, reward, over = o, steps + 1, reward + r, term or trunc
    until over
    total_steps = total_steps + steps
    soma.log{ world = env.name, episode = k, steps = steps, reward = reward }
    soma.progress(k, episodes, "episodes of " .. env.name)
  end
  summary[env.name] = { mean_steps = total_steps / episodes, last = env.info }
end
soma.result{ worlds = summary, episodes = episodes,
             note = "scripted non-spiking policies, for looking at the worlds; not agents" }

local g = soma.figure{ width = 1200, height = 820 }
for i, w in ipairs(tour) do
  local col, row = (i - 1) % 3, (i - 1) // 3
  local x, y = 20 + col * 395, 40 + row * 395
  g:text(x, y - 16, w.title, { size = 13 })
  w.env:draw(g, x, y, 360, 360)
end
g:save("worlds.png")
