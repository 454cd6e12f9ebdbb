// The test runner behind `npm test`, `npm run test:pg` and `npm run test:all`.
//
//   (default)  vitest over src/**/*.test.ts and test/**/*.test.ts on embedded PGlite only
//              (OKRA_TEST_DATABASE_URL is removed from the environment).
//   --pg       starts a throwaway PostgreSQL cluster (scripts/pg-cluster.mjs) and runs the same
//              suites with OKRA_TEST_DATABASE_URL set to it; the test files decide what runs on
//              the server. Without PostgreSQL binaries it prints one line and exits 0.
//   --all      both in one go: the PGlite run, then the server run, one summary. Without
//              PostgreSQL binaries the server run is skipped, and under CI that is a failure.
// Any other arguments go to every vitest run (`npm test -- src/domain`, `npm test -- -t roll-up`).
//
// vitest prints its normal output; the last line is always `N passed, N failed`, summed over
// the runs (from vitest's JSON reporter). The exit code is 1 when anything failed, when no test
// ran, or when a runner crashed; 130/143 when interrupted. The cluster is stopped and deleted in
// every case, Ctrl-C included.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { findPgBin, startThrowawayCluster, stopAllClusters } from "./pg-cluster.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const VITEST = join(ROOT, "node_modules", "vitest", "vitest.mjs");
const NO_POSTGRES =
  'PostgreSQL suites skipped: no PostgreSQL binaries found (install the Debian package "postgresql" to enable them)';
const SIGNAL_CODES = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

const args = process.argv.slice(2);
const mode = args.includes("--all") ? "all" : args.includes("--pg") ? "pg" : "pglite";
const passThrough = args.filter((arg) => arg !== "--pg" && arg !== "--all");
const isCI = Boolean(process.env.CI) && process.env.CI !== "false" && process.env.CI !== "0";

/** @typedef {{ name: string, passed: number, failed: number, skipped: number, seconds: number }} RunResult */
/** @type {RunResult[]} */
const results = [];
/** Printed again in the summary: skips and problems nobody should miss. */
const notes = [];
/** @type {import("node:child_process").ChildProcess | null} */
let child = null;
let interrupted = false;
let scratch = null;

async function cleanup() {
  await stopAllClusters().catch((error) => console.error(`could not stop the PostgreSQL cluster: ${error.message}`));
  if (scratch) rmSync(scratch, { recursive: true, force: true });
}

for (const signal of Object.keys(SIGNAL_CODES)) {
  process.on(signal, async () => {
    if (interrupted) return;
    interrupted = true;
    // From a terminal vitest got the signal too; from `kill` or a CI timeout it did not.
    child?.kill(signal);
    await cleanup();
    console.error(`\ninterrupted (${signal}): stopped, PostgreSQL cluster removed`);
    process.exit(SIGNAL_CODES[signal]);
  });
}

const seconds = (since) => (performance.now() - since) / 1000;
const banner = (text) => console.log(`\n━━ ${text} ━━`);

/** Runs a command with inherited output; resolves with its exit code (128+n when killed by a signal). */
function runCommand(command, commandArgs, env) {
  return new Promise((resolvePromise) => {
    if (interrupted) return;
    child = spawn(command, commandArgs, { cwd: ROOT, env, stdio: "inherit" });
    child.on("error", (error) => {
      console.error(`could not start ${command}: ${error.message}`);
      child = null;
      resolvePromise(127);
    });
    child.on("exit", (code, signal) => {
      child = null;
      resolvePromise(code ?? SIGNAL_CODES[signal] ?? 137);
    });
  });
}

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return null;
  }
}

/**
 * Records a run, reconciling its exit code with its counts so that "0 failed" never hides a
 * failure: a test file that failed to load, a failing hook, an unhandled error or a crash counts
 * as one failed test each.
 */
function record(name, counts, exitCode, began, extraFailures = 0, why = "") {
  const result = { name, ...counts, seconds: seconds(began) };
  if (extraFailures > 0) {
    result.failed += extraFailures;
    notes.push(`${name}: ${why} — counted as ${extraFailures} failed`);
  }
  if (exitCode !== 0 && result.failed === 0) {
    result.failed = 1;
    notes.push(`${name}: vitest exited with code ${exitCode} without a failing test (see above) — counted as 1 failed`);
  }
  results.push(result);
}

/** One vitest run: the default reporter on the console, the JSON reporter to a temp file for counting. */
async function runVitest(name, databaseUrl) {
  banner(name);
  const began = performance.now();
  const report = join(scratch, `vitest-${results.length}.json`);
  const env = { ...process.env };
  if (databaseUrl) env.OKRA_TEST_DATABASE_URL = databaseUrl;
  else delete env.OKRA_TEST_DATABASE_URL;
  const exitCode = await runCommand(
    process.execPath,
    [
      VITEST,
      "run",
      "--reporter=default",
      "--reporter=json",
      `--outputFile.json=${report}`,
      // "no test ran" is judged over all runs below, with a clearer message
      "--passWithNoTests",
      ...passThrough,
    ],
    env,
  );
  // Interrupted: the signal handler cleans up and exits; report nothing half-done meanwhile.
  if (interrupted) await new Promise(() => {});
  const json = readJson(report);
  if (!json) {
    record(name, { passed: 0, failed: 0, skipped: 0 }, exitCode, began, 1, "vitest wrote no JSON report (crashed?)");
    return;
  }
  const counts = {
    passed: json.numPassedTests ?? 0,
    failed: json.numFailedTests ?? 0,
    skipped: (json.numPendingTests ?? 0) + (json.numTodoTests ?? 0),
  };
  // A file that fails to import, or whose beforeAll throws, is "failed" with no failed test in it.
  const brokenFiles = (json.testResults ?? []).filter(
    (file) => file.status === "failed" && !(file.assertionResults ?? []).some((test) => test.status === "failed"),
  );
  const why = `${brokenFiles.length} test file(s) failed outside a test: ${brokenFiles
    .map((file) => relative(ROOT, file.name))
    .join(", ")}`;
  record(name, counts, exitCode, began, brokenFiles.length, why);
}

async function main() {
  let withServer = mode !== "pglite";
  if (withServer && !findPgBin()) {
    if (mode === "pg") {
      console.log(NO_POSTGRES);
      return 0;
    }
    withServer = false;
    console.log(NO_POSTGRES);
    notes.push(NO_POSTGRES);
    if (isCI) {
      results.push({ name: "PostgreSQL server", passed: 0, failed: 1, skipped: 0, seconds: 0 });
      notes.push("PostgreSQL server: CI=true and test:all needs the server suites — counted as 1 failed");
    }
  }

  scratch = mkdtempSync(join(tmpdir(), "okra-test-report-"));
  let cluster = null;
  if (withServer) {
    banner("starting a throwaway PostgreSQL cluster");
    const began = performance.now();
    try {
      cluster = await startThrowawayCluster();
      console.log(`${cluster.url} (up in ${seconds(began).toFixed(2)} s)`);
    } catch (error) {
      console.error(error.message);
      record("PostgreSQL server", { passed: 0, failed: 0, skipped: 0 }, 1, began, 1, "the cluster did not start");
    }
  }

  if (mode !== "pg") await runVitest("vitest on embedded PGlite", null);
  if (cluster) {
    await runVitest("vitest with the PostgreSQL server (OKRA_TEST_DATABASE_URL)", cluster.url);
    const began = performance.now();
    await cluster.stop();
    console.log(`\nPostgreSQL cluster stopped and removed (${seconds(began).toFixed(2)} s)`);
  }
  await cleanup();

  const total = { passed: 0, failed: 0, skipped: 0 };
  for (const result of results) {
    total.passed += result.passed;
    total.failed += result.failed;
    total.skipped += result.skipped;
  }
  banner("summary");
  for (const r of results) {
    console.log(`${r.name}: ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped (${r.seconds.toFixed(1)} s)`);
  }
  for (const note of notes) console.log(note);
  const ran = total.passed + total.failed;
  if (ran === 0) console.log("No test ran: that counts as a failure.");
  if (total.skipped > 0) console.log(`${total.skipped} skipped`);
  console.log(`${total.passed} passed, ${total.failed} failed`);
  return total.failed > 0 || ran === 0 ? 1 : 0;
}

main().then(
  (code) => {
    if (!interrupted) process.exitCode = code;
  },
  async (error) => {
    console.error(error);
    await cleanup();
    console.log("0 passed, 1 failed");
    process.exitCode = 1;
  },
);
