import mysql from "mysql2/promise";
import { afterAll, describe, expect, it } from "vitest";
import {
  createMySQLStore,
  MySQLStore,
  mysqlSchema,
  type MySQLPool,
} from "../../../src/stores/sql/mysql.js";
import type { SQLStoreOptions } from "../../../src/stores/sql/sql-options.js";
import { render, sql, type SqlFragment } from "../../../src/stores/sql/statement.js";
import { runStoreContract, type CorruptVariant } from "../../contract/store-contract.js";
import { makeRecord } from "../../support/records.js";
import { uniqueName, waitFor } from "../../support/services.js";
import { freePort } from "../../support/ports.js";
import { MARIADB_CONFIG, mariadbAvailable } from "../../support/sql-servers.js";
import { sqlContractHarness } from "./contract-harness.js";
import { runSqlStoreSuite, type CountedStore, type SqlTarget } from "./sql-suite.js";

const available = await mariadbAvailable();

/** A pool wrapper that counts the statements sent through it (the real server answers). */
function counting(pool: mysql.Pool): { pool: MySQLPool; count: () => number } {
  let count = 0;
  return {
    pool: {
      execute: (options, values) => {
        count += 1;
        return pool.execute(options, values);
      },
      query: (options) => {
        count += 1;
        return pool.query(options);
      },
      async getConnection() {
        const connection = await pool.getConnection();
        return {
          execute: (options, values) => {
            count += 1;
            return connection.execute(options, values);
          },
          query: (options) => {
            count += 1;
            return connection.query(options);
          },
          release: () => connection.release(),
          destroy: () => connection.destroy(),
        };
      },
    },
    count: () => count,
  };
}

async function exec(pool: mysql.Pool, statement: SqlFragment): Promise<Record<string, unknown>[]> {
  const { text, values } = render(statement, () => "?");
  const [result] = await pool.query(text, values);
  return Array.isArray(result) ? (result as Record<string, unknown>[]) : [];
}

// Hand edits that spoil a row the way a bug, a truncating column or an operator could.
const SPOIL: Record<CorruptVariant, SqlFragment> = {
  "bad-json": sql`data = ${'{"cart": {"items": [1, 2'}`,
  "wrong-types": sql`state = 'bogus', persistent = 7, client = '"not facts"'`,
  "seconds-not-ms": sql`created_at = created_at DIV 1000, expires_at = expires_at DIV 1000`,
};

describe.runIf(available)("MySQLStore (MariaDB)", () => {
  const pool = mysql.createPool({ ...MARIADB_CONFIG, connectionLimit: 10 });
  const prefix = uniqueName("lk_my").toLowerCase();
  const created: string[] = [];

  afterAll(async () => {
    for (const table of created) await pool.query(`DROP TABLE IF EXISTS ${table}`);
    await pool.end();
  });

  const target: SqlTarget = {
    label: "MariaDB",
    freshTable() {
      const table = `${prefix}_${created.length + 1}`;
      created.push(table);
      return table;
    },
    openStore(options: SQLStoreOptions): CountedStore {
      const wrapped = counting(pool);
      return {
        store: new MySQLStore({ ...options, pool: wrapped.pool }),
        statements: wrapped.count,
      };
    },
    exec: (statement) => exec(pool, statement),
    async lockRow(table, id) {
      const connection = await pool.getConnection();
      await connection.query("START TRANSACTION");
      await connection.query(`SELECT id FROM ${table} WHERE id = ? FOR UPDATE`, [id]);
      return async () => {
        await connection.query("ROLLBACK");
        connection.release();
      };
    },
    async indexedColumns(table) {
      const rows = await exec(
        pool,
        sql`SELECT column_name AS col FROM information_schema.statistics
          WHERE table_schema = DATABASE() AND table_name = ${table} AND seq_in_index = 1`,
      );
      return rows.map((row) => String(row.col));
    },
  };

  runStoreContract("MariaDB", () => {
    const table = target.freshTable();
    const store = new MySQLStore({ pool, tableName: table });
    return sqlContractHarness(store, table, target.exec, SPOIL);
  });

  runSqlStoreSuite(target);

  describe("MariaDB specifics", () => {
    it("mysqlSchema() ships BIGINT millisecond columns, exact-match ids and both indexes", () => {
      const ddl = mysqlSchema("app.sessions");

      expect(ddl).toContain("CREATE TABLE IF NOT EXISTS `app`.`sessions`");
      expect(ddl).toContain("id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL");
      expect(ddl).toContain("user_id VARBINARY(255) NULL");
      expect(ddl).toContain("expires_at BIGINT NOT NULL");
      expect(ddl).toContain("PRIMARY KEY (id)");
      expect(ddl).toContain("KEY `sessions_user_idx` (user_id)");
      expect(ddl).toContain("KEY `sessions_expires_idx` (expires_at)");
    });

    it("createMySQLStore fails at start-up on a missing table; migrates when asked", async () => {
      const tableName = target.freshTable();

      await expect(createMySQLStore({ pool, tableName })).rejects.toMatchObject({
        code: "store-schema",
        operation: "check",
      });
      const store = await createMySQLStore({ pool, tableName, migrate: true });
      expect(await store.get(makeRecord().id)).toBeNull();
      await store.close();
    });

    it("matches ids case-sensitively, unlike the server's default collation", async () => {
      const tableName = target.freshTable();
      const store = await createMySQLStore({ pool, tableName, migrate: true });
      const record = makeRecord({ id: "AbCdEfGhIjKlMnOpQrStUv" });
      await store.create(record);

      expect(await store.get("abcdefghijklmnopqrstuv")).toBeNull();
      expect(await store.create(makeRecord({ id: "ABCDEFGHIJKLMNOPQRSTUV" }))).toBe("created");
      expect(await store.get(record.id)).toEqual(record);
      await store.close();
    });

    it("keeps working after the server kills its pooled connection, without crashing", async () => {
      const own = mysql.createPool({ ...MARIADB_CONFIG, connectionLimit: 1 });
      const store = new MySQLStore({ pool: own, tableName: target.freshTable() });
      await store.migrate();
      const record = makeRecord();
      await store.create(record);
      const [rows] = await own.query("SELECT CONNECTION_ID() AS id");
      const connectionId = Number((rows as { id: number }[])[0]?.id);

      await pool.query("KILL ?", [connectionId]);
      const during = await store.get(record.id).catch((error: unknown) => error);

      // mysql2 either noticed the drop and reconnected, or the call failed as a StoreError.
      if (during instanceof Error) expect(during).toMatchObject({ name: "StoreError" });
      else expect(during).toEqual(record);
      await waitFor("the store to work again", async () => (await store.get(record.id)) !== null);
      expect(await store.get(record.id)).toEqual(record);
      await store.close();
      await own.end();
    });

    it("gives store-unavailable for a pool the app has ended", async () => {
      const own = mysql.createPool({ ...MARIADB_CONFIG, connectionLimit: 1 });
      const store = new MySQLStore({ pool: own, tableName: target.freshTable() });
      await own.end();

      await expect(store.get(makeRecord().id)).rejects.toMatchObject({
        name: "StoreError",
        code: "store-unavailable",
      });
      await store.close();
    });

    it("runs a statement chosen as a deadlock victim again, and it succeeds", async () => {
      const tableName = target.freshTable();
      const store = await createMySQLStore({ pool, tableName, migrate: true });
      const userId = "user-deadlocked";
      const [first, second] = [makeRecord({ userId }), makeRecord({ userId })];
      const others = [makeRecord(), makeRecord(), makeRecord()];
      for (const record of [first, second, ...others]) await store.create(record);
      const [locked, waited] = [first, second].sort((a, b) => (a.id < b.id ? 1 : -1));

      // The other transaction changes three unrelated rows (so InnoDB picks the store's
      // one-row UPDATE as the cheaper victim), then holds the row the UPDATE reaches last.
      const connection = await pool.getConnection();
      await connection.query("START TRANSACTION");
      for (const other of others) {
        await connection.query(`UPDATE ${tableName} SET version = version + 1 WHERE id = ?`, [
          other.id,
        ]);
      }
      await connection.query(`SELECT id FROM ${tableName} WHERE id = ? FOR UPDATE`, [locked!.id]);
      const revoking = store.markRevokedByUser(userId, first.expiresAt, null);
      await new Promise((resolve) => setTimeout(resolve, 200));
      // Now it asks for the row the store's UPDATE holds: a cycle, which InnoDB breaks.
      await connection.query(`UPDATE ${tableName} SET version = version + 1 WHERE id = ?`, [
        waited!.id,
      ]);
      await connection.query("COMMIT");
      connection.release();

      expect(await revoking).toBe(2);
      expect(await store.get(first.id)).toMatchObject({ state: "revoked" });
      expect(await store.get(second.id)).toMatchObject({ state: "revoked" });
      await store.close();
    });

    it("gives store-unavailable for a server on a closed port", async () => {
      const port = await freePort();
      const closed = mysql.createPool({ ...MARIADB_CONFIG, port });
      const store = new MySQLStore({ pool: closed });

      await expect(store.get(makeRecord().id)).rejects.toMatchObject({
        name: "StoreError",
        code: "store-unavailable",
      });
      await expect(
        store.writeData(makeRecord().id, { kind: "patch", set: { a: 1 }, delete: [] }, null),
      ).rejects.toMatchObject({ code: "store-unavailable" });
      await store.close();
      await closed.end();
    });
  });
});
