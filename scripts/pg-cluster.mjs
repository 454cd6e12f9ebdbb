// A throwaway PostgreSQL cluster for the database suites: temp dir, free port, no durability.
// Used by scripts/run-tests.mjs (--pg) and scripts/pg-cluster-cli.mjs.
import { execFile, execFileSync } from "node:child_process";
import {
  accessSync,
  appendFileSync,
  chownSync,
  constants,
  existsSync,
  mkdtempSync,
  readdirSync,
  rmSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";

const run = promisify(execFile);
const SERVER_BINARIES = ["initdb", "pg_ctl", "postgres"];
const DATABASE = "okra_test";

function hasServerBinaries(dir) {
  return SERVER_BINARIES.every((name) => {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * Finds the directory holding the PostgreSQL server binaries (initdb, pg_ctl, postgres).
 * Order: $OKRA_PG_BIN, the highest /usr/lib/postgresql/<version>/bin (Debian), then the
 * directory of `pg_config --bindir`. Returns null when none is found.
 */
export function findPgBin() {
  const override = process.env.OKRA_PG_BIN;
  if (override) return hasServerBinaries(override) ? override : null;

  const root = "/usr/lib/postgresql";
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((name) => /^\d+(\.\d+)?$/.test(name))
      .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a));
    for (const version of versions) {
      const bin = join(root, version, "bin");
      if (hasServerBinaries(bin)) return bin;
    }
  }

  // Not Debian-style: ask pg_config on PATH (Homebrew, Postgres.app, source builds).
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (!dir || !existsSync(join(dir, "pg_config"))) continue;
    try {
      const bin = execFileSync(join(dir, "pg_config"), ["--bindir"], { encoding: "utf8" }).trim();
      if (hasServerBinaries(bin)) return bin;
    } catch {
      // a broken pg_config is no reason to fail the search
    }
  }
  return null;
}

/** Asks the OS for a free TCP port on 127.0.0.1. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function isRoot() {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

/** initdb and postgres refuse to run as root: as root, run them as the `postgres` user. */
function runServerTool(bin, tool, args, cwd) {
  const file = join(bin, tool);
  if (!isRoot()) return run(file, args, { cwd });
  return run("runuser", ["-u", "postgres", "--", file, ...args], { cwd });
}

function makeClusterDir() {
  if (!isRoot()) return mkdtempSync(join(tmpdir(), "okra-pg-"));
  let ids;
  try {
    ids = {
      uid: Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" })),
      gid: Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" })),
    };
  } catch {
    throw new Error(
      "running as root, but there is no `postgres` user to run the server as (install the postgresql package)",
    );
  }
  // os.tmpdir() may be private to root (TMPDIR=/root/tmp); /tmp is always reachable for postgres.
  for (const base of [...new Set([tmpdir(), "/tmp"])]) {
    const dir = mkdtempSync(join(base, "okra-pg-"));
    chownSync(dir, ids.uid, ids.gid);
    try {
      execFileSync("runuser", ["-u", "postgres", "--", "test", "-w", dir]);
      return dir;
    } catch {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  throw new Error("no temp directory the postgres user can write to");
}

function readLog(file) {
  try {
    return execFileSync("tail", ["-n", "20", file], { encoding: "utf8" });
  } catch {
    return "";
  }
}

/**
 * Starts a disposable PostgreSQL cluster (trust auth, superuser `postgres`, fsync off) on a
 * free port of 127.0.0.1 with an empty `okra_test` database. stop() kills it and deletes its files.
 * Throws when no server binaries are found or the server does not come up.
 */
export async function startThrowawayCluster() {
  const bin = findPgBin();
  if (!bin) throw new Error('no PostgreSQL server binaries found (install the "postgresql" package)');

  const dir = makeClusterDir();
  const data = join(dir, "data");
  const log = join(dir, "server.log");
  let started = false;
  let stopped = false;

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (started) {
      try {
        await runServerTool(bin, "pg_ctl", ["stop", "-D", data, "-m", "immediate", "-w", "-s"], dir);
      } catch {
        // already gone: the files still have to go
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await runServerTool(
      bin,
      "initdb",
      ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"],
      dir,
    );

    // The port is free when asked but could be taken before postgres binds it: retry a few times.
    let port = 0;
    for (let attempt = 1; !started; attempt++) {
      port = await freePort();
      // Written to the config file rather than `pg_ctl -o` so no path is ever shell-quoted.
      appendFileSync(
        join(data, "postgresql.conf"),
        [
          "",
          "# throwaway test cluster (scripts/pg-cluster.mjs)",
          "listen_addresses = '127.0.0.1'",
          `port = ${port}`,
          `unix_socket_directories = '${dir}'`,
          "fsync = off",
          "synchronous_commit = off",
          "full_page_writes = off",
          "",
        ].join("\n"),
      );
      try {
        await runServerTool(bin, "pg_ctl", ["start", "-D", data, "-l", log, "-w", "-t", "30", "-s"], dir);
        started = true;
      } catch (error) {
        if (attempt >= 3) throw new Error(`postgres did not start: ${error.message}\n${readLog(log)}`);
      }
    }

    const url = `postgres://postgres@127.0.0.1:${port}/${DATABASE}`;
    const client = new pg.Client({ connectionString: url.replace(`/${DATABASE}`, "/postgres") });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE ${DATABASE}`);
    } finally {
      await client.end();
    }
    return { url, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
