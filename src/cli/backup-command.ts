/**
 * `okra backup [--org <id|name>] [--at <iso>] [--out <file>]` and `okra restore <file> [--force]`
 * (docs/backup.md). The backup goes to standard output (or --out) and everything said about it
 * to standard error, so `okra backup > org.json` holds only the backup.
 */
import fs from "node:fs";
import readline from "node:readline";
import type { Database } from "../db/database.js";
import { AppError } from "../domain/errors.js";
import { type BackupSink, chooseOrganization, restoreBackup, writeBackup } from "../services/backup.service.js";
import type { Config } from "./config.js";

type WithDatabase = <T>(fn: (db: Database, config: Config) => Promise<T>) => Promise<T>;

const SECRETS_WARNING =
  "okra backup: the backup holds secrets — webhook signing secrets, the SSO client secret, chat webhook URLs, and the hashes of passwords and tokens. Keep it as safe as the database.";

/** Writes to a stream, waiting until each piece is handed on (backpressure: memory stays flat). */
export function streamSink(stream: NodeJS.WritableStream): BackupSink {
  return {
    write: (text) => new Promise((resolve, reject) => stream.write(text, (err) => (err ? reject(err) : resolve()))),
  };
}

function parseAt(at: string | undefined): string {
  if (at === undefined) return new Date().toISOString();
  const d = new Date(at);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(at) || Number.isNaN(d.getTime())) {
    throw AppError.validation([`--at: "${at}" is not an ISO 8601 instant, e.g. 2026-01-31T12:00:00Z`]);
  }
  return d.toISOString();
}

/** `okra backup`: one organisation's complete data as JSON on standard output (or --out). */
export async function runBackup(o: { org?: string; at?: string; out?: string }, withDatabase: WithDatabase) {
  const createdAt = parseAt(o.at);
  await withDatabase(async (db) => {
    const org = await chooseOrganization(db, o.org);
    console.error(SECRETS_WARNING);
    const file = o.out ? fs.createWriteStream(o.out, { mode: 0o600 }) : null;
    const stream = file ?? process.stdout;
    const started = performance.now();
    const result = await writeBackup(db, org.id, streamSink(stream), { createdAt });
    if (file)
      await new Promise<void>((resolve, reject) => file.end((err?: Error | null) => (err ? reject(err) : resolve())));
    const total = Object.values(result.rows).reduce((a, b) => a + b, 0);
    console.error(
      `okra backup: ${org.name} (${org.id}): ${total} rows in ${Object.values(result.rows).filter((n) => n > 0).length} tables, ${(result.bytes / 1e6).toFixed(1)} MB in ${Math.round(performance.now() - started)} ms${o.out ? ` to ${o.out}` : ""}.`,
    );
  });
}

/** `okra restore <file>`: the backup's organisation, with the same ids, into this instance. */
export async function runRestore(file: string, o: { force?: boolean }, withDatabase: WithDatabase) {
  if (!fs.existsSync(file)) throw AppError.validation([`file: ${file} does not exist`]);
  await withDatabase(async (db) => {
    const lines = readline.createInterface({
      input: fs.createReadStream(file, "utf8"),
      crlfDelay: Number.POSITIVE_INFINITY,
    });
    const started = performance.now();
    const r = await restoreBackup(db, lines, { force: Boolean(o.force), nowMs: Date.now() });
    lines.close();
    const total = Object.values(r.rows).reduce((a, b) => a + b, 0);
    console.log(
      `Restored ${r.name} (${r.organizationId}): ${total} rows in ${Math.round(performance.now() - started)} ms.`,
    );
    const fixed = r.recompute.rewritten;
    console.log(
      fixed.keyResults + fixed.objectives === 0
        ? `Recomputed ${r.recompute.keyResults} key results and ${r.recompute.objectives} objectives: every stored figure equals the backup's.`
        : `Recomputed ${r.recompute.keyResults} key results and ${r.recompute.objectives} objectives: ${fixed.keyResults} key results and ${fixed.objectives} objectives differed from the backup's stored figures (time has moved on, or the backup's figures were stale) and were corrected.`,
    );
  });
}
