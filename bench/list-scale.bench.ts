/**
 * Does `limit` bound the work of a list? Median latency of `GET /objectives?limit=20`
 * (HTTP inject → auth → keyset query → the page's key results) in an organisation of 200
 * objectives and in one of 4,000 (3 key results each, over 2 years and 8 quarters), and
 * the growth ratio (1.0 = the page costs what it shows, whatever the organisation holds).
 * Also the next page (a cursor), one period, and a status filter (read at request time), and
 * the explorer's orders and filters: by title (indexed), by progress (no index: sorted by the
 * database over the period), by status and several statuses (read at request time), a
 * progress range; and the coach's findings: for the whole period, a page of 12 and the next
 * (the dashboard's card), and for one objective or the 200 in view (an objective page's and
 * the explorer's coach panel).
 *
 *   npm run bench:lists      (or: npx tsx bench/list-scale.bench.ts [sizes…] [--pg] [--one-period])
 *
 * OKRA_LIST_RUNS sets the requests per size (60); OKRA_LIST_ONLY=coach,count keeps only the
 * requests whose label starts so.
 *
 * With --pg it runs on a throwaway PostgreSQL server instead of embedded PGlite; with
 * --one-period every objective is in the period measured (a quarter of a large organisation).
 */
import { performance } from "node:perf_hooks";
import { sql } from "drizzle-orm";
import { type Database, openDatabase } from "../src/db/database.js";
import * as s from "../src/db/schema.js";
import { buildApp } from "../src/http/app.js";
import { bootstrap } from "../src/services/auth.service.js";
import { catchUpTitleIndexes } from "../src/services/title-twins.js";

const args = process.argv.slice(2);
const onPg = args.includes("--pg");
// Every objective in the period measured (as a quarter of a large organisation), not spread over ten.
const onePeriod = args.includes("--one-period");
const sizes = args.filter((a) => /^\d+$/.test(a)).map(Number);
const SIZES = sizes.length >= 2 ? sizes : [200, 4000];
const RUNS = Number(process.env.OKRA_LIST_RUNS ?? 60);
// Only the requests whose label starts with one of these (comma-separated), e.g. OKRA_LIST_ONLY=coach.
const ONLY = process.env.OKRA_LIST_ONLY?.split(",").filter(Boolean) ?? [];
const TOKEN = "okra_bench_lists_token_0123456789";

async function open(): Promise<{ database: Database; stop: () => Promise<void> }> {
  if (!onPg) return { database: await openDatabase({}), stop: async () => {} };
  // scripts/ is plain JavaScript without types.
  // biome-ignore lint/suspicious/noExplicitAny: see above
  const cluster: any = await import("../scripts/pg-cluster.mjs" as string);
  const c = await cluster.startThrowawayCluster();
  return { database: await openDatabase({ databaseUrl: c.url }), stop: () => c.stop() };
}

/** Periods: two years and their quarters; objectives spread over the quarters and years. */
async function seed(database: Database, objectives: number) {
  await database.migrate();
  await bootstrap(database, { bootstrapToken: TOKEN });
  const admin = (await database.db.query.users.findMany({ limit: 1 }))[0]!;
  const orgId = admin.orgId;
  const periods: { id: string }[] = [];
  for (const year of [2025, 2026]) {
    const [y] = await database.db
      .insert(s.periods)
      .values({ orgId, name: `${year}`, kind: "year", startDate: `${year}-01-01`, endDate: `${year}-12-31` })
      .returning({ id: s.periods.id });
    periods.push(y!);
    for (let q = 0; q < 4; q++) {
      const start = `${year}-${String(q * 3 + 1).padStart(2, "0")}-01`;
      const end = new Date(Date.UTC(year, q * 3 + 3, 0)).toISOString().slice(0, 10);
      const [p] = await database.db
        .insert(s.periods)
        .values({ orgId, name: `Q${q + 1} ${year}`, kind: "quarter", startDate: start, endDate: end, parentId: y!.id })
        .returning({ id: s.periods.id });
      periods.push(p!);
    }
  }
  const levels = ["organization", "team", "individual"] as const;
  const CHUNK = 500;
  for (let at = 0; at < objectives; at += CHUNK) {
    const n = Math.min(CHUNK, objectives - at);
    const rows = await database.db
      .insert(s.objectives)
      .values(
        Array.from({ length: n }, (_, k) => {
          const i = at + k;
          return {
            orgId,
            title: `Objective ${i}`,
            level: levels[i % 3]!,
            periodId: onePeriod ? periods[2]!.id : periods[i % periods.length]!.id,
            ownerIds: [admin.id],
            progress: (i % 100) / 100,
          };
        }),
      )
      .returning({ id: s.objectives.id });
    await database.db.insert(s.keyResults).values(
      rows.flatMap((o, k) =>
        [0, 1, 2].map((j) => ({
          orgId,
          objectiveId: o.id,
          title: `Key result ${j} of ${at + k}`,
          type: "increase",
          start: "0",
          target: "100",
          position: j,
          progress: ((at + k + j) % 100) / 100,
        })),
      ),
    );
  }
  // The coach's title index, as the server's start builds it after a bulk load.
  await catchUpTitleIndexes(database.db);
  await database.db.execute(sql`analyze`);
  return periods[2]!.id; // Q2 2025
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

interface Org {
  objectives: number;
  get: (url: string) => Promise<{ items: unknown[]; nextCursor: string | null }>;
  urls: Record<string, string>;
  close: () => Promise<void>;
}

async function openOrg(objectives: number): Promise<Org> {
  const { database, stop } = await open();
  const seedStart = performance.now();
  const periodId = await seed(database, objectives);
  console.log(
    `${objectives} objectives (${objectives * 3} key results) seeded in ${(performance.now() - seedStart).toFixed(0)} ms`,
  );
  const app = await buildApp({ database, now: () => Date.UTC(2025, 4, 15, 12) });
  const headers = { authorization: `Bearer ${TOKEN}` };
  const get = async (url: string) => {
    const res = await app.inject({ method: "GET", url: `/api/v1${url}`, headers });
    if (res.statusCode !== 200) throw new Error(`${url} answered ${res.statusCode}: ${res.body}`);
    return res.json() as { items: unknown[]; nextCursor: string | null };
  };
  const first = await get("/objectives?limit=20");
  const urls: Record<string, string> = {
    "first page": "/objectives?limit=20",
    "next page": `/objectives?limit=20&cursor=${encodeURIComponent(first.nextCursor ?? "")}`,
    "one period": `/objectives?limit=20&periodId=${periodId}`,
    "status=behind": "/objectives?limit=20&status=behind",
    // The explorer's orders and filters, asked of the server (one period).
    "by title": `/objectives?limit=20&periodId=${periodId}&sort=title`,
    "by -progress": `/objectives?limit=20&periodId=${periodId}&sort=-progress`,
    "by status": `/objectives?limit=20&periodId=${periodId}&sort=status`,
    "2 statuses": `/objectives?limit=20&periodId=${periodId}&status=behind,atRisk`,
    "progress 20-40": `/objectives?limit=20&periodId=${periodId}&progress=20-40`,
    // The explorer's count: the true number of what matches, counted in the database.
    "count, period": `/objectives/count?periodId=${periodId}`,
    "count, 2 statuses": `/objectives/count?periodId=${periodId}&status=behind,atRisk`,
    "baseline /me": "/me",
    // Every finding of the period at once (what the dashboard asked before it paged).
    "coach (period)": `/coach?periodId=${periodId}`,
    // The dashboard's coach card: the first page of 12.
    "coach, 12 (dash)": `/coach?periodId=${periodId}&limit=12`,
  };
  const pageIds = ((await get(`/objectives?limit=200&periodId=${periodId}`)).items as { id: string }[]).map(
    (o) => o.id,
  );
  urls["coach, 1 objective"] = `/coach?periodId=${periodId}&objectiveIds=${pageIds[0]}`;
  urls["coach, 200 in view"] = `/coach?periodId=${periodId}&objectiveIds=${pageIds.join(",")}`;
  const coachPage = await get(urls["coach, 12 (dash)"]!);
  urls["coach, 12, p2"] = `${urls["coach, 12 (dash)"]}&cursor=${encodeURIComponent(coachPage.nextCursor ?? "")}`;
  const byProgress = await get(urls["by -progress"]!);
  urls["by -progress, p2"] = `${urls["by -progress"]}&cursor=${encodeURIComponent(byProgress.nextCursor ?? "")}`;
  return {
    objectives,
    get,
    urls: Object.fromEntries(
      Object.entries(urls).filter(([label]) => ONLY.length === 0 || ONLY.some((p) => label.startsWith(p))),
    ),
    close: async () => {
      await app.close();
      await database.close();
      await stop();
    },
  };
}

console.log(`GET /objectives?limit=20 on ${onPg ? "PostgreSQL" : "PGlite"}, median of ${RUNS} requests per size`);
const orgs = [await openOrg(SIZES[0]!), await openOrg(SIZES[1]!)] as const;
console.log(`\n${"".padEnd(16)}${`${SIZES[0]} obj`.padStart(12)}${`${SIZES[1]} obj`.padStart(12)}   ratio   items`);
// Warm-up: every request of both sizes, so the first one measured pays no start-up cost.
for (let i = 0; i < 10; i++) for (const org of orgs) for (const url of Object.values(org.urls)) await org.get(url);
for (const label of Object.keys(orgs[0].urls)) {
  const times: [number[], number[]] = [[], []];
  // Interleaved, so a busy machine slows both sizes alike.
  for (let i = 0; i < RUNS; i++) {
    for (const [k, org] of orgs.entries()) {
      const t0 = performance.now();
      await org.get(org.urls[label]!);
      times[k]!.push(performance.now() - t0);
    }
  }
  const [a, b] = [median(times[0]), median(times[1])];
  const items = await Promise.all(
    orgs.map(async (o) => {
      const answer = (await o.get(o.urls[label]!)) as { items?: unknown[]; count?: number };
      return answer.items?.length ?? answer.count ?? "-";
    }),
  );
  console.log(
    `${label.padEnd(16)}${`${a.toFixed(2)} ms`.padStart(12)}${`${b.toFixed(2)} ms`.padStart(12)}   ${(b / a).toFixed(2).padStart(5)}   ${items.join(" / ")}`,
  );
}
for (const org of orgs) await org.close();
