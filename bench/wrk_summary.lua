-- Prints one machine-readable line after a wrk run (bench/load.sh reads it):
-- RESULT <requests/s> <p50 ms> <p99 ms> <errors> <requests>
-- errors counts connect, read, write and timeout errors and every response that is not 2xx or 3xx.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %.1f %.2f %.2f %d %d\n",
    summary.requests / (summary.duration / 1000000),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.connect + e.read + e.write + e.status + e.timeout, summary.requests))
end
