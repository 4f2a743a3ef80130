-- test_errors.lua — a catalogue of mistakes a script can make, and the message each gets:
-- it names the call, what is wrong, and how to fix it. None of them may crash soma.
local H = require "harness"

local net = soma.net{}
local E = net:pop{ name = "E", model = "lif", n = 10 }
local S = net:pop{ name = "S", model = "spike_source", n = 4 }
local other = soma.net{ name = "other" }
local O = other:pop{ name = "O", model = "lif", n = 2 }
local rec = net:record(E, "spikes")
local vm = net:record(E, "V_m")
local streamed = net:record(S, "spikes", { stream = true })
local dead = soma.net{ name = "dead" }
local D = dead:pop{ name = "D", model = "lif", n = 2 }
local D_rec = dead:record(D, "spikes")
dead:destroy()

local cases = {
  -- networks
  { "unknown network option", function() soma.net{ dtt = 0.1 } end, { "soma.net", "unknown option 'dtt'", "did you mean 'dt'" } },
  { "negative dt", function() soma.net{ dt = -0.1 } end, { "soma.net", "'dt' must be from" } },
  { "threads not a number", function() soma.net{ threads = "two" } end, { "soma.net", "'threads' must be a whole number, got string" } },
  { "fractional seed", function() soma.net{ seed = 1.5 } end, { "soma.net", "'seed' must be a whole number" } },
  { "bad stepping", function() soma.net{ stepping = "fast" } end, { "soma.net", "'stepping' must be \"auto\", \"parallel\" or \"serial\"" } },
  { "options not a table", function() soma.net(5) end, { "soma.net", "expected a table of options" } },
  { "bad network name", function() soma.net{ name = "a/b" } end, { "soma.net", "'name' must be 1 to 63 letters, digits" } },
  { "a network name that leaves the run directory", function() soma.net{ name = ".." } end, { "soma.net", "'name' must be 1 to 63 letters" } },
  { "a network name like a file", function() soma.net{ name = "meta.json" } end, { "soma.net", "'name' must be 1 to 63 letters" } },
  { "a network name of an unnamed network's folder", function() soma.net{ name = "net3" } end, { "soma.net", "not net<number>" } },
  { "a function in a result table", function() soma.result{ t = { f = print } } end, { "soma.result", "'t' holds function" } },
  { "two networks of one name", function() soma.net{ name = "twin" }; soma.net{ name = "twin" } end, { "soma.net", "already has a network named \"twin\"" } },
  { "method called with a dot", function() net.run(10) end, { "net:run", "call methods with a colon" } },
  { "unknown network field", function() return net.size end, { "no field 'size'", "fields:" } },
  { "run a negative time", function() net:run(-5) end, { "net:run", "must be from 0" } },
  { "run a time off the grid", function() net:run(0.05) end, { "net:run", "not a multiple of dt" } },
  { "run without populations", function() soma.net{ name = "empty" }:run(1) end, { "net:run", "no populations", "net:pop{...}" } },
  { "use a destroyed network", function() dead:run(1) end, { "net:run", "destroyed", "soma.net{...}" } },
  -- populations
  { "population without a name", function() net:pop{ model = "lif", n = 3 } end, { "net:pop", "give the population a name" } },
  { "population without a model", function() net:pop{ name = "X", n = 3 } end, { "net:pop", "give a model", "soma.models()" } },
  { "population without a size", function() net:pop{ name = "X", model = "lif" } end, { "net:pop", "give the number of neurons" } },
  { "population of no neurons", function() net:pop{ name = "X", model = "lif", n = 0 } end, { "net:pop", "'n' must be a whole number from 1" } },
  { "misspelt model", function() net:pop{ name = "X", model = "lif_con", n = 3 } end, { "net:pop", "unknown neuron model 'lif_con'", "did you mean 'lif_cond'" } },
  { "misspelt parameter", function() net:pop{ name = "X", model = "lif", n = 3, tau_M = 10 } end, { "net:pop", "unknown parameter 'tau_M'", "did you mean 'tau_m'" } },
  { "parameter out of range", function() net:pop{ name = "X", model = "lif", n = 3, tau_m = -1 } end, { "net:pop", "tau_m must be > 0 ms (got -1)" } },
  { "duplicate population", function() net:pop{ name = "E", model = "lif", n = 3 } end, { "net:pop", "'E'", "already" } },
  { "state of the wrong length", function() E:set{ V_m = { 1, 2 } } end, { "pop:set", "'V_m' has 2 values for 10 neurons" } },
  { "a string as a parameter", function() E:set{ tau_m = "10" } end, { "pop:set", "'tau_m' is a parameter of lif", "give a number, not string" } },
  { "a string as a state variable", function() E:set{ V_m = "-65" } end, { "pop:set", "'V_m' must be a number, a distribution or one value per neuron, got string" } },
  { "a distribution for a parameter", function() net:pop{ name = "X", model = "lif", n = 3, C_m = soma.normal(250, 5) } end, { "net:pop", "'C_m' is a parameter of lif" } },
  { "an unknown name given a distribution", function() net:pop{ name = "X", model = "lif", n = 3, V_mm = soma.normal(-65, 5) } end, { "net:pop", "unknown parameter 'V_mm'", "did you mean 'V_m'" } },
  { "an infinite parameter", function() E:set{ tau_m = math.huge } end, { "pop:set", "tau_m" } },
  { "infinite state", function() E:set{ V_m = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 1 / 0 } } end, { "pop:set", "'V_m'[10] is inf; values must be finite" } },
  { "unknown population field", function() return E.size end, { "no field 'size'", "fields: name, model, n" } },
  { "read an unknown variable", function() E:get("V") end, { "pop:get", "unknown parameter 'V'" } },
  { "spikes for a neuron out of range", function() S:add_spikes({ 4 }, { 1 }) end, { "pop:add_spikes", "ids[1] must be a whole number from 0 to 3" } },
  { "ids and times of different lengths", function() S:add_spikes({ 0, 1 }, { 1 }) end, { "pop:add_spikes", "2 ids but 1 times" } },
  { "spikes into a LIF population", function() E:add_spikes({ 0 }, { 1 }) end, { "pop:add_spikes", "spike_source" } },
  { "schedule backwards in time", function() E:schedule("I_e", { 5, 1 }, { 1, 2 }) end, { "pop:schedule", "does not come after the previous one" } },
  { "Poisson input without a weight", function() E:poisson_input{ rate = 10 } end, { "pop:poisson_input", "give both rate (Hz) and weight" } },
  { "Poisson input into an unknown port", function() E:poisson_input{ rate = 10, weight = 1, port = "exc" } end, { "pop:poisson_input", "no port 'exc'" } },
  -- projections
  { "unknown rule", function() net:connect(E, E, { rule = "random" }) end, { "net:connect", "unknown rule 'random'", "bernoulli" } },
  { "rule without its parameter", function() net:connect(E, E, { rule = "fixed_indegree" }) end, { "net:connect", "needs 'k'" } },
  { "parameter of another rule", function() net:connect(E, E, { rule = "all_to_all", p = 0.1 }) end, { "net:connect", "'p' does not apply to rule 'all_to_all'" } },
  { "probability above one", function() net:connect(E, E, { rule = "bernoulli", p = 1.5 }) end, { "net:connect", "p must be in [0, 1]" } },
  { "misspelt option", function() net:connect(E, E, { dealy = 1 }) end, { "net:connect", "unknown option 'dealy'", "did you mean 'delay'" } },
  { "negative excitatory weight", function() net:connect(E, E, { weight = -5 }) end, { "net:connect", "must be >= 0", "use port 'in'" } },
  { "delay beyond max_delay", function() net:connect(E, E, { delay = 1000 }) end, { "net:connect", "delay" } },
  { "populations of two networks", function() net:connect(E, O) end, { "net:connect", "both populations must belong to this network" } },
  { "a number instead of a population", function() net:connect(E, 3) end, { "net:connect", "expected a population", "got integer" } },
  { "list of mismatched ids", function() net:connect(E, E, { rule = "list", pre_ids = { 0, 1 }, post_ids = { 1 } }) end, { "net:connect", "pre_ids has 2 entries but post_ids has 1" } },
  { "one_to_one of unequal sizes", function() net:connect(S, E, { rule = "one_to_one" }) end, { "net:connect", "equal size" } },
  { "input into a spike source", function() net:connect(E, S) end, { "net:connect", "spike_source", "takes no input" } },
  -- recordings
  { "record an unknown variable", function() net:record(E, "V_mm") end, { "net:record", "no state variable 'V_mm'" } },
  { "interval for spikes", function() net:record(E, "spikes", { interval = 1 }) end, { "net:record", "'interval' applies to state variables" } },
  { "record a neuron out of range", function() net:record(E, "V_m", { ids = { 10 } }) end, { "net:record", "ids[1] must be a whole number from 0 to 9" } },
  { "record another network's population", function() net:record(O, "spikes") end, { "net:record", "belongs to another network" } },
  { "ids of a state recording", function() vm:ids() end, { "rec:ids", "records a state variable" } },
  { "data of a spike recording", function() rec:data() end, { "rec:data", "records spikes" } },
  { "read a destroyed network's recording", function() D_rec:times() end, { "rec:times", "destroyed" } },
  -- values
  { "a distribution with a negative spread", function() soma.normal(0, -1) end, { "soma.normal", "standard deviation must be >= 0" } },
  { "an empty uniform range", function() soma.uniform(1, 1) end, { "soma.uniform", "low (1) must be below high (1)" } },
  { "an infinite mean", function() soma.normal(math.huge, 1) end, { "soma.normal", "the mean must be a finite number" } },
  { "an exponential of mean zero", function() soma.exponential(0) end, { "soma.exponential" } },
  { "an int32 value out of range", function() soma.array({ 2 ^ 40 }, "int32") end, { "soma.array", "not a whole number that fits an int32 array" } },
  { "an unknown axes field", function() local g = soma.figure{}; return g:axes{ xlim = { 0, 1 }, ylim = { 0, 1 } }.plot end, { "no field 'plot'", "line, points and bars" } },
  { "an array of strings", function() soma.array{ "a" } end, { "soma.array", "the values[1] must be a number, got string" } },
  { "an unknown dtype", function() soma.zeros(3, "float16") end, { "soma.zeros", "unknown dtype 'float16'" } },
  { "an unknown model description", function() soma.model("hh") end, { "soma.model", "unknown model 'hh'" } },
  { "log a function", function() soma.log{ f = print } end, { "soma.log", "'f' is function" } },
  { "spike hash of a state recording", function() soma.spike_hash{ vm } end, { "soma.spike_hash", "records a state variable" } },
  { "spike hash of a streamed recording", function() soma.spike_hash{ streamed } end, { "soma.spike_hash", "streams to disk" } },
  { "count of a streamed recording", function() return streamed.count end, { "rec.count", "streams to disk" } },
}

for _, c in ipairs(cases) do
  H.test(c[1], function()
    local msg = H.errors(c[2], table.unpack(c[3]))
    -- every message points at the script line that made the mistake
    if msg then H.check(msg:find("test_errors.lua:%d+:"), "no script location in: " .. msg) end
  end)
end

H.test("the network still runs after all those mistakes", function()
  net:run(10)
  H.equal(net.t, 10, "t")
end)

H.done()
