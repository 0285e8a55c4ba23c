-- wrk for the cold tiles of scripts/bench: request after request asks the
-- next of the paths listed in the file given after "--" (one a line), round
-- and round; reports like scripts/bench_wrk.lua.
dofile(string.gsub(debug.getinfo(1, "S").source:sub(2), "bench_wrk_paths.lua$", "bench_wrk.lua"))
local paths = {}
local counter = 0
init = function(args)
  for line in io.lines(args[1]) do
    if line ~= "" then table.insert(paths, line) end
  end
end
request = function()
  counter = counter + 1
  return wrk.format(nil, paths[(counter - 1) % #paths + 1])
end
