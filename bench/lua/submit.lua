-- POST /api/v1/download with a link no other request uses (run id, thread number, counter), so
-- every request stores a new row: deduplication never answers from an existing one.
-- Argument: the run id (digits). The API key comes from wrk's -H option.
function init(args)
  run_id = args[1]
  counter = 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  local body = string.format('{"url":"https://www.tiktok.com/@vds-bench/video/7%s%02d%012d"}', run_id, thread_number, counter)
  return wrk.format(nil, "/api/v1/download", nil, body)
end
