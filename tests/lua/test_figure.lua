-- test_figure.lua — canvases and figures from Lua: pixel drawing, data axes, PNG files in the
-- run directory, and messages for bad colours and options.
local H = require "harness"

local function png_size(path)
  local f = assert(io.open(path, "rb"))
  local head = f:read(24)
  f:close()
  H.equal(head:sub(1, 8), "\137PNG\r\n\26\n", "PNG signature")
  local function be32(s, i) local a, b, c, d = s:byte(i, i + 3) return ((a * 256 + b) * 256 + c) * 256 + d end
  return be32(head, 17), be32(head, 21)
end

H.test("a figure with axes, lines, points and bars is saved as PNG in the run directory", function()
  local g = soma.figure{ width = 640, height = 400 }
  H.equal(g.width, 640, "width")
  local ax = g:axes{ xlim = { 0, 10 }, ylim = { -1, 1 }, xlabel = "t (ms)", ylabel = "v", title = "sine" }
  local x, y = {}, {}
  for i = 1, 101 do x[i] = (i - 1) / 10; y[i] = math.sin(x[i]) end
  ax:line(x, y, { color = "red" })
  ax:points(soma.array(x), y, { color = "#1f5fb4", size = 3 })
  ax:bars({ 1, 2 }, { 0.5, 0.8 }, { width = 0.5, color = { 0, 128, 0 } })
  g:rect(5, 5, 20, 10, { color = "orange" })
  g:rect(30, 5, 20, 10, { fill = false })
  g:circle(600, 20, 8, { color = "purple", fill = false })
  g:line(0, 399, 639, 0, { color = "grey" })
  g:text(320, 390, "soma", { size = 12, align = "center" })
  local path = g:save("fig.png")
  H.equal(path, soma.dir .. "/fig.png", "relative paths go into the run directory")
  local w, h = png_size(path)
  H.equal(w, 640, "PNG width")
  H.equal(h, 400, "PNG height")
end)

H.test("bad figure input gets messages", function()
  local g = soma.figure{}
  H.errors(function() g:clear("mauve") end, "g:clear", "unknown colour 'mauve'")
  H.errors(function() g:rect(0, 0, 1, 1, { colour = "red" }) end, "g:rect", "unknown option 'colour'", "did you mean 'color'")
  H.errors(function() g:axes{ xlim = { 1, 0 }, ylim = { 0, 1 } } end, "g:axes", "'xlim' must have low < high")
  H.errors(function() g:axes{ ylim = { 0, 1 } } end, "g:axes", "give 'xlim' as {low, high}")
  H.errors(function() g:save("x.jpg") end, "g:save", "must end in .png")
  H.errors(function() g:save("/nonexistent/dir/x.png") end, "g:save", "cannot create")
  H.errors(function() soma.figure{ width = 1 } end, "soma.figure", "'width' must be a whole number from 16")
  local ax = g:axes{ xlim = { 0, 1 }, ylim = { 0, 1 } }
  H.errors(function() ax:line({ 1, 2 }, { 1 }) end, "ax:line", "x has 2 values but y has 1")
  H.errors(function() g:text(0, 0, "x", { align = "middle" }) end, "g:text", "'align' must be")
end)

H.done()
