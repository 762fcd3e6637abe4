import { StoreError, isLatchkeyError } from "../../core/errors.js";
import type { RedisDriver } from "./client.js";
import type { RedisScript } from "./scripts.js";

/**
 * Bounded calls to Redis. Every call gets its own timer, cleared when the call settles, so a
 * hung server or a client that queues commands still gives a `StoreError` in time; the
 * client's own timeouts, if any, only make that sooner.
 */

// Replies that mean the server cannot serve right now, as opposed to a bad command or value.
const UNAVAILABLE_REPLIES =
  /^(LOADING|READONLY|CLUSTERDOWN|TRYAGAIN|MASTERDOWN|BUSY|OOM|NOREPLICAS)\b/;

/**
 * Runs `run`, failing with `StoreError("store-timeout")` after `timeoutMs` and mapping any
 * client error to a `StoreError` that carries it as `cause`.
 */
export function bounded<T>(
  operation: string,
  timeoutMs: number,
  run: () => Promise<T>,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      const cause = new Error(`no reply within ${timeoutMs} ms`);
      reject(
        new StoreError("store-timeout", operation, `Redis gave no reply within ${timeoutMs} ms`, {
          cause,
        }),
      );
    }, timeoutMs);

    const settle = (error: unknown, value?: T): void => {
      clearTimeout(timer);
      if (error === undefined) resolve(value as T);
      else reject(toStoreError(operation, error));
    };

    try {
      run().then(
        (value) => settle(undefined, value),
        (error: unknown) => settle(error ?? new Error("rejected without a reason")),
      );
    } catch (error) {
      settle(error ?? new Error("threw without a reason"));
    }
  });
}

/** Maps what a client threw to a `StoreError`; latchkey's own errors pass through. */
export function toStoreError(operation: string, error: unknown): Error {
  if (isLatchkeyError(error)) return error;

  const message = error instanceof Error ? error.message : String(error);
  if (isErrorReply(error) && !UNAVAILABLE_REPLIES.test(message)) {
    return new StoreError("store-reply", operation, `Redis replied with an error: ${message}`, {
      cause: error,
    });
  }
  return new StoreError("store-unavailable", operation, `Redis is unavailable: ${message}`, {
    cause: error,
  });
}

/** Whether `error` is an error reply from the server (not a connection failure). */
export function isErrorReply(error: unknown): boolean {
  if (!(error instanceof Error)) return false;

  // ioredis: ReplyError; node-redis: ErrorReply and its subclasses (SimpleError, BlobError).
  for (let proto: unknown = Object.getPrototypeOf(error); proto !== null;) {
    const name = (proto as { constructor?: { name?: unknown } }).constructor?.name;
    if (name === "ReplyError" || name === "ErrorReply") return true;
    proto = Object.getPrototypeOf(proto);
  }
  return false;
}

/**
 * Runs a script by its SHA, loading it with EVAL when the server does not know it yet (after a
 * restart, a failover or `SCRIPT FLUSH`). The steady state is one EVALSHA: one round trip.
 */
export async function runScript(
  driver: RedisDriver,
  script: RedisScript,
  keys: string[],
  args: string[],
): Promise<unknown> {
  try {
    return await driver.evalsha(script.sha, keys, args);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
    return driver.eval(script.source, keys, args);
  }
}
