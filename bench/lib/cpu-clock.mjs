/**
 * The microbenchmarks' clock: this process's CPU time (user + system, all threads) in
 * milliseconds, so that time spent descheduled while other processes run does not count as
 * work. GC on helper threads does count, as it should.
 */

/** CPU time used by this process so far, in milliseconds. */
export function cpuNow() {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}
