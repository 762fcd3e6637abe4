import { describe } from "vitest";
import { runStoreContract } from "../../contract/store-contract.js";
import { openSharedStore, sharedRedisAvailable, type Library } from "./clients.js";

// The store contract, unchanged, against the shared Redis at 127.0.0.1:6379 with each client.
// Each run uses its own database number and key prefix, and removes its keys afterwards.
const available = await sharedRedisAvailable();

describe.runIf(available)("RedisStore on one server", () => {
  for (const library of ["ioredis", "node-redis"] satisfies Library[]) {
    runStoreContract(`RedisStore (${library})`, () => openSharedStore(library));
  }
});
