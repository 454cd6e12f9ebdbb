import { availableParallelism } from "node:os";
import { configDefaults, defineConfig } from "vitest/config";

// Test files run in parallel, in child processes (PGlite is WASM-heavy; a process each keeps its
// memory apart). About half the CPUs, at least 2 and at most 4: each worker opens PGlite
// databases and the PostgreSQL server needs CPU too. Two workers on two cores measured 44 s
// against 70 s for one. Override with `npm test -- --maxWorkers=N`.
const WORKERS = Math.min(4, Math.max(2, Math.floor(availableParallelism() / 2)));

export default defineConfig({
  test: {
    environment: "node",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // Browser journeys belong to Playwright (npm run test:e2e).
    exclude: [...configDefaults.exclude, "e2e/**"],
    // Builds the migrated PGlite template once; each file loads it instead of migrating.
    globalSetup: ["test/support/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    fileParallelism: true,
    maxWorkers: WORKERS,
  },
});
