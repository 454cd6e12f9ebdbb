/**
 * An exclusive lock on an embedded data directory, held for the life of the process.
 * PGlite does not lock its files, and two processes writing one directory corrupt it,
 * so the second one must fail at once with a message that says who holds the lock.
 */
import fs from "node:fs";
import path from "node:path";

export interface DirectoryLock {
  path: string;
  release(): void;
}

export class DirectoryLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly holderPid: number,
  ) {
    super(
      `The data directory ${dir} is already in use by another Okra process (pid ${holderPid}). ` +
        "Stop that process, or point OKRA_DATA_DIR at another directory. " +
        "To run several app instances on one database, use a PostgreSQL server (DATABASE_URL).",
    );
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Takes the lock file `okra.lock` in `dir`. Throws DirectoryLockedError when a live process holds it. */
export function acquireDirectoryLock(dir: string): DirectoryLock {
  const file = path.join(dir, "okra.lock");
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = fs.openSync(file, "wx");
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        try {
          if (fs.readFileSync(file, "utf8").trim() === String(process.pid)) fs.unlinkSync(file);
        } catch {
          // already gone
        }
      };
      process.once("exit", release);
      return { path: file, release };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const holder = Number.parseInt(fs.readFileSync(file, "utf8").trim(), 10);
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
        throw new DirectoryLockedError(path.resolve(dir), holder);
      }
      if (holder === process.pid) throw new DirectoryLockedError(path.resolve(dir), holder);
      // A stale lock left by a process that died: take it over.
      fs.rmSync(file, { force: true });
    }
  }
  throw new Error(`Could not take the lock ${file}`);
}
