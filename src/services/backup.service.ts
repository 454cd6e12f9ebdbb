/**
 * `okra backup` and `okra restore`: one organisation's complete data as one JSON document, and
 * back. The document is written table by table, rows paged by primary key, each row on its own
 * line, so neither side ever holds the organisation in memory:
 *
 *   {"format":"okra-backup","version":1,"schema":"<migration>","createdAt":…,"organizationId":…,"rows":{…},"tables":{
 *   "organizations":[
 *   {"id" : "…", "name" : "…", …}
 *   ],
 *   "alignments":[
 *   …
 *   ]}}
 *
 * Everything after the first line depends only on the data: backup → restore → backup gives the
 * same bytes (the first line carries `createdAt`, which `--at` fixes). See docs/backup.md.
 */
import { z } from "zod";
import { BACKUP_TABLES, type BackupTable, backupQueries, latestMigrationTag } from "../db/backup-queries.js";
import type { Database } from "../db/database.js";
import { instanceQueries } from "../db/instance-queries.js";
import { inTransaction } from "../db/repositories.js";
import { AppError } from "../domain/errors.js";
import { type RecomputeReport, recomputeOrganization } from "./recompute.service.js";

export const BACKUP_FORMAT = "okra-backup";
export const BACKUP_VERSION = 1;
/** Rows read per page when writing, and inserted per statement when restoring. */
const PAGE = 1000;
const CHUNK = 500;
const TABLES_KEY = ',"tables":{';

/** Where a backup is written: `write` resolves once the text may be written on (backpressure). */
export interface BackupSink {
  write(text: string): Promise<void>;
}

const HeaderSchema = z.strictObject({
  format: z.literal(BACKUP_FORMAT, { error: `must be "${BACKUP_FORMAT}" (this is not an Okra backup)` }),
  version: z.literal(BACKUP_VERSION, { error: `must be ${BACKUP_VERSION}, the only backup format this Okra reads` }),
  schema: z.string().min(1),
  createdAt: z.iso.datetime().nullable(),
  organizationId: z.uuid(),
  rows: z.record(z.string(), z.number().int().nonnegative()),
});
export type BackupHeader = z.infer<typeof HeaderSchema>;

/**
 * The organisation a backup is of: the one whose id or name is `idOrName`, or the only one.
 * Throws NOT_FOUND when none matches, VALIDATION when several could be meant.
 */
export async function chooseOrganization(database: Database, idOrName?: string): Promise<{ id: string; name: string }> {
  const orgs = await backupQueries.organizations(database.db);
  const names = orgs.map((o) => `${o.id} (${o.name})`).join(", ");
  if (idOrName === undefined) {
    if (orgs.length === 1 && orgs[0]) return orgs[0];
    if (orgs.length === 0) throw new AppError("NOT_FOUND", "The instance holds no organisation to back up.");
    throw AppError.validation([`--org: the instance holds ${orgs.length} organisations; name one of ${names}`]);
  }
  const found = orgs.filter((o) => o.id === idOrName || o.name === idOrName);
  if (found.length === 1 && found[0]) return found[0];
  if (found.length > 1)
    throw AppError.validation([`--org: several organisations are called "${idOrName}"; give the id`]);
  throw new AppError("NOT_FOUND", `No organisation has the id or name "${idOrName}". The instance holds: ${names}.`);
}

/**
 * Writes the organisation's complete backup to `sink`, from one read-only snapshot (a backup of
 * a server in use is consistent). `createdAt` is the header's time (an ISO instant), or null to
 * leave it out. Returns the rows written per table and the bytes.
 */
export async function writeBackup(
  database: Database,
  orgId: string,
  sink: BackupSink,
  options: { createdAt: string | null },
): Promise<{ rows: Record<string, number>; bytes: number }> {
  let bytes = 0;
  const out = async (text: string) => {
    bytes += Buffer.byteLength(text);
    await sink.write(text);
  };
  const rows = await inTransaction(database.db, async (tx) => {
    await backupQueries.beginSnapshot(tx);
    const counts: Record<string, number> = {};
    for (const t of BACKUP_TABLES) counts[t.name] = await backupQueries.count(tx, t, orgId);
    if (counts.organizations !== 1) throw new AppError("NOT_FOUND", `No organisation has the id ${orgId}.`);
    const header: BackupHeader = {
      format: BACKUP_FORMAT,
      version: BACKUP_VERSION,
      schema: latestMigrationTag(),
      createdAt: options.createdAt,
      organizationId: orgId,
      rows: counts,
    };
    await out(`${JSON.stringify(header).slice(0, -1)}${TABLES_KEY}\n`);
    for (const [i, t] of BACKUP_TABLES.entries()) {
      await out(`${JSON.stringify(t.name)}:[`);
      let after: string[] | null = null;
      let first = true;
      while (true) {
        const page = await backupQueries.page(tx, t, orgId, after, PAGE);
        if (page.rows.length === 0) break;
        // One write per page: the rows of a page joined, each on its own line.
        const text = page.rows.map((r) => r.json).join(",\n");
        await out(`${first ? "\n" : ",\n"}${text}`);
        first = false;
        after = page.rows.at(-1)?.key ?? null;
        if (page.rows.length < PAGE) break;
      }
      await out(i < BACKUP_TABLES.length - 1 ? "\n],\n" : "\n]}}\n");
    }
    return counts;
  });
  return { rows, bytes };
}

export interface RestoreReport {
  organizationId: string;
  name: string;
  rows: Record<string, number>;
  /** The recompute run after the restore; `rewritten` counts stored figures that differed from the backup's. */
  recompute: RecomputeReport;
}

/**
 * Restores a backup, read line by line from `lines`, in one transaction with the same ids. Into
 * an instance holding no organisation; with `force`, also beside others — but never over an
 * organisation with the same id (CONFLICT). Refuses a file that is not a backup in this format
 * and schema, or whose rows do not match its header (VALIDATION, naming the line). Then
 * recomputes the organisation's stored figures as of `nowMs` and reports what that corrected.
 */
export async function restoreBackup(
  database: Database,
  lines: AsyncIterable<string>,
  options: { force?: boolean; nowMs: number },
): Promise<RestoreReport> {
  const reader = lines[Symbol.asyncIterator]();
  let lineNo = 0;
  const next = async (): Promise<string | null> => {
    const r = await reader.next();
    if (r.done) return null;
    lineNo++;
    return r.value;
  };
  const header = parseHeader(await next());
  const written = await inTransaction(database.db, async (tx) => {
    // Beside the first start's bootstrap: two creators of organisations wait for each other.
    await instanceQueries.lockInstance(tx);
    const existing = await backupQueries.organizations(tx);
    if (existing.some((o) => o.id === header.organizationId)) {
      throw new AppError(
        "CONFLICT",
        `The organisation ${header.organizationId} already exists in this instance; a restore never replaces one. Restore into a fresh instance (a new data directory or database).`,
      );
    }
    if (existing.length > 0 && !options.force) {
      throw new AppError(
        "CONFLICT",
        `This instance is not empty (it holds ${existing.length} organisation${existing.length === 1 ? "" : "s"}: ${existing.map((o) => o.name).join(", ")}). Restore into a fresh instance, or pass --force to add the backup's organisation beside them.`,
      );
    }
    const counts: Record<string, number> = {};
    for (const t of BACKUP_TABLES) {
      counts[t.name] = await restoreTable(
        t,
        header,
        next,
        () => lineNo,
        (rows) => backupQueries.insertRows(tx, t, rows),
      );
      if (counts[t.name] !== header.rows[t.name]) {
        throw invalid(
          lineNo,
          `table ${t.name} holds ${counts[t.name]} rows but the header says ${header.rows[t.name]}`,
        );
      }
    }
    const rest = await next();
    if (rest !== null && rest.trim() !== "") throw invalid(lineNo, "text after the end of the backup");
    for (const t of BACKUP_TABLES) await backupQueries.advanceSequence(tx, t);
    return counts;
  });
  const recompute = await recomputeOrganization(database, header.organizationId, options.nowMs);
  return { organizationId: header.organizationId, name: recompute.name, rows: written, recompute };
}

function invalid(line: number, problem: string): AppError {
  return AppError.validation(
    [`line ${line}: ${problem}`],
    `Not a backup this Okra can restore: line ${line}: ${problem}.`,
  );
}

function parseHeader(line: string | null): BackupHeader {
  if (line === null || !line.endsWith(TABLES_KEY)) {
    throw invalid(1, `expected the backup's header, {"format":"${BACKUP_FORMAT}",…,"tables":{ on one line`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(`${line.slice(0, -TABLES_KEY.length)}}`);
  } catch {
    throw invalid(1, "the header is not valid JSON");
  }
  const parsed = HeaderSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `header.${i.path.join(".") || "(root)"}: ${i.message}`);
    throw AppError.validation(problems, `Not a backup this Okra can restore: ${problems.join("; ")}.`);
  }
  const header = parsed.data;
  const current = latestMigrationTag();
  if (header.schema !== current) {
    throw AppError.validation(
      [`header.schema: the backup was written at schema ${header.schema}, this Okra is at ${current}`],
      `The backup was written by an Okra at schema ${header.schema}; this one is at ${current}. Restore it with the Okra version that wrote it, then upgrade that instance (the upgrade migrates the data), and back up again.`,
    );
  }
  const expected = BACKUP_TABLES.map((t) => t.name);
  const named = Object.keys(header.rows);
  if (expected.length !== named.length || expected.some((n, i) => named[i] !== n)) {
    throw invalid(1, `header.rows must name the tables ${expected.join(", ")} in that order`);
  }
  return header;
}

/** Reads one table's lines, checks each row, and inserts them in chunks; returns how many. */
async function restoreTable(
  table: BackupTable,
  header: BackupHeader,
  next: () => Promise<string | null>,
  lineNo: () => number,
  insert: (rows: string[]) => Promise<void>,
): Promise<number> {
  const opening = await next();
  if (opening !== `${JSON.stringify(table.name)}:[`) {
    throw invalid(lineNo(), `expected the table "${table.name}":[ (tables come in a fixed order, one line each)`);
  }
  const closing = table === BACKUP_TABLES.at(-1) ? "]}}" : "],";
  let count = 0;
  let chunk: string[] = [];
  while (true) {
    const line = await next();
    if (line === null) throw invalid(lineNo(), `the file ends inside the table ${table.name}`);
    if (line === closing) break;
    const json = line.endsWith(",") ? line.slice(0, -1) : line;
    checkRow(table, header, json, lineNo());
    chunk.push(json);
    count++;
    if (chunk.length >= CHUNK) {
      await insert(chunk);
      chunk = [];
    }
  }
  await insert(chunk);
  return count;
}

function checkRow(table: BackupTable, header: BackupHeader, json: string, line: number): void {
  let row: unknown;
  try {
    row = JSON.parse(json);
  } catch {
    throw invalid(line, `a row of ${table.name} is not valid JSON`);
  }
  if (typeof row !== "object" || row === null || Array.isArray(row)) {
    throw invalid(line, `a row of ${table.name} must be a JSON object`);
  }
  const keys = Object.keys(row);
  if (keys.length !== table.columns.length || table.columns.some((c, i) => keys[i] !== c)) {
    throw invalid(line, `a row of ${table.name} must have the columns ${table.columns.join(", ")} in that order`);
  }
  const org = (row as Record<string, unknown>)[table.orgColumn];
  if (org !== header.organizationId) {
    throw invalid(line, `a row of ${table.name} belongs to ${String(org)}, not to the backup's organisation`);
  }
}
