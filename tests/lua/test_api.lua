-- test_api.lua — the Lua API over the engine: networks, populations, inputs, projections,
-- recordings, arrays, distributions, results; checked against closed forms and the engine.
local H = require "harness"
local test, check, equal, near, errors = H.test, H.check, H.equal, H.near, H.errors

test("networks take their defaults from the command line", function()
  local net = soma.net{}
  equal(net.dt, 0.1, "dt")
  equal(net.seed, soma.seed, "seed")
  equal(net.threads, soma.threads, "threads")
  equal(net.t, 0, "t")
  local other = soma.net{ dt = 0.05, seed = 7, threads = 2, name = "other" }
  equal(other.dt, 0.05, "dt")
  equal(other.seed, 7, "seed")
  equal(other.threads, 2, "threads")
  check(other.folder:find("/other$"), "a named network records into its own folder: " .. other.folder)
  net:destroy()
  other:destroy()
  check(not net.alive, "destroyed")
end)

-- NEST iaf_psc_exp defaults: C_m 250 pF, tau_m 10 ms, E_L -70, V_th -55 mV, t_ref 2 ms.
-- A constant current I gives period t_ref + tau_m ln(RI / (RI - 15 mV)), R = tau_m / C_m.
test("a LIF neuron's rate under constant current matches the closed form", function()
  local net = soma.net{}
  local currents = { 400, 500, 800, 1500 }
  local pop = net:pop{ name = "fi", model = "lif", n = #currents }
  pop:set{ I_e = currents }
  local rec = net:record(pop, "spikes")
  net:run(2000)
  local counts = {}
  local ids = rec:ids()
  for k = 1, #ids do counts[ids[k]] = (counts[ids[k]] or 0) + 1 end
  for i, I in ipairs(currents) do
    local RI = I * 10 / 250
    local period = 2 + 10 * math.log(RI / (RI - 15))
    near(counts[i - 1] / 2, 1000 / period, 0.012 * 1000 / period, "rate at " .. I .. " pA")
  end
end)

test("parameters and state: inline, distributions, per-neuron values, live views", function()
  local net = soma.net{}
  local pop = net:pop{ name = "E", model = "lif_cond", n = 100, C_m = 200, V_th = -50,
                       V_m = soma.normal(-65, 5):clip(-80, -55), g_ex = 3 }
  equal(pop:get("C_m"), 200, "C_m")
  equal(pop:get("V_th"), -50, "V_th")
  equal(pop.n, 100, "n")
  equal(pop.model, "lif_cond", "model")
  equal(pop.name, "E", "name")
  local v = pop:get("V_m")
  equal(#v, 100, "one value per neuron")
  equal(v.dtype, "float32", "dtype")
  check(v:min() >= -80 and v:max() <= -55, "clipped")
  near(v:mean(), -65, 1.5, "mean of N(-65, 5)")
  equal(pop:get("g_ex")[50], 3, "g_ex")
  local snapshot = v:copy()
  local values = {}
  for i = 1, 100 do values[i] = -70 + i / 10 end
  pop:set{ V_m = values, tau_syn_ex = 3 }
  near(v[1], -69.9, 1e-5, "the view follows the state")
  near(snapshot[1], -69.9, 100, "")
  check(snapshot[1] ~= v[1] or values[1] == snapshot[1], "the copy keeps its values")
  equal(pop:get("tau_syn_ex"), 3, "tau_syn_ex")
  errors(function() v[1] = 0 end, "read-only view", "copy()")
  snapshot[1] = 5
  equal(snapshot[1], 5, "copies are writable")
end)

test("spike sources fire at the given times and reach targets after the delay", function()
  local net = soma.net{}
  local src = net:pop{ name = "src", model = "spike_source", n = 2 }
  src:add_spikes({ 0, 1, 0 }, { 3.0, 1.1, 7.5 })
  local post = net:pop{ name = "post", model = "lif", n = 2 }
  net:connect(src, post, { rule = "one_to_one", weight = 100, delay = 2 })
  local rs = net:record(src, "spikes")
  local rv = net:record(post, "I_syn_ex", { interval = 0.1 })
  net:run(10)
  local t, ids = rs:times(), rs:ids()
  equal(#t, 3, "three spikes")
  near(t[1], 1.1, 1e-9, "first")
  equal(ids[1], 1, "first id")
  near(t[2], 3.0, 1e-9, "second")
  near(t[3], 7.5, 1e-9, "third")
  local data = rv:data()
  equal(data.shape[1], 100, "samples")
  equal(data.shape[2], 2, "columns")
  -- neuron 1: stamped 1.1 ms, delay 2 ms: its current jumps in the step from 3.1 ms
  equal(data:at(31, 2), 0, "nothing before the delay")
  check(data:at(32, 2) > 0, "current after the delay")
  equal(rv:columns()[2], 1, "columns are neuron ids")
  near(rv:times()[1], 0.1, 1e-12, "first sample time")
end)

test("step currents and Poisson input", function()
  local net = soma.net{}
  local pop = net:pop{ name = "a", model = "lif", n = 3 }
  pop:schedule("I_e", { 100, 200 }, { 1000, 0 })
  local drive = net:pop{ name = "b", model = "lif", n = 20 }
  drive:poisson_input{ rate = 8000, weight = 40 }
  local r = net:record(pop, "spikes")
  net:run(300)
  local t = r:times()
  check(#t > 30, "spikes during the step")
  check(t:min() > 100 and t:max() <= 205, "only during the step: " .. t:min() .. " .. " .. t:max())
  check(drive.spikes > 100, "Poisson drive makes neurons fire: " .. drive.spikes)
end)

test("every connection rule, read back and rewritten", function()
  local net = soma.net{}
  local a = net:pop{ name = "a", model = "spike_source", n = 10 }
  local b = net:pop{ name = "b", model = "lif", n = 10 }
  equal(net:connect(a, b).size, 100, "all_to_all by default")
  equal(net:connect(a, b, { rule = "one_to_one" }).size, 10, "one_to_one")
  equal(net:connect(a, b, { rule = "bernoulli", p = 1 }).size, 100, "bernoulli p = 1")
  equal(net:connect(a, b, { rule = "fixed_indegree", k = 3 }).size, 30, "fixed_indegree")
  equal(net:connect(a, b, { rule = "fixed_outdegree", k = 2 }).size, 20, "fixed_outdegree")
  local l = net:connect(a, b, { rule = "list", pre_ids = { 0, 9, 9 }, post_ids = { 1, 2, 3 },
                                weight = { 1, 2, 3 }, delay = { 0.5, 1, 1.5 }, name = "listed" })
  equal(l.name, "listed", "name")
  equal(l.pre, a, "pre")
  equal(l.post, b, "post")
  local s = l:get()
  equal(#s.pre, 3, "three synapses")
  equal(s.pre[2], 9, "pre")
  equal(s.post[3], 3, "post")
  equal(s.weight[3], 3, "weight")
  near(s.delay[1], 0.5, 1e-12, "delay")
  l:set_weights({ 4, 5, 6 })
  equal(l:weights()[1], 4, "set per synapse")
  l:set_weights(7)
  equal(l:weights():sum(), 21, "set for all")
  errors(function() l:set_weights({ 1, 2 }) end, "proj:set_weights", "got 2 values for 3 synapses")
  errors(function() l:set_weights(-1) end, "proj:set_weights", "must be >= 0")
  check(net:describe():find('"name": "a->b#2"', 1, true), "automatic names are numbered")
end)

test("changing weights between runs changes the activity", function()
  local net = soma.net{}
  local drive = net:pop{ name = "drive", model = "poisson", n = 50, rate = 50 }
  local post = net:pop{ name = "post", model = "lif", n = 10 }
  local c = net:connect(drive, post, { weight = 0 })
  net:run(200)
  equal(post.spikes, 0, "silent with zero weights")
  c:set_weights(200)
  net:run(200)
  check(post.spikes > 50, "firing after the weights grew: " .. post.spikes)
end)

test("the same seed gives the same spikes with 1 and 2 threads", function()
  local function run(threads, seed)
    local net = soma.net{ threads = threads, seed = seed }
    local e = net:pop{ name = "E", model = "lif", n = 400, V_m = soma.uniform(-70, -55), I_e = 380 }
    net:connect(e, e, { rule = "bernoulli", p = 0.1, weight = soma.normal(20, 5):clip(0), delay = soma.uniform(1, 3) })
    local r = net:record(e, "spikes")
    net:run(300)
    local h = soma.spike_hash{ r }
    check(r.count > 100, "activity")
    net:destroy()
    return h
  end
  local h1 = run(1, 3)
  equal(run(2, 3), h1, "2 threads")
  check(run(1, 4) ~= h1, "another seed differs")
end)

test("arrays", function()
  local a = soma.array{ 1, 2, 3.5 }
  equal(#a, 3, "length")
  equal(a:sum(), 6.5, "sum")
  equal(a:max(), 3.5, "max")
  equal(a:min(), 1, "min")
  equal(a:table()[3], 3.5, "table")
  local z = soma.zeros(4, "int32")
  z[2] = 7
  equal(z:sum(), 7, "int sum")
  equal(math.type(z[2]), "integer", "int elements are integers")
  errors(function() return z[5] end, "index 5 is out of range 1..4")
  equal(z[2.0], 7, "a whole float is an index")
  errors(function() z[1] = 1.5 end, "whole number")
  errors(function() soma.array({ 1, "x" }) end, "the values[2] must be a number, got string")
  local path = soma.dir .. "/a.npy"
  equal(a:save("a.npy"), path, "relative paths go into the run directory")
  local f = io.open(path, "rb")
  check(f and f:read(6) == "\147NUMPY", "saved as .npy")
  if f then f:close() end
  check(tostring(a):find("float64%[3%]"), tostring(a))
end)

test("distributions", function()
  equal(tostring(soma.normal(1, 2)), "normal(1, 2)", "normal")
  check(tostring(soma.uniform(0, 1):clip(0.2, 0.5)):find("0.2"), "clip")
  errors(function() soma.uniform(2, 1) end, "soma.uniform", "low (2) must be below high (1)")
  errors(function() soma.normal(0, 1):clip(3, 1) end, "dist:clip")
end)

test("models and descriptions", function()
  local names = table.concat(soma.models(), ",")
  check(names:find("lif_cond"), names)
  check(soma.model("adex"):find("Delta_T"), "adex parameters")
  local net = soma.net{}
  net:pop{ name = "E", model = "izhikevich", n = 2 }
  check(net:describe():find('"model": "izhikevich"', 1, true), "describe")
end)

test("pop:set is checked as a whole: nothing changes when any value is wrong", function()
  local net = soma.net{}
  local p = net:pop{ name = "p", model = "lif", n = 3 }
  -- V_reset must stay below V_th: moving both at once works in any table order
  p:set{ V_th = -80, V_reset = -90 }
  equal(p:get("V_th"), -80, "V_th")
  equal(p:get("V_reset"), -90, "V_reset")
  errors(function() p:set{ V_th = -50, tau_m = -1, V_m = soma.normal(0, 1) } end, "tau_m must be > 0")
  equal(p:get("V_th"), -80, "unchanged after a refusal")
  errors(function() p:set{ C_m = 300, V_m = { 1, 2 } } end, "'V_m' has 2 values for 3 neurons")
  equal(p:get("C_m"), 250, "unchanged after a refusal")
end)

test("a population whose values are wrong is not made at all", function()
  local net = soma.net{}
  errors(function() net:pop{ name = "q", model = "lif", n = 3, V_m = { 1, 2 } } end, "'V_m' has 2 values for 3 neurons")
  errors(function() net:pop{ name = "q", model = "lif", n = 3, C_m = soma.normal(250, 10) } end,
         "'C_m' is a parameter of lif, one value for the whole population")
  local q = net:pop{ name = "q", model = "lif", n = 3, V_m = { -70, -60, -65 } }
  equal(q:get("V_m")[2], -60, "made the third time, under the same name")
end)

test("list projections are described as lists", function()
  local net = soma.net{}
  local a = net:pop{ name = "a", model = "spike_source", n = 2 }
  local b = net:pop{ name = "b", model = "lif", n = 2 }
  local c = net:connect(a, b, { rule = "list", pre_ids = { 0, 1 }, post_ids = { 1, 0 }, weight = { 1, 2 }, delay = { 1, 2 } })
  local d = net:describe()
  check(d:find('"weight": "per synapse (a list, or set by the script)"', 1, true), d)
  check(d:find('"delay_ms": "per synapse (a list)"', 1, true), d)
  c:set_weights(3)
  check(net:describe():find('"weight": "const(3)"', 1, true), "one value again after set_weights(3)")
end)

test("logging results", function()
  soma.log{ trial = 1, reward = 0.5, tag = "a" }
  soma.log{ trial = 2, reward = 1 }
  local rows = soma.logged()
  equal(#rows, 2, "rows")
  equal(rows[2].reward, 1, "value")
  soma.result{ curve = { 1, 2, 3 }, score = 0.9 }
  errors(function() soma.log{ bad = {} } end, "soma.log", "'bad' is table")
end)

test("views of a destroyed network refuse to be read", function()
  local net = soma.net{}
  local p = net:pop{ name = "p", model = "lif", n = 3 }
  local r = net:record(p, "spikes")
  net:run(1)
  local ids = r:ids()
  net:destroy()
  errors(function() return ids:sum() end, "destroyed")
  errors(function() return p.n end, "population 'p'", "destroyed")
  errors(function() net:run(1) end, "net:run", "destroyed")
end)

H.done()
