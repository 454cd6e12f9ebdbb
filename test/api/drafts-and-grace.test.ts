/**
 * okr-method §3 "Drafts" and §4 rule 3 as people meet them: a draft counts nowhere until it is
 * published, and work added mid-period gets the same grace as work set at the start.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recomputeAll } from "../../src/services/recompute.service.js";
import { type ApiHarness, factories, startApi } from "../support/api.js";
import { DATABASE_KINDS } from "../support/databases.js";

const DAY = 86_400_000;

async function backdate(api: ApiHarness, table: "objectives" | "key_results", id: string, atMs: number) {
  await api.database.db.execute(
    sql`update ${sql.identifier(table)} set created_at = ${new Date(atMs).toISOString()}::timestamptz where id = ${id}`,
  );
}

describe.each(DATABASE_KINDS)("drafts and grace on %s", (kind) => {
  let api: ApiHarness;
  let f: ReturnType<typeof factories>;
  beforeAll(async () => {
    // Day 45.5 of Q1 2026.
    api = await startApi(kind, Date.UTC(2026, 1, 15, 12));
    f = factories(api);
  });
  afterAll(() => api.close());

  it("a draft contributes to no parent, has status draft and no forecast, and counts once published", async () => {
    const q1 = await f.period();
    const parent = await f.objective(q1.id, { title: "Grow the business" });
    const live = await f.objective(q1.id, { title: "Sell more", level: "team" });
    const liveKr = await f.keyResult(live.id, { start: 0, target: 10 });
    await f.checkIn(liveKr.id, { value: 8, at: "2026-02-10T09:00:00Z" });
    await f.align("objective", live.id, "objective", parent.id);

    const draft = await f.objective(q1.id, { title: "An idea for later", level: "team", state: "draft" });
    const draftKr = await f.keyResult(draft.id, { start: 0, target: 10 });
    await f.checkIn(draftKr.id, { value: 1, at: "2026-02-01T09:00:00Z" });
    await f.checkIn(draftKr.id, { value: 2, at: "2026-02-10T09:00:00Z" });
    await f.align("objective", draft.id, "objective", parent.id);
    // Its KR aligned to the parent's KR-less objective directly: also left out.
    await f.align("keyResult", draftKr.id, "objective", parent.id);

    const p = (await api.call("GET", `/objectives/${parent.id}`)).body;
    expect(p.progress).toBeCloseTo(0.8, 12); // only the published child
    const d = (await api.call("GET", `/objectives/${draft.id}`)).body;
    expect(d.status).toBe("draft");
    expect(d.forecast).toBeNull();
    expect(d.progress).toBeCloseTo(0.2, 12); // its own figures still work
    const dk = (await api.call("GET", `/key-results/${draftKr.id}`)).body;
    expect(dk.status).toBe("draft");
    expect(dk.forecast).toBeNull();

    // Publishing makes it count from then on: (0.8 + 0.2 + 0.2) / 3.
    expect((await api.call("PATCH", `/objectives/${draft.id}`, { state: "active" })).status).toBe(200);
    const after = (await api.call("GET", `/objectives/${parent.id}`)).body;
    expect(after.progress).toBeCloseTo(1.2 / 3, 12);
    const published = (await api.call("GET", `/key-results/${draftKr.id}`)).body;
    expect(published.status).not.toBe("draft");
    expect(published.forecast).not.toBeNull();

    // Back to draft: the parent forgets it again.
    expect((await api.call("PATCH", `/objectives/${draft.id}`, { state: "draft" })).status).toBe(200);
    expect((await api.call("GET", `/objectives/${parent.id}`)).body.progress).toBeCloseTo(0.8, 12);

    // The stored figures equal a recompute from scratch.
    for (const report of await recomputeAll(api.database, api.clock.now)) {
      expect(report.rewritten).toEqual({ keyResults: 0, objectives: 0 });
    }
  });

  it("a draft linked only through its key result counts once published, and a draft closed with its period never", async () => {
    const year = await f.period({ name: "2026 d", kind: "year", startDate: "2026-01-01", endDate: "2026-12-31" });
    const q = await f.period({ name: "Q1 d", parentId: year.id });
    const parent = await f.objective(year.id, { title: "Be the calmest vendor" });
    const live = await f.objective(q.id, { title: "Fewer pages", level: "team" });
    const liveKr = await f.keyResult(live.id, { start: 0, target: 10 });
    await f.checkIn(liveKr.id, { value: 5, at: "2026-02-10T09:00:00Z" });
    await f.align("objective", live.id, "objective", parent.id);
    const draft = await f.objective(q.id, { title: "Quieter alerts", level: "team", state: "draft" });
    const draftKr = await f.keyResult(draft.id, { start: 0, target: 10 });
    await f.checkIn(draftKr.id, { value: 10, at: "2026-02-10T09:00:00Z" });
    // Only its key result aligns: publishing must still reach the parent.
    await f.align("keyResult", draftKr.id, "objective", parent.id);
    const progress = async () => (await api.call("GET", `/objectives/${parent.id}`)).body.progress;
    expect(await progress()).toBeCloseTo(0.5, 12);
    await api.call("PATCH", `/objectives/${draft.id}`, { state: "active" });
    expect(await progress()).toBeCloseTo(0.75, 12);
    await api.call("PATCH", `/objectives/${draft.id}`, { state: "draft" });
    expect(await progress()).toBeCloseTo(0.5, 12);

    // Closing the quarter closes the draft too, which still counts nowhere; reopening the quarter keeps it a draft.
    expect((await api.call("POST", `/periods/${q.id}/close`, {})).status).toBe(200);
    expect(await progress()).toBeCloseTo(0.5, 12);
    expect((await api.call("POST", `/periods/${q.id}/reopen`, {})).status).toBe(200);
    expect((await api.call("GET", `/objectives/${draft.id}`)).body.state).toBe("draft");
    expect(await progress()).toBeCloseTo(0.5, 12);
    for (const report of await recomputeAll(api.database, api.clock.now)) {
      expect(report.rewritten).toEqual({ keyResults: 0, objectives: 0 });
    }
  });

  it("a closed key result shows its score, not a forecast", async () => {
    const q = await f.period({ name: "Q1 b" });
    const o = await f.objective(q.id, { title: "Ship a calmer on-call" });
    const kr = await f.keyResult(o.id, { start: 0, target: 10 });
    await f.checkIn(kr.id, { value: 3, at: "2026-01-20T09:00:00Z" });
    await f.checkIn(kr.id, { value: 5, at: "2026-02-10T09:00:00Z" });
    expect((await api.call("GET", `/key-results/${kr.id}`)).body.forecast).not.toBeNull();
    expect((await api.call("POST", `/objectives/${o.id}/close`, {})).status).toBe(200);
    const closed = (await api.call("GET", `/key-results/${kr.id}`)).body;
    expect(closed.status).toBe("closed");
    expect(closed.forecast).toBeNull();
    expect(closed.score).toBe(0.5);
    expect((await api.call("GET", `/objectives/${o.id}`)).body.forecast).toBeNull();
  });

  it("a key result created mid-period is not started for its grace days from creation, then at risk", async () => {
    const q = await f.period({ name: "Q1 c" });
    const saved = api.clock.now;
    const o = await f.objective(q.id, { title: "Hear more from customers" });
    const old = await f.keyResult(o.id, { title: "Interviews 0 → 30", start: 0, target: 30 });
    const fresh = await f.keyResult(o.id, { title: "Survey replies 0 → 200", start: 0, target: 200 });
    // The database records creation on its own clock; place it on the test's: set up on day 1,
    // the second KR added on day 45.5. Without check-ins, the day-1 KR is late and the new one is not.
    await backdate(api, "objectives", o.id, Date.UTC(2026, 0, 2, 9));
    await backdate(api, "key_results", old.id, Date.UTC(2026, 0, 2, 9));
    await backdate(api, "key_results", fresh.id, saved);
    const status = async (id: string) => (await api.call("GET", `/key-results/${id}`)).body.status;
    expect(await status(old.id)).toBe("atRisk");
    expect(await status(fresh.id)).toBe("notStarted");

    // An objective added on day 45.5 with no check-in: not started, on its page and on the dashboard's heat map.
    const added = await f.objective(q.id, { title: "Open a second office" });
    const addedKr = await f.keyResult(added.id, { start: 0, target: 1 });
    await backdate(api, "objectives", added.id, saved);
    await backdate(api, "key_results", addedKr.id, saved);
    expect((await api.call("GET", `/objectives/${added.id}`)).body.status).toBe("notStarted");
    expect((await api.call("GET", `/objectives/${o.id}`)).body.status).toBe("atRisk");
    const heat = (await api.call("GET", `/dashboard?periodId=${q.id}`)).body.teams as {
      teamId: string | null;
      statuses: Record<string, number>;
    }[];
    const noTeam = heat.find((row) => row.teamId === null)!;
    expect(noTeam.statuses).toMatchObject({ notStarted: 1, atRisk: 1 });

    const findings = async () =>
      (await api.call("GET", `/coach?periodId=${q.id}`)).body.items.filter(
        (x: { checkId: string }) => x.checkId === "no-check-in",
      ) as { objectId: string }[];
    expect((await findings()).map((x) => x.objectId)).toEqual([old.id]);

    try {
      api.clock.now = saved + 6 * DAY;
      expect(await status(fresh.id)).toBe("notStarted");
      api.clock.now = saved + 7 * DAY + 1;
      // Day 52.5 of 90 with progress 0: well behind plan.
      expect(await status(fresh.id)).toBe("atRisk");
      expect((await findings()).map((x) => x.objectId).sort()).toEqual([old.id, fresh.id, addedKr.id].sort());
    } finally {
      api.clock.now = saved;
    }
  });
});
