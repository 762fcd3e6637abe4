/**
 * The autocannon fallback of the load generator, run as its own (pinned) process by load.mjs
 * when `wrk` is absent. Takes one JSON argument and prints one JSON line with the results.
 */
import autocannon from "autocannon";

const { url, cookie, connections, durationS } = JSON.parse(process.argv[2]);
const result = await autocannon({
  url,
  connections,
  duration: durationS,
  pipelining: 1,
  headers: { cookie },
});

process.stdout.write(
  JSON.stringify({
    rps: result.requests.total / (result.duration || durationS),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  }) + "\n",
);
