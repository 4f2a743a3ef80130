-- ei_network.lua — a sparse network of excitatory and inhibitory LIF neurons driven by Poisson
-- input. Each episode raises the input rate; the script logs the E and I rates, and at the
-- end draws the input–output curve and a raster into the run directory (ei_network.png).
-- With --window the live raster shows the network as it runs.
--   soma run scripts/ei_network.lua
--   soma run scripts/ei_network.lua --set episodes=10 --set g=6 --seed 3
params = {
  n_exc = 800, n_inh = 200,  -- neurons
  p = 0.1,                   -- connection probability
  w = 50,                    -- excitatory weight, pA
  g = 5,                     -- inhibitory weight = -g * w
  delay = 1.5,               -- synaptic delay, ms
  n_ext = 100,               -- Poisson inputs per neuron
  w_ext = 20,                -- pA per input spike
  rate = 60,                 -- input rate of the first episode, Hz per input
  rate_step = 20,            -- added each episode, Hz
  episodes = 6,              -- input rates tried
  episode_ms = 500,          -- simulated time per rate
  quick = false,             -- a short run (the tests use it)
}
if params.quick then params.episodes, params.episode_ms = 2, 100 end

local net = soma.net{}
local cell = { model = "lif", V_m = soma.uniform(-70, -55) }
local E = net:pop{ name = "E", n = params.n_exc, model = cell.model, V_m = cell.V_m }
local I = net:pop{ name = "I", n = params.n_inh, model = cell.model, V_m = cell.V_m }
local ext = net:pop{ name = "ext", model = "poisson", n = 1000, rate = params.rate }
local function connect(pre, post, w, port)
  net:connect(pre, post, { rule = "bernoulli", p = params.p, weight = w, port = port,
                           delay = params.delay })
end
connect(E, E, params.w, "ex")
connect(E, I, params.w, "ex")
connect(I, E, -params.g * params.w, "in")
connect(I, I, -params.g * params.w, "in")
for _, post in ipairs{ E, I } do
  net:connect(ext, post, { rule = "fixed_indegree", k = params.n_ext, weight = params.w_ext })
end
local spikes_e = net:record(E, "spikes")
net:record(I, "spikes")
net:record(E, "V_m", { ids = { 0, 1, 2 }, interval = 0.5 })

local inputs, rates_e, rates_i = {}, {}, {}

function episode(k)
  local rate = params.rate + (k - 1) * params.rate_step
  ext:set{ rate = rate }
  local e0, i0 = E.spikes, I.spikes
  net:run(params.episode_ms)
  local s = params.episode_ms / 1000
  local re, ri = (E.spikes - e0) / E.n / s, (I.spikes - i0) / I.n / s
  soma.log{ episode = k, input_hz = rate, rate_exc_hz = re, rate_inh_hz = ri }
  inputs[k], rates_e[k], rates_i[k] = rate * params.n_ext, re, ri
end

function finish(status)
  if #inputs == 0 then return end
  local g = soma.figure{ width = 900, height = 700 }
  local top = 0
  for k = 1, #rates_e do top = math.max(top, rates_e[k], rates_i[k]) end
  local ax = g:axes{ x = 90, y = 50, w = 780, h = 250, xlim = { inputs[1] - 500, inputs[#inputs] + 500 },
                     ylim = { 0, top * 1.1 + 1 }, xlabel = "input spikes per neuron per second",
                     ylabel = "rate (Hz)", title = "E (blue) and I (red) rates against the input" }
  ax:line(inputs, rates_e, { color = "blue" })
  ax:points(inputs, rates_e, { color = "blue", size = 6 })
  ax:line(inputs, rates_i, { color = "red" })
  ax:points(inputs, rates_i, { color = "red", size = 6 })
  -- raster of the last 200 ms: 200 E neurons
  local t_end = net.t
  local r = g:axes{ x = 90, y = 380, w = 780, h = 260, xlim = { t_end - 200, t_end }, ylim = { 0, 200 },
                    xlabel = "time (ms)", ylabel = "E neuron", title = "last 200 ms (" .. status .. ")" }
  local t, ids = spikes_e:times(), spikes_e:ids()
  local xs, ys = {}, {}
  for i = #t, 1, -1 do
    if t[i] < t_end - 200 then break end
    if ids[i] < 200 then xs[#xs + 1], ys[#ys + 1] = t[i], ids[i] end
  end
  r:points(xs, ys, { color = "black", size = 2 })
  g:save("ei_network.png")
  soma.result{ input_per_neuron_hz = inputs, rate_exc_hz = rates_e, rate_inh_hz = rates_i }
end
