/**
 * How validate cost changes with the number of live sessions in the memory store: the store
 * grows through 1 000, 10 000, 100 000 and 1 000 000 sessions (made by `manager.create()`), and
 * at each size tinybench times `validateCookieHeader` and the bare `store.get` over tokens drawn
 * at random from every session made so far (random access, not one hot record). Also reports
 * heap bytes per session at each size after a forced GC. Run with `--expose-gc` and a heap
 * limit; prints one JSON line. Input: one JSON argument `{ sizes, timeMs }`.
 */
import { Bench } from "tinybench";
import { cpuNow } from "../lib/cpu-clock.mjs";
import { createSessionManager, MemoryStore } from "latchkey";

const { sizes = [1_000, 10_000, 100_000, 1_000_000], timeMs = 1000 } = JSON.parse(
  process.argv[2] ?? "{}",
);
const BATCH = 256;
const SAMPLE = 4096;

const store = new MemoryStore({ sweepIntervalMs: null, maxEntries: null });
const manager = createSessionManager({ store });
const tokens = [];

function settleHeap() {
  for (let i = 0; i < 4; i++) globalThis.gc?.();
  return process.memoryUsage().heapUsed;
}

const baseHeap = settleHeap();
const results = [];
for (const size of sizes) {
  const started = performance.now();
  while (tokens.length < size) {
    const i = tokens.length;
    tokens.push((await manager.create({ userId: `user-${i}`, data: { role: "member" } })).token);
  }
  const fillMs = performance.now() - started;
  const heap = settleHeap();

  const headers = [];
  const ids = [];
  for (let i = 0; i < SAMPLE; i++) {
    const token = tokens[Math.floor(Math.random() * tokens.length)];
    headers.push(`__Host-sid=${token}`);
    ids.push(token.slice(0, 22));
  }
  const probe = await manager.validateCookieHeader(headers[0]);
  if (!probe.ok) throw new Error(`validate failed at ${size}: ${probe.reason}`);

  let cursor = 0;
  const bench = new Bench({ time: timeMs, warmupTime: 200, now: cpuNow });
  bench.add("validate", async () => {
    for (let i = 0; i < BATCH; i++) {
      await manager.validateCookieHeader(headers[cursor++ & (SAMPLE - 1)]);
    }
  });
  bench.add("store.get", async () => {
    for (let i = 0; i < BATCH; i++) await store.get(ids[cursor++ & (SAMPLE - 1)]);
  });
  await bench.run();

  const [validate, get] = bench.tasks.map((t) => (t.result.latency.mean * 1e6) / BATCH);
  results.push({
    size,
    validateNs: validate,
    getNs: get,
    bytesPerSession: (heap - baseHeap) / size,
    fillMs,
  });
}

process.stdout.write(JSON.stringify({ results, records: store.stats().records }) + "\n");
