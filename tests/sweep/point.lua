-- point.lua — one point of a test sweep: its results are simple functions of params and the
-- seed, so a table can be checked value by value. It can burn CPU (work_ms), sleep (sleep_ms),
-- fail (fail_g: a Lua error when g equals it) or crash (crash_g: the process is killed by
-- SIGABRT), and append a line to a trace file for every time it runs.
params = {
  g = 1,            -- swept: a number
  x = 0.0,          -- swept or sampled: a float
  n = 1,            -- sampled with :int
  label = "a",      -- a string
  work_ms = 0,      -- CPU time to burn, ms
  sleep_ms = 0,     -- wall time to sleep, ms
  fail_g = -1,      -- raise an error when g == fail_g
  crash_g = -1,     -- die by SIGABRT when g == crash_g
  trace = "",       -- a file to append "g x seed" to
}
if params.trace ~= "" then
  local f = assert(io.open(params.trace, "a"))
  f:write(string.format("%s %s %d\n", tostring(params.g), tostring(params.x), soma.seed))
  f:close()
end
local t0 = os.clock()
while (os.clock() - t0) * 1000 < params.work_ms do end
if params.sleep_ms > 0 then os.execute(string.format("sleep %.3f", params.sleep_ms / 1000)) end
if params.g == params.fail_g then error("deliberate failure at g = " .. tostring(params.g)) end
if params.g == params.crash_g then os.execute("kill -ABRT $PPID; sleep 5") end
local curve = {}   -- longer than 32 items: not in the table
for i = 1, 40 do curve[i] = i * params.g end
soma.result{
  score = params.g * 10 + soma.seed,
  x2 = params.x * 2,
  n = params.n,
  label = params.label .. "," .. soma.seed,
  ok = true,
  nested = { a = params.g, b = "deep" },
  list = { 1, 2, params.g },
  curve = curve,
}
