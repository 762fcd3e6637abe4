/**
 * Heap bytes per live session after a forced GC, for one store kind per process:
 * `node --expose-gc bench/memory/per-session.mjs <kind> <count>` with kind one of
 * - `latchkey`: latchkey's MemoryStore, sessions made by `manager.create()` (record with the
 *   secret hash, the deadlines, the per-user index and the expiry queue);
 * - `express-session`: express-session's MemoryStore holding what express-session saves for the
 *   same login (its Cookie object and the same payload), set through `store.set`;
 * - `map`: the floor, a plain `Map` of id → the same record objects latchkey keeps, no index.
 * The payload is the user id and `{ role: "member" }`. Prints one JSON line.
 */
import { createHash, randomBytes } from "node:crypto";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const [kind, countText] = process.argv.slice(2);
const count = Number(countText);
if (typeof globalThis.gc !== "function") throw new Error("run with --expose-gc");

function settle() {
  for (let i = 0; i < 4; i++) globalThis.gc();
  return process.memoryUsage();
}

function floorRecord(i, now) {
  const id = randomBytes(16).toString("base64url");
  const secretHash = createHash("sha256").update(randomBytes(32)).digest("base64url");
  const idle = now + 30 * 60_000;
  return {
    id,
    secretHash,
    userId: `user-${i}`,
    data: { role: "member" },
    createdAt: now,
    lastSeenAt: now,
    idleExpiresAt: idle,
    absoluteExpiresAt: now + 12 * 3_600_000,
    idleTimeoutMs: 30 * 60_000,
    authenticatedAt: now,
    persistent: false,
    client: null,
    version: 1,
    state: "active",
    successorId: null,
    graceUntil: null,
    expiresAt: idle,
  };
}

let fill;
let keep;
if (kind === "latchkey") {
  const { createSessionManager, MemoryStore } = await import("latchkey");
  const store = new MemoryStore({ sweepIntervalMs: null, maxEntries: null });
  const manager = createSessionManager({ store });
  keep = store;
  fill = async () => {
    for (let i = 0; i < count; i++) {
      await manager.create({ userId: `user-${i}`, data: { role: "member" } });
    }
  };
} else if (kind === "express-session") {
  const session = require("express-session");
  const store = new session.MemoryStore();
  keep = store;
  fill = async () => {
    for (let i = 0; i < count; i++) {
      const sid = randomBytes(24).toString("base64url");
      const cookie = new session.Cookie({ maxAge: 30 * 60_000, httpOnly: true, sameSite: "lax" });
      await new Promise((resolve) =>
        store.set(sid, { cookie, userId: `user-${i}`, role: "member" }, resolve),
      );
    }
  };
} else if (kind === "map") {
  const map = new Map();
  keep = map;
  fill = async () => {
    const now = Date.now();
    for (let i = 0; i < count; i++) {
      const record = floorRecord(i, now);
      map.set(record.id, record);
    }
  };
} else {
  throw new Error(`unknown kind ${kind}`);
}

const before = settle();
await fill();
const after = settle();
process.stdout.write(
  JSON.stringify({
    kind,
    count,
    // Typed arrays live outside the V8 heap (the memory store keeps its numeric columns there),
    // so they are counted with it: heap plus array buffers is what a session really costs.
    bytesPerSession:
      (after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers) / count,
    heapBytesPerSession: (after.heapUsed - before.heapUsed) / count,
    rssBytesPerSession: (after.rss - before.rss) / count,
    held: keep === null ? 0 : 1,
  }) + "\n",
);
