/**
 * A settings change every stored figure depends on (the time zone) recomputes a large
 * organisation in the background, in steps, with its progress in GET /settings, while the
 * organisation keeps working; a stop leaves the request on the organisation, and the next start
 * resumes it. "Large" is 1 key result here (backgroundRecomputeAbove), so a small organisation
 * takes that path.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { grantOrgScope } from "../../src/db/org-scope.js";
import { organizationRepo } from "../../src/db/repositories.js";
import { recomputeAll, resumeRecomputes } from "../../src/services/recompute.service.js";
import { type ApiHarness, factories, startApi } from "../support/api.js";
import { DATABASE_KINDS } from "../support/databases.js";

describe.each(DATABASE_KINDS)("recomputing in the background on %s", (kind) => {
  let api: ApiHarness;
  const krs: string[] = [];

  beforeAll(async () => {
    api = await startApi(kind, Date.UTC(2026, 1, 15, 12), { backgroundRecomputeAbove: 1 });
    const f = factories(api);
    const period = await f.period();
    const top = await f.objective(period.id, { title: "Company", level: "organization" });
    for (let i = 0; i < 3; i++) {
      const o = await f.objective(period.id, { title: `Team ${i}`, level: "team" });
      await f.align("objective", o.id, "objective", top.id);
      for (let k = 0; k < 2; k++) {
        const kr = await f.keyResult(o.id, { title: `KR ${i}.${k}`, start: 0, target: 100 });
        await f.checkIn(kr.id, { value: 10 + k, at: "2026-01-10T10:00:00Z" });
        await f.checkIn(kr.id, { value: 40 + i, at: "2026-02-10T23:30:00Z" });
        krs.push(kr.id);
      }
    }
  }, 120_000);
  afterAll(() => api?.close());

  async function settled(): Promise<Record<string, unknown>> {
    for (let i = 0; i < 200; i++) {
      const s = (await api.call("GET", "/settings")).body;
      if (s.recompute === null) return s;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error("the background recompute did not finish in 10 s");
  }

  it("answers at once, shows the recompute in settings, and ends with every figure right", async () => {
    const changed = await api.call("PATCH", "/settings", { timeZone: "Pacific/Auckland" });
    expect(changed.status).toBe(200);
    expect(changed.body.timeZone).toBe("Pacific/Auckland");
    expect(changed.body.recompute).toMatchObject({ requestedAt: expect.any(String) });
    // The organisation keeps working meanwhile.
    expect((await api.call("POST", `/key-results/${krs[0]}/check-ins`, { value: 55 })).status).toBe(201);
    await settled();
    const [report] = await recomputeAll(api.database, api.clock.now);
    expect(report?.rewritten).toEqual({ keyResults: 0, objectives: 0 });
  });

  it("changes nothing in the background for a setting no stored figure depends on", async () => {
    const changed = await api.call("PATCH", "/settings", { behindThreshold: 0.3 });
    expect(changed.body.recompute).toBeNull();
  });

  it("resumes at the next start what a stop interrupted", async () => {
    const admin = (await api.database.db.query.users.findMany({ limit: 1 }))[0]!;
    const scope = grantOrgScope(admin.orgId);
    // The time zone changed and the process stopped before recomputing anything.
    await api.database.db.execute(
      sql`update organizations set settings = settings || '{"timeZone":"America/Los_Angeles"}'::jsonb where id = ${admin.orgId}`,
    );
    await organizationRepo.setRecomputeRequested(api.database.db, scope, new Date(api.clock.now));
    expect((await api.call("GET", "/settings")).body.recompute).toMatchObject({ requestedAt: expect.any(String) });
    await resumeRecomputes({ database: api.database, now: () => api.clock.now, emit: () => {} });
    expect((await settled()).timeZone).toBe("America/Los_Angeles");
    const [report] = await recomputeAll(api.database, api.clock.now);
    expect(report?.rewritten).toEqual({ keyResults: 0, objectives: 0 });
  });
});
