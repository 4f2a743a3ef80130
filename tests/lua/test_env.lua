-- test_env.lua — environments from Lua: soma.env.<world>{...}, reset/step/set/draw, the
-- spaces, info (the latents), the catalogue, and the messages for mistakes.
local H = require "harness"

H.test("the catalogue lists every world and describes it", function()
  local names = soma.env.worlds()
  H.check(#names >= 2, "at least two worlds")
  local seen = {}
  for _, n in ipairs(names) do
    seen[n] = true
    H.check(type(soma.env[n]) == "function", "soma.env." .. n)
    H.check(soma.env.world(n):find("options:", 1, true), "description of " .. n)
  end
  H.check(seen.bandit, "bandit listed")
  H.errors(function() soma.env.world("mazee") end, "soma.env.world", "unknown world 'mazee'")
end)

H.test("a bandit episode from Lua", function()
  local env = soma.env.bandit{ arms = 3, p = { 0, 0, 1 }, trials = 4 }
  H.equal(env.action_space.kind, "discrete", "action space")
  H.equal(env.action_space.n, 3, "actions")
  H.equal(env.action_space.labels[3], "arm2", "label")
  H.equal(env.obs_space.n, 4, "obs length")
  H.equal(tostring(env), "soma environment 'env' (bandit)", "tostring")
  local obs, info = env:reset()
  H.equal(#obs, 4, "obs")
  H.equal(info.episode, 1, "episode")
  H.equal(info.best_arm, 2, "best arm")
  local total, steps, done = 0, 0, false
  repeat
    local o, r, term, trunc, inf = env:step(2)
    total, steps, done = total + r, steps + 1, term or trunc
    H.equal(o[3], 1, "one-hot of the last arm")
    H.equal(inf.step, steps, "info.step")
  until done
  H.equal(steps, 4, "trials per episode")
  H.equal(total, 4, "p = 1 always pays")
  H.check(env.done, "done")
  H.errors(function() env:step(0) end, "env:step", "the episode is over", "reset()")
  env:reset()
  H.equal(env.episode, 2, "second episode")
end)

H.test("the same seed gives the same episode, the next reset continues", function()
  local function run(env, seed)
    local out = {}
    env:reset(seed)
    for k = 1, 50 do
      local _, r = env:step(k % 2)
      out[#out + 1] = r
    end
    return table.concat(out, ",")
  end
  local a = soma.env.bandit{ trials = 50, p = { 0.5, 0.5 } }
  local b = soma.env.bandit{ trials = 50, p = { 0.5, 0.5 } }
  H.equal(run(a, 9), run(b, 9), "same seed")
  H.check(run(a, 9) ~= run(a, 10), "different seeds")
end)

H.test("set changes the world between steps and refuses bad values", function()
  local env = soma.env.bandit{ p = { 0.9, 0.1 } }
  local _, info = env:reset()
  H.equal(info.best_arm, 0, "best before")
  env:set{ p = { 0.1, 0.9 } }
  H.equal(env.info.best_arm, 1, "best after")
  H.equal(env.info.context, 1, "a new context")
  H.errors(function() env:set{ p = { 0.1, 2 } } end, "env:set", "option 'p'", "[0, 1]")
  H.errors(function() env:set{ arms = 3 } end, "env:set", "cannot change after creation")
  H.equal(env.info.best_arm, 1, "unchanged by the refused sets")
end)

H.test("env:draw paints onto a figure", function()
  local env = soma.env.bandit{}
  env:reset()
  env:step(0)
  local g = soma.figure{ width = 120, height = 80 }
  env:draw(g)
  env:draw(g, 10, 10, 50, 40)
  H.errors(function() env:draw({}) end, "env:draw", "expected a canvas")
end)

H.test("soma.view picks what the dashboard shows", function()
  soma.view{ curve = "steps", modulator = "dopamine" }
  H.errors(function() soma.view{ curve = 3 } end, "soma.view", "'curve'")
  H.errors(function() soma.view{ curev = "steps" } end, "soma.view", "unknown option 'curev'")
end)

local cases = {
  { "an unknown option", function() soma.env.bandit{ armz = 2 } end, { "soma.env.bandit", "unknown option 'armz'", "did you mean 'arms'" } },
  { "a string for a number", function() soma.env.bandit{ arms = "two" } end, { "option 'arms' takes one number" } },
  { "a list of strings", function() soma.env.bandit{ p = { "a" } } end, { "option 'p' must be a list of numbers (value 1 is string)" } },
  { "a function option", function() soma.env.bandit{ p = print } end, { "option 'p' must be a number, a string or a list" } },
  { "options not a table", function() soma.env.bandit(3) end, { "soma.env.bandit", "expected a table of options" } },
  { "a bad name", function() soma.env.bandit{ name = "a/b" } end, { "name must be 1 to 63 letters" } },
  { "an action out of range", function() local e = soma.env.bandit{}; e:reset(); e:step(5) end, { "env:step", "from 0 to 1 (got 5)" } },
  { "a string action", function() local e = soma.env.bandit{}; e:reset(); e:step("left") end, { "env:step", "a whole number (an action index)" } },
  { "a step before reset", function() soma.env.bandit{}:step(0) end, { "env:step", "no episode yet" } },
  { "a dot call", function() local e = soma.env.bandit{}; e.reset() end, { "env:reset", "call methods with a colon" } },
  { "an unknown field", function() return soma.env.bandit{}.position end, { "no field 'position'" } },
}
for _, c in ipairs(cases) do
  H.test(c[1], function()
    local msg = H.errors(c[2], table.unpack(c[3]))
    if msg then H.check(msg:find("test_env.lua:%d+:"), "no script location in: " .. msg) end
  end)
end

H.done()
