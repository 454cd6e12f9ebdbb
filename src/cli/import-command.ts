/**
 * `okra import <file> [--dry-run] [--create-missing]`: OKRs from a CSV or XLSX file, on the
 * database directly, with a progress bar on stderr while it writes and a report at the end:
 * what was created, updated or left as it was, what is missing, and every problem per row.
 */
import { readFileSync } from "node:fs";
import { extname } from "node:path";
import type { Database } from "../db/database.js";
import type { Actor } from "../services/context.js";
import { importOkrs, type OkrImportSummary } from "../services/okr-import.service.js";

/** A one-line bar on a terminal (redrawn in place), or one line per phase when stderr is a file. */
function progressBar() {
  const tty = process.stderr.isTTY;
  let lastPhase = "";
  return (phase: string, done: number, total: number) => {
    const share = total ? done / total : 1;
    if (tty) {
      const width = 30;
      const full = Math.round(share * width);
      process.stderr.write(
        `\r${"█".repeat(full)}${"░".repeat(width - full)} ${Math.round(share * 100)} % ${phase.padEnd(12)}`,
      );
      if (phase === "recompute") process.stderr.write("\n");
    } else if (phase !== lastPhase) {
      process.stderr.write(`${phase}: ${done} of ${total} rows\n`);
    }
    lastPhase = phase;
  };
}

function report(s: OkrImportSummary): void {
  const c = (x: { created: number; updated: number; unchanged: number }) =>
    `${x.created} created, ${x.updated} updated, ${x.unchanged} unchanged`;
  console.log(`${s.dryRun ? "Dry run (nothing written): " : ""}${s.rows} rows read.`);
  console.log(`  objectives:   ${c(s.objectives)}`);
  console.log(`  key results:  ${c(s.keyResults)}`);
  console.log(`  projects:     ${c(s.initiatives)}`);
  console.log(`  check-ins:    ${s.checkIns.created} created, ${s.checkIns.skipped} already there`);
  const missing = [
    ...s.missing.people.map((p) => `person ${p}`),
    ...s.missing.teams.map((t) => `team "${t}"`),
    ...s.missing.periods.map((p) => `period "${p}"`),
  ];
  if (missing.length) {
    const made = s.createdMissing.people + s.createdMissing.teams + s.createdMissing.periods;
    console.log(`  not in Okra${made ? (s.dryRun ? " (would be created)" : " (created)") : ""}: ${missing.join(", ")}`);
  }
  if (s.ignoredColumns.length) console.log(`  columns not read: ${s.ignoredColumns.join(", ")}`);
  if (s.problems.length) {
    console.log(`${s.problems.length} problem${s.problems.length === 1 ? "" : "s"}:`);
    for (const p of s.problems) console.log(`  row ${p.row}${p.column ? `, ${p.column}` : ""}: ${p.message}`);
  }
}

export async function runImportOkrs(
  db: Database,
  actor: Actor,
  file: string,
  o: { dryRun?: boolean; createMissing?: boolean },
): Promise<void> {
  const ext = extname(file).toLowerCase();
  const format = ext === ".xlsx" ? "xlsx" : "csv";
  const data = readFileSync(file);
  const svc = { database: db, now: Date.now, emit: () => {} };
  const body = {
    format,
    content: format === "xlsx" ? data.toString("base64") : data.toString("utf8"),
    dryRun: Boolean(o.dryRun),
    createMissing: Boolean(o.createMissing),
  };
  // Plan first (a dry run), so a file with problems is reported row by row rather than refused whole.
  const plan = await importOkrs(svc, actor, { ...body, dryRun: true });
  if (o.dryRun || plan.problems.length) {
    report(plan);
    if (plan.problems.length) process.exitCode = 1;
    return;
  }
  const started = Date.now();
  const done = await importOkrs(svc, actor, body, progressBar());
  report(done);
  console.log(`Imported in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
}
