-- Shared by every scenario: at the end of a wrk run, print one machine-readable line
--   BENCH_RESULT {"requests":..,"rps":..,"p50_ms":..,"p95_ms":..,"p99_ms":..,...}
-- that bench/bench.py parses. wrk's latency figures are in microseconds. Each thread also gets
-- its number (1, 2, ...) as the global `thread_no`, for scripts that spread their requests.

local threads = 0

function setup(thread)
   threads = threads + 1
   thread:set("thread_no", threads)
end

function done(summary, latency, requests)
   local secs = summary.duration / 1e6
   local e = summary.errors
   io.write(string.format(
      'BENCH_RESULT {"requests":%d,"duration_s":%.3f,"rps":%.2f,' ..
      '"p50_ms":%.3f,"p95_ms":%.3f,"p99_ms":%.3f,"mean_ms":%.3f,"max_ms":%.3f,' ..
      '"bytes":%d,"err_connect":%d,"err_read":%d,"err_write":%d,"err_status":%d,"err_timeout":%d}\n',
      summary.requests, secs, summary.requests / secs,
      latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
      latency.mean / 1000, latency.max / 1000,
      summary.bytes, e.connect, e.read, e.write, e.status, e.timeout))
end
