-- soak.lua — the soak test of issue 10: the spiking actor-critic of the demo (place cells over
-- the labyrinth, TD-LTP, reverse replay after each drink) runs episode after episode for
-- params.hours of simulated time, and the process's resident memory (soma.rss_mb) is sampled
-- every params.sample_s simulated seconds. Memory must stay flat once warm: the fitted slope
-- after params.warmup_s is reported in MB per simulated hour. Nothing that grows by design is
-- switched on (no behaviour recording, no spike recording); what still grows by design is the
-- replay buffer's log of replay events (agent:replays(), 32 bytes each) and soma.log, which
-- keeps one row per sample (results.csv: t_s, rss_mb, wall_s, episodes, rewards, replayed):
-- the result gives the slope and the log's share of it.
--   bench/soak.sh                          (one simulated hour, a few minutes)
--   soma run bench/soak.lua --set hours=0.05   (a short check)
params = {
  hours = 1,            -- simulated time to run
  sample_s = 30,        -- simulated seconds between memory samples
  warmup_s = 600,       -- samples before this are left out of the slope
  max_steps = 3000,     -- per run (a run is from home to the water, or this many steps)
  seed = 1001,
}
local env = soma.env.grid{ name = "labyrinth", map = "maps/labyrinth.txt",
                           max_steps = params.max_steps }
local agent = soma.agent.actor_critic{ env = env, input = "x,y", seed = params.seed, replay = true,
  replay_gain = 20, replay_gamma = 0.98, step_reward = -0.3,
  encoder = { kind = "place", nx = 37, ny = 31, x_hi = 36, y_hi = 30, sigma = 0.6 } }

local t_end = params.hours * 3600e3   -- ms
local next_sample, wall0 = 0, soma.clock()
local ts, rss = {}, {}
local episodes, rewards, replayed = 0, 0, 0

local function sample()
  local t_s, mb = agent.t / 1000, soma.rss_mb()
  ts[#ts + 1], rss[#rss + 1] = t_s, mb
  soma.log{ t_s = t_s, rss_mb = mb, wall_s = soma.clock() - wall0, episodes = episodes,
            rewards = rewards, replayed = replayed }
  next_sample = agent.t + params.sample_s * 1000
end

sample()
while agent.t < t_end do
  local ep = agent:episode{ max_steps = params.max_steps }
  episodes = episodes + 1
  rewards = rewards + (ep.reward > 0 and 1 or 0)
  replayed = replayed + (ep.replayed or 0)
  if agent.t >= next_sample then sample() end
  soma.progress(math.min(agent.t, t_end), t_end, "ms simulated")
end
sample()

-- least-squares slope of rss against simulated time, after the warm-up
local n, sx, sy, sxx, sxy = 0, 0, 0, 0, 0
for i = 1, #ts do
  if ts[i] >= params.warmup_s then
    n, sx, sy = n + 1, sx + ts[i], sy + rss[i]
    sxx, sxy = sxx + ts[i] * ts[i], sxy + ts[i] * rss[i]
  end
end
local slope = n >= 2 and (n * sxy - sx * sy) / (n * sxx - sx * sx) * 3600 or nil
local warm, warm_t = nil, nil
for i = 1, #ts do if ts[i] >= params.warmup_s then warm, warm_t = rss[i], ts[i] break end end
-- the replay log's growth over the same span, in MB per simulated hour
local events = #agent:replays()
local log_slope = events * 32 / 2^20 / (agent.t / 3600e3)
soma.result{ simulated_s = agent.t / 1000, wall_s = soma.clock() - wall0, episodes = episodes,
             rewards = rewards, samples = #ts, rss_start_mb = rss[1], rss_after_warmup_mb = warm,
             rss_end_mb = rss[#rss], rss_max_mb = math.max(table.unpack(rss)),
             slope_mb_per_hour = slope, warmup_s = params.warmup_s, replay_events = events,
             replay_log_mb_per_hour = log_slope }
print(string.format("soak: %.0f s simulated in %.0f s (%d runs, %d rewarded); RSS %.1f MB at the "
  .. "start, %.1f after warm-up, %.1f at the end; slope after %g s: %s MB per simulated hour, "
  .. "of which the replay log (%d events) %.3f",
  agent.t / 1000, soma.clock() - wall0, episodes, rewards, rss[1], warm or 0 / 0, rss[#rss],
  params.warmup_s, slope and string.format("%.3f", slope) or "-", events, log_slope))
