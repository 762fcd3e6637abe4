import { isLatchkeyError, StoreError } from "../../core/errors.js";
import type { SqlErrorKind } from "./sql-backend.js";
import type { TableName } from "./table-name.js";

// Socket-level failures: the server is down, unreachable or went away mid-query.
const NETWORK_CODES: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "EHOSTDOWN",
  "ENETUNREACH",
  "ENETDOWN",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

/** The `code` property of a driver error, when it has a string one. */
export function errorCode(error: unknown): string | null {
  if (typeof error !== "object" || error === null || !("code" in error)) return null;
  const code = (error as { code: unknown }).code;
  return typeof code === "string" ? code : null;
}

/** The message of an error-like value, or `""`. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : "";
}

/** Whether a driver error is a socket-level failure (refused, reset, unreachable). */
export function isNetworkError(error: unknown): boolean {
  const code = errorCode(error);
  if (code !== null && NETWORK_CODES.has(code)) return true;

  // Node reports a refused connection to several addresses as an AggregateError.
  if (error instanceof AggregateError) return error.errors.some(isNetworkError);
  return false;
}

/**
 * Turns whatever a driver threw into latchkey's error: a `StoreError` with the cause, or the
 * latchkey error the store itself raised (size limit, timeout) unchanged.
 */
export function toStoreError(
  error: unknown,
  kind: SqlErrorKind,
  operation: string,
  table: TableName,
  label: string,
  schemaFunction: string,
): Error {
  if (isLatchkeyError(error)) return error;

  switch (kind) {
    case "schema":
      return new StoreError(
        "store-schema",
        operation,
        `the ${label} table "${table.display}" is missing or lacks latchkey's columns; ` +
          `run the store's migrate() (or apply ${schemaFunction}()) before using it`,
        { cause: error },
      );
    case "timeout":
      return new StoreError("store-timeout", operation, `${label} did not answer in time`, {
        cause: error,
      });
    case "unavailable":
      return new StoreError("store-unavailable", operation, `${label} is unavailable`, {
        cause: error,
      });
    default:
      return new StoreError("store-reply", operation, `${label} refused the statement`, {
        cause: error,
      });
  }
}

/**
 * Settles with `promise`, or rejects with a `store-timeout` `StoreError` after `timeoutMs`. A
 * late settlement of `promise` is absorbed, so it can never become an unhandled rejection.
 */
export function withTimeout<T>(
  promise: Promise<T>,
  timeoutMs: number,
  operation: string,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      // The driver has said nothing, so the cause says what happened instead.
      const cause = new Error(`the database sent no reply within ${timeoutMs} ms`);
      reject(
        new StoreError("store-timeout", operation, `no answer within ${timeoutMs} ms`, { cause }),
      );
    }, timeoutMs);

    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
