/**
 * One check-in's latency through the whole stack (HTTP inject → auth → transaction →
 * roll-up recomputation → audit) on the demo workspace, on the embedded database and,
 * when PostgreSQL binaries exist, on a throwaway PostgreSQL server. The baseline, measured
 * in the same run on the same database, is an authenticated read of one key result.
 *
 *   npm run bench            (or: npx tsx bench/checkin-latency.bench.ts [iterations])
 */
import { performance } from "node:perf_hooks";
import { type Database, openDatabase } from "../src/db/database.js";
import { grantOrgScope } from "../src/db/org-scope.js";
import { buildApp } from "../src/http/app.js";
import { bootstrap } from "../src/services/auth.service.js";
import { loadDemo } from "../src/services/demo.service.js";

const ITERATIONS = Number(process.argv[2] ?? 200);
const TOKEN = "okra_bench_token_0123456789abcdef";

function stats(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { median: q(0.5), p95: q(0.95), max: s.at(-1)! };
}

async function run(label: string, database: Database) {
  await database.migrate();
  await bootstrap(database, { bootstrapToken: TOKEN });
  const admin = (await database.db.query.users.findMany({ limit: 1 }))[0]!;
  const loadStart = performance.now();
  await loadDemo(
    database,
    {
      userId: admin.id,
      orgId: admin.orgId,
      scope: grantOrgScope(admin.orgId),
      role: "owner",
      access: "write",
      isInstanceAdmin: true,
    },
    Date.now(),
  );
  const loadMs = performance.now() - loadStart;
  // As `okra serve --demo` does: the embedded database's statistics after the demo's load.
  await database.refreshStatistics?.();
  const app = await buildApp({ database });
  const headers = { authorization: `Bearer ${TOKEN}` };
  const krs = await database.db.query.keyResults.findMany({ where: (k, { eq }) => eq(k.progressMode, "manual") });
  // Open objectives of a period running today (the demo also drafts next quarter, where no check-in may go yet).
  const today = new Date().toISOString().slice(0, 10);
  const running = new Set(
    (await database.db.query.periods.findMany())
      .filter((p) => p.startDate <= today && today <= p.endDate)
      .map((p) => p.id),
  );
  const openObjectives = new Set(
    (await database.db.query.objectives.findMany({ where: (o, { ne }) => ne(o.state, "closed") }))
      .filter((o) => running.has(o.periodId))
      .map((o) => o.id),
  );
  const targets = krs.filter((k) => openObjectives.has(k.objectiveId) && k.type !== "milestone");
  const read: number[] = [];
  const write: number[] = [];
  for (let i = 0; i < ITERATIONS + 10; i++) {
    const kr = targets[i % targets.length]!;
    let t = performance.now();
    const g = await app.inject({ method: "GET", url: `/api/v1/key-results/${kr.id}`, headers });
    const readMs = performance.now() - t;
    if (g.statusCode !== 200) throw new Error(`read failed: ${g.body}`);
    t = performance.now();
    const r = await app.inject({
      method: "POST",
      url: `/api/v1/key-results/${kr.id}/check-ins`,
      headers,
      payload: { value: 1 + (i % 7) },
    });
    const writeMs = performance.now() - t;
    if (r.statusCode !== 201) throw new Error(`check-in failed: ${r.body}`);
    if (i >= 10) {
      read.push(readMs);
      write.push(writeMs);
    }
  }
  await app.close();
  const w = stats(write);
  const b = stats(read);
  const fmt = (n: number) => n.toFixed(2).padStart(8);
  console.log(
    `${label.padEnd(10)} demo load ${loadMs.toFixed(0)} ms; ${ITERATIONS} check-ins over ${targets.length} KRs` +
      `\n  check-in  median ${fmt(w.median)} ms  p95 ${fmt(w.p95)} ms  max ${fmt(w.max)} ms` +
      `\n  baseline  median ${fmt(b.median)} ms  p95 ${fmt(b.p95)} ms  (GET one key result)` +
      `\n  ratio check-in / baseline (median): ${(w.median / b.median).toFixed(1)}×`,
  );
}

const pglite = await openDatabase({});
try {
  await run("embedded", pglite);
} finally {
  await pglite.close();
}

// @ts-expect-error plain ESM helper without types
const { startThrowawayCluster, findPgBin } = await import("../scripts/pg-cluster.mjs");
if (typeof findPgBin === "function" && !findPgBin()) {
  console.log('postgres   skipped: no PostgreSQL binaries found (install the Debian package "postgresql")');
} else {
  const cluster = await startThrowawayCluster().catch((e: Error) => {
    console.log(`postgres   skipped: ${e.message}`);
    return null;
  });
  if (cluster) {
    const db = await openDatabase({ databaseUrl: cluster.url });
    try {
      await run("postgres", db);
    } finally {
      await db.close();
      await cluster.stop();
    }
  }
}
