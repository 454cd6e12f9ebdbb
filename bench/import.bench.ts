/**
 * The OKR import at size (#13): a CSV of N rows (objectives with three key results each and a
 * few weeks of check-ins, owners, teams, one period) imported into a fresh embedded database
 * through the same service the API and `okra import` use: a dry run (the plan), the import,
 * and the same file again (nothing to change). Prints rows per second for each, and the same
 * at a tenth of the size as the baseline of the same run.
 *
 *   npm run bench:import            (or: npx tsx bench/import.bench.ts [rows])
 */
import { performance } from "node:perf_hooks";
import { openDatabase } from "../src/db/database.js";
import { grantOrgScope } from "../src/db/org-scope.js";
import { bootstrap } from "../src/services/auth.service.js";
import type { Actor } from "../src/services/context.js";
import { importOkrs } from "../src/services/okr-import.service.js";

const ROWS = Number(process.argv[2] ?? 100_000);
const TOKEN = "okra_bench_token_0123456789abcdef";

/** About `rows` rows: per objective, 1 objective + 3 key results + 3 × 2 check-ins = 10 rows. */
function csv(rows: number, people: string[]): string {
  const out = ["Reference,Parent reference,Type,Title,Owner,Team,Time period,Start,Target,Current,Date"];
  const objectives = Math.max(1, Math.floor(rows / 10));
  for (let o = 0; o < objectives; o++) {
    const owner = people[o % people.length];
    out.push(`O-${o},,Objective,Objective number ${o},${owner},Team ${o % 40},Q1 2027,,,,`);
    for (let k = 0; k < 3; k++) {
      out.push(`O-${o}.${k},O-${o},Key Result,Key result ${k} of ${o},${owner},,,0,100,,`);
      for (let c = 0; c < 2; c++)
        out.push(`,O-${o}.${k},Check-in,,,,,,,${10 + 20 * c + k},2027-01-${String(11 + 7 * c).padStart(2, "0")}`);
    }
  }
  return `${out.join("\n")}\n`;
}

async function measure(rows: number) {
  const database = await openDatabase({});
  try {
    await database.migrate();
    await bootstrap(database, { bootstrapToken: TOKEN });
    const admin = (await database.db.query.users.findMany({ limit: 1 }))[0]!;
    const actor: Actor = {
      userId: admin.id,
      orgId: admin.orgId,
      scope: grantOrgScope(admin.orgId),
      role: "owner",
      access: "write",
      isInstanceAdmin: true,
    };
    const svc = { database, now: () => Date.UTC(2027, 1, 15, 12), emit: () => {} };
    const people = Array.from({ length: 200 }, (_, i) => `person${i}@bench.example`);
    const content = csv(rows, people);
    const lines = content.split("\n").length - 2;
    const time = async (fn: () => Promise<unknown>) => {
      const t = performance.now();
      await fn();
      return (performance.now() - t) / 1000;
    };
    const plan = await time(() =>
      importOkrs(svc, actor, { format: "csv", content, dryRun: true, createMissing: true }),
    );
    const write = await time(() => importOkrs(svc, actor, { format: "csv", content, createMissing: true }));
    const again = await time(() => importOkrs(svc, actor, { format: "csv", content }));
    return { lines, plan, write, again, rss: process.memoryUsage().rss / 1e6 };
  } finally {
    await database.close();
  }
}

const base = await measure(Math.round(ROWS / 10));
const big = await measure(ROWS);
const line = (label: string, r: typeof base) =>
  `${label.padEnd(10)} ${String(r.lines).padStart(7)} rows: plan ${r.plan.toFixed(1)} s, import ${r.write.toFixed(1)} s (${Math.round(r.lines / r.write)} rows/s), again ${r.again.toFixed(1)} s; RSS ${Math.round(r.rss)} MB`;
console.log("OKR import on the embedded database (one run, same machine)");
console.log(line("baseline", base));
console.log(line("at size", big));
console.log(`rows/s at size ÷ rows/s at a tenth: ${(big.lines / big.write / (base.lines / base.write)).toFixed(2)}`);
