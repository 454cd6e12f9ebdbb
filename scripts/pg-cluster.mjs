// A throwaway PostgreSQL cluster for the database suites and the benchmarks: a temp dir, a free
// port on 127.0.0.1, trust auth, no durability. Used by scripts/run-tests.mjs (--pg, --all),
// scripts/pg-cluster-cli.mjs and bench/.
//
//   const cluster = await startThrowawayCluster(); // { url, stop() }
//   ...
//   await cluster.stop();                           // stops the server and deletes its files
import { execFile, execFileSync } from "node:child_process";
import {
  accessSync,
  appendFileSync,
  chownSync,
  constants,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";

const run = promisify(execFile);
const SERVER_BINARIES = ["initdb", "pg_ctl", "postgres"];
const DATABASE = "okra_test";
const DIR_PREFIX = "okra-pg-";
/** The pid of the process that started a cluster, so a later run can reap it if that process died. */
const OWNER_FILE = "owner.pid";

/** Clusters started by this process and not yet stopped: stopAllClusters() ends them on exit. */
const live = new Set();

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
 * Order: $OKRA_PG_BIN (and only it, when set), the newest /usr/lib/postgresql/<version>/bin
 * (Debian), then `pg_config --bindir` of a pg_config on PATH. Returns null when none is found.
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

function postgresIds() {
  const entry = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((line) => line.startsWith("postgres:"))
    ?.split(":");
  if (entry) return { uid: Number(entry[2]), gid: Number(entry[3]) };
  try {
    // not in /etc/passwd (LDAP, NSS): ask the system
    return {
      uid: Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" })),
      gid: Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" })),
    };
  } catch {
    throw new Error(
      'running as root, but there is no "postgres" user to run the server as (install the Debian package "postgresql")',
    );
  }
}

/** Candidate parents of cluster dirs. /tmp first as root: reachable by postgres, and a short socket path. */
function baseDirs() {
  return [...new Set(isRoot() ? ["/tmp", tmpdir()] : [tmpdir(), "/tmp"])];
}

function makeClusterDir() {
  if (!isRoot()) return mkdtempSync(join(tmpdir(), DIR_PREFIX));
  const ids = postgresIds();
  for (const base of baseDirs()) {
    const dir = mkdtempSync(join(base, DIR_PREFIX));
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

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === "EPERM";
  }
}

/**
 * Stops and deletes clusters left behind by runs that were killed outright (SIGKILL, OOM, a
 * CI timeout): their owner.pid names a process that is gone. Best effort, never throws.
 */
async function reapOrphans(bin) {
  for (const base of baseDirs()) {
    let names = [];
    try {
      names = readdirSync(base).filter((name) => name.startsWith(DIR_PREFIX));
    } catch {
      continue;
    }
    for (const name of names) {
      const dir = join(base, name);
      try {
        const owner = Number(readFileSync(join(dir, OWNER_FILE), "utf8"));
        if (!Number.isInteger(owner) || owner <= 0 || isAlive(owner)) continue;
        if (existsSync(join(dir, "data", "postmaster.pid"))) {
          await runServerTool(
            bin,
            "pg_ctl",
            ["stop", "-D", join(dir, "data"), "-m", "immediate", "-w", "-s"],
            dir,
          ).catch(() => {});
        }
        rmSync(dir, { recursive: true, force: true });
      } catch {
        // not ours, not readable, or already gone
      }
    }
  }
}

function readLog(file) {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-20).join("\n");
  } catch {
    return "";
  }
}

/**
 * Starts a disposable PostgreSQL cluster (trust auth, superuser `postgres`, fsync off) on a free
 * port of 127.0.0.1 with an empty `okra_test` database, and returns its URL
 * (postgres://postgres@127.0.0.1:<port>/okra_test) and stop(), which stops the server and
 * deletes its files (safe to call twice). Throws when no server binaries are found or the
 * server does not come up; nothing is left behind then.
 * @returns {Promise<{ url: string, stop: () => Promise<void> }>}
 */
export async function startThrowawayCluster() {
  const bin = findPgBin();
  if (!bin) throw new Error('no PostgreSQL binaries found (install the Debian package "postgresql")');
  await reapOrphans(bin);

  const dir = makeClusterDir();
  writeFileSync(join(dir, OWNER_FILE), String(process.pid));
  const data = join(dir, "data");
  const log = join(dir, "server.log");

  let stopping = null;
  const stop = () => {
    stopping ??= (async () => {
      // Decided by the pid file rather than a flag: an interrupted `pg_ctl start` may still have
      // left a running server behind.
      if (existsSync(join(data, "postmaster.pid"))) {
        try {
          await runServerTool(bin, "pg_ctl", ["stop", "-D", data, "-m", "immediate", "-w", "-s"], dir);
        } catch {
          // already gone: the files still have to go
        }
      }
      rmSync(dir, { recursive: true, force: true });
      live.delete(stop);
    })();
    return stopping;
  };
  live.add(stop);

  try {
    await runServerTool(
      bin,
      "initdb",
      ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"],
      dir,
    );

    // The port is free when asked but could be taken before postgres binds it: retry a few times.
    let port = 0;
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      // Written to the config file rather than `pg_ctl -o` so no path is ever shell-quoted;
      // a later line wins, so a retry simply appends a new port.
      appendFileSync(
        join(data, "postgresql.conf"),
        [
          "",
          "# throwaway test cluster (scripts/pg-cluster.mjs)",
          "listen_addresses = '127.0.0.1'",
          `port = ${port}`,
          `unix_socket_directories = '${dir}'`,
          "max_connections = 200",
          "fsync = off",
          "synchronous_commit = off",
          "full_page_writes = off",
          "",
        ].join("\n"),
      );
      try {
        await runServerTool(bin, "pg_ctl", ["start", "-D", data, "-l", log, "-w", "-t", "30", "-s"], dir);
        break;
      } catch (error) {
        if (attempt >= 3) throw new Error(`postgres did not start: ${error.message.trim()}\n${readLog(log)}`);
      }
    }

    const url = `postgres://postgres@127.0.0.1:${port}/${DATABASE}`;
    const client = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
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

/** Stops every cluster this process started and has not stopped yet (for signal and exit handlers). */
export async function stopAllClusters() {
  await Promise.all([...live].map((stop) => stop()));
}
