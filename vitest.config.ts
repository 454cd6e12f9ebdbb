import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    environment: "node",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    globalSetup: ["test/support/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // PGlite is WASM-heavy: child processes isolate its memory, and two workers match the two cores here.
    pool: "forks",
    maxWorkers: 2,
  },
});
