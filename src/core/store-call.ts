import { isLatchkeyError, StoreError } from "./errors.js";

// Deadlines are checked by one shared timer instead of a timer per call: a validate makes one
// store call, and arming and clearing a timer for each cost more than the memory store's read.
// The timer runs only while calls are pending (and one tick after), so an idle process holds no
// handle.
const TICK_MS = 20;

interface PendingCall {
  readonly deadline: number;
  readonly expire: () => void;
}

const pending = new Set<PendingCall>();
let ticker: ReturnType<typeof setInterval> | null = null;

function watch(call: PendingCall): void {
  pending.add(call);
  ticker ??= setInterval(expireOverdue, TICK_MS);
}

function unwatch(call: PendingCall): void {
  pending.delete(call);
}

// The timer stops itself on a tick that finds nothing pending, rather than when the last call
// settles: one request after another would otherwise arm and clear it every time.
function expireOverdue(): void {
  if (pending.size === 0 && ticker !== null) {
    clearInterval(ticker);
    ticker = null;
    return;
  }
  const now = Date.now();
  for (const call of pending) {
    if (call.deadline <= now) call.expire();
  }
}

/**
 * Runs one store operation with a deadline. A store that rejects with a latchkey error keeps its
 * error; anything else it throws becomes a `StoreError` with the original as `cause`; a call
 * that has not settled after `timeoutMs` (checked every 20 ms, so up to 20 ms late) becomes a
 * `store-timeout` error, and its late result is ignored.
 */
export function callStore<T>(
  operation: string,
  timeoutMs: number,
  run: () => Promise<T>,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const call: PendingCall = {
      deadline: Date.now() + timeoutMs,
      expire() {
        settle();
        reject(new StoreError("store-timeout", operation, `no answer within ${timeoutMs} ms`));
      },
    };
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      unwatch(call);
      return true;
    };

    watch(call);
    let result: Promise<T>;
    try {
      result = run();
    } catch (error) {
      result = Promise.reject(error);
    }

    result.then(
      (value) => {
        if (settle()) resolve(value);
      },
      (error: unknown) => {
        if (settle()) reject(toStoreError(operation, error));
      },
    );
  });
}

function toStoreError(operation: string, error: unknown): unknown {
  if (isLatchkeyError(error)) return error;
  return new StoreError("store-unavailable", operation, "the store call failed", { cause: error });
}
