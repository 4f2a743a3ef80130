-- harness.lua — the Lua tests' harness (loaded with require, from the test's own folder):
-- test(name, fn) runs a test and reports "ok - name" or "not ok - name" with the failure;
-- check/near/errors record failures; done() prints "N passed, N failed" for tests/run.sh and
-- raises an error when something failed, so soma exits non-zero.
local H = { passed = 0, failed = 0 }

local current_failures

local function fail(msg, level)
  local info = debug.getinfo(level or 3, "Sl")
  local where = info and (info.short_src .. ":" .. info.currentline) or "?"
  current_failures[#current_failures + 1] = where .. ": " .. msg
end

function H.test(name, fn)
  current_failures = {}
  local ok, err = xpcall(fn, debug.traceback)
  if not ok then current_failures[#current_failures + 1] = "error: " .. tostring(err) end
  if #current_failures == 0 then
    H.passed = H.passed + 1
    print("ok - " .. name)
  else
    H.failed = H.failed + 1
    print("not ok - " .. name)
    for _, f in ipairs(current_failures) do print("  FAIL " .. f) end
  end
end

function H.check(cond, msg)
  if not cond then fail(msg or "check failed") end
  return cond
end

function H.equal(a, b, msg)
  if a ~= b then fail(string.format("%s: got %s, expected %s", msg or "equal", tostring(a), tostring(b))) end
end

function H.near(a, b, tol, msg)
  if not (math.abs(a - b) <= tol) then
    fail(string.format("%s: got %.9g, expected %.9g within %g", msg or "near", a, b, tol))
  end
end

-- fn must raise an error whose message contains every one of the given plain strings
function H.errors(fn, ...)
  local ok, err = pcall(fn)
  if ok then
    fail("expected an error, but the call succeeded")
    return nil
  end
  err = tostring(err)
  for _, want in ipairs{...} do
    if not err:find(want, 1, true) then
      fail(string.format("message %q lacks %q", err, want))
    end
  end
  return err
end

function H.done()
  print(string.format("%d passed, %d failed", H.passed, H.failed))
  if H.failed > 0 then error(H.failed .. " Lua test(s) failed", 0) end
end

return H
