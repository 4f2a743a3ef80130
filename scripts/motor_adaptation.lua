-- motor_adaptation.lua — center-out reaching under a 30 deg visuomotor rotation with the
-- protocol of Smith, Ghazizadeh & Shadmehr 2006: null trials, adaptation, a counter-
-- perturbation until the net output is back to zero, error-clamp trials (spontaneous
-- recovery), then washout and re-adaptation (savings). The learner is the spiking reacher
-- (soma.agent.reacher: place cells of the target -> a ring of motor LIF neurons whose
-- population vector is the reach; the visual error at peak speed teaches the synapses by the
-- delta rule, and each synapse has a fast and a slow part). The same protocol runs with a
-- curl force field (error clamp = force channel), with one weight component only (the
-- ablation), and for the NON-SPIKING two-state and one-state models with the published
-- parameters (reference curves). The two-state and one-state models are fitted to every
-- agent's trial-by-trial output.
--   soma run scripts/motor_adaptation.lua                 (5 seeds, about 2 minutes)
--   soma run scripts/motor_adaptation.lua --set seeds=10
-- Definitions (output = the agent's adaptation, as a fraction of the perturbation: minus the
-- reach direction read from the motor spikes, relative to the target, divided by the error the
-- perturbation gives an unadapted straight reach: +30 deg for the rotation, the measured
-- deflection at peak speed for the curl field):
--   counter-perturbation: until the mean output of its last `window` trials (one per target)
--     is <= 0 (at least `window`, at most counter_max trials);
--   spontaneous_recovery: the mean output over error-clamp trials rebound_from..rebound_to
--     (> 0: the adaptation comes back although no error is shown);
--   savings_ratio: trials to criterion in the first adaptation / in the re-adaptation, the
--     criterion being the first trial at which the mean output of the last `window` trials
--     reaches half the first adaptation's asymptote (its last 50 trials); > 1: faster
--     relearning.
-- results.json: fit {A_f, B_f, A_s, B_s} (the two-state model fitted to each seed's outputs,
-- mean over seeds; fit_sd beside it), fit_one_state {A, B}, spontaneous_recovery, savings_ratio
-- (each with *_sd), seeds; the same under ablation_one_component and curl_field; the reference
-- models' numbers under reference; every seed's numbers under per_seed. Every trial is a row of
-- results.csv. motor_adaptation.png: the error curve, the output with the fitted and reference
-- models, the weights' fast and slow parts against the fitted states, the ablation and the curl.
params = {
  seeds = 5,            -- agents per condition
  baseline = 50,        -- null trials
  adapt = 350,          -- with the perturbation
  counter_max = 60,     -- at most this many counter-perturbation trials
  clamp = 150,          -- error-clamp trials
  washout = 100,        -- null trials
  readapt = 150,        -- the perturbation again
  rotation = 30,        -- deg (counter-clockwise)
  curl = 10,            -- N s/m (pushes clockwise)
  window = 8,           -- trials averaged by the counter-perturbation's end and the savings
  rebound_from = 11,    -- error-clamp trials averaged for the spontaneous recovery
  rebound_to = 50,
  curl_run = true,      -- the curl-field condition
  ablation = true,      -- the one-component condition
  quick = false,        -- 1 seed and a short protocol, for the tests
}
local P = {}
for k, v in pairs(params) do P[k] = v end
if P.quick then
  P.seeds, P.baseline, P.adapt, P.counter_max, P.clamp, P.washout, P.readapt = 1, 16, 120, 40, 60, 40, 80
  P.rebound_from, P.rebound_to = 6, 30
end
local stats = require "lib.stats"
local FORCE, PULSE_MS, MOVE_MS = 0.5, 200, 300   -- the reach: a force pulse (the agent's defaults)

local PHASES = { "baseline", "adapt", "counter", "clamp", "washout", "readapt" }
local PERTURBATION = { baseline = 0, adapt = 1, counter = -1, clamp = 0, washout = 0, readapt = 1 }

-- The protocol for a learner: learner(f, clamp, k) runs trial k with perturbation f (1, -1 or 0)
-- and returns {output, error, ...}. Returns the record: per trial f, clamp, phase, output, error
-- and what else the learner returns; start[phase] and length[phase].
local function run_protocol(learner)
  local rec = { f = {}, clamp = {}, phase = {}, output = {}, error = {}, aim = {}, hand = {},
                fast = {}, slow = {}, target = {}, start = {}, length = {} }
  local n = 0
  local function trial(phase)
    n = n + 1
    local f, clamp = PERTURBATION[phase], phase == "clamp"
    local t = learner(f, clamp, n)
    rec.f[n], rec.clamp[n], rec.phase[n] = f, clamp, phase
    for _, key in ipairs{ "output", "error", "aim", "hand", "fast", "slow", "target" } do
      rec[key][n] = t[key] or 0 / 0
    end
  end
  local lengths = { baseline = P.baseline, adapt = P.adapt, clamp = P.clamp, washout = P.washout,
                    readapt = P.readapt }
  for _, phase in ipairs(PHASES) do
    rec.start[phase] = n + 1
    if phase == "counter" then
      for k = 1, P.counter_max do
        trial(phase)
        if k >= P.window then
          local m = 0
          for j = n - P.window + 1, n do m = m + rec.output[j] / P.window end
          if m <= 0 then break end
        end
      end
    else
      for _ = 1, lengths[phase] do trial(phase) end
    end
    rec.length[phase] = n + 1 - rec.start[phase]
  end
  rec.n = n
  return rec
end

-- the numbers of one record: fits, spontaneous recovery, savings
local function measure(rec)
  local y = rec.output
  local a0, a1 = rec.start.adapt, rec.start.adapt + rec.length.adapt - 1
  local asym = 0
  local tail = math.min(50, rec.length.adapt)
  for j = a1 - tail + 1, a1 do asym = asym + y[j] / tail end
  local c0 = rec.start.clamp
  local rebound, nr = 0, 0
  for j = c0 + P.rebound_from - 1, math.min(c0 + P.rebound_to - 1, c0 + rec.length.clamp - 1) do
    rebound, nr = rebound + y[j], nr + 1
  end
  rebound = rebound / nr
  local function to_criterion(first, len)
    for k = P.window, len do
      local m = 0
      for j = first + k - P.window, first + k - 1 do m = m + y[j] / P.window end
      if m >= asym / 2 then return k end
    end
    return nil
  end
  local t1 = to_criterion(a0, rec.length.adapt)
  local t2 = to_criterion(rec.start.readapt, rec.length.readapt)
  local two = soma.agent.fit_two_state{ perturbation = rec.f, clamp = rec.clamp, output = y }
  local one = soma.agent.fit_two_state{ perturbation = rec.f, clamp = rec.clamp, output = y, states = 1 }
  return {
    fit = { A_f = two.a_f, B_f = two.b_f, A_s = two.a_s, B_s = two.b_s, r2 = two.r2, rmse = two.rmse },
    fit_one_state = { A = one.a, B = one.b, r2 = one.r2, rmse = one.rmse },
    spontaneous_recovery = rebound,
    savings_ratio = (t1 and t2) and t1 / t2 or 0 / 0,
    trials_to_criterion_first = t1 or 0 / 0, trials_to_criterion_relearning = t2 or 0 / 0,
    asymptote = asym,
    counter_trials = rec.length.counter,
  }
end

-- the error (deg, at peak speed) of a straight reach without adaptation under curl field k
local function curl_deflection(k)
  local probe = soma.env.reach{ name = "curl_probe", curl = k, target = 0 }
  probe:reset(1)
  local dt_ms = 10
  for step = 1, MOVE_MS // dt_ms do
    local _, _, _, _, info = probe:step(step <= PULSE_MS // dt_ms and { FORCE, 0 } or { 0, 0 })
    if info.angular_error == info.angular_error then return info.angular_error end
  end
  error("motor_adaptation.lua: the curl probe measured no error")
end

local episodes = 0   -- trials of every agent in turn: the x of summary.png's learning curve

-- the reacher under a perturbation kind ("rotation" or "curl"): a learner for run_protocol
local function reacher(seed, kind, components, scale)
  local env = soma.env.reach{ name = string.format("%s%d_%d", kind, components, seed) }
  local agent = soma.agent.reacher{ env = env, seed = seed, components = components,
                                    force = FORCE, pulse_ms = PULSE_MS, move_ms = MOVE_MS }
  math.randomseed(seed)
  local order = {}   -- cycles of the 8 targets, each in a random order
  return function(f, clamp, k)
    if kind == "rotation" then env:set{ rotation = f * P.rotation, clamp = clamp and 2 or 0 }
    else env:set{ curl = f * P.curl, clamp = clamp and 1 or 0 } end
    if #order == 0 then
      for i = 1, 8 do order[i] = i - 1 end
      for i = 8, 2, -1 do local j = math.random(i); order[i], order[j] = order[j], order[i] end
    end
    local t = agent:trial{ target = table.remove(order) }
    local out = { output = -t.aim / scale, error = t.error, aim = t.aim, hand = t.hand,
                  fast = -t.weights.fast / scale, slow = -t.weights.slow / scale, target = t.target }
    episodes = episodes + 1
    soma.log{ condition = kind .. components, seed = seed, trial = k, episode = episodes,
              perturbation = f, clamp = clamp, target = t.target, error = t.error, aim = t.aim, hand = t.hand,
              output = out.output, weights_fast = out.fast, weights_slow = out.slow }
    return out
  end
end

local function model(m, scale)
  return function(f, clamp)
    local o = m:trial{ perturbation = f, clamp = clamp }
    return { output = o.output, error = o.error * scale, fast = o.fast, slow = o.slow }
  end
end

-- mean and sd over seeds of every number of the measures (nested one level)
local function summarise(list)
  local out = { seeds = #list, per_seed = list }
  for key, v in pairs(list[1]) do
    if type(v) == "table" then
      out[key], out[key .. "_sd"] = {}, {}
      for sub in pairs(v) do
        local xs = {}
        for s = 1, #list do xs[#xs + 1] = list[s][key][sub] end
        out[key][sub], out[key .. "_sd"][sub] = stats.mean_sd(xs)
      end
    else
      local xs = {}
      for s = 1, #list do if list[s][key] == list[s][key] then xs[#xs + 1] = list[s][key] end end
      out[key], out[key .. "_sd"] = stats.mean_sd(xs)
      if not out[key] then out[key] = 0 / 0 end
    end
  end
  return out
end

soma.view{ curve = "error" }
local conditions = { { key = "rotation", kind = "rotation", components = 2 } }
if P.ablation then conditions[#conditions + 1] = { key = "ablation", kind = "rotation", components = 1 } end
if P.curl_run then conditions[#conditions + 1] = { key = "curl", kind = "curl", components = 2 } end
-- measured when the curl condition starts (so the first world, drawn in summary.png, is an agent's)
local curl_scale
local records, summary = {}, {}
local done, total = 0, #conditions * P.seeds
for _, c in ipairs(conditions) do
  if c.kind == "curl" then curl_scale = curl_deflection(P.curl) end
  local scale = c.kind == "rotation" and P.rotation or curl_scale
  records[c.key], summary[c.key] = {}, {}
  local measures = {}
  for s = 1, P.seeds do
    local rec = run_protocol(reacher(soma.seed * 1000 + s, c.kind, c.components, scale))
    records[c.key][s] = rec
    measures[s] = measure(rec)
    done = done + 1
    soma.progress(done, total, "agents")
  end
  summary[c.key] = summarise(measures)
end
local references = {
  two_state = run_protocol(model(soma.agent.two_state{}, P.rotation)),
  one_state = run_protocol(model(soma.agent.one_state{}, P.rotation)),
}

local function fmt(x) return x == x and string.format("%.4g", x) or "-" end
local function report(label, s)
  print(string.format("%-34s A_f %s B_f %s A_s %s B_s %s | recovery %s | savings %s (%d seeds)",
                      label, fmt(s.fit.A_f), fmt(s.fit.B_f), fmt(s.fit.A_s), fmt(s.fit.B_s),
                      fmt(s.spontaneous_recovery), fmt(s.savings_ratio), s.seeds))
end
report("spiking reacher, 30 deg rotation", summary.rotation)
if summary.ablation then report("one weight component (ablation)", summary.ablation) end
if summary.curl then report(string.format("curl field %g N s/m", P.curl), summary.curl) end

local result = summary.rotation
result.ablation_one_component = summary.ablation
result.curl_field = summary.curl
if summary.curl then result.curl_field.deflection_deg = curl_scale end
result.human = { A_f = 0.92, B_f = 0.03, A_s = 0.996, B_s = 0.004, one_state_A = 0.99,
                 one_state_B = 0.013, source = "Smith, Ghazizadeh & Shadmehr 2006" }
result.reference = {}
for key, rec in pairs(references) do
  local m = measure(rec)
  result.reference[key] = { spontaneous_recovery = m.spontaneous_recovery,
                            savings_ratio = m.savings_ratio, asymptote = m.asymptote,
                            counter_trials = m.counter_trials }
end
result.protocol = { baseline = P.baseline, adapt = P.adapt, counter_max = P.counter_max,
                    clamp = P.clamp, washout = P.washout, readapt = P.readapt,
                    rotation_deg = P.rotation, curl = P.curl, window = P.window,
                    rebound_trials = { P.rebound_from, P.rebound_to } }
result.measured_at = "the reach direction read from the motor spikes of the planning window "
  .. "(output); the cursor's error at peak speed (error)"
soma.result(result)

-- ---- the figure ---------------------------------------------------------------------------

-- the records of a condition aligned phase by phase (each phase as long as its longest seed):
-- x (trial), the mean of key over the seeds that have that trial, the phases' starts
local function aligned(recs, key)
  local xs, ys, starts, x = {}, {}, {}, 0
  for _, phase in ipairs(PHASES) do
    local len = 0
    for _, r in ipairs(recs) do len = math.max(len, r.length[phase]) end
    starts[phase] = x + 1
    for i = 1, len do
      local sum, c = 0, 0
      for _, r in ipairs(recs) do
        if i <= r.length[phase] then
          local v = r[key][r.start[phase] + i - 1]
          if v == v then sum, c = sum + v, c + 1 end
        end
      end
      x = x + 1
      xs[x], ys[x] = x, c > 0 and sum / c or 0 / 0
    end
  end
  return xs, ys, starts
end

-- the fitted model's outputs and states over the aligned protocol of recs
local function fitted_curves(recs, fit)
  local f, clamp = {}, {}
  local x = 0
  for _, phase in ipairs(PHASES) do
    local len = 0
    for _, r in ipairs(recs) do len = math.max(len, r.length[phase]) end
    for _ = 1, len do
      x = x + 1
      f[x], clamp[x] = PERTURBATION[phase], phase == "clamp"
    end
  end
  local m = fit.A_s and soma.agent.two_state{ a_f = fit.A_f, b_f = fit.B_f, a_s = fit.A_s, b_s = fit.B_s }
            or soma.agent.one_state{ a = fit.A, b = fit.B }
  return m:simulate{ perturbation = f, clamp = clamp }
end

local g = soma.figure{ width = 1200, height = 1500 }
local n_all = 0
for _, phase in ipairs(PHASES) do
  local len = 0
  for _, r in ipairs(records.rotation) do len = math.max(len, r.length[phase]) end
  n_all = n_all + len
end
local function panel(y, title, ylim, ylabel)
  local ax = g:axes{ x = 90, y = y, w = 1070, h = 200, xlim = { 0, n_all + 1 }, ylim = ylim,
                     xlabel = "trial", ylabel = ylabel, title = title }
  local _, _, starts = aligned(records.rotation, "output")
  for _, phase in ipairs(PHASES) do
    if phase ~= "baseline" then ax:line({ starts[phase] - 0.5, starts[phase] - 0.5 }, ylim, { color = "lightgrey" }) end
  end
  ax:line({ 0, n_all + 1 }, { 0, 0 }, { color = "lightgrey" })
  return ax
end
local nseeds = #records.rotation
local xs, err = aligned(records.rotation, "error")
local fit = summary.rotation.fit
local model_curve = fitted_curves(records.rotation, fit)
local model_err = {}
local fa, ca = {}, {}
do
  local x = 0
  for _, phase in ipairs(PHASES) do
    local len = 0
    for _, r in ipairs(records.rotation) do len = math.max(len, r.length[phase]) end
    for _ = 1, len do
      x = x + 1
      fa[x], ca[x] = PERTURBATION[phase], phase == "clamp"
      model_err[x] = ca[x] and 0 or (fa[x] - model_curve.output[x]) * P.rotation
    end
  end
end
local ax = panel(40, string.format("30 deg rotation: cursor error at peak speed, mean of %d spiking agents (blue); "
                                   .. "the fitted two-state model (black)", nseeds), { -45, 45 }, "error (deg)")
ax:points(xs, err, { color = "blue", size = 2 })
ax:line(xs, model_err, { color = "black" })

local _, out = aligned(records.rotation, "output")
ax = panel(330, "output (fraction of the perturbation): agents (blue), fitted two-state (black), "
               .. "Smith 2006 two-state (orange) and one-state (green) models", { -0.8, 1.1 }, "adaptation")
ax:points(xs, out, { color = "blue", size = 2 })
ax:line(xs, model_curve.output, { color = "black" })
for key, colour in pairs{ two_state = "orange", one_state = "green" } do
  local r = references[key]
  local rx = {}
  for i = 1, r.n do rx[i] = i end
  ax:line(rx, r.output, { color = colour })
end

local _, wf = aligned(records.rotation, "fast")
local _, ws = aligned(records.rotation, "slow")
ax = panel(620, "inside the synapses: the drive of the fast (red) and slow (purple) weight parts, "
               .. "against the fitted model's x_f and x_s (lines)", { -0.8, 1.1 }, "adaptation")
ax:points(xs, wf, { color = "red", size = 2 })
ax:points(xs, ws, { color = "purple", size = 2 })
ax:line(xs, model_curve.fast, { color = "red" })
ax:line(xs, model_curve.slow, { color = "purple" })

if summary.ablation then
  local ax2 = panel(910, "ablation, one weight component: agents (blue), its one-state fit (black), "
                         .. "the two-component agents (grey)", { -0.8, 1.1 }, "adaptation")
  local ax_, ab = aligned(records.ablation, "output")
  local curve = fitted_curves(records.ablation, summary.ablation.fit_one_state)
  ax2:points(xs, out, { color = "lightgrey", size = 2 })
  ax2:points(ax_, ab, { color = "blue", size = 2 })
  ax2:line(ax_, curve.output, { color = "black" })
end
if summary.curl then
  local ax3 = panel(1200, string.format("curl field %g N s/m (deflection %.1f deg; error clamp = force "
                                        .. "channel): agents (blue), fitted two-state (black)", P.curl, curl_scale),
                    { -0.8, 1.1 }, "adaptation")
  local cx, cy = aligned(records.curl, "output")
  local curve = fitted_curves(records.curl, summary.curl.fit)
  ax3:points(cx, cy, { color = "blue", size = 2 })
  ax3:line(cx, curve.output, { color = "black" })
end
g:save("motor_adaptation.png")
