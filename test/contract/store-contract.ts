import { afterAll, beforeAll, describe } from "vitest";
import type { SessionStore } from "../../src/core/store.js";
import { lifecycleClauses } from "./clauses-lifecycle.js";
import { readClauses } from "./clauses-read.js";
import { robustnessClauses } from "./clauses-robustness.js";
import { writeClauses } from "./clauses-write.js";
import type { HarnessRef } from "./helpers.js";

/**
 * The contract every `SessionStore` passes, written once and run unchanged against each store
 * (memory, Redis, PostgreSQL, MariaDB, SQLite). Each clause of the `SessionStore` doc comment
 * in `src/core/store.ts` is its own `it`, so a failure names the clause.
 *
 * One harness is opened for the whole suite; every test uses fresh random ids and user ids, so
 * tests share no state and may run in any order. Records are timed against the real clock,
 * because stores with native expiry (Redis) use real TTLs.
 */

/** The ways {@link ContractHarness.writeCorrupt} can spoil a stored record. */
export type CorruptVariant = "bad-json" | "wrong-types" | "seconds-not-ms";

/** What a store's test file gives the contract suite. */
export interface ContractHarness {
  store: SessionStore;
  /**
   * Writes undecodable data for `id` as this store's own storage would hold it (optional). When
   * a record with that id exists, its index entries are kept, so `listByUser` meets it.
   */
  writeCorrupt?: (id: string, variant: CorruptVariant) => Promise<void>;
  /** Releases connections and removes what the run wrote. */
  close: () => Promise<void>;
}

/** Switches for clauses that do not apply to every store. */
export interface ContractOptions {
  /**
   * Whether the store can hold undecodable data (anything that decodes what it reads). When
   * true, the harness must provide `writeCorrupt`. A store that keeps structured values in
   * process (memory) passes `false`. @default true
   */
  corruptRecords?: boolean;
}

/**
 * Defines the contract suite for one store. `open` is called once, in `beforeAll`; the
 * harness's `close` runs in `afterAll`.
 */
export function runStoreContract(
  name: string,
  open: () => Promise<ContractHarness>,
  options: ContractOptions = {},
): void {
  describe(`SessionStore contract: ${name}`, () => {
    let harness: ContractHarness | undefined;
    const ref: HarnessRef = () => {
      if (harness === undefined) throw new Error(`the ${name} harness did not open`);
      return harness;
    };

    beforeAll(async () => {
      harness = await open();
    });

    afterAll(async () => {
      await harness?.close();
    });

    readClauses(ref);
    writeClauses(ref);
    lifecycleClauses(ref);
    robustnessClauses(ref, { corruptRecords: options.corruptRecords ?? true });
  });
}
