-- lib/stats.lua — small statistics the task scripts share (require "lib.stats").
local M = {}

-- mean and sample standard deviation of a list (nil, nil when empty; sd 0 for one value)
function M.mean_sd(xs)
  if #xs == 0 then return nil, nil end
  local m, v = 0, 0
  for _, x in ipairs(xs) do m = m + x / #xs end
  for _, x in ipairs(xs) do v = v + (x - m) ^ 2 end
  return m, #xs > 1 and math.sqrt(v / (#xs - 1)) or 0
end

-- the first k from which xs[k .. k + window - 1] average at most limit, else #xs + 1
function M.settled(xs, window, limit)
  for k = 1, #xs - window + 1 do
    local sum = 0
    for j = k, k + window - 1 do sum = sum + xs[j] end
    if sum / window <= limit then return k end
  end
  return #xs + 1
end

return M
