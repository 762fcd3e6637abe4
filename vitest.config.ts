import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globals: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: store suites share servers, so files run in a small pool.
    maxWorkers: 2,
    fileParallelism: true,
  },
});
