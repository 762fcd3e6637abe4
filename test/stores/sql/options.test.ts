import Database from "better-sqlite3";
import mysql from "mysql2/promise";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../../src/core/errors.js";
import { MySQLStore, mysqlSchema } from "../../../src/stores/sql/mysql.js";
import { PostgresStore, postgresSchema } from "../../../src/stores/sql/postgres.js";
import { SQLiteStore, sqliteSchema } from "../../../src/stores/sql/sqlite.js";
import type { SQLStoreOptions } from "../../../src/stores/sql/sql-options.js";
import { join, raw, render, sql } from "../../../src/stores/sql/statement.js";
import { configErrorOf } from "../../support/config-error.js";
import { MARIADB_CONFIG, POSTGRES_CONFIG } from "../../support/sql-servers.js";

// Building a store does no I/O, so these handles never connect.
const pgPool = new pg.Pool(POSTGRES_CONFIG);
const mysqlPool = mysql.createPool(MARIADB_CONFIG);
const sqlite = new Database(":memory:");

afterAll(async () => {
  await pgPool.end();
  await mysqlPool.end();
  sqlite.close();
});

const BUILDERS: [string, (options: SQLStoreOptions) => unknown][] = [
  ["PostgresStore", (options) => new PostgresStore({ ...options, pool: pgPool })],
  ["MySQLStore", (options) => new MySQLStore({ ...options, pool: mysqlPool })],
  ["SQLiteStore", (options) => new SQLiteStore({ ...options, database: sqlite })],
];

const BAD_TABLE_NAMES = [
  'sessions"; DROP TABLE users; --',
  "sessions`; DROP TABLE users; --",
  "a.b.c",
  "",
  ".sessions",
  "sessions.",
  "1sessions",
  "ses sions",
  "sessions;",
  "séssions",
  "s".repeat(49),
];

describe.each(BUILDERS)("%s options", (_name, build) => {
  it.each(BAD_TABLE_NAMES)("refuses the table name %j with a ConfigError (INJ-04)", (tableName) => {
    expect(configErrorOf(() => build({ tableName })).field).toBe("store.tableName");
  });

  it("accepts a plain or schema-qualified identifier", () => {
    expect(() => build({ tableName: "app_sessions" })).not.toThrow();
    expect(() => build({ tableName: "auth.Sessions_2" })).not.toThrow();
    expect(() => build({ tableName: "s".repeat(48) })).not.toThrow();
  });

  it.each([
    ["store.queryTimeoutMs", { queryTimeoutMs: 0 }],
    ["store.queryTimeoutMs", { queryTimeoutMs: 1.5 }],
    ["store.maxRecordBytes", { maxRecordBytes: -1 }],
    ["store.cleanupIntervalMs", { cleanupIntervalMs: 0 }],
    ["store.cleanupIntervalMs", { cleanupIntervalMs: Number.POSITIVE_INFINITY }],
    ["store.cleanupBatchSize", { cleanupBatchSize: 0 }],
    ["store.now", { now: 5 as unknown as () => number }],
  ] as const)("refuses a bad %s", (field, options) => {
    expect(configErrorOf(() => build(options as SQLStoreOptions)).field).toBe(field);
  });
});

describe("the store constructors", () => {
  it("refuse a missing or wrong driver handle", () => {
    const missing = {} as never;

    expect(configErrorOf(() => new PostgresStore({ pool: missing })).field).toBe("store.pool");
    expect(configErrorOf(() => new MySQLStore({ pool: missing })).field).toBe("store.pool");
    expect(configErrorOf(() => new SQLiteStore({ database: missing })).field).toBe(
      "store.database",
    );
  });
});

describe.each([
  ["postgresSchema", postgresSchema],
  ["mysqlSchema", mysqlSchema],
  ["sqliteSchema", sqliteSchema],
] as const)("%s", (_name, schema) => {
  it("uses latchkey_sessions by default", () => {
    expect(schema()).toContain("latchkey_sessions");
  });

  it.each(BAD_TABLE_NAMES)("refuses the table name %j", (tableName) => {
    expect(() => schema(tableName)).toThrow(ConfigError);
  });
});

describe("sql", () => {
  it("binds every interpolated value and splices only raw fragments", () => {
    const hostile = "x'); DROP TABLE users; --";
    const where = sql`user_id = ${hostile} AND id <> ${"abc"}`;

    const rendered = render(
      sql`SELECT 1 FROM ${raw("t")} WHERE ${where} LIMIT ${10}`,
      (n) => `$${n}`,
    );

    expect(rendered).toEqual({
      text: "SELECT 1 FROM t WHERE user_id = $1 AND id <> $2 LIMIT $3",
      values: [hostile, "abc", 10],
    });
  });

  it("joins fragments, keeping their values in placeholder order", () => {
    const list = join([sql`${1}`, sql`${"two"}`, raw("DEFAULT"), sql`${null}`], ", ");

    expect(render(sql`VALUES (${list})`, () => "?")).toEqual({
      text: "VALUES (?, ?, DEFAULT, ?)",
      values: [1, "two", null],
    });
  });
});
