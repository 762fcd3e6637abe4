import type { SQLStartOptions } from "./sql-options.js";
import type { SQLStore } from "./sql-store.js";

/**
 * The start-up steps of the async store factories: `migrate()` when asked, then `check()`
 * unless told not to. On failure the store is closed and the error passed on.
 */
export async function prepareStore<S extends SQLStore>(
  store: S,
  options: SQLStartOptions,
): Promise<S> {
  try {
    if (options.migrate === true) await store.migrate();
    if (options.check !== false) await store.check();
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}
