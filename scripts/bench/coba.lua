-- coba.lua — the COBA benchmark network (Brette et al. 2007, benchmark 1; Vogels & Abbott
-- 2005) built through the Lua API, population by population, as `soma bench coba` builds it
-- in C: the same seed gives the same spikes, and results.json reports the same
-- spikes_sha256 and the simulation's wall time, so the cost of driving soma from Lua shows.
-- With stdp=true it is `soma bench coba_stdp` (pair STDP on E->E), and results.json also
-- summarises the final E->E weights (w_ee_*, nS), with every weight in w_ee.npy: the soma side
-- of the Brian2 comparison (bench/peers/compare.sh coba_stdp).
--   soma run scripts/bench/coba.lua --set time=1 --seed 1
--   soma run scripts/bench/coba.lua --set stdp=true --set time=10
params = {
  time = 1.0,     -- biological time, s
  scale = 1.0,    -- multiplies the neuron counts (the connection probability scales back)
  stdp = false,   -- pair STDP on E->E, as nets/nets.c build_coba_stdp
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
local stdp = params.stdp and { rule = "stdp", A_plus = 0.06, A_minus = 0.063, tau_plus = 20,
                               tau_minus = 20, w_min = 0, w_max = 12 } or nil
local ee
for k, c in ipairs{ { E, E, 6, "ex" }, { E, I, 6, "ex" }, { I, E, 67, "in" }, { I, I, 67, "in" } } do
  local pr = net:connect(c[1], c[2], { rule = "bernoulli", p = p, autapses = true, weight = c[3],
                                       port = c[4], plasticity = k == 1 and stdp or nil })
  if k == 1 then ee = pr end
end
local recs = { net:record(E, "spikes"), net:record(I, "spikes") }

local t0 = soma.clock()
net:run(time_s * 1000)
local wall = soma.clock() - t0

soma.result{
  network = params.stdp and "coba_stdp" or "coba", bio_time_s = time_s, neurons = ne + ni, synapses = net.synapses,
  spikes = E.spikes + I.spikes, rate_exc_hz = E.spikes / ne / time_s,
  rate_inh_hz = I.spikes / ni / time_s, sim_wall_s = wall,
  spikes_sha256 = soma.spike_hash(recs),
}
print(string.format("COBA via Lua: %d neurons, %d synapses, %.3g s simulated in %.3f s; E %.2f Hz, I %.2f Hz",
                    ne + ni, net.synapses, time_s, wall, E.spikes / ne / time_s, I.spikes / ni / time_s))
print("spikes sha256 " .. soma.spike_hash(recs))

if params.stdp then   -- the final E->E weights: summary, and every one in w_ee.npy
  local w = ee:weights()
  local n, t, mean = w.n, w:table(), w:mean()
  local ss, lo, hi = 0, 0, 0
  for i = 1, n do
    ss = ss + (t[i] - mean) ^ 2
    if t[i] <= 0 then lo = lo + 1 end
    if t[i] >= 12 then hi = hi + 1 end
  end
  table.sort(t)
  local function q(f) return t[math.max(1, math.min(n, math.floor(f * (n - 1) + 0.5) + 1))] end
  w:save("w_ee.npy")
  soma.result{ w_ee_n = n, w_ee_mean = mean, w_ee_sd = math.sqrt(ss / n), w_ee_min = t[1],
               w_ee_max = t[n], w_ee_frac_zero = lo / n, w_ee_frac_max = hi / n,
               w_ee_q10 = q(0.1), w_ee_q50 = q(0.5), w_ee_q90 = q(0.9) }
end
