-- Appended to every wrk script by bench/wrk.ts.

-- Numbers wrk's threads 1, 2, ... as the global `thread_number` of each thread, for per-thread
-- values (unique links, random seeds).
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end

-- Prints the run as one JSON line, with exact percentiles in microseconds rather than wrk's
-- rounded text.
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"max_us":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end
