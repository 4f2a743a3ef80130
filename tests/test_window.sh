#!/bin/sh
# test_window.sh — `soma run --window` on a virtual display (Xvfb): the live raster when a
# script has no draw(g), the world beside it when the script has an environment, the keys
# (- slows down, s saves a screenshot, q quits; sent with xdotool), a script's own draw(g)
# (checked on a screenshot of the window), errors in draw, and the message when there is no
# display at all.
. "$(dirname "$0")/sh_harness.sh"
# SDL's X11 and D-Bus libraries keep a few allocations to the end; they are not soma's
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
export SOMA_WINDOW_TIMEOUT=0
PNG="$(cd "$(dirname "$0")" && pwd)"
# one virtual display for the whole file (xvfb-run per command is slower, and now and then
# fails cleaning up after itself)
n=90
while [ -e "/tmp/.X11-unix/X$n" ] || [ -e "/tmp/.X$n-lock" ]; do n=$((n + 1)); done
Xvfb ":$n" -screen 0 1280x800x24 -nolisten tcp >"$tmp/xvfb.log" 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null; rm -rf "$tmp"' EXIT
i=0
while [ ! -e "/tmp/.X11-unix/X$n" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
win() { DISPLAY=":$n" "$@"; }

cat >"$tmp/raster.lua" <<'LUA'
local net = soma.net{}
local E = net:pop{ name = "E", model = "lif", n = 100, I_e = soma.uniform(400, 600) }
local I = net:pop{ name = "I", model = "lif", n = 30, I_e = 450 }
net:record(E, "spikes")
net:record(I, "spikes")
net:run(500)
LUA
if SOMA_WINDOW_SCREENSHOT="$tmp/raster.png" win $SOMA run --window --quiet --out "$tmp/r" "$tmp/raster.lua" >"$tmp/r.out" 2>&1 &&
   $PY - "$tmp/raster.png" "$PNG" <<'EOF'; then ok "the live raster shows both populations"; else not_ok "live raster" "$(head -5 "$tmp/r.out")"; fi
import sys; sys.path.insert(0, sys.argv[2]); import png_pixels
rows = png_pixels.read(sys.argv[1])
assert len(rows) == 700 and len(rows[0]) == 1200
blue = sum(p == (0x1f, 0x5f, 0xb4) for r in rows for p in r)
red = sum(p == (0xc8, 0x32, 0x2d) for r in rows for p in r)
assert blue > 2000 and red > 500, (blue, red)
EOF

cat >"$tmp/keys.lua" <<'LUA'
params = { episodes = 1000000 }
local env = soma.env.bandit{ trials = 20 }
local net = soma.net{}
local E = net:pop{ name = "E", model = "lif", n = 100, I_e = soma.uniform(400, 600) }
net:record(E, "spikes")
function episode(k)
  env:reset()
  local total, over = 0, false
  repeat
    local _, r, term = env:step(k % 2)
    total, over = total + r, term
    net:run(5)
  until over
  soma.log{ episode = k, reward = total }
end
LUA
win $SOMA run --window --quiet --out "$tmp/k" "$tmp/keys.lua" >"$tmp/k.out" 2>&1 &
soma_pid=$!
wid=$(DISPLAY=":$n" timeout 30 xdotool search --sync --name "keys.lua" | head -1)
sleep 1
DISPLAY=":$n" xdotool windowfocus --sync "$wid" key minus
sleep 0.5
DISPLAY=":$n" xdotool key s
sleep 0.5
DISPLAY=":$n" xdotool key q
wait $soma_pid
rc=$?
if [ "$rc" = 130 ] && grep -q '"status": "interrupted"' "$tmp/k/meta.json" && [ -f "$tmp/k/summary.png" ] &&
   $PY - "$tmp/k/screenshot-1.png" "$PNG" <<'EOF'; then ok "keys: - slows down, s saves a screenshot of world and raster, q quits"; else not_ok "keys" "exit $rc: $(head -5 "$tmp/k.out")"; fi
import sys; sys.path.insert(0, sys.argv[2]); import png_pixels
rows = png_pixels.read(sys.argv[1])
assert len(rows) == 700 and len(rows[0]) == 1200
world = sum(p == (0xf4, 0xf4, 0xf4) for r in rows[64:560] for p in r[16:520])   # the bandit's floor
arms = sum(p == (0x90, 0x90, 0x90) for r in rows[64:560] for p in r[16:520])    # its arms
blue = sum(p == (0x1f, 0x5f, 0xb4) for r in rows for p in r[540:])               # the raster
slowed = sum(p == (0x40, 0x40, 0x40) for r in rows[30:46] for p in r[400:800])  # "slowed down" in the status
assert world > 50000 and arms > 5000 and blue > 100 and slowed > 20, (world, arms, blue, slowed)
EOF

cat >"$tmp/draw.lua" <<'LUA'
params = { episodes = 3 }
local net = soma.net{}
local E = net:pop{ name = "E", model = "lif", n = 10, I_e = 500 }
local shown = 0
function episode(k) net:run(50) end
function draw(g)
  shown = shown + 1
  g:clear("black")
  g:circle(480, 320, 60, { color = "#00ff00" })
  g:rect(0, 0, 100, 100, { color = { 255, 0, 0 } })
  g:text(480, 500, "spikes " .. E.spikes, { size = 20, color = "white", align = "center" })
end
function finish() soma.result{ frames = shown } end
LUA
if SOMA_WINDOW_SCREENSHOT="$tmp/draw.png" win $SOMA run --window --quiet --out "$tmp/d" "$tmp/draw.lua" >"$tmp/d.out" 2>&1 &&
   $PY - "$tmp/draw.png" "$PNG" "$tmp/d/results.json" <<'EOF'; then ok "draw(g) is what the window shows, after every episode"; else not_ok "draw(g)" "$(head -5 "$tmp/d.out")"; fi
import json, sys; sys.path.insert(0, sys.argv[2]); import png_pixels
rows = png_pixels.read(sys.argv[1])
assert rows[320][480] == (0, 255, 0), rows[320][480]
assert rows[50][50] == (255, 0, 0), rows[50][50]
assert rows[320][700] == (0, 0, 0), rows[320][700]
assert json.load(open(sys.argv[3]))["result"]["frames"] >= 4
EOF

printf 'local net = soma.net{}\nnet:pop{ name = "E", model = "lif", n = 1 }\nfunction draw(g)\n  g:circle(1, 2)\nend\nnet:run(10)\n' >"$tmp/bad.lua"
win $SOMA run --window --quiet --out "$tmp/b" "$tmp/bad.lua" >"$tmp/b.out" 2>&1
rc=$?
if [ "$rc" = 1 ] && grep -qF "bad.lua:4: g:circle: the radius must be a number, got no value" "$tmp/b.out" &&
   grep -qF "bad.lua:4: in function 'draw'" "$tmp/b.out" && grep -q '"status": "error"' "$tmp/b/meta.json"
then ok "an error in draw stops the run with file:line"; else not_ok "error in draw" "exit $rc: $(head -3 "$tmp/b.out")"; fi
printf 'local net = soma.net{}\nnet:pop{ name = "E", model = "lif", n = 1 }\nfunction draw(g) net:run(1) end\nnet:run(10)\n' >"$tmp/run_in_draw.lua"
expect "draw must not run networks" 1 "a network cannot run inside draw(g)" win $SOMA run --window --quiet --out "$tmp/rd" "$tmp/run_in_draw.lua"
expect "no display: a message, not a crash" 1 "--window: cannot open a window" env -u DISPLAY -u WAYLAND_DISPLAY SDL_VIDEODRIVER=x11 $SOMA run --window --quiet --out "$tmp/nd" "$tmp/raster.lua"
done_tests
