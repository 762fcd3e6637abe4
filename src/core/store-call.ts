import { isLatchkeyError, StoreError } from "./errors.js";

/**
 * Runs one store operation with a deadline. A store that rejects with a latchkey error keeps its
 * error; anything else it throws becomes a `StoreError` with the original as `cause`; a call
 * that has not settled after `timeoutMs` becomes a `store-timeout` error (and its late result is
 * ignored). The timer is always cleared, so no handle outlives the call.
 */
export async function callStore<T>(
  operation: string,
  timeoutMs: number,
  run: () => Promise<T>,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new StoreError("store-timeout", operation, `no answer within ${timeoutMs} ms`));
    }, timeoutMs);
  });

  try {
    return await Promise.race([Promise.resolve().then(run), deadline]);
  } catch (error) {
    if (isLatchkeyError(error)) throw error;
    throw new StoreError("store-unavailable", operation, "the store call failed", { cause: error });
  } finally {
    clearTimeout(timer);
  }
}
