-- GET /api/v1/status/{id} with ids drawn at random from a file (one per line), so lookups spread
-- over the whole table instead of hitting one cached row.
-- Argument: the ids file. The API key comes from wrk's -H option.
function init(args)
  ids = {}
  for line in io.lines(args[1]) do ids[#ids + 1] = line end
  math.randomseed(thread_number)
end

function request()
  return wrk.format(nil, "/api/v1/status/" .. ids[math.random(#ids)])
end
