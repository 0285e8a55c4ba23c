-- wrk for scripts/cluster test: every request asks the OGC items URL it is
-- given for another page (limit 50-100, offset 0-80: 4,131 different
-- answers), so neither nginx nor the app answers from a kept copy during a
-- short run; reports like scripts/bench_wrk.lua.
dofile(string.gsub(debug.getinfo(1, "S").source:sub(2), "bench_wrk_fresh.lua$", "bench_wrk.lua"))
init = function(args)
  math.randomseed(os.time() + math.floor(os.clock() * 1e6))
end
request = function()
  return wrk.format(nil, wrk.path .. "?limit=" .. math.random(50, 100) .. "&offset=" .. math.random(0, 80))
end
