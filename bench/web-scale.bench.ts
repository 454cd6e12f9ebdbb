/**
 * How fast the web app is usable in Chromium on a large workspace: a period with ~2,000
 * alignment-map nodes (10 organisation objectives → 100 team → 400 individual, 4 KRs
 * each). Measures navigation → first meaningful content for My OKRs, the explorer and
 * the alignment map; the baseline, in the same run, is the sign-in page (the bare shell).
 *
 *   npx tsx bench/web-scale.bench.ts        (needs /usr/bin/chromium)
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { chromium } from "playwright-core";
import { ensureWebBuild } from "../src/cli/web-build.js";
import { openDatabase } from "../src/db/database.js";
import { grantOrgScope } from "../src/db/org-scope.js";
import { alignmentRepo, keyResultRepo, objectiveRepo, periodRepo } from "../src/db/repositories.js";
import { buildApp } from "../src/http/app.js";
import { bootstrap } from "../src/services/auth.service.js";
import { mutate } from "../src/services/context.js";

const TOKEN = "okra_bench_web_token_0123456789";
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "okra-web-bench-"));
const database = await openDatabase({ dataDir: dir });
await database.migrate();
await bootstrap(database, { bootstrapToken: TOKEN });
const admin = (await database.db.query.users.findMany({ limit: 1 }))[0]!;
const actor = {
  userId: admin.id,
  orgId: admin.orgId,
  scope: grantOrgScope(admin.orgId),
  role: "owner",
  access: "write" as const,
  isInstanceAdmin: true,
};
const now = Date.now();
const year = new Date(now).getUTCFullYear();
const q = Math.floor(new Date(now).getUTCMonth() / 3);
const start = new Date(Date.UTC(year, q * 3, 1)).toISOString().slice(0, 10);
const end = new Date(Date.UTC(year, q * 3 + 3, 0)).toISOString().slice(0, 10);

const seedStart = performance.now();
let nodes = 0;
await mutate({ database, now: () => now, emit: () => {} }, actor, async (w) => {
  const period = await periodRepo.insert(w.tx, w.scope, {
    name: "Scale quarter",
    kind: "quarter",
    startDate: start,
    endDate: end,
    parentId: null,
  });
  const level = async (count: number, lvl: "organization" | "team" | "individual", parents: string[]) => {
    const krIds: string[] = [];
    for (let i = 0; i < count; i++) {
      const o = await objectiveRepo.insert(w.tx, w.scope, {
        title: `${lvl} objective ${i + 1}`,
        level: lvl,
        periodId: period.id,
        ownerIds: [admin.id],
      });
      nodes++;
      if (parents.length) {
        await alignmentRepo.insert(w.tx, w.scope, {
          childType: "objective",
          childId: o.id,
          parentType: "keyResult",
          parentId: parents[i % parents.length]!,
          weight: "1",
          contributes: true,
        });
      }
      for (let k = 0; k < 4; k++) {
        const kr = await keyResultRepo.insert(w.tx, w.scope, {
          objectiveId: o.id,
          title: `Key result ${k + 1} of ${lvl} ${i + 1}`,
          type: "increase",
          start: "0",
          target: "100",
          progressMode: parents.length && lvl !== "individual" && k === 0 ? "rollup" : "manual",
          ownerIds: [admin.id],
        });
        krIds.push(kr.id);
        nodes++;
      }
    }
    return krIds;
  };
  const orgKrs = await level(10, "organization", []);
  const teamKrs = await level(100, "team", orgKrs);
  await level(300, "individual", teamKrs);
  w.touch();
});
console.log(
  `workspace: ${nodes} objectives and key results, seeded in ${Math.round(performance.now() - seedStart)} ms`,
);

const webDir = await ensureWebBuild(() => {});
const app = await buildApp({ database, webDir });
const address = await app.listen({ port: 0, host: "127.0.0.1" });
const browser = await chromium.launch({
  executablePath: process.env.OKRA_CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"],
});
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
await page.goto(`${address}/sign-in`);
await page.evaluate((t) => localStorage.setItem("okra.token", t), TOKEN);

async function measure(label: string, url: string, ready: () => Promise<unknown>, runs = 5): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    await page.goto("about:blank");
    const t0 = performance.now();
    await page.goto(`${address}${url}`);
    await ready();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  console.log(
    `${label.padEnd(34)} median ${median.toFixed(0).padStart(5)} ms  (runs: ${times.map((x) => x.toFixed(0)).join(", ")})`,
  );
  return median;
}

const baseline = await measure("baseline: sign-in page (shell)", "/sign-in", () =>
  page.getByRole("heading", { name: "Sign in to Okra" }).waitFor(),
);
const home = await measure("My OKRs (410 objectives owned)", "/", () => page.getByRole("article").first().waitFor());
const explorer = await measure("Explorer (410 rows)", "/explorer", () => page.getByRole("row").nth(400).waitFor());
const map = await measure(`Alignment map (${nodes} nodes)`, "/map", () =>
  page.locator(".react-flow__node").first().waitFor(),
);
const count = await page.getByText(/^\d+ nodes$/).textContent();
const resources = await page.evaluate(() =>
  performance
    .getEntriesByType("resource")
    .filter((e) => e.name.includes("/api/"))
    .map(
      (e) => `${new URL(e.name).pathname} ${Math.round((e as PerformanceResourceTiming).responseEnd - e.startTime)} ms`,
    ),
);
console.log(`map page API calls: ${resources.join("; ")}`);
const marks = await page.evaluate(() => {
  const nav = performance.getEntriesByType("navigation" as never)[0] as PerformanceNavigationTiming;
  const scripts = performance
    .getEntriesByType("resource")
    .filter((e) => e.name.endsWith(".js"))
    .map((e) => `${e.name.split("/").pop()} done at ${Math.round((e as PerformanceResourceTiming).responseEnd)} ms`);
  const tree = performance.getEntriesByType("resource").find((e) => e.name.includes("/tree"));
  return {
    domContentLoaded: Math.round(nav.domContentLoadedEventEnd),
    scripts,
    treeDone: tree ? Math.round((tree as PerformanceResourceTiming).responseEnd) : null,
    now: Math.round(performance.now()),
  };
});
console.log(`map timeline: ${JSON.stringify(marks)}`);
console.log(`map reports: ${count}`);
console.log(
  `ratios to baseline: My OKRs ${(home / baseline).toFixed(1)}×, explorer ${(explorer / baseline).toFixed(1)}×, map ${(map / baseline).toFixed(1)}×`,
);
await browser.close();
await app.close();
await database.close();
fs.rmSync(dir, { recursive: true, force: true });
