import { describe, expect, it } from "vitest";
import { PlainCodec } from "../../../src/codec/plain.js";
import { SessionDataTooLargeError, StoreError } from "../../../src/core/errors.js";
import type { SessionEvent } from "../../../src/core/events.js";
import { LatchkeySessionManager } from "../../../src/core/manager.js";
import type { SQLStoreOptions } from "../../../src/stores/sql/sql-options.js";
import type { SQLStore } from "../../../src/stores/sql/sql-store.js";
import { raw, sql, type SqlFragment } from "../../../src/stores/sql/statement.js";
import { HOUR_MS, makeRecord, makeUserId } from "../../support/records.js";
import { waitFor } from "../../support/services.js";

/** A store built by a target, with the number of statements it has sent so far. */
export interface CountedStore {
  store: SQLStore;
  statements(): number;
}

/** One database the shared SQL suite runs against. */
export interface SqlTarget {
  label: string;
  /** A table name no other test uses, in the form the store's `tableName` takes. */
  freshTable(): string;
  /** A store over the shared connection; the test closes it. */
  openStore(options: SQLStoreOptions): CountedStore;
  /** Runs a statement as the test, outside any store. */
  exec(statement: SqlFragment): Promise<Record<string, unknown>[]>;
  /** Holds a write lock on one row (or the database) until the returned function is called. */
  lockRow(table: string, id: string): Promise<() => Promise<void>>;
  /** The columns that lead an index of `table`. */
  indexedColumns(table: string): Promise<string[]>;
}

const TOMBSTONE_MS = 600_000;

/** Opens a migrated store on a fresh table. */
async function migrated(
  target: SqlTarget,
  options: Partial<SQLStoreOptions> = {},
): Promise<CountedStore & { table: string }> {
  const table = options.tableName ?? target.freshTable();
  const counted = target.openStore({ ...options, tableName: table });
  await counted.store.migrate();
  return { ...counted, table };
}

async function rowCount(
  target: SqlTarget,
  table: string,
  where: SqlFragment = raw("1 = 1"),
): Promise<number> {
  const rows = await target.exec(sql`SELECT COUNT(*) AS n FROM ${raw(table)} WHERE ${where}`);
  return Number(rows[0]?.n);
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (error: unknown) => error,
  );
}

/**
 * The SQL-specific behaviour every SQL store shares, on top of the store contract: statement
 * counts, schema and `migrate()`, missing tables, timeouts, size limits, cleanup, concurrency
 * and bound parameters.
 */
export function runSqlStoreSuite(target: SqlTarget): void {
  describe(`${target.label} SQL store`, () => {
    describe("statement counts", () => {
      it("get sends exactly one statement", async () => {
        const { store, statements } = await migrated(target);
        const record = makeRecord();
        await store.create(record);
        const before = statements();

        expect(await store.get(record.id)).toEqual(record);

        expect(statements() - before).toBe(1);
        await store.close();
      });

      it("a validate through the manager is one statement; a renewal adds one", async () => {
        let clock = Date.now();
        const { store, statements } = await migrated(target, { now: () => clock });
        const manager = new LatchkeySessionManager({
          store,
          codec: new PlainCodec(),
          now: () => clock,
          renewalIntervalMs: 60_000,
        });
        const issued = await manager.create({ userId: makeUserId() });
        const header = `${manager.cookieName}=${issued.token}`;

        const first = statements();
        expect((await manager.validateCookieHeader(header)).ok).toBe(true);
        const validate = statements() - first;

        clock += 61_000;
        const second = statements();
        expect((await manager.validateCookieHeader(header)).ok).toBe(true);
        const renewal = statements() - second;

        expect(validate).toBe(1);
        expect(renewal).toBe(2);
        await store.close();
      });
    });

    describe("schema and migrate()", () => {
      it("creates the table with its indexes on user_id and expires_at, idempotently", async () => {
        const { store, table } = await migrated(target);

        await store.migrate();
        await store.check();

        const indexed = await target.indexedColumns(table);
        expect(indexed).toEqual(expect.arrayContaining(["id", "user_id", "expires_at"]));
        await store.close();
      });

      it("lets several instances run migrate() at once", async () => {
        const table = target.freshTable();
        const stores = Array.from(
          { length: 4 },
          () => target.openStore({ tableName: table }).store,
        );

        await Promise.all(stores.map((store) => store.migrate()));

        await Promise.all(stores.map((store) => store.check()));
        const record = makeRecord();
        expect(await stores[0]!.create(record)).toBe("created");
        expect(await stores[3]!.get(record.id)).toEqual(record);
        await Promise.all(stores.map((store) => store.close()));
      });

      it("stores every time as integer milliseconds", async () => {
        const { store, table } = await migrated(target);
        const record = makeRecord({ graceUntil: Date.now() + 5_000 });
        await store.create(record);

        const [row] = await target.exec(
          sql`SELECT created_at, expires_at, grace_until
            FROM ${raw(table)} WHERE id = ${record.id}`,
        );

        expect(Number(row?.created_at)).toBe(record.createdAt);
        expect(Number(row?.expires_at)).toBe(record.expiresAt);
        expect(Number(row?.grace_until)).toBe(record.graceUntil);
        await store.close();
      });
    });

    describe("missing or wrong table", () => {
      it("check() and every call give store-schema naming the table and migrate()", async () => {
        const table = target.freshTable();
        const { store } = target.openStore({ tableName: table });
        const record = makeRecord();

        const errors = [
          await rejection(store.check()),
          await rejection(store.get(record.id)),
          await rejection(store.create(record)),
          await rejection(
            store.touch(record.id, { lastSeenAt: 1e12, idleExpiresAt: 2e12, expiresAt: 2e12 }),
          ),
          await rejection(
            store.writeData(record.id, { kind: "patch", set: { a: 1 }, delete: [] }, null),
          ),
        ];

        for (const error of errors) {
          expect(error).toBeInstanceOf(StoreError);
          expect(error).toMatchObject({ code: "store-schema" });
          expect((error as Error).message).toContain(table);
          expect((error as Error).message).toContain("migrate()");
        }
        await store.close();
      });

      it("a table dropped at runtime gives store-schema, and migrate() repairs it", async () => {
        const { store, table } = await migrated(target);
        const record = makeRecord();
        await store.create(record);

        await target.exec(sql`DROP TABLE ${raw(table)}`);

        await expect(store.get(record.id)).rejects.toMatchObject({ code: "store-schema" });
        await expect(store.markRevoked(record.id, Date.now() + TOMBSTONE_MS)).rejects.toMatchObject(
          {
            code: "store-schema",
          },
        );
        await store.migrate();
        expect(await store.get(record.id)).toBeNull();
        await store.close();
      });

      it("a table of that name without latchkey's columns fails check()", async () => {
        const table = target.freshTable();
        await target.exec(
          sql`CREATE TABLE ${raw(table)} (id VARCHAR(64) PRIMARY KEY, payload TEXT)`,
        );
        const { store } = target.openStore({ tableName: table });

        await expect(store.check()).rejects.toMatchObject({ code: "store-schema" });
        await store.close();
      });
    });

    describe("timeouts", () => {
      it("a call stuck behind a lock gives store-timeout, and works once it is free", async () => {
        const { store, table } = await migrated(target, { queryTimeoutMs: 300 });
        const record = makeRecord();
        await store.create(record);
        const touch = {
          lastSeenAt: record.lastSeenAt + 1,
          idleExpiresAt: record.idleExpiresAt + 1,
          expiresAt: record.expiresAt + 1,
        };
        const release = await target.lockRow(table, record.id);

        const error = await rejection(store.touch(record.id, touch));
        await release();

        expect(error).toBeInstanceOf(StoreError);
        expect(error).toMatchObject({ code: "store-timeout" });
        await waitFor("the store to answer again", () => store.touch(record.id, touch));
        await store.close();
      });
    });

    describe("size limits", () => {
      it("refuses an oversized record before it reaches the database", async () => {
        const { store, statements } = await migrated(target, { maxRecordBytes: 2_000 });
        const record = makeRecord({ data: { blob: "x".repeat(2_500) } });
        const before = statements();

        await expect(store.create(record)).rejects.toBeInstanceOf(SessionDataTooLargeError);

        expect(statements()).toBe(before);
        expect(await store.get(record.id)).toBeNull();
        await store.close();
      });

      it("refuses a patch or replacement whose result is too large and keeps the row", async () => {
        const { store } = await migrated(target, { maxRecordBytes: 2_000 });
        const record = makeRecord({ data: { first: "a".repeat(1_200) } });
        await store.create(record);

        const patched = store.writeData(
          record.id,
          { kind: "patch", set: { second: "b".repeat(900) }, delete: [] },
          null,
        );
        await expect(patched).rejects.toBeInstanceOf(SessionDataTooLargeError);
        const replaced = store.writeData(
          record.id,
          { kind: "replace", data: { big: "c".repeat(2_100) } },
          1,
        );
        await expect(replaced).rejects.toBeInstanceOf(SessionDataTooLargeError);

        expect(await store.get(record.id)).toEqual(record);
        await store.close();
      });

      it("stores a record just under the limit in full, never truncated", async () => {
        const { store } = await migrated(target);
        const data = { blob: "é".repeat(30_000), tail: "end" };
        const record = makeRecord({ data });

        await store.create(record);

        expect((await store.get(record.id)) as unknown).toMatchObject({ data });
        await store.close();
      });
    });

    describe("deleteExpired", () => {
      it("removes exactly the expired rows, in batches, by the store's own clock", async () => {
        let clock = Date.now();
        const { store, table, statements } = await migrated(target, {
          now: () => clock,
          cleanupBatchSize: 10,
        });
        const userId = makeUserId();
        const doomed = Array.from({ length: 25 }, (_, index) =>
          makeRecord({ userId, expiresAt: clock + 60_000 + index }),
        );
        const live = Array.from({ length: 5 }, () =>
          makeRecord({ userId, expiresAt: clock + 3 * HOUR_MS }),
        );
        for (const record of [...doomed, ...live]) await store.create(record);
        // The database's clock says every row is live; only the store's clock moves (FR-07).
        clock += 10 * 60_000;

        const firstBatch = await store.deleteExpired({ maxBatches: 1 });
        const before = statements();
        const rest = await store.deleteExpired();

        expect(firstBatch).toBe(10);
        expect(rest).toBe(15);
        expect(statements() - before).toBe(2);
        const remaining = await store.listByUser(userId);
        expect(remaining.map((record) => record.id).sort()).toEqual(
          live.map((record) => record.id).sort(),
        );
        expect(await rowCount(target, table)).toBe(5);
        await store.close();
      });

      it("runs on an unref'd interval that close() stops", async () => {
        let clock = Date.now();
        const { store, table } = await migrated(target, {
          now: () => clock,
          cleanupIntervalMs: 20,
        });
        await store.create(makeRecord({ expiresAt: clock + 1_000 }));
        await store.create(makeRecord({ expiresAt: clock + 1_000 }));
        clock += 5_000;

        expect(store.cleaning).toBe(true);
        await waitFor(
          "the cleanup runner to delete the rows",
          async () => (await rowCount(target, table)) === 0,
        );

        await store.close();
        expect(store.cleaning).toBe(false);
      });

      it("runs in a store that never called migrate() (FR-11)", async () => {
        let clock = Date.now();
        const { store: migrator, table } = await migrated(target);
        await migrator.create(makeRecord({ expiresAt: clock + 1_000 }));
        const { store: cleaner } = target.openStore({
          tableName: table,
          now: () => clock,
          cleanupIntervalMs: 20,
        });
        clock += 5_000;

        await waitFor(
          "the runner to empty the table",
          async () => (await rowCount(target, table)) === 0,
        );

        await Promise.all([migrator.close(), cleaner.close()]);
      });

      it("reports a failing background run through onEvent instead of throwing", async () => {
        const events: SessionEvent[] = [];
        const { store } = target.openStore({
          tableName: target.freshTable(),
          cleanupIntervalMs: 20,
          onEvent: (event) => events.push(event),
        });

        await waitFor("a store.error event", () => events.length > 0);
        await store.close();

        expect(events[0]).toMatchObject({ type: "store.error", operation: "deleteExpired" });
        expect((events[0] as { error: unknown }).error).toMatchObject({ code: "store-schema" });
      });
    });

    describe("concurrency", () => {
      it("parallel validates and renewals leave one row with the latest lastSeenAt", async () => {
        const { store, table } = await migrated(target);
        const record = makeRecord();
        await store.create(record);
        const offsets = Array.from({ length: 100 }, (_, index) => ((index * 37) % 100) + 1);

        const results = await Promise.all([
          ...offsets.map((offset) => {
            const lastSeenAt = record.lastSeenAt + offset * 1_000;
            return store.touch(record.id, {
              lastSeenAt,
              idleExpiresAt: lastSeenAt + HOUR_MS,
              expiresAt: lastSeenAt + HOUR_MS,
            });
          }),
          ...offsets.map(() => store.get(record.id).then((found) => found !== null)),
        ]);

        expect(results.every(Boolean)).toBe(true);
        const stored = await store.get(record.id);
        const latest = record.lastSeenAt + 100_000;
        expect(stored).toMatchObject({
          lastSeenAt: latest,
          idleExpiresAt: latest + HOUR_MS,
          version: record.version,
        });
        expect(await rowCount(target, table, sql`id = ${record.id}`)).toBe(1);
        await store.close();
      });

      it("a revoke racing data writes and renewals stays revoked with empty data", async () => {
        const { store } = await migrated(target);
        const record = makeRecord();
        await store.create(record);
        const later = record.lastSeenAt + 1_000;

        await Promise.all([
          ...Array.from({ length: 20 }, (_, index) =>
            store.writeData(
              record.id,
              { kind: "patch", set: { [`k${index}`]: index }, delete: [] },
              null,
            ),
          ),
          store.markRevoked(record.id, Date.now() + TOMBSTONE_MS),
          ...Array.from({ length: 20 }, () =>
            store.touch(record.id, {
              lastSeenAt: later,
              idleExpiresAt: later + HOUR_MS,
              expiresAt: later + HOUR_MS,
            }),
          ),
        ]);

        expect(await store.get(record.id)).toMatchObject({ state: "revoked", data: {} });
        expect(
          await store.writeData(
            record.id,
            { kind: "patch", set: { late: true }, delete: [] },
            null,
          ),
        ).toEqual({
          ok: false,
          reason: "inactive",
        });
        await store.close();
      });

      it("a slow request that read the session before a revoke cannot write it back", async () => {
        const { store } = await migrated(target);
        const record = makeRecord();
        await store.create(record);
        const read = await store.get(record.id);

        await store.markRevoked(record.id, Date.now() + TOMBSTONE_MS);
        const version = read !== null && "version" in read ? read.version : 0;
        const outcome = await store.writeData(
          record.id,
          { kind: "replace", data: { stale: true } },
          version,
        );

        expect(outcome).toEqual({ ok: false, reason: "inactive" });
        expect(await store.get(record.id)).toMatchObject({ state: "revoked", data: {} });
        await store.close();
      });

      it("of five parallel rotations exactly one succeeds and one successor exists", async () => {
        const { store, table } = await migrated(target);
        const userId = makeUserId();
        const old = makeRecord({ userId });
        await store.create(old);
        const successors = Array.from({ length: 5 }, () => makeRecord({ userId }));
        const options = { graceUntil: Date.now() + 10_000, expiresAt: Date.now() + TOMBSTONE_MS };

        const outcomes = await Promise.all(
          successors.map((successor) => store.supersede(old.id, old.version, successor, options)),
        );

        expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(1);
        expect(await rowCount(target, table, sql`user_id = ${userId}`)).toBe(2);
        expect(await rowCount(target, table, sql`user_id = ${userId} AND state = 'active'`)).toBe(
          1,
        );
        await store.close();
      });
    });

    describe("session manager over the store", () => {
      it("revokeAllForUser on one instance is seen by another instance (REV-03)", async () => {
        const { store: first, table } = await migrated(target);
        const { store: second } = target.openStore({ tableName: table });
        const managerA = new LatchkeySessionManager({ store: first, codec: new PlainCodec() });
        const managerB = new LatchkeySessionManager({ store: second, codec: new PlainCodec() });
        const userId = makeUserId();
        const issued = await Promise.all([
          managerA.create({ userId }),
          managerB.create({ userId }),
          managerA.create({ userId }),
        ]);
        const other = await managerB.create({ userId: makeUserId() });

        expect(await managerA.revokeAllForUser(userId)).toBe(3);

        for (const { token } of issued) {
          const result = await managerB.validateCookieValue(token);
          expect(result).toMatchObject({ ok: false, reason: "revoked" });
        }
        expect((await managerA.validateCookieValue(other.token)).ok).toBe(true);
        await Promise.all([first.close(), second.close()]);
      });

      it("a row past its deadline that cleanup has not removed is expired (EXP-03)", async () => {
        let clock = Date.now();
        const { store, table } = await migrated(target, { now: () => clock });
        const manager = new LatchkeySessionManager({
          store,
          codec: new PlainCodec(),
          now: () => clock,
          idleTimeoutMs: 60_000,
        });
        const issued = await manager.create({ userId: makeUserId() });
        clock += 61_000;

        const result = await manager.validateCookieValue(issued.token);

        expect(result).toMatchObject({ ok: false, reason: "expired-idle" });
        expect(await manager.validateCookieValue(issued.token)).toMatchObject({ ok: false });
        expect(
          await rowCount(target, table, sql`id = ${issued.session.id} AND state = 'active'`),
        ).toBe(0);
        await store.close();
      });
    });

    describe("encoding", () => {
      it.each([
        ["seconds", 1_478_368_487],
        ["microseconds", 1_478_368_487_000_000],
        ["a fraction", 1_478_368_487_000.5],
      ])("refuses a time in %s before it reaches SQL (FR-08)", async (_unit, time) => {
        const { store, statements } = await migrated(target);
        const record = makeRecord();
        await store.create(record);
        const before = statements();

        await expect(store.create(makeRecord({ expiresAt: time }))).rejects.toBeInstanceOf(
          StoreError,
        );
        await expect(
          store.touch(record.id, { lastSeenAt: time, idleExpiresAt: time, expiresAt: time }),
        ).rejects.toBeInstanceOf(StoreError);
        await expect(store.markRevoked(record.id, time)).rejects.toBeInstanceOf(StoreError);

        expect(statements()).toBe(before);
        expect(await store.get(record.id)).toEqual(record);
        await store.close();
      });

      it("refuses data over the default limit (70 000 bytes); keeps nothing (FR-10)", async () => {
        const { store } = await migrated(target);
        const record = makeRecord({ data: { profile: "p".repeat(70_000) } });

        await expect(store.create(record)).rejects.toMatchObject({
          code: "session-data-too-large",
        });

        expect(await store.get(record.id)).toBeNull();
        await store.close();
      });

      it("refuses a user id over 255 bytes on write and finds nothing for it on read", async () => {
        const { store, statements } = await migrated(target);
        const userId = "ü".repeat(128);

        await expect(store.create(makeRecord({ userId }))).rejects.toMatchObject({
          code: "store-reply",
        });
        const before = statements();
        expect(await store.listByUser(userId)).toEqual([]);
        expect(await store.markRevokedByUser(userId, Date.now() + TOMBSTONE_MS, null)).toBe(0);
        expect(statements()).toBe(before);
        await store.close();
      });
    });

    describe("corrupt rows", () => {
      it("reads a version past 2^53 as corrupt, the same on every database", async () => {
        const { store, table } = await migrated(target);
        const record = makeRecord();
        await store.create(record);
        await target.exec(
          sql`UPDATE ${raw(table)} SET version = 4611686018427387904 WHERE id = ${record.id}`,
        );

        expect(await store.get(record.id)).toMatchObject({ corrupt: true, id: record.id });
        await store.close();
      });

      it("listByUser leaves out a spoiled row and reports it as an event", async () => {
        const events: SessionEvent[] = [];
        const { store, table } = await migrated(target, { onEvent: (e) => events.push(e) });
        const userId = makeUserId();
        const spoiled = makeRecord({ userId });
        const sound = makeRecord({ userId });
        await store.create(spoiled);
        await store.create(sound);
        await target.exec(
          sql`UPDATE ${raw(table)} SET created_at = created_at / 1000 WHERE id = ${spoiled.id}`,
        );

        const listed = await store.listByUser(userId);

        expect(listed.map((record) => record.id)).toEqual([sound.id]);
        expect(events).toEqual([
          expect.objectContaining({
            type: "store.corrupt-record",
            sessionIdPrefix: spoiled.id.slice(0, 8),
            detail: "bad createdAt",
          }),
        ]);
        await store.close();
      });
    });

    describe("bound parameters", () => {
      it.each([
        "' OR '1'='1",
        "x'); DROP TABLE users; --",
        '"; DELETE FROM sessions; --',
        "user-1 ",
        "USER-1",
      ])("treats the user id %j as a value, matching nothing else", async (userId) => {
        const { store, table } = await migrated(target);
        const bystander = makeRecord({ userId: "user-1" });
        const own = makeRecord({ userId, data: { note: userId } });
        await store.create(bystander);
        await store.create(own);

        const listed = await store.listByUser(userId);
        const revoked = await store.markRevokedByUser(userId, Date.now() + TOMBSTONE_MS, null);

        expect(listed).toEqual([own]);
        expect(revoked).toBe(1);
        expect(await store.get(bystander.id)).toEqual(bystander);
        expect(await rowCount(target, table)).toBe(2);
        await store.close();
      });
    });
  });
}
