import { defineConfig } from "@playwright/test";

/** OKRA_E2E_PORT lets two runs share a machine (each gets its own server and data directory). */
const PORT = Number(process.env.OKRA_E2E_PORT ?? 3199);
const DATA_DIR = PORT === 3199 ? ".e2e-data" : `.e2e-data-${PORT}`;

/** Browser journeys against a real server with the demo workspace, in Debian's Chromium. */
export default defineConfig({
  testDir: ".",
  outputDir: "../test-results/e2e",
  timeout: 90_000,
  // A CI machine runs the server, PGlite and Chromium on two shared cores: a page that settles in
  // 1-3 s here can take 6-10 s there, so assertions wait up to 15 s under CI (5 s locally keeps
  // slowness visible while developing).
  expect: { timeout: process.env.CI ? 15_000 : 5_000 },
  fullyParallel: false,
  workers: 1,
  reporter: [["list"], ["json", { outputFile: "../test-results/e2e/report.json" }]],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    viewport: { width: 1400, height: 900 },
    launchOptions: {
      executablePath: process.env.OKRA_CHROMIUM ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
    trace: "retain-on-failure",
  },
  webServer: {
    // The seed loads the demo and records notices for the notification journey (e2e/seed-notifications.ts).
    command: `rm -rf ${DATA_DIR} && node --import tsx e2e/seed-notifications.ts && node bin/okra.js serve --demo`,
    cwd: "..",
    url: `http://127.0.0.1:${PORT}/healthz`,
    timeout: 180_000,
    reuseExistingServer: false,
    env: {
      PORT: String(PORT),
      HOST: "127.0.0.1",
      OKRA_DATA_DIR: DATA_DIR,
      OKRA_BOOTSTRAP_TOKEN: "okra_e2e_admin_token_0123456789",
      LOG_LEVEL: "warn",
      // Every answer the journeys get is checked against the API contract: a mismatch answers 500.
      OKRA_RESPONSE_CHECK: "fail",
    },
  },
});
