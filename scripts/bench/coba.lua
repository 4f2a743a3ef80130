-- coba.lua — the COBA benchmark network (Brette et al. 2007, benchmark 1; Vogels & Abbott
-- 2005) built through the Lua API, population by population, as `soma bench coba` builds it
-- in C: the same seed gives the same spikes, and results.json reports the same
-- spikes_sha256 and the simulation's wall time, so the cost of driving soma from Lua shows.
--   soma run scripts/bench/coba.lua --set time=1 --seed 1
params = {
  time = 1.0,     -- biological time, s
  scale = 1.0,    -- multiplies the neuron counts (the connection probability scales back)
  quick = false,  -- a short run for the tests
}
local time_s = params.quick and 0.1 or params.time

local net = soma.net{}
local ne, ni = math.floor(3200 * params.scale + 0.5), math.floor(800 * params.scale + 0.5)
local cell = { model = "lif_cond", C_m = 200, g_L = 10, E_L = -60, V_th = -50, V_reset = -60,
               t_ref = 5, E_ex = 0, E_in = -80, tau_syn_ex = 5, tau_syn_in = 10,
               -- initial state as in the reference script: V ~ N(-65, 5) mV,
               -- g_ex ~ N(4, 1.5) g_L, g_in ~ N(20, 12) g_L (g_L = 10 nS)
               V_m = soma.normal(-65, 5), g_ex = soma.normal(40, 15), g_in = soma.normal(200, 120) }
local function pop(name, n)
  local spec = { name = name, n = n }
  for k, v in pairs(cell) do spec[k] = v end
  return net:pop(spec)
end
local E, I = pop("E", ne), pop("I", ni)
local p = math.min(0.02 / params.scale, 1)
for _, c in ipairs{ { E, E, 6, "ex" }, { E, I, 6, "ex" }, { I, E, 67, "in" }, { I, I, 67, "in" } } do
  net:connect(c[1], c[2], { rule = "bernoulli", p = p, autapses = true, weight = c[3], port = c[4] })
end
local recs = { net:record(E, "spikes"), net:record(I, "spikes") }

local t0 = soma.clock()
net:run(time_s * 1000)
local wall = soma.clock() - t0

soma.result{
  network = "coba", bio_time_s = time_s, neurons = ne + ni, synapses = net.synapses,
  spikes = E.spikes + I.spikes, rate_exc_hz = E.spikes / ne / time_s,
  rate_inh_hz = I.spikes / ni / time_s, sim_wall_s = wall,
  spikes_sha256 = soma.spike_hash(recs),
}
print(string.format("COBA via Lua: %d neurons, %d synapses, %.3g s simulated in %.3f s; E %.2f Hz, I %.2f Hz",
                    ne + ni, net.synapses, time_s, wall, E.spikes / ne / time_s, I.spikes / ni / time_s))
print("spikes sha256 " .. soma.spike_hash(recs))
