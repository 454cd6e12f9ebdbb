// The test runner behind `npm test`, `npm run test:pg` and `npm run test:all`.
//
//   (default)  the whole vitest suite on embedded PGlite, then the database suites (test/**) on a
//              throwaway PostgreSQL cluster when server binaries are installed, then the browser
//              journeys (e2e/) when Playwright and /usr/bin/chromium are there.
//   --pg       only the database suites on a throwaway PostgreSQL cluster.
//   --all      like the default, but a missing PostgreSQL, or a missing browser when e2e/ has
//              journeys, is a failure instead of a skip.
// Any other arguments go to every vitest run (`npm test -- -t roll-up`).
// The last line printed is always `N passed, N failed[, N skipped]`, summed over all runs;
// the exit code is non-zero when anything failed, nothing ran, or a runner crashed.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { findPgBin, startThrowawayCluster } from "./pg-cluster.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const VITEST = join(ROOT, "node_modules", "vitest", "vitest.mjs");
const PLAYWRIGHT = join(ROOT, "node_modules", ".bin", "playwright");
const PLAYWRIGHT_CONFIG = join(ROOT, "e2e", "playwright.config.ts");
const CHROMIUM = "/usr/bin/chromium";
const DB_SUITES_DIR = join(ROOT, "test");

const args = process.argv.slice(2);
const mode = args.includes("--pg") ? "pg" : args.includes("--all") ? "all" : "default";
const passThrough = args.filter((arg) => arg !== "--pg" && arg !== "--all");

const scratch = mkdtempSync(join(tmpdir(), "okra-test-report-"));
const cleanups = [() => rmSync(scratch, { recursive: true, force: true })];
/** @type {import("node:child_process").ChildProcess | null} */
let child = null;

/** @typedef {{ name: string, passed: number, failed: number, skipped: number, seconds: number }} RunResult */
/** @type {RunResult[]} */
const results = [];
/** Lines printed again just above the closing line: skips and problems nobody should miss. */
const notes = [];

async function cleanup() {
  while (cleanups.length > 0) {
    try {
      await cleanups.pop()();
    } catch (error) {
      console.error(`cleanup failed: ${error.message}`);
    }
  }
}

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, async () => {
    child?.kill(signal);
    await cleanup();
    process.exit(128 + (signal === "SIGINT" ? 2 : signal === "SIGTERM" ? 15 : 1));
  });
}

function banner(text) {
  console.log(`\n━━ ${text} ━━`);
}

/** Runs a command with inherited output; resolves with its exit code (or 128+n when killed). */
function runCommand(command, commandArgs, env) {
  return new Promise((resolvePromise) => {
    child = spawn(command, commandArgs, { cwd: ROOT, env, stdio: "inherit" });
    child.on("error", (error) => {
      console.error(`could not start ${command}: ${error.message}`);
      child = null;
      resolvePromise(127);
    });
    child.on("exit", (code, signal) => {
      child = null;
      resolvePromise(code ?? 128 + (signal === "SIGKILL" ? 9 : 15));
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
 * Reconciles a runner's exit code with its counts, so that "0 failed" never hides a failure:
 * a file that failed to load or an unhandled error counts as one failed test.
 */
function settle(name, counts, exitCode, began, extraFailures = 0, why = "") {
  const result = { name, ...counts, seconds: (performance.now() - began) / 1000 };
  if (extraFailures > 0) {
    result.failed += extraFailures;
    notes.push(`${name}: ${why} — counted as ${extraFailures} failed`);
  } else if (exitCode !== 0 && result.failed === 0) {
    result.failed = 1;
    notes.push(`${name}: runner exited with code ${exitCode} without a failing test — counted as 1 failed`);
  }
  results.push(result);
  return result;
}

/** One vitest run with the default reporter on the console and the JSON reporter to a file. */
async function runVitest(name, filters, extraEnv) {
  banner(name);
  const began = performance.now();
  const report = join(scratch, `vitest-${results.length}.json`);
  const env = { ...process.env, ...extraEnv };
  if (!extraEnv.OKRA_TEST_DATABASE_URL) delete env.OKRA_TEST_DATABASE_URL;
  const exitCode = await runCommand(
    process.execPath,
    [
      VITEST,
      "run",
      "--reporter=default",
      "--reporter=json",
      `--outputFile.json=${report}`,
      // "nothing ran" is judged here, over all runs, with a clearer message
      "--passWithNoTests",
      ...passThrough,
      ...filters,
    ],
    env,
  );
  const json = readJson(report);
  if (!json) {
    return settle(name, { passed: 0, failed: 0, skipped: 0 }, exitCode, began, 1, "vitest crashed (no JSON report)");
  }
  const counts = {
    passed: json.numPassedTests ?? 0,
    failed: json.numFailedTests ?? 0,
    skipped: (json.numPendingTests ?? 0) + (json.numTodoTests ?? 0),
  };
  // A file that fails to import has status "failed" and no failed assertions.
  const brokenFiles = (json.testResults ?? []).filter(
    (file) => file.status === "failed" && !(file.assertionResults ?? []).some((test) => test.status === "failed"),
  );
  const why = `${brokenFiles.length} test file(s) failed to load or run: ${brokenFiles
    .map((file) => file.name.replace(`${ROOT}/`, ""))
    .join(", ")}`;
  return settle(name, counts, exitCode, began, brokenFiles.length, why);
}

function hasDbSuites() {
  if (!existsSync(DB_SUITES_DIR)) return false;
  return readdirSync(DB_SUITES_DIR, { recursive: true }).some((file) => String(file).endsWith(".test.ts"));
}

async function runPostgres() {
  const name = "PostgreSQL server: test/**";
  if (!findPgBin()) {
    const message =
      'PostgreSQL suites skipped: no PostgreSQL server binaries found (install the "postgresql" package, or run npm run test:pg where it is installed).';
    if (mode === "default") {
      console.log(`\n${message}`);
      notes.push(message);
      return;
    }
    console.error(`\n${message}`);
    settle(name, { passed: 0, failed: 0, skipped: 0 }, 1, performance.now(), 1, "no PostgreSQL server binaries");
    return;
  }
  if (!hasDbSuites()) {
    const message = "PostgreSQL suites skipped: no test files under test/ yet.";
    console.log(`\n${message}`);
    notes.push(message);
    return;
  }

  banner("starting a throwaway PostgreSQL cluster");
  const began = performance.now();
  let cluster;
  try {
    cluster = await startThrowawayCluster();
  } catch (error) {
    console.error(error.message);
    settle(name, { passed: 0, failed: 0, skipped: 0 }, 1, began, 1, "the throwaway cluster did not start");
    return;
  }
  cleanups.push(cluster.stop);
  console.log(`${cluster.url} (up in ${((performance.now() - began) / 1000).toFixed(2)} s)`);
  try {
    // An absolute directory filter matches by path prefix, so src/ files never join this run.
    await runVitest(name, [`${DB_SUITES_DIR}/`], { OKRA_TEST_DB: "pg", OKRA_TEST_DATABASE_URL: cluster.url });
  } finally {
    cleanups.splice(cleanups.indexOf(cluster.stop), 1);
    await cluster.stop();
  }
}

async function runBrowser() {
  const name = "browser journeys: e2e/ (Playwright, Chromium)";
  const missing = !existsSync(PLAYWRIGHT_CONFIG)
    ? "no e2e/playwright.config.ts yet (add journeys in e2e/ and @playwright/test as a devDependency, with executablePath /usr/bin/chromium)"
    : !existsSync(CHROMIUM)
      ? `${CHROMIUM} not found (apt-get install chromium; never playwright install)`
      : !existsSync(PLAYWRIGHT)
        ? "@playwright/test is not installed (add it as a devDependency and run npm install)"
        : null;
  if (missing) {
    const message = `Browser suites skipped: ${missing}.`;
    console.log(`\n${message}`);
    if (mode === "all" && existsSync(PLAYWRIGHT_CONFIG)) {
      settle(name, { passed: 0, failed: 0, skipped: 0 }, 1, performance.now(), 1, "browser suites could not run");
    } else {
      notes.push(message);
    }
    return;
  }

  banner(name);
  const began = performance.now();
  const report = join(scratch, "playwright.json");
  const exitCode = await runCommand(PLAYWRIGHT, ["test", "--config", PLAYWRIGHT_CONFIG, "--reporter=list,json"], {
    ...process.env,
    PLAYWRIGHT_JSON_OUTPUT_NAME: report,
  });
  const stats = readJson(report)?.stats;
  if (!stats) {
    settle(name, { passed: 0, failed: 0, skipped: 0 }, exitCode, began, 1, "playwright crashed (no JSON report)");
    return;
  }
  // "expected" passed first time, "flaky" passed on a retry, "unexpected" failed.
  const counts = {
    passed: (stats.expected ?? 0) + (stats.flaky ?? 0),
    failed: stats.unexpected ?? 0,
    skipped: stats.skipped ?? 0,
  };
  settle(name, counts, exitCode, began);
}

function format({ passed, failed, skipped }) {
  return `${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}`;
}

async function main() {
  if (mode === "pg") {
    await runPostgres();
  } else {
    await runVitest("vitest on embedded PGlite: src/** and test/**", [], { OKRA_TEST_DB: "pglite" });
    await runPostgres();
    await runBrowser();
  }
  await cleanup();

  const total = { passed: 0, failed: 0, skipped: 0 };
  for (const result of results) {
    total.passed += result.passed;
    total.failed += result.failed;
    total.skipped += result.skipped;
  }

  console.log("\n━━ summary ━━");
  for (const result of results) console.log(`${result.name}: ${format(result)} (${result.seconds.toFixed(1)} s)`);
  for (const note of notes) console.log(note);
  const ran = total.passed + total.failed;
  if (ran === 0) console.log("No tests ran: that counts as a failure.");
  console.log(format(total));
  process.exitCode = total.failed > 0 || ran === 0 ? 1 : 0;
}

main().catch(async (error) => {
  console.error(error);
  await cleanup();
  console.log("0 passed, 1 failed");
  process.exitCode = 1;
});
