/**
 * OKRs as code on the command line: `okra export --yaml`, `okra apply <file>` and
 * `okra lint <file>` (offline: the coach on the file alone, no server and no database).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline/promises";
import type { Database } from "../db/database.js";
import { COACH_CHECKS } from "../domain/coach.js";
import { AppError } from "../domain/errors.js";
import { formatProblem, lintOkrYaml, readOkrYaml, writeOkrYaml } from "../integrations/okr-yaml.js";
import type { Actor, Services } from "../services/context.js";
import { applyOkrFile, describeChange, planOkrFile } from "../services/okr-file-apply.service.js";
import { exportOkrFile } from "../services/okr-file-export.service.js";
import type { Config } from "./config.js";

type WithDatabase = <T>(fn: (db: Database, config: Config) => Promise<T>) => Promise<T>;
type AdminActor = (db: Database, email?: string) => Promise<Actor>;

const services = (database: Database): Services => ({ database, now: Date.now, emit: () => {} });

const SEVERITY = { error: "error", warn: "warning", info: "info" } as const;

/** `okra export --yaml`: prints (or writes to `--output`) the OKR file of a period, or of one team's OKRs in it. */
export async function runExport(
  o: { yaml?: boolean; team?: string; period?: string; checkIns?: boolean; output?: string; as?: string },
  withDatabase: WithDatabase,
  adminActor: AdminActor,
): Promise<void> {
  if (!o.yaml) throw AppError.validation(["--yaml: say which format to export (only --yaml for now)"]);
  const text = await withDatabase(async (db) =>
    writeOkrYaml(
      await exportOkrFile(services(db), await adminActor(db, o.as), {
        period: o.period,
        team: o.team,
        checkIns: o.checkIns,
      }),
    ),
  );
  if (o.output) writeFileSync(o.output, text);
  else process.stdout.write(text);
}

/**
 * `okra apply <file>`: reads the file (problems with their lines, exit 2), shows what would
 * change, asks (unless `--yes`), then applies all of it in one transaction.
 */
export async function runApply(
  fileName: string,
  o: { yes?: boolean; prune?: boolean; as?: string },
  withDatabase: WithDatabase,
  adminActor: AdminActor,
): Promise<void> {
  const read = readOkrYaml(readFileSync(fileName, "utf8"));
  if (!read.ok) {
    for (const p of read.problems) console.error(formatProblem(p, fileName));
    process.exitCode = 2;
    return;
  }
  const located = (err: unknown): never => {
    // A use case's problems name their place in the file: print them with its line.
    if (err instanceof AppError && Array.isArray(err.details)) {
      for (const d of err.details as string[]) {
        const [path = "", ...rest] = String(d).split(": ");
        const segs = [...path.matchAll(/([^.[\]\s]+)|\[(\d+)\]/g)].map((m) =>
          m[2] !== undefined ? Number(m[2]) : m[1]!,
        );
        console.error(`${fileName}:${read.lineOf(segs) || "?"}: ${path}: ${rest.join(": ")}`);
      }
      process.exitCode = err.code === "VALIDATION" ? 2 : 1;
      throw new AppError(err.code, "Nothing was applied.");
    }
    throw err;
  };
  await withDatabase(async (db) => {
    const actor = await adminActor(db, o.as);
    const svc = services(db);
    const options = { prune: Boolean(o.prune) };
    const plan = await planOkrFile(svc, actor, read.file, options).catch(located);
    if (plan.length === 0) {
      console.log("No changes.");
      return;
    }
    console.log(`${fileName} would make ${plan.length} change${plan.length === 1 ? "" : "s"}:`);
    for (const c of plan) console.log(describeChange(c));
    if (!o.yes && !(await confirm("Apply? [y/N] "))) {
      console.log("Nothing applied.");
      return;
    }
    const result = await applyOkrFile(svc, actor, read.file, options).catch(located);
    console.log(`Applied ${result.changes.length} change${result.changes.length === 1 ? "" : "s"}.`);
  });
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: false });
  try {
    process.stdout.write(question);
    const answer = await new Promise<string>((resolve) => {
      rl.once("line", resolve);
      rl.once("close", () => resolve(""));
    });
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

/**
 * `okra lint <file>`: the coach on the file alone. Prints `file:line: severity check: message`
 * per finding; exit code 2 when the file cannot be read (its problems with their lines), 1 on
 * an error-severity finding, 0 otherwise.
 */
export function runLintFile(fileName: string, o: { json?: boolean }): void {
  const { problems, findings } = lintOkrYaml(readFileSync(fileName, "utf8"), Date.now());
  if (o.json) {
    console.log(JSON.stringify({ file: fileName, problems, findings }, null, 2));
  } else {
    for (const p of problems) console.log(formatProblem(p, fileName));
    for (const f of findings) {
      const name = COACH_CHECKS.find((c) => c.id === f.checkId)?.name ?? f.checkId;
      console.log(`${fileName}:${f.line || "?"}: ${SEVERITY[f.severity]} ${f.checkId} (${name}): ${f.message}`);
    }
    const count = (s: string) => findings.filter((f) => f.severity === s).length;
    console.log(
      problems.length
        ? `${problems.length} problem(s): the file does not follow the format (docs/okrs-as-code.md).`
        : `${findings.length} finding(s): ${count("error")} error, ${count("warn")} warning, ${count("info")} info.`,
    );
  }
  if (problems.length) process.exitCode = 2;
  else if (findings.some((f) => f.severity === "error")) process.exitCode = 1;
}
