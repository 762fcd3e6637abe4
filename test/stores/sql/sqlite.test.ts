import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { SQLStoreOptions } from "../../../src/stores/sql/sql-options.js";
import {
  createSQLiteStore,
  SQLiteStore,
  sqliteSchema,
  type SQLiteDatabase,
  type SQLiteStatement,
} from "../../../src/stores/sql/sqlite.js";
import { render, sql, type SqlFragment } from "../../../src/stores/sql/statement.js";
import { runStoreContract, type CorruptVariant } from "../../contract/store-contract.js";
import { makeRecord } from "../../support/records.js";
import { sqlContractHarness } from "./contract-harness.js";
import { runSqlStoreSuite, type CountedStore, type SqlTarget } from "./sql-suite.js";

// The busy timeout bounds how long a call waits for another connection's write lock.
const BUSY_TIMEOUT_MS = 200;

/** A database wrapper that counts the statements run through it (SQLite still runs them). */
function counting(db: Database.Database): { database: SQLiteDatabase; count: () => number } {
  let count = 0;
  const wrap = (statement: SQLiteStatement): SQLiteStatement => ({
    reader: statement.reader,
    all: (...parameters) => {
      count += 1;
      return statement.all(...parameters);
    },
    run: (...parameters) => {
      count += 1;
      return statement.run(...parameters);
    },
  });
  return {
    database: {
      prepare: (source) => wrap(db.prepare(source)),
      exec: (source) => db.exec(source),
      transaction: (fn) => db.transaction(fn),
    },
    count: () => count,
  };
}

function exec(db: Database.Database, statement: SqlFragment): Record<string, unknown>[] {
  const { text, values } = render(statement, () => "?");
  const prepared = db.prepare(text);
  if (prepared.reader) return prepared.all(...values) as Record<string, unknown>[];
  prepared.run(...values);
  return [];
}

// Hand edits that spoil a row the way a bug or an operator could.
const SPOIL: Record<CorruptVariant, SqlFragment> = {
  "bad-json": sql`data = ${'{"cart": {"items": [1, 2'}`,
  "wrong-types": sql`state = 'bogus', persistent = 7, client = '"not facts"'`,
  "seconds-not-ms": sql`created_at = created_at / 1000, expires_at = expires_at / 1000`,
};

function contractFor(db: Database.Database, table: string) {
  return () => {
    const store = new SQLiteStore({ database: db, tableName: table });
    return sqlContractHarness(store, table, (statement) => exec(db, statement), SPOIL);
  };
}

describe("SQLiteStore", () => {
  const dir = mkdtempSync(join(tmpdir(), "latchkey-sqlite-"));
  const file = join(dir, "sessions.db");
  const db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
  db.pragma("journal_mode = WAL");
  const memory = new Database(":memory:");
  let tables = 0;

  afterAll(() => {
    db.close();
    memory.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const target: SqlTarget = {
    label: "SQLite (file)",
    freshTable: () => `t${++tables}`,
    openStore(options: SQLStoreOptions): CountedStore {
      const wrapped = counting(db);
      return {
        store: new SQLiteStore({ ...options, database: wrapped.database }),
        statements: wrapped.count,
      };
    },
    exec: async (statement) => exec(db, statement),
    async lockRow() {
      const other = new Database(file, { timeout: BUSY_TIMEOUT_MS });
      other.exec("BEGIN IMMEDIATE");
      return async () => {
        other.exec("ROLLBACK");
        other.close();
      };
    },
    async indexedColumns(table) {
      const indexes = db.pragma(`index_list(${table})`) as { name: string }[];
      return indexes.map((index) => {
        const [first] = db.pragma(`index_info(${index.name})`) as { name: string }[];
        return first?.name ?? "";
      });
    },
  };

  runStoreContract("SQLite (file)", contractFor(db, "contract_sessions"));
  runStoreContract("SQLite (:memory:)", contractFor(memory, "latchkey_sessions"));
  runSqlStoreSuite(target);

  describe("SQLite specifics", () => {
    it("sqliteSchema() ships a STRICT table of integer milliseconds and both indexes", () => {
      const ddl = sqliteSchema("aux.sessions");

      expect(ddl).toContain('CREATE TABLE IF NOT EXISTS "aux"."sessions"');
      expect(ddl).toContain(") STRICT;");
      expect(ddl).toContain("id TEXT NOT NULL PRIMARY KEY");
      expect(ddl).toContain("expires_at INTEGER NOT NULL");
      expect(ddl).toContain(
        'CREATE INDEX IF NOT EXISTS "aux"."sessions_user_idx" ON "sessions" (user_id)',
      );
      expect(ddl).toContain('"aux"."sessions_expires_idx" ON "sessions" (expires_at)');
    });

    it("lets several connections to one file run migrate() and share the table", async () => {
      const tableName = target.freshTable();
      const handles = Array.from({ length: 3 }, () => new Database(file, { timeout: 2_000 }));
      const stores = handles.map((database) => new SQLiteStore({ database, tableName }));

      await Promise.all(stores.map((store) => store.migrate()));
      const record = makeRecord();
      await stores[0]!.create(record);

      expect(await stores[2]!.get(record.id)).toEqual(record);
      await Promise.all(stores.map((store) => store.close()));
      for (const handle of handles) handle.close();
    });

    it("createSQLiteStore fails at start-up on a missing table; migrates when asked", async () => {
      const tableName = target.freshTable();

      await expect(createSQLiteStore({ database: db, tableName })).rejects.toMatchObject({
        code: "store-schema",
        operation: "check",
      });
      const store = await createSQLiteStore({ database: db, tableName, migrate: true });
      expect(await store.get(makeRecord().id)).toBeNull();
      await store.close();
    });

    it("gives store-unavailable once the database handle is closed", async () => {
      const closed = new Database(":memory:");
      const store = await createSQLiteStore({ database: closed, migrate: true });
      closed.close();

      await expect(store.get(makeRecord().id)).rejects.toMatchObject({
        name: "StoreError",
        code: "store-unavailable",
      });
      await store.close();
    });
  });
});
