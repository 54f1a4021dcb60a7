-- The shared runner's bench.lua (../../shared/bench/bench.lua), with one addition: p999_us on the
-- WRKRESULT line. bench/run.sh puts this file beside links to the shared runner, so the runner
-- loads it as its own bench.lua; the runner ignores keys it does not know, run.sh reads p999_us.
local reqs = dofile(os.getenv("REQS") or "/tmp/slack_reqs.lua")
local i = 0
local nthreads = 0

function setup(thread)
  thread:set("tid", nthreads)
  nthreads = nthreads + 1
end

function init(args)
  i = ((tid or 0) * 7919) % #reqs
end

request = function() i = i % #reqs + 1; return reqs[i] end

function done(summary, latency, requests)
  local e = summary.errors
  local secs = summary.duration / 1e6
  io.write(string.format(
    "WRKRESULT requests=%d duration_s=%.3f rps=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d mean_us=%.1f non2xx=%d connect_err=%d read_err=%d write_err=%d timeout_err=%d p999_us=%d\n",
    summary.requests, secs, summary.requests / secs,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    e.status, e.connect, e.read, e.write, e.timeout, latency:percentile(99.9)))
end
