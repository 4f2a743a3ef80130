-- test_consolidation.lua — continual learning: a readout learns task A, then task B, with a
-- prediction-error rule. Without consolidation B overwrites what A needed; with it (SI or
-- EWC importance, anchors and the pull towards them) the loss on A after B is at least 50 %
-- lower, while B is learned about as well.
local H = require "harness"

-- 60 Poisson inputs; task A drives inputs 0-39, task B inputs 20-59 (20-39 shared); 4 LIF
-- readout neurons learn target rates: A {20, 5, 20, 5} Hz, B {5, 20, 5, 20} Hz
local function rates_of(lo, hi)
  local r = {}
  for i = 0, 59 do r[i + 1] = (i >= lo and i <= hi) and 20 or 0 end
  return r
end
local A = { input = rates_of(0, 39), target = { 20, 5, 20, 5 } }
local B = { input = rates_of(20, 59), target = { 5, 20, 5, 20 } }

local function continual(consolidation, seconds)
  local net = soma.net{ seed = 5 }
  local input = net:pop{ name = "in", model = "poisson", n = 60, rate = 0 }
  local out = net:pop{ name = "out", model = "lif", n = 4 }
  local c = net:connect(input, out, { weight = soma.uniform(0, 10),
    plasticity = { rule = "pred_error", lr = 2e-3, w_max = 500, target = 0, consolidation = consolidation } })
  local rec = net:record(out, "spikes")
  local function train(task)
    input:set{ rate = task.input }
    c:set_target(task.target)
    net:run(seconds * 1000)
  end
  local function loss(task)   -- mean squared rate error (Hz^2) over 5 s, learning off
    c:learning(false)
    input:set{ rate = task.input }
    net:run(500)
    local n0, counts = rec.count, { 0, 0, 0, 0 }
    net:run(5000)
    local ids = rec:ids()
    for i = n0 + 1, #ids do counts[ids[i] + 1] = counts[ids[i] + 1] + 1 end
    c:learning(true)
    local l = 0
    for i = 1, 4 do l = l + (counts[i] / 5 - task.target[i]) ^ 2 end
    return l / 4, counts
  end
  train(A)
  if consolidation then c:consolidate() end
  train(B)
  local la = loss(A)
  local lb, counts_b = loss(B)
  local importance = consolidation and c:importance() or nil
  net:destroy()
  return la, lb, counts_b, importance
end

local plain_a, plain_b, plain_counts = continual(nil, 40)

for _, case in ipairs{ { kind = "si", lambda = 0.03 }, { kind = "ewc", lambda = 1e-5 } } do
  H.test(case.kind .. " consolidation protects task A while B is learned", function()
    local la, lb, counts, imp = continual({ kind = case.kind, lambda = case.lambda, xi = 1, every = 10 }, 40)
    print(string.format("  %s (lambda %g): loss on A after B %.1f Hz^2 (without: %.1f), loss on B %.1f (without: %.1f)",
                        case.kind, case.lambda, la, plain_a, lb, plain_b))
    H.check(la <= 0.5 * plain_a, "loss on A " .. la .. " not 50 % below " .. plain_a)
    for i = 1, 4 do
      H.check(math.abs(counts[i] - plain_counts[i]) / 5 <= 4,
              string.format("B rate of neuron %d: %.1f Hz, without consolidation %.1f Hz", i - 1, counts[i] / 5, plain_counts[i] / 5))
    end
    H.check(imp:max() > 0 and imp:min() >= 0, "importance accumulated")
  end)
end

H.test("consolidation mistakes get messages", function()
  local net = soma.net{}
  local a = net:pop{ name = "a", model = "poisson", n = 2 }
  local b = net:pop{ name = "b", model = "lif", n = 2 }
  local static = net:connect(a, b)
  H.errors(function() static:consolidation{ kind = "si" } end, "give it a rule first")
  local c = net:connect(a, b, { plasticity = { rule = "stdp", w_max = 10 } })
  H.errors(function() c:consolidate() end, "turn consolidation on first")
  H.errors(function() c:consolidation{ kind = "l2" } end, "kind 'l2' is unknown", "\"si\"")
  H.errors(function() c:consolidation{ lambda = -1 } end, "'lambda' must be from 0")
  H.errors(function() c:importance() end, "turn consolidation on first")
  H.errors(function() static:learning(false) end, "has no learning rule")
  H.errors(function() c:rule_param("tau_plu") end, "has no parameter 'tau_plu'", "did you mean 'tau_plus'")
  H.errors(function() c:rule_param("w_max", 3) end, "fixed once the rule runs")
  c:rule_param("A_plus", 0.5)
  H.equal(c:rule_param("A_plus"), 0.5, "rule parameter changed")
end)

H.done()
