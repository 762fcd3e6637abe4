import { ConfigError } from "../../src/core/errors.js";

/**
 * The `ConfigError` that `build` throws. Any other error is passed on, and a `build` that does
 * not throw fails the test.
 */
export function configErrorOf(build: () => unknown): ConfigError {
  try {
    build();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}
