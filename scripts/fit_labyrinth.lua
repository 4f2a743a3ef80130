-- fit_labyrinth.lua — a joint brain–behaviour model of the labyrinth agent: the spiking
-- actor-critic of labyrinth_fewshot.lua (demo form: one agent, 20 runs from home to the water)
-- with its place-cell input, actor and critic spikes recorded and every step in
-- behaviour.npy, then, at the end of the run, soma.joint.fit on what it recorded: an embedding
-- of the place-cell and actor populations, fitted for 5 seeds, scored on how well it
-- identifies the agent's position (kNN R², test block) and how consistent it is across seeds.
-- The scorecard goes to fit-<model>-<date>-<time>/ in the run directory and into results.json.
--   soma run scripts/fit_labyrinth.lua                          (about 3 minutes)
--   soma run scripts/fit_labyrinth.lua --set model=lds --set bin=25
--   soma fit runs/fit_labyrinth-<date>-<time> --bin 100 --export       (the same, by hand)
params = {
  runs = 20,            -- runs from home to the water
  max_steps = 60000,    -- per run
  model = "contrastive", -- the embedding: CEBRA-Behavior (soma fit --help lists the others)
  dims = 8,             -- the embedding's dimension (3 gives two seed clusters: consistency 0.83)
  seeds = 5,
  bin = 100,            -- ms: one decision window of the agent
  iterations = 0,       -- iterative models' training steps (0: the model's default)
  quick = false,        -- 3 runs from near the water, 2 seeds, 100 iterations (the tests)
}
local quick = params.quick
local runs, seeds = quick and 3 or params.runs, quick and 2 or params.seeds
local iterations = quick and 100 or params.iterations

local env = soma.env.grid{ map = "maps/labyrinth.txt", max_steps = params.max_steps, record = true,
                           snapshot_every = quick and 0 or 10 }
if quick then env:set{ start = { 31, 17 } } end
local agent = soma.agent.actor_critic{ env = env, input = "x,y", seed = soma.seed * 1000 + 1,
  replay = true, replay_gain = 20, replay_gamma = 0.98, step_reward = -0.3,
  record = { "input", "actors", "critic" },
  encoder = { kind = "place", nx = 37, ny = 31, x_hi = 36, y_hi = 30, sigma = 0.6 } }
soma.view{ curve = "steps" }

for k = 1, runs do
  local ep = agent:episode{}
  soma.log{ run = k, steps = ep.steps, reward = ep.reward }
  soma.progress(k, runs, "runs")
end

-- the place cells and the four actor populations, binned on the agent's clock, against the
-- position the agent was at
local sc = soma.joint.fit{
  pops = { "agent/input", "agent/actor0", "agent/actor1", "agent/actor2", "agent/actor3" },
  behaviour = "position", model = params.model, dims = params.dims, seeds = seeds,
  bin = params.bin, iterations = iterations, robustness = quick and "none" or "embedding",
}
local pos = sc.identifiability
print(string.format("%s embedding (%d dims, %d seeds, %d bins of %g ms, %d neurons): position "
                    .. "kNN R² x %.3f, y %.3f (both: %.3f, median error %.2f cells); "
                    .. "consistency across seeds %.3f; ridge on the spikes R² %.3f",
                    sc.model, sc.dims, #sc.seeds, sc.T, sc.bin_ms, sc.n_neurons, pos.x.knn_r2,
                    pos.y.knn_r2, sc.decoding.knn.r2, sc.decoding.knn.median_error,
                    sc.consistency_seeds, sc.decoding.ridge.r2))
print("scorecard: " .. sc.dir)
soma.result{
  model = sc.model, dims = sc.dims, seeds = #sc.seeds, bin_ms = sc.bin_ms, bins = sc.T,
  neurons = sc.n_neurons, position_knn_r2 = sc.decoding.knn.r2,
  position_median_error = sc.decoding.knn.median_error, x_knn_r2 = pos.x.knn_r2,
  y_knn_r2 = pos.y.knn_r2, x_linear_r2 = pos.x.linear_r2, y_linear_r2 = pos.y.linear_r2,
  consistency_seeds = sc.consistency_seeds, ridge_r2 = sc.decoding.ridge.r2,
  scorecard = sc.dir,
}
