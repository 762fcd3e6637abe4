/**
 * Client-side statement counters for the round-trip phase. Each hook patches the driver's lowest
 * per-statement entry point in this (server) process only, so a pool's own `query` is counted
 * once, at the wire: pg's `Client.prototype.query`, mysql2's `addCommand`, and better-sqlite3's
 * statement `run`/`get`/`all` (in-process, not a network round trip). Redis is counted on the
 * server side instead (INFO commandstats on the bench's own redis-server).
 */
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const counts = new Map();

function keyword(sql) {
  const text = typeof sql === "string" ? sql : (sql?.text ?? sql?.sql ?? "");
  const word = /^\s*(\w+)/.exec(text)?.[1]?.toUpperCase() ?? "?";
  return word;
}

function bump(name) {
  counts.set(name, (counts.get(name) ?? 0) + 1);
}

/** Statement counts since the last reset, by leading keyword (SELECT, UPDATE, BEGIN, ...). */
export function statementCounts() {
  return Object.fromEntries(counts);
}

/** Sets every counter back to zero. */
export function resetStatementCounts() {
  counts.clear();
}

/** Counts every statement a `pg` client in this process sends. */
export function countPg() {
  const pg = require("pg");
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function query(config, ...rest) {
    bump(keyword(config));
    return original.call(this, config, ...rest);
  };
}

/** Counts every command a `mysql2` connection in this process sends (prepares included). */
export function countMysql() {
  // Pool connections extend Connection, whose base class defines addCommand.
  const { Connection } = require("mysql2");
  const original = Connection.prototype.addCommand;
  Connection.prototype.addCommand = function addCommand(cmd) {
    const name = cmd.constructor?.name ?? "?";
    if (name === "Query" || name === "Execute") bump(keyword(cmd.sql ?? cmd.query));
    else if (name === "Prepare") {
      // mysql2 queues a Prepare before every execute; it sends nothing when the statement is
      // in the connection's cache, so only a cache miss is a round trip.
      const key = Connection.statementKey?.(cmd.options);
      if (key === undefined || this._statements?.get(key) === undefined) bump("PREPARE");
    } else if (!/Handshake|Quit/.test(name)) bump(name.toUpperCase());
    return original.call(this, cmd);
  };
}

/** Counts every statement execution on better-sqlite3 statements (and `exec`) in this process. */
export function countSqlite() {
  const Database = require("better-sqlite3");
  const probe = new Database(":memory:");
  const statementProto = Object.getPrototypeOf(probe.prepare("SELECT 1"));
  probe.close();

  for (const method of ["run", "get", "all", "iterate"]) {
    const original = statementProto[method];
    statementProto[method] = function counted(...args) {
      bump(keyword(this.source));
      return original.apply(this, args);
    };
  }
  const exec = Database.prototype.exec;
  Database.prototype.exec = function counted(sql) {
    bump(keyword(sql));
    return exec.call(this, sql);
  };
}
