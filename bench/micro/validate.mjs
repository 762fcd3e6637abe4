/**
 * In-process cost of one validate with the memory store (tinybench), and of its parts measured
 * on their own: the cookie scan, the codec, the token hashing (parse, SHA-256, constant-time
 * compare, with the same @oslojs calls the core makes), and the store lookup. Each task runs a
 * batch of operations per sample so that the timer's own cost stays small; ns/op is per
 * operation. Prints one JSON line. Input: one JSON argument `{ timeMs }`.
 */
import { sha256 } from "@oslojs/crypto/sha2";
import { constantTimeEqual } from "@oslojs/crypto/subtle";
import { encodeBase64urlNoPadding } from "@oslojs/encoding";
import { Bench } from "tinybench";
import { cpuNow } from "../lib/cpu-clock.mjs";
import { createSessionManager, findSessionCookieValues, MemoryStore, PlainCodec } from "latchkey";

const { timeMs = 1500 } = JSON.parse(process.argv[2] ?? "{}");
const SYNC_BATCH = 1000;
const ASYNC_BATCH = 200;

const store = new MemoryStore({ sweepIntervalMs: null, maxEntries: null });
const manager = createSessionManager({ store });
const tokens = [];
for (let i = 0; i < 1000; i++) {
  tokens.push((await manager.create({ userId: `user-${i}`, data: { role: "member" } })).token);
}
const token = tokens[500];
const id = token.slice(0, 22);
const secret = token.slice(23);
const header = `__Host-sid=${token}`;
const busyHeader = `theme=dark; _ga=GA1.2.1234567890.1700000000; lang=en; __Host-sid=${token}; csrf=abc`;
const storedHash = (await store.get(id)).secretHash;
const encoder = new TextEncoder();
const codec = new PlainCodec();
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/;

const check = await manager.validateCookieHeader(header);
if (!check.ok || check.session.userId !== "user-500") throw new Error("validate setup failed");

const bench = new Bench({ time: timeMs, warmupTime: 300, now: cpuNow });
const batches = {};
function sync(name, fn) {
  batches[name] = SYNC_BATCH;
  bench.add(name, () => {
    for (let i = 0; i < SYNC_BATCH; i++) fn();
  });
}
function async(name, fn) {
  batches[name] = ASYNC_BATCH;
  bench.add(name, async () => {
    for (let i = 0; i < ASYNC_BATCH; i++) await fn();
  });
}

async("validateCookieHeader, whole (memory store)", () => manager.validateCookieHeader(header));
async("validateCookieHeader, 5-cookie header", () => manager.validateCookieHeader(busyHeader));
sync("cookie scan (findSessionCookieValues)", () => findSessionCookieValues(header, "__Host-sid"));
sync("cookie scan, 5-cookie header", () => findSessionCookieValues(busyHeader, "__Host-sid"));
sync("codec decode (PlainCodec)", () => codec.decode(token));
sync("token parse (length + alphabet regex)", () => TOKEN_PATTERN.test(token));
sync("token hash + compare (SHA-256, base64url, constant-time)", () => {
  const actual = encoder.encode(encodeBase64urlNoPadding(sha256(encoder.encode(secret))));
  return constantTimeEqual(actual, encoder.encode(storedHash));
});
sync("SHA-256 of the secret alone", () => sha256(encoder.encode(secret)));
async("store lookup (MemoryStore.get, returns a copy)", () => store.get(id));
async("empty await (promise floor)", () => undefined);

await bench.run();

const results = bench.tasks.map((task) => {
  const latency = task.result.latency;
  const nsPerOp = (latency.mean * 1e6) / batches[task.name];
  return {
    name: task.name,
    nsPerOp,
    opsPerSec: 1e9 / nsPerOp,
    rmePercent: latency.rme,
    samples: latency.samples?.length ?? task.result.totalTime,
  };
});
process.stdout.write(JSON.stringify(results) + "\n");
