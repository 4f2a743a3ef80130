-- test_plasticity.lua — learning from Lua: rules on projections (net:connect's plasticity
-- option, proj:plastic), neuromodulators, presets, and the messages for mistakes.
local H = require "harness"

-- one pre neuron, one post neuron driven to fire at a chosen time; returns net, plastic proj
local function pair(t_pre, t_post_drive, plasticity, setup)
  local net = soma.net{}
  local pre = net:pop{ name = "pre", model = "spike_source", n = 1 }
  local drive = net:pop{ name = "drive", model = "spike_source", n = 1 }
  local post = net:pop{ name = "post", model = "lif", n = 1, tau_m = 1, t_ref = 2, tau_syn_ex = 0.1 }
  net:connect(drive, post, { rule = "one_to_one", weight = 1e6, delay = 1 })
  if setup then setup(net) end
  local syn = net:connect(pre, post, { rule = "one_to_one", weight = 1, delay = 1, plasticity = plasticity })
  pre:add_spikes({ 0 }, { t_pre })
  drive:add_spikes({ 0 }, { t_post_drive })
  return net, syn
end

H.test("STDP through net:connect: pre before post potentiates, post before pre depresses", function()
  local net, syn = pair(100, 110, { rule = "stdp", A_plus = 0.01, A_minus = 0.012, w_max = 10 })
  H.equal(syn.rule, "stdp", "rule")
  net:run(200)
  local w = syn:weights()[1]
  H.check(w > 1 and w < 1.01, "potentiated: " .. w)
  local net2, syn2 = pair(110, 100, { rule = "stdp", A_plus = 0.01, A_minus = 0.012, w_max = 10 })
  net2:run(200)
  local w2 = syn2:weights()[1]
  H.check(w2 < 1 and w2 > 0.988, "depressed: " .. w2)
end)

H.test("proj:plastic between runs, with a triplet preset", function()
  local net, syn = pair(300, 310)
  net:run(100)
  H.equal(syn.rule, nil, "static at first")
  syn:plastic{ rule = "triplet", preset = "hippocampus_all_to_all", w_max = 5 }
  H.equal(syn.rule, "triplet", "rule")
  net:run(300)
  H.check(syn:weights()[1] > 1, "potentiated: " .. syn:weights()[1])
end)

H.test("modulators: tonic, phasic increments, decay, schedules", function()
  local net = soma.net{}
  net:pop{ name = "a", model = "lif", n = 1 }
  local da = net:modulator{ name = "dopamine", tonic = 0.002, tau = 200 }
  H.equal(da.name, "dopamine", "name")
  H.near(da.value, 0.002, 1e-12, "tonic")
  da:add(0.5)
  H.near(da.value, 0.502, 1e-12, "phasic")
  net:run(200)
  H.near(da.value, 0.002 + 0.5 * math.exp(-1), 1e-9, "decayed over tau")
  da:schedule({ 300 }, { 1 })
  net:run(100)
  H.near(da.value, 0.002 + 0.5 * math.exp(-1.5) + 1, 1e-9, "scheduled")
  da.tonic = 0
  H.near(da.tonic, 0, 0, "tonic set")
end)

H.test("dopamine-modulated STDP learns only when dopamine comes", function()
  local da
  local net, syn = pair(100, 105, { rule = "stdp_dopamine", modulator = "dopamine", every = 1, w_max = 4 },
                        function(n) da = n:modulator{ name = "dopamine", tonic = 0, tau = 200 } end)
  net:run(1000)
  H.equal(syn:weights()[1], 1, "eligibility alone changes nothing")
  da:add(0.5)
  net:run(2000)
  H.check(syn:weights()[1] > 1.005, "dopamine turned eligibility into weight: " .. syn:weights()[1])
end)

H.test("the prediction-error rule learns a target rate, from the script or a population", function()
  local net = soma.net{}
  local input = net:pop{ name = "in", model = "poisson", n = 100, rate = 20 }
  local pred = net:pop{ name = "pred", model = "lif", n = 4 }
  local teacher = net:pop{ name = "teacher", model = "poisson", n = 4, rate = 15 }
  local c = net:connect(input, pred, { weight = soma.uniform(0, 10),
                                       plasticity = { rule = "pred_error", lr = 2e-3, w_max = 500, target = 12 } })
  net:run(15000)
  local e0 = pred.spikes
  net:run(5000)
  H.near((pred.spikes - e0) / 4 / 5, 12, 2, "rate towards the script's target")
  c:set_target(teacher)
  net:run(15000)
  e0 = pred.spikes
  net:run(5000)
  H.near((pred.spikes - e0) / 4 / 5, 15, 2.5, "rate towards the teacher's")
  H.errors(function() c:set_target({ 1, 2 }) end, "proj:set_target", "2 targets for 4 neurons")
  H.errors(function() c:set_target(input) end, "as many neurons")
end)

H.test("homeostatic scaling brings a population to its target rate", function()
  local net = soma.net{}
  local input = net:pop{ name = "in", model = "poisson", n = 100, rate = 20 }
  local pop = net:pop{ name = "pop", model = "lif", n = 20 }
  local c = net:connect(input, pop, { weight = soma.uniform(80, 120),
                                      plasticity = { rule = "stdp", A_plus = 0, A_minus = 0, w_max = 1000,
                                                     scaling = { target = 5, tau = 1000, gain = 2e-5, every = 100 } } })
  net:run(1000)
  local first = pop.spikes / 20
  net:run(40000)
  local s0 = pop.spikes
  net:run(5000)
  local last = (pop.spikes - s0) / 20 / 5
  H.check(first > 15, "driven hard at first: " .. first .. " Hz")
  H.near(last, 5, 1, "scaled down to the target")
  H.errors(function() c:scaling{ target = -1 } end, "proj:scaling", "'target' must be from 0")
  H.errors(function() c:scaling{ tau = 5 } end, "scaling needs a target rate")
  H.errors(function() c:scaling{ target = 5, gian = 1 } end, "unknown option 'gian' (did you mean 'gain'?)")
end)

H.test("mismatch populations signal input above and below its prediction", function()
  local net = soma.net{}
  local actual = net:pop{ name = "actual", model = "poisson", n = 3, rate = { 60, 10, 30 } }
  local pred = net:pop{ name = "pred", model = "poisson", n = 3, rate = { 10, 60, 30 } }
  local pos, neg = net:mismatch{ name = "err", actual = actual, prediction = pred, weight = 1500 }
  H.equal(pos.name, "err_pos", "name")
  local rp, rn = net:record(pos, "spikes"), net:record(neg, "spikes")
  net:run(5000)
  local function rates(rec)
    local c = { 0, 0, 0 }
    local ids = rec:ids()
    for i = 1, #ids do c[ids[i] + 1] = c[ids[i] + 1] + 1 end
    return { c[1] / 5, c[2] / 5, c[3] / 5 }
  end
  local p, n = rates(rp), rates(rn)
  print(string.format("  positive error %.1f %.1f %.1f Hz, negative %.1f %.1f %.1f Hz", p[1], p[2], p[3], n[1], n[2], n[3]))
  H.check(p[1] > 5 * math.max(p[2], p[3], 0.5), "positive error where the input exceeds the prediction")
  H.check(n[2] > 5 * math.max(n[1], n[3], 0.5), "negative error where the prediction exceeds the input")
  H.errors(function() net:mismatch{ actual = actual, prediction = net:pop{ name = "x", model = "poisson", n = 2 } } end,
           "net:mismatch", "must have the same size")
end)

-- adapt to a target (30 s), counter-adapt until the rate is back at 0, then clamp the error
-- (the rule's learning rate to 0): with a fast and a slow weight the rate rebounds
-- (spontaneous recovery, Smith et al. 2006); with one forgetting weight it does not.
local function spontaneous_recovery(fs)
  local net = soma.net{}
  local input = net:pop{ name = "in", model = "poisson", n = 100, rate = 20 }
  local out = net:pop{ name = "out", model = "lif", n = 20 }
  local c = net:connect(input, out, { weight = soma.uniform(0, 10),
    plasticity = { rule = "pred_error", lr = 2e-3, w_max = 500, target = 30, fast_slow = fs } })
  local function rate(ms) local s0 = out.spikes; net:run(ms); return (out.spikes - s0) / 20 / (ms / 1000) end
  net:run(30000)
  c:set_target(0)
  local r, t = 99, 0
  while r > 3 and t < 30 do r, t = rate(500), t + 0.5 end
  c:rule_param("lr", 0)
  local early = rate(1000)
  net:run(7000)
  local parts = { c:weight_parts() }
  return rate(2000) - early, parts
end

H.test("fast and slow weights: spontaneous recovery, and none with one component", function()
  local two, parts = spontaneous_recovery{ b_fast = 0.7, b_slow = 0.3, tau_fast = 3000, tau_slow = 1e6, every = 10 }
  local one = spontaneous_recovery{ b_fast = 1, b_slow = 0, tau_fast = 20000, tau_slow = 1e6, every = 10 }
  print(string.format("  rebound in the error clamp: two components %+.1f Hz, one %+.1f Hz", two, one))
  H.check(two > 1, "two components rebound: " .. two)
  H.check(one <= 0.5, "one component does not: " .. one)
  H.check(parts[2]:mean() > 0 and math.abs(parts[1]:mean()) < parts[2]:mean(), "the slow part holds what was learned")
end)

H.test("a critic's TD error drives dopamine (net:rpe)", function()
  local net = soma.net{}
  local critic = net:pop{ name = "critic", model = "poisson", n = 2000, rate = 10 }
  local da = net:modulator{ name = "dopamine", tau = 100 }
  local rpe = net:rpe{ critic = critic, modulator = da, scale = 0.1, tau_r = 1000, tau_v = 50 }
  net:run(1000)
  H.near(rpe.value, 1, 0.15, "V = 0.1 * 10 Hz")
  local sum = 0
  for k = 1, 40 do net:run(10); sum = sum + da.value end
  H.near(sum / 40, -1, 0.4, "delta = -V / tau_r")
  H.errors(function() net:rpe{ critic = critic, modulator = da } end, "already driven by a critic")
  H.errors(function() net:rpe{ critic = critic } end, "net:rpe", "expected a modulator")
  H.errors(function() return rpe.v end, "no field 'v'")
end)

H.test("rules are listed and described", function()
  local names = table.concat(soma.rules(), ",")
  for _, r in ipairs{ "stdp", "triplet", "stdp_dopamine", "td_ltp" } do H.check(names:find(r), r) end
  H.check(soma.rule("triplet"):find("tau_x"), "triplet parameters")
end)

H.test("mistakes with learning get messages", function()
  local net = soma.net{}
  local a = net:pop{ name = "a", model = "spike_source", n = 2 }
  local b = net:pop{ name = "b", model = "lif", n = 2 }
  H.errors(function() net:connect(a, b, { plasticity = { rule = "stpd" } }) end,
           "net:connect", "unknown learning rule 'stpd' (did you mean 'stdp'?)")
  H.errors(function() net:connect(a, b, { plasticity = { rule = "stdp", taup = 3 } }) end,
           "has no parameter 'taup'")
  H.errors(function() net:connect(a, b, { plasticity = { A_plus = 1 } }) end, "name the learning rule")
  H.errors(function() net:connect(a, b, { plasticity = "stdp" }) end, "'plasticity' as a table")
  H.errors(function() net:connect(a, b, { plasticity = { rule = "triplet", preset = "cortex" } }) end,
           "rule 'triplet' has no preset 'cortex'", "visual_cortex_all_to_all")
  H.errors(function() net:connect(a, b, { plasticity = { rule = "stdp_dopamine" } }) end, "reads a neuromodulator")
  H.errors(function() net:connect(a, b, { plasticity = { rule = "stdp", w_max = 0.5 } }) end,
           "4 synapses have weights outside [0, 0.5]")
  H.errors(function() net:connect(a, b, { rule = "one_to_one", port = "in", weight = -1, plasticity = { rule = "stdp" } }) end,
           "takes weights <= 0")
  H.errors(function() net:connect(a, b, { plasticity = { rule = "pred_error" } }); net:run(1) end, "learns towards a target")
  H.errors(function() net:connect(a, b):fast_slow{ b_fast = 1 } end, "give it a rule first")
  H.errors(function() net:connect(a, b, { plasticity = { rule = "stdp", fast_slow = { tau_fast = -1 } } }) end, "'tau_fast' must be from")
  H.errors(function() net:modulator{ tau = 10 } end, "net:modulator", "give the modulator a name")
  H.errors(function() net:modulator{ name = "x", tau = -1 } end, "net:modulator", "'tau' must be >= 0")
  local m = net:modulator{ name = "ach" }
  H.errors(function() net:modulator{ name = "ach" } end, "already exists")
  H.errors(function() m:schedule({ 1, 2 }, { 1 }) end, "2 times but 1 amounts")
  H.errors(function() m.value = 3 end, "only 'tonic' can be set")
  H.errors(function() return m.level end, "no field 'level'")
end)

H.done()
