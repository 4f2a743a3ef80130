-- distal_reward.lua — Izhikevich (2007) Fig. 1: dopamine-modulated STDP solves the distal
-- reward problem. 1000 Izhikevich neurons (800 regular spiking, 200 fast spiking), 100
-- synapses each, 1 ms delays, weights in [0, 4] mV. One excitatory synapse n1 -> n2 starts at
-- 0; whenever n2 fires within 20 ms after n1, dopamine (+0.5) is released 1 to 3 s later.
-- In the paper, eligibility traces (tau_e ~ 1 s) bridge the delay: over an hour that one
-- synapse grows to the maximum while the others stay spread out, and a short trace (tau_e =
-- 50 ms, the ablation) cannot bridge it. results.json reports what this run got: the final
-- weight of the chosen synapse, its rank and percentile among the E->E weights, the rewards,
-- `alone_at_max` (rank 1: the paper's claim) and `success` (>= 90 % of the maximum and in the
-- top 5 % of the E->E weights). The author's own code, ported to numpy in
-- bench/peers/daspnet.py, does not leave the chosen synapse alone either: after an hour about
-- 5 % of the E->E synapses sit near the maximum there too (README, "Distal reward").
--   soma run scripts/distal_reward.lua                   (two simulated hours: main + ablation)
--   soma run scripts/distal_reward.lua --set minutes=10  (shorter)
-- Parameters from the author's code (ModelDB 84167, daspnet.m): STDP A+ 0.1, A- 0.15, tau 20
-- ms, nearest-spike traces; eligibility x0.99 per 10 ms (tau_e 995 ms); dopamine x0.995 per ms
-- (tau 200 ms), tonic 0.002, +0.5 per reward; weights updated every 10 ms by (0.002 + DA) c.
-- The thalamic input 13 (rand - 0.5) per ms is approximated by balanced Poisson jumps of
-- +-3.5 mV at 500 Hz each (mean 0, spread 3.5 mV/ms; 3.75 would match the spread of the
-- original but fires faster here, 2.6 Hz).
params = {
  minutes = 60,        -- simulated time of each run
  tau_e = 995,         -- eligibility time constant of the main run, ms
  tau_e_ablation = 50, -- the ablation's
  ablation = true,     -- also run the ablation
  dt = 0.5,            -- ms (Izhikevich used two 0.5 ms half-steps)
  noise_mv = 3.5,      -- size of the random input's jumps, mV (rates near 2 Hz)
  noise_hz = 500,      -- rate of each sign of jumps
  quick = false,       -- a short run for the tests
}
local minutes = params.quick and 0.5 or params.minutes

local function experiment(name, tau_e)
  local net = soma.net{ name = name, dt = params.dt }
  local E = net:pop{ name = "E", model = "izhikevich", n = 800, a = 0.02, b = 0.2, c = -65, d = 8,
                     V_m = -65, U_m = -13 }
  local I = net:pop{ name = "I", model = "izhikevich", n = 200, a = 0.1, b = 0.2, c = -65, d = 2,
                     V_m = -65, U_m = -13 }
  for _, p in ipairs{ E, I } do
    p:poisson_input{ rate = params.noise_hz, weight = params.noise_mv, port = "ex" }
    p:poisson_input{ rate = params.noise_hz, weight = -params.noise_mv, port = "in" }
  end
  local da = net:modulator{ name = "dopamine", tonic = 0.002, tau = 200 }
  local learning = { rule = "stdp_dopamine", modulator = da, A_plus = 0.1, A_minus = 0.15,
                     tau_plus = 20, tau_minus = 20, nearest = 1, tau_e = tau_e, lr = 0.1,
                     every = 10, w_min = 0, w_max = 4 }
  -- each neuron has 100 targets: excitatory ones anywhere (80 E, 20 I on average), inhibitory
  -- ones among the excitatory neurons
  local ee = net:connect(E, E, { rule = "fixed_outdegree", k = 80, weight = 1, delay = 1, plasticity = learning })
  net:connect(E, I, { rule = "fixed_outdegree", k = 20, weight = 1, delay = 1, plasticity = learning })
  net:connect(I, E, { rule = "fixed_outdegree", k = 100, weight = -1, delay = 1, port = "in" })

  -- the chosen synapse, drawn with the run's seed, starts at 0
  math.randomseed(soma.seed)
  local syn = ee:get()
  local chosen = math.random(#syn.pre)
  local n1, n2 = syn.pre[chosen], syn.post[chosen]
  local w = ee:weights()
  w[chosen] = 0
  ee:set_weights(w)
  local watch = net:record(E, "spikes", { ids = { n1, n2 } })

  local t_end, chunk = minutes * 60000, 100
  local seen, last_n1, rewards, trace_t, trace_w = 0, -math.huge, 0, {}, {}
  local next_sample = 0
  while net.t < t_end do
    net:run(math.min(chunk, t_end - net.t))
    local steps, ids = watch:steps(), watch:ids()
    for i = seen + 1, #ids do
      local t = steps[i] * params.dt
      if ids[i] == n1 then
        last_n1 = t
      elseif t - last_n1 < 20 and t > last_n1 then
        da:schedule({ t + 1000 + math.random() * 2000 }, { 0.5 })   -- reward 1 to 3 s later
        rewards = rewards + 1
      end
    end
    seen = #ids
    if net.t >= next_sample then
      trace_t[#trace_t + 1], trace_w[#trace_w + 1] = net.t / 60000, ee:weights()[chosen]
      next_sample = next_sample + 10000
    end
    soma.progress(net.t, t_end, "ms of " .. name)
  end
  local weights = ee:weights()
  local rank, below = 1, 0
  for k = 1, #weights do
    if k ~= chosen and weights[k] > weights[chosen] then rank = rank + 1 end
    if weights[k] < weights[chosen] then below = below + 1 end
  end
  local percentile = 100 * below / (#weights - 1)
  local others, n_others, at_max = 0, 0, 0
  for k = 1, #weights do
    if k ~= chosen then
      others, n_others = others + weights[k], n_others + 1
      if weights[k] >= 0.9 * 4 then at_max = at_max + 1 end
    end
  end
  local result = {
    chosen_weight_final = weights[chosen], weight_max = 4, chosen_rank = rank, rewards = rewards,
    chosen_percentile = percentile, alone_at_max = rank == 1 and weights[chosen] >= 0.9 * 4,
    mean_other_weight = others / n_others, others_near_max = at_max / n_others,
    excitatory_synapses = #weights, tau_e_ms = tau_e,
    rate_exc_hz = E.spikes / 800 / (net.t / 1000), rate_inh_hz = I.spikes / 200 / (net.t / 1000),
    success = weights[chosen] >= 0.9 * 4 and percentile >= 95,
    criterion = "success: the chosen synapse ends at >= 90 % of the maximum weight and above 95 % "
                .. "of the other E->E weights; alone_at_max: it is the largest of all (rank 1)",
  }
  net:destroy()
  -- the distribution of the excitatory weights at the end: 40 bins over [0, 4] mV
  local hist = {}
  for b = 1, 40 do hist[b] = 0 end
  for k = 1, #weights do
    local b = math.min(40, math.floor(weights[k] / 0.1) + 1)
    hist[b] = hist[b] + 1
  end
  result.histogram = hist
  return result, trace_t, trace_w
end

local main, t_main, w_main = experiment("main", params.tau_e)
local result = main
local ablation, t_abl, w_abl
if params.ablation then
  ablation, t_abl, w_abl = experiment("ablation", params.tau_e_ablation)
  result.ablation_short_trace = ablation
end
soma.result(result)
for _, r in ipairs{ { "main", main }, { "ablation", ablation } } do
  if r[2] then
    print(string.format("%-8s tau_e %4d ms: chosen synapse %.3f of 4 mV (rank %d of %d, above %.1f %%), %d rewards, "
                        .. "other synapses %.3f on average (%.1f %% near the maximum); E %.1f Hz, I %.1f Hz", r[1],
                        r[2].tau_e_ms, r[2].chosen_weight_final, r[2].chosen_rank, r[2].excitatory_synapses,
                        r[2].chosen_percentile,
                        r[2].rewards, r[2].mean_other_weight, 100 * r[2].others_near_max,
                        r[2].rate_exc_hz, r[2].rate_inh_hz))
  end
end

local g = soma.figure{ width = 900, height = 800 }
local ax = g:axes{ x = 80, y = 50, w = 790, h = 380, xlim = { 0, minutes }, ylim = { 0, 4.2 },
                   xlabel = "time (min)", ylabel = "weight (mV)",
                   title = "the rewarded synapse: tau_e " .. params.tau_e .. " ms (blue), "
                           .. params.tau_e_ablation .. " ms (red)" }
ax:line({ 0, minutes }, { main.mean_other_weight, main.mean_other_weight }, { color = "grey" })
ax:line(t_main, w_main, { color = "blue" })
if t_abl then ax:line(t_abl, w_abl, { color = "red" }) end
-- the final weights of the main run (log10 of the count per 0.1 mV bin)
local xs, ys, top = {}, {}, 1
for b = 1, 40 do
  xs[b], ys[b] = (b - 1) * 0.1, math.log(main.histogram[b] + 1, 10)
  top = math.max(top, ys[b])
end
local hx = g:axes{ x = 80, y = 540, w = 790, h = 190, xlim = { 0, 4.1 }, ylim = { 0, top * 1.1 },
                   xlabel = "weight (mV)", ylabel = "log10(count + 1)",
                   title = "excitatory weights at the end (tau_e " .. params.tau_e .. " ms); the rewarded one: "
                           .. string.format("%.2f", main.chosen_weight_final) .. " mV" }
hx:bars(xs, ys, { width = 0.1, color = "grey" })
hx:line({ main.chosen_weight_final, main.chosen_weight_final }, { 0, top * 1.1 }, { color = "blue" })
g:save("distal_reward.png")
