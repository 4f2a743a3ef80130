-- test_reach_agent.lua — motor adaptation from Lua: soma.agent.reacher (trials, episodes with
-- the shared record, learning on and off, the weights' parts, fields, closing), the
-- non-spiking soma.agent.two_state / one_state models (trial, simulate, reset) and
-- soma.agent.fit_two_state, and the messages for mistakes.
local H = require "harness"

H.test("a reacher's trials report the reach and learn a rotation", function()
  local env = soma.env.reach{ rotation = 30 }
  local a = soma.agent.reacher{ env = env, seed = 3 }
  H.equal(a.kind, "reacher", "kind")
  H.equal(a.spiking, true, "spiking")
  H.equal(a.components, 2, "components")
  H.equal(a.neurons, 192, "128 place cells and 64 motor neurons")
  H.equal(a.synapses, 128 * 64, "all to all")
  H.equal(a.trial_ms, 550, "trial span")
  H.equal(tostring(a), "soma spiking agent 'reacher' (2 components, 0 trials)", "tostring")
  local first, last = 0, 0
  for k = 1, 48 do
    local t = a:trial{ target = (k - 1) % 8 }
    H.equal(t.trial, k, "trial count")
    H.equal(t.target, (k - 1) % 8, "target")
    H.near(t.target_angle, 45 * ((k - 1) % 8), 0, "target angle")
    H.near(t.error, t.aim + 30, 0.01, "the cursor turned by 30 deg from the hand")
    H.near(t.hand, t.aim, 0.01, "the hand goes where aimed")
    H.equal(t.steps, 30, "30 world steps of 10 ms")
    H.check(t.weights.total <= 0 or k < 3, "the weights turn clockwise: " .. t.weights.total)
    if k <= 8 then first = first + t.error / 8 end
    if k > 32 then last = last + t.error / 16 end
  end
  H.check(first > 25 and last < 0.75 * first, string.format("error %.1f -> %.1f deg", first, last))
  H.equal(a.trials, 48, "trials")
  H.near(a.t, 48 * 550, 1e-6, "network time")
  local w = a:weights()
  H.check(w.fast < 0 and w.slow < 0 and w.fast_rms > w.slow_rms and w.slow_rms > 0, "parts")
  H.equal(env.episode, 48, "the world saw every trial")
end)

H.test("frozen synapses learn nothing; one component has no slow part", function()
  local a = soma.agent.reacher{ env = soma.env.reach{ rotation = 30 }, components = 1 }
  a:learning(false)
  for k = 1, 8 do a:trial{ target = k - 1 } end
  local w = a:weights()
  H.near(w.total, 0, 1e-4, "no turn")
  H.equal(w.fast_rms, 0, "nothing learnt")
  a:learning(true)
  for k = 1, 8 do a:trial{ target = k - 1 } end
  w = a:weights()
  H.check(w.fast_rms > 0, "learning again")
  H.equal(w.slow_rms, 0, "the one part is the fast one")
  H.equal(a.components, 1, "components")
end)

H.test("agent:episode records the trial's steps", function()
  local env = soma.env.reach{ target = 2, record = true }
  local a = soma.agent.reacher{ env = env }
  local ep = a:episode{ record = true, latents = { "angular_error", "x" } }
  H.equal(ep.steps, 30, "steps")
  H.equal(#ep.actions, 30, "one action per step")
  H.equal(ep.target, 2, "the world's target")
  H.near(ep.angular_error[30], ep.error, 0, "the last latent is the trial's error")
  H.near(ep.actions[1][1] ^ 2 + ep.actions[1][2] ^ 2, 0.25, 1e-9, "a force pulse of 0.5")
  H.near(ep.actions[30][1], 0, 0, "the pulse is over")
  H.equal(ep.episode, 1, "episode")
  H.check(ep.truncated == false and ep.terminated == false, "neither ended nor truncated")
end)

H.test("the same seed gives the same trials", function()
  local function run(seed)
    local a = soma.agent.reacher{ env = soma.env.reach{ rotation = 30 }, seed = seed }
    local out = {}
    for k = 1, 6 do out[k] = string.format("%.17g", a:trial{ target = k % 8 }.aim) end
    return table.concat(out, ",")
  end
  H.equal(run(5), run(5), "same seed")
  H.check(run(5) ~= run(6), "different seeds differ")
end)

H.test("the two-state and one-state models step, simulate and reset", function()
  local m = soma.agent.two_state{}
  H.equal(m.kind, "two_state", "kind")
  H.equal(m.spiking, false, "non-spiking")
  H.near(m.a_f, 0.92, 0, "Smith 2006's A_f")
  H.near(m.b_s, 0.004, 0, "Smith 2006's B_s")
  local o = m:trial{ perturbation = 1 }
  H.near(o.output, 0, 0, "nothing learnt before the first trial")
  H.near(o.error, 1, 0, "error = f - x")
  H.near(o.fast, 0.03, 1e-15, "x_f = B_f e")
  H.near(o.slow, 0.004, 1e-15, "x_s = B_s e")
  o = m:trial{ perturbation = 1, clamp = true }
  H.near(o.output, 0.034, 1e-15, "output = x_f + x_s")
  H.near(o.error, 0, 0, "error clamp")
  H.near(o.fast, 0.92 * 0.03, 1e-15, "only forgetting in error clamp")
  H.equal(m.trials, 2, "trials")
  local s = m:simulate{ perturbation = { 1, 1, 1 }, clamp = { false, true, 0 } }
  H.near(s.output[2], 0.034, 1e-15, "simulate from zero states")
  H.near(s.fast[3], 0.92 * 0.03, 1e-15, "clamp 0/1 or true/false")
  H.equal(m.trials, 2, "simulate leaves the model alone")
  m:reset()
  H.near(m.output, 0, 0, "reset")
  local one = soma.agent.one_state{ a = 0.9, b = 0.1 }
  H.equal(one.kind, "one_state", "kind")
  H.near(one.a, 0.9, 0, "a")
  one:trial{ perturbation = 1 }
  H.near(one.output, 0.1, 1e-15, "x = B e")
  H.near(one.slow, 0, 0, "no slow state")
end)

H.test("fit_two_state recovers the parameters that made the outputs", function()
  local m = soma.agent.two_state{ a_f = 0.9, b_f = 0.05, a_s = 0.995, b_s = 0.005 }
  local f, clamp = {}, {}
  for k = 1, 300 do
    f[k] = k <= 20 and 0 or k <= 200 and 1 or k <= 215 and -1 or 0
    clamp[k] = k > 215
  end
  local y = m:simulate{ perturbation = f, clamp = clamp }.output
  y[7] = 0 / 0   -- not measured
  local fit = soma.agent.fit_two_state{ perturbation = f, clamp = clamp, output = y }
  H.near(fit.a_f, 0.9, 1e-5, "A_f")
  H.near(fit.b_f, 0.05, 1e-5, "B_f")
  H.near(fit.a_s, 0.995, 1e-5, "A_s")
  H.near(fit.b_s, 0.005, 1e-5, "B_s")
  H.equal(fit.n, 299, "the NaN is left out")
  H.equal(fit.states, 2, "states")
  H.check(fit.r2 > 0.99999, "r2")
  local one = soma.agent.fit_two_state{ perturbation = f, clamp = clamp, output = y, states = 1 }
  H.check(one.a and one.b and not one.a_f, "one state: a and b")
  H.check(one.sse > fit.sse, "one state fits two-state data worse")
end)

local reach = function() return soma.env.reach{} end
local cases = {
  { "no world", function() soma.agent.reacher{} end, { "soma.agent.reacher", "give the world as env = soma.env.reach" } },
  { "another world", function() soma.agent.reacher{ env = soma.env.bandit{} } end, { "the reacher moves in the world 'reach' (got 'bandit')" } },
  { "a misspelt option", function() soma.agent.reacher{ env = reach(), b_fats = 1 } end, { "unknown option 'b_fats'", "did you mean 'b_fast'" } },
  { "three components", function() soma.agent.reacher{ env = reach(), components = 3 } end, { "components must be <= 2 (got 3)" } },
  { "a retention of 0", function() soma.agent.reacher{ env = reach(), a_slow = 0 } end, { "a_slow must be > 0 (got 0)" } },
  { "a pulse longer than the move", function() soma.agent.reacher{ env = reach(), pulse_ms = 500 } end, { "pulse_ms (500) must be <= move_ms (300)" } },
  { "a target out of range", function() soma.agent.reacher{ env = reach() }:trial{ target = 8 } end, { "agent:trial", "'target' must be a whole number from -1 to 7 (got 8)" } },
  { "an unknown trial option", function() soma.agent.reacher{ env = reach() }:trial{ rotation = 30 } end, { "agent:trial", "unknown option 'rotation'" } },
  { "a world dt that does not divide the move", function() soma.agent.reacher{ env = soma.env.reach{ dt = 0.007 } }:trial{} end, { "the world's dt (7 ms) must divide move_ms (300)" } },
  { "learning without a boolean", function() soma.agent.reacher{ env = reach() }:learning(1) end, { "agent:learning", "give true or false (got integer)" } },
  { "an unknown field", function() return soma.agent.reacher{ env = reach() }.wieghts end, { "reaching agents have no field 'wieghts'" } },
  { "a closed agent", function() local a = soma.agent.reacher{ env = reach() }; a:close(); a:trial{} end, { "agent:trial", "attempt to use a closed agent" } },
  { "a method without a colon", function() local a = soma.agent.reacher{ env = reach() }; a.trial{} end, { "expected a reaching agent" } },
  { "a model parameter above 1", function() soma.agent.two_state{ a_f = 1.5 } end, { "soma.agent.two_state", "a_f must be in [0, 1] (got 1.5)" } },
  { "a one-state model with two-state names", function() soma.agent.one_state{ a_f = 0.9 } end, { "unknown option 'a_f'" } },
  { "a model trial with a bad clamp", function() soma.agent.two_state{}:trial{ perturbation = 1, clamp = "yes" } end, { "model:trial", "clamp must be true or false (or 1 or 0), got string" } },
  { "a fit without outputs", function() soma.agent.fit_two_state{ perturbation = { 0, 1 } } end, { "give output = {y1, y2, ...}" } },
  { "a fit with lists of other lengths", function() soma.agent.fit_two_state{ perturbation = { 0, 1, 1 }, output = { 0, 1 } } end, { "output has 2 values and perturbation 3" } },
  { "a fit with a short clamp list", function() soma.agent.fit_two_state{ perturbation = { 0, 1, 1 }, clamp = { false }, output = { 0, 1, 1 } } end, { "clamp has 1 values and perturbation 3" } },
  { "a fit with too few trials", function() soma.agent.fit_two_state{ perturbation = { 0, 1, 1 }, output = { 0, 0.1, 0.2 } } end, { "3 measured outputs for 4 parameters; give at least 8" } },
  { "a fit with three states", function() soma.agent.fit_two_state{ perturbation = { 0 }, output = { 0 }, states = 3 } end, { "'states' must be a whole number from 1 to 2 (got 3)" } },
}
for _, c in ipairs(cases) do
  H.test(c[1], function()
    local msg = H.errors(c[2], table.unpack(c[3]))
    if msg then H.check(msg:find("test_reach_agent.lua:%d+:"), "no script location in: " .. msg) end
  end)
end

H.done()
