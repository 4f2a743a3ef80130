-- test_joint.lua — soma.joint from Lua: fit{} of the run so far (a recorded spiking agent made
-- here), of the run directory by its path, and of arrays; the scorecard as a table and the
-- files it writes; bin, decode and consistency against known answers; and the messages for
-- mistakes.
local H = require "harness"

-- the spiking agent near the water, its spikes and steps recorded (not yet written: the run
-- is still going when the tests call soma.joint.fit)
local agent = dofile("tests/fit/recorded_agent.lua").agent   -- run from the source tree
for _ = 1, 6 do agent:episode{} end

local function exists(path)
  local f = io.open(path, "rb")
  if f then f:close() end
  return f ~= nil
end

local function finite(v)
  return type(v) == "number" and v == v and v ~= math.huge and v ~= -math.huge
end

H.test("fit of the run so far: the scorecard as a table, and its files", function()
  local sc = soma.joint.fit{ model = "pca", seeds = 2, quiet = true }
  H.equal(sc.model, "pca", "model")
  H.equal(sc.populations[1], "agent/input", "the agent's populations by default")
  H.equal(sc.bin_ms, 25, "bin")
  H.check(sc.T > 100 and sc.n_neurons == 1277, "rows and neurons: " .. sc.T .. " x " .. sc.n_neurons)
  H.check(finite(sc.identifiability.x.knn_r2) and finite(sc.identifiability.y.linear_r2), "identifiability")
  H.check(finite(sc.decoding.knn.r2) and finite(sc.decoding.ridge.median_error), "decoding")
  H.check(finite(sc.cka.cka) and finite(sc.rsa.rsa) and finite(sc.procrustes_angle.procrustes_angle), "metrics")
  H.near(sc.consistency_seeds, 1, 1e-9, "PCA gives every seed the same embedding")
  H.check(sc.consistency_matrix[1][1] ~= sc.consistency_matrix[1][1], "NaN diagonal")
  H.equal(sc.split.kind, "cebra", "split")
  H.equal(#sc.embeddings, 2, "one embedding per seed")
  H.equal(sc.embeddings[1].shape[1], sc.T, "embedding rows")
  H.equal(sc.embeddings[1].shape[2], 3, "embedding dims")
  H.check(sc.dir and sc.dir:find(soma.dir, 1, true) == 1, "written into the run directory: " .. tostring(sc.dir))
  for _, f in ipairs{ "scorecard.json", "embedding.png", "decoding.png", "consistency.png", "metrics.png" } do
    H.check(exists(sc.dir .. "/" .. f), f)
  end
  H.check(sc.source:find("the run so far", 1, true), "source: " .. sc.source)
  -- the run directory by its own path is the run so far too; export writes the data
  local again = soma.joint.fit{ data = soma.dir, model = "pca", seeds = 1, export = true, quiet = true,
                                out = soma.dir .. "/fit-again" }
  H.equal(again.decoding.knn.r2, sc.decoding.knn.r2, "the same data, the same numbers")
  H.check(exists(soma.dir .. "/fit-again/x.npy") and exists(soma.dir .. "/fit-again/split.csv"), "export")
end)

H.test("fit of arrays: a line coded by three neurons", function()
  local x, y = {}, {}
  for t = 1, 300 do
    local p = math.sin(t / 15)
    y[t] = p
    x[t] = { 3 + 2 * p, 2 - p + 0.1 * math.cos(t), 1 + p * p }
  end
  local sc = soma.joint.fit{ data = { x = x, y = y, y_names = { "pos" }, bin_ms = 10 }, model = "pca", dims = 2,
                             seeds = 1, write = false, quiet = true, robustness = "none" }
  H.check(sc.dir == nil, "write = false writes nothing")
  H.equal(sc.behaviour[1], "pos", "the names given")
  H.equal(sc.bin_ms, 10, "bin_ms")
  H.check(sc.decoding.knn.r2 > 0.95, "kNN R² of the position " .. sc.decoding.knn.r2)
  H.check(sc.decoding.ridge.r2 > 0.95, "ridge R² " .. sc.decoding.ridge.r2)
  H.check(next(sc.robustness) == nil, "no robustness")
end)

H.test("bin: spikes to counts per bin", function()
  local counts, t = soma.joint.bin{ times = { 1, 2, 30, 55, 74.9 }, ids = { 0, 1, 1, 2, 2 }, n = 3, bin = 25 }
  H.equal(counts.shape[1], 3, "bins up to the last spike")
  H.equal(counts.shape[2], 3, "neurons")
  H.equal(counts:at(1, 1), 1, "bin 1 neuron 0")
  H.equal(counts:at(1, 2), 1, "bin 1 neuron 1")
  H.equal(counts:at(2, 2), 1, "bin 2 neuron 1")
  H.equal(counts:at(3, 3), 2, "bin 3 neuron 2")
  H.equal(t[1], 12.5, "bin centre")
  local sq = soma.joint.bin{ times = { 1, 2, 3, 4 }, ids = { 0, 0, 0, 0 }, n = 1, bin = 10, sqrt = true }
  H.equal(sq:at(1, 1), 2, "square root of 4 spikes")
end)

H.test("decode: ridge and kNN on a split", function()
  local x, y = {}, {}
  for t = 1, 200 do x[t] = { t / 200, 0.01 * math.cos(t) }; y[t] = 2 * t / 200 + 1 end
  local r = soma.joint.decode{ x = x, y = y, decoder = "ridge" }
  H.check(r.r2 > 0.999, "ridge R² " .. r.r2)
  H.check(r.lambda > 0, "lambda")
  H.equal(#r.test_rows, 40, "the last 20 % are the test rows")
  H.equal(r.test_rows[1], 161, "from row 161")
  local k = soma.joint.decode{ x = x, y = y, decoder = "knn", split = "interleaved" }
  H.check(k.r2 > 0.9 and k.k >= 1, "kNN on interleaved blocks " .. k.r2)
  H.equal(k.pred.shape[1], #k.test_rows, "a prediction per test row")
end)

H.test("consistency: the same embedding rotated and scaled, and noise", function()
  local a, b, c = {}, {}, {}
  for t = 1, 100 do
    local u, v = math.sin(t / 7), math.cos(t / 11)
    a[t] = { u, v }
    b[t] = { 3 * (0.6 * u - 0.8 * v) + 1, 3 * (0.8 * u + 0.6 * v) - 2 }
    c[t] = { math.sin(t * 12.9898) * 43758.5453 % 1, math.cos(t * 78.233) * 12345.678 % 1 }
  end
  local m, M = soma.joint.consistency(a, b)
  H.near(m, 1, 1e-9, "an affine map explains all")
  H.near(M[1][2], 1, 1e-9, "a to b")
  H.check(M[1][1] ~= M[1][1], "NaN diagonal")
  local n = soma.joint.consistency{ a, c }
  H.check(n < 0.3, "noise is not consistent with a: " .. n)
end)

H.test("mistakes name the call, the problem and the fix", function()
  H.errors(function() soma.joint.fit{ modle = "pca" } end, "soma.joint.fit", "unknown", "modle", "model")
  H.errors(function() soma.joint.fit{ model = "cebraa" } end, "unknown model 'cebraa'", "the models: contrastive, contrastive-time, pca")
  H.errors(function() soma.joint.fit{ data = 3 } end, "data must be a run directory, a table", "got integer")
  H.errors(function() soma.joint.fit{ data = { x = { 1, 2 } } } end, "data.y is missing")
  H.errors(function() soma.joint.fit{ data = { x = { 1, 2, 3 }, y = { 1, 2 } }, write = false } end,
           "the data has 3 rows, the behaviour 2")
  H.errors(function() soma.joint.fit{ behaviour = "xx", write = false } end,
           "environment 'env' has no column 'xx' (did you mean 'x'?)")
  H.errors(function() soma.joint.fit{ pops = { "agent/critc" }, write = false } end,
           "no population 'agent/critc' with recorded spikes (did you mean 'agent/critic'?)")
  H.errors(function() soma.joint.fit{ dims = 0 } end, "'dims' must be a whole number from 1 to 64")
  H.errors(function() soma.joint.fit{ data = "/nonexistent/run" } end, "/nonexistent/run: no such run directory")
  H.errors(function() soma.joint.fit{ robustness = "all" } end, "robustness must be \"embedding\", \"data\" or \"none\"")
  H.errors(function() soma.joint.bin{ times = { 1 }, ids = { 3 }, n = 2 } end, "soma.joint.bin", "ids[1] must be a whole number from 0 to 1")
  H.errors(function() soma.joint.bin{ times = { 1, 2 }, ids = { 0 }, n = 2 } end, "2 times but 1 ids")
  H.errors(function() soma.joint.decode{ x = { 1, 2 }, y = { 1, 2, 3 } } end, "x has 2 rows, y 3")
  H.errors(function() soma.joint.decode{ x = { 1 }, y = { 1 }, decoder = "lasso" } end, "unknown decoder 'lasso'")
  H.errors(function() soma.joint.consistency({ { 1, 2 } }) end, "at least two embeddings")
  H.errors(function() soma.joint.decode{ x = { { 1, 2 }, { 3 } }, y = { 1, 2 } } end, "x[2] has 1 values, the first row 2")
end)

H.done()
