import { ConfigError } from "../../core/errors.js";

/** The table the SQL stores use when none is configured. */
export const DEFAULT_TABLE_NAME = "latchkey_sessions";

// Letters, digits and underscores, starting with a letter or underscore. At most 48 characters,
// so that the index names built from it (`<table>_expires_idx`) stay under PostgreSQL's
// 63-byte identifier limit, which would otherwise truncate them and could make two collide.
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,47}$/;

/** A validated table name: an optional schema (or database) and the table itself. */
export interface TableName {
  /** The schema or database part, or `null` for the connection's default. */
  readonly schema: string | null;
  /** The table part. */
  readonly table: string;
  /** The name as configured (`schema.table` or `table`), for messages. */
  readonly display: string;
}

/**
 * Checks a configured table name (INJ-04): one identifier or `schema.table`, each part matching
 * an identifier allowlist. Anything else is a `ConfigError`, so no configured text can reach
 * SQL unchecked.
 */
export function parseTableName(value: unknown, field = "tableName"): TableName {
  if (value === undefined)
    return { schema: null, table: DEFAULT_TABLE_NAME, display: DEFAULT_TABLE_NAME };
  if (typeof value !== "string") throw new ConfigError(field, "must be a string");

  const parts = value.split(".");
  if (parts.length > 2 || !parts.every((part) => IDENTIFIER.test(part))) {
    throw new ConfigError(
      field,
      "must be `table` or `schema.table`, each part letters, digits and underscores " +
        "(starting with a letter or underscore, at most 48 characters)",
    );
  }

  const [first, second] = parts as [string, string | undefined];
  return second === undefined
    ? { schema: null, table: first, display: first }
    : { schema: first, table: second, display: value };
}

/** The table name as SQL: each part quoted by the dialect's `quote`, joined with a dot. */
export function qualifiedName(name: TableName, quote: (identifier: string) => string): string {
  const table = quote(name.table);
  return name.schema === null ? table : `${quote(name.schema)}.${table}`;
}

/** The name of one of the table's indexes, derived from the table part. */
export function indexName(name: TableName, suffix: "user_idx" | "expires_idx"): string {
  return `${name.table}_${suffix}`;
}
