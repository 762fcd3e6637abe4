import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionEvent } from "../../../src/core/events.js";
import {
  createPostgresStore,
  PostgresStore,
  postgresSchema,
  type PgQueryable,
} from "../../../src/stores/sql/postgres.js";
import type { SQLStoreOptions } from "../../../src/stores/sql/sql-options.js";
import { render, sql, type SqlFragment } from "../../../src/stores/sql/statement.js";
import { runStoreContract, type CorruptVariant } from "../../contract/store-contract.js";
import { makeRecord } from "../../support/records.js";
import { uniqueName, waitFor } from "../../support/services.js";
import { freePort } from "../../support/ports.js";
import {
  createThrowawayPostgres,
  POSTGRES_CONFIG,
  postgresAvailable,
} from "../../support/sql-servers.js";
import { sqlContractHarness } from "./contract-harness.js";
import { runSqlStoreSuite, type CountedStore, type SqlTarget } from "./sql-suite.js";

const available = await postgresAvailable();

/** A pool wrapper that counts the statements sent through it (the real server answers). */
function counting(pool: pg.Pool): { pool: PgQueryable; count: () => number } {
  let count = 0;
  return {
    pool: {
      query: (config) => {
        count += 1;
        return pool.query(config);
      },
      on: (event, listener) => pool.on(event, listener),
      removeListener: (event, listener) => pool.removeListener(event, listener),
    },
    count: () => count,
  };
}

async function exec(pool: pg.Pool, statement: SqlFragment): Promise<Record<string, unknown>[]> {
  const { text, values } = render(statement, (position) => `$${position}`);
  return (await pool.query(text, values)).rows as Record<string, unknown>[];
}

// Hand edits that spoil a row the way a bug or an operator could. jsonb cannot hold text that
// is not JSON, so "bad-json" is the nearest PostgreSQL form: JSON text stored as a JSON string.
const SPOIL: Record<CorruptVariant, SqlFragment> = {
  "bad-json": sql`data = to_jsonb(${'{"cart": {"items": [1, 2'}::text)`,
  "wrong-types": sql`state = 'bogus', persistent = true, client = '"not facts"'::jsonb`,
  "seconds-not-ms": sql`created_at = created_at / 1000, expires_at = expires_at / 1000`,
};

describe.runIf(available)("PostgresStore", () => {
  const pool = new pg.Pool({ ...POSTGRES_CONFIG, max: 10 });
  const schema = uniqueName("lk_pg").toLowerCase();
  let tables = 0;

  beforeAll(async () => {
    await pool.query(`CREATE SCHEMA ${schema}`);
  });

  afterAll(async () => {
    await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await pool.end();
  });

  const target: SqlTarget = {
    label: "PostgreSQL",
    freshTable: () => `${schema}.t${++tables}`,
    openStore(options: SQLStoreOptions): CountedStore {
      const wrapped = counting(pool);
      return {
        store: new PostgresStore({ ...options, pool: wrapped.pool }),
        statements: wrapped.count,
      };
    },
    exec: (statement) => exec(pool, statement),
    async lockRow(table, id) {
      const client = await pool.connect();
      await client.query("BEGIN");
      await client.query(`SELECT id FROM ${table} WHERE id = $1 FOR UPDATE`, [id]);
      return async () => {
        await client.query("ROLLBACK");
        client.release();
      };
    },
    async indexedColumns(table) {
      const [schemaName, tableName] = table.split(".");
      const { rows } = await pool.query<{ column: string }>(
        `SELECT a.attname AS column FROM pg_index i
         JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0]
         WHERE n.nspname = $1 AND c.relname = $2`,
        [schemaName, tableName],
      );
      return rows.map((row) => row.column);
    },
  };

  runStoreContract("PostgreSQL", () => {
    const table = target.freshTable();
    const store = new PostgresStore({ pool, tableName: table });
    return sqlContractHarness(store, table, target.exec, SPOIL);
  });

  runSqlStoreSuite(target);

  describe("PostgreSQL specifics", () => {
    it("revokeAllForUser revokes the successor of a rotation committed meanwhile", async () => {
      const tableName = target.freshTable();
      const store = new PostgresStore({ pool, tableName });
      await store.migrate();
      const userId = "user-rotating";
      const old = makeRecord({ userId });
      const successor = makeRecord({ userId, createdAt: old.createdAt });
      await store.create(old);

      // A rotation in flight: its statement has run in a transaction that has not committed, so
      // it holds the old row while revokeAllForUser's UPDATE arrives.
      const client = await pool.connect();
      const rotating = new PostgresStore({ pool: client, tableName });
      await client.query("BEGIN");
      const rotation = { graceUntil: null, expiresAt: old.expiresAt };
      expect((await rotating.supersede(old.id, old.version, successor, rotation)).ok).toBe(true);
      const revoking = store.markRevokedByUser(userId, old.expiresAt, null);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await client.query("COMMIT");
      client.release();

      expect(await revoking).toBe(1);
      expect(await store.get(successor.id)).toMatchObject({ state: "revoked" });
      expect(await store.get(old.id)).toMatchObject({ state: "superseded" });
      await store.close();
      await rotating.close();
    });

    it("postgresSchema() ships bigint millisecond columns, the key and both indexes", () => {
      const ddl = postgresSchema("auth.sessions");

      expect(ddl).toContain('CREATE TABLE IF NOT EXISTS "auth"."sessions"');
      expect(ddl).toContain("id text NOT NULL PRIMARY KEY");
      expect(ddl).toContain("expires_at bigint NOT NULL");
      expect(ddl).toContain("data jsonb NOT NULL");
      expect(ddl).toContain(
        'CREATE INDEX IF NOT EXISTS "sessions_user_idx" ON "auth"."sessions" (user_id)',
      );
      expect(ddl).toContain('"sessions_expires_idx" ON "auth"."sessions" (expires_at)');
    });

    it("createPostgresStore fails on a missing table at start-up, migrates if asked", async () => {
      const tableName = target.freshTable();

      await expect(createPostgresStore({ pool, tableName })).rejects.toMatchObject({
        code: "store-schema",
        operation: "check",
      });
      const store = await createPostgresStore({ pool, tableName, migrate: true });
      expect(await store.get(makeRecord().id)).toBeNull();
      await store.close();
    });

    it("works over a single pg.Client as well as a Pool", async () => {
      const client = new pg.Client(POSTGRES_CONFIG);
      await client.connect();
      const store = new PostgresStore({ pool: client, tableName: target.freshTable() });
      await store.migrate();
      const record = makeRecord();

      await store.create(record);
      const outcome = await store.writeData(
        record.id,
        { kind: "patch", set: { a: 1 }, delete: [] },
        null,
      );

      expect(outcome).toEqual({ ok: true, version: 2 });
      await store.close();
      await client.end();
    });

    it("refuses data holding U+0000, which jsonb cannot store, with a StoreError", async () => {
      const store = new PostgresStore({ pool, tableName: target.freshTable() });
      await store.migrate();
      const record = makeRecord({ data: { text: "a\u0000b" } });

      await expect(store.create(record)).rejects.toMatchObject({
        name: "StoreError",
        code: "store-reply",
      });

      expect(await store.get(record.id)).toBeNull();
      await store.close();
    });

    it("gives store-unavailable for a server on a closed port", async () => {
      const port = await freePort();
      const closed = new pg.Pool({ ...POSTGRES_CONFIG, port });
      const store = new PostgresStore({ pool: closed });

      await expect(store.get(makeRecord().id)).rejects.toMatchObject({
        name: "StoreError",
        code: "store-unavailable",
      });
      await store.close();
      await closed.end();
    });

    it("survives its server stopping: error event, StoreError, then recovery", async () => {
      const server = await createThrowawayPostgres();
      const events: SessionEvent[] = [];
      try {
        await server.start();
        const own = new pg.Pool({ ...server.config, max: 2 });
        const store = new PostgresStore({
          pool: own,
          queryTimeoutMs: 1_500,
          onEvent: (event) => events.push(event),
        });
        await store.migrate();
        const record = makeRecord();
        await store.create(record);

        await server.stop();
        await waitFor("the pool's error event", () =>
          events.some((event) => event.type === "store.error"),
        );
        const down = await store.get(record.id).catch((error: unknown) => error);
        await server.start();

        expect(down).toMatchObject({ name: "StoreError" });
        expect(["store-unavailable", "store-timeout"]).toContain((down as { code: string }).code);
        expect(events.find((event) => event.type === "store.error")).toMatchObject({
          operation: "pool",
        });
        await waitFor("the store to work again", async () => (await store.get(record.id)) !== null);
        expect(await store.get(record.id)).toEqual(record);
        await store.close();
        await own.end();
      } finally {
        await server.destroy();
      }
    }, 60_000);

    it("close() removes the pool error listener it added", async () => {
      const own = new pg.Pool(POSTGRES_CONFIG);
      const before = own.listenerCount("error");
      const store = new PostgresStore({ pool: own });

      expect(own.listenerCount("error")).toBe(before + 1);
      await store.close();
      expect(own.listenerCount("error")).toBe(before);
      await own.end();
    });
  });
});
