/**
 * The dashboard's "since last week" lists no change for an objective that did not exist a week
 * ago (created, or a draft published, since): it is new, not changed. Reads as of a past instant,
 * and so every point of the progress-over-time series, show today's OKRs with the figures their
 * check-ins gave them then (okr-method §3 "Time travel": the structure is today's). A team's
 * series with subTeams=true covers the teams under it, as the dashboard's other cards do.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiHarness, factories, startApi } from "../support/api.js";
import { DATABASE_KINDS } from "../support/databases.js";

interface Point {
  at: string;
  objectives: number;
  progress: number;
  statuses: Record<string, number>;
}
interface Change {
  id: string;
  title: string;
  from: string;
  status: string;
}

/** Rows take their creation time from the database's clock: set it to the app's. */
async function createdAt(api: ApiHarness, table: "objectives" | "key_results", id: string) {
  await api.database.db.execute(
    sql`update ${sql.identifier(table)} set created_at = ${new Date(api.clock.now).toISOString()}::timestamptz where id = ${id}`,
  );
}

describe.each(DATABASE_KINDS)("where an objective's history starts, on %s", (kind) => {
  let api: ApiHarness;
  let q1: { id: string };
  let eng: { id: string };
  let older: { id: string };
  let fresh: { id: string };
  let published: { id: string };

  beforeAll(async () => {
    api = await startApi(kind, Date.UTC(2026, 1, 1, 9));
    const f = factories(api);
    q1 = await f.period();
    eng = await f.team({ name: "Engineering" });
    const mobile = await f.team({ name: "Mobile", parentId: eng.id });
    // 1 February: one objective in Engineering, one in Mobile, and a draft in Engineering.
    older = await f.objective(q1.id, { title: "Ship the query engine", level: "team", teamId: eng.id });
    const olderKr = await f.keyResult(older.id, { title: "Queries migrated" });
    const sub = await f.objective(q1.id, { title: "A mobile app people open", level: "team", teamId: mobile.id });
    const subKr = await f.keyResult(sub.id, { title: "Daily users" });
    published = await f.objective(q1.id, {
      title: "Draft of a hiring plan",
      level: "team",
      teamId: eng.id,
      state: "draft",
    });
    const draftKr = await f.keyResult(published.id, { title: "Engineers hired" });
    for (const o of [older, sub, published]) await createdAt(api, "objectives", o.id);
    for (const k of [olderKr, subKr, draftKr]) await createdAt(api, "key_results", k.id);
    api.clock.now = Date.UTC(2026, 1, 3, 9);
    await f.checkIn(olderKr.id, { value: 20, at: "2026-02-02T10:00:00Z" });
    await f.checkIn(subKr.id, { value: 40, at: "2026-02-02T10:00:00Z" });
    // 15 February: the draft is published, and a new objective is created and checked in on.
    api.clock.now = Date.UTC(2026, 1, 15, 12);
    expect((await api.call("PATCH", `/objectives/${published.id}`, { state: "active" })).status).toBe(200);
    fresh = await f.objective(q1.id, { title: "Build a hiring machine", level: "team", teamId: eng.id });
    const freshKr = await f.keyResult(fresh.id, { title: "Offers accepted" });
    await createdAt(api, "objectives", fresh.id);
    await createdAt(api, "key_results", freshKr.id);
    // Both on track now (60 % against 50 % expected): neither was anything a week ago.
    await f.checkIn(freshKr.id, { value: 60 });
    await f.checkIn(draftKr.id, { value: 60 });
  });
  afterAll(async () => api?.close());

  const series = async (qs: string) => {
    const res = await api.call<{ points: Point[] }>("GET", `/series?periodId=${q1.id}&${qs}`);
    expect(res.status).toBe(200);
    return res.body.points;
  };
  const at = (points: Point[], iso: string) => points.find((p) => p.at === iso)!;

  it("charts today's OKRs at every point, with the figures of their check-ins then (§3 time travel)", async () => {
    const points = await series(`teamId=${eng.id}`);
    // The older objective, the draft published today and the one created today, at every point;
    // on 12 February only the older one had a check-in (0.2).
    for (const p of points) expect(p.objectives).toBe(3);
    const feb12 = at(points, "2026-02-12T00:00:00.000Z");
    expect(feb12.progress).toBeCloseTo(0.2 / 3, 6);
    expect(Object.values(feb12.statuses).reduce((n, c) => n + c, 0)).toBe(3);
  });

  it("includes the teams under a team with subTeams=true", async () => {
    const points = await series(`teamId=${eng.id}&subTeams=true`);
    const feb12 = at(points, "2026-02-12T00:00:00.000Z");
    expect(feb12.objectives).toBe(4);
    expect(feb12.progress).toBeCloseTo(0.6 / 4, 6);
    expect(points.at(-1)!.objectives).toBe(4);
    expect((await api.call("GET", `/series?periodId=${q1.id}&teamId=${eng.id}&subTeams=yes`)).status).toBe(400);
  });

  it("lists no status change since last week for an objective that did not exist a week ago", async () => {
    const res = await api.call<{ changes: { statusChanges: Change[] } }>(
      "GET",
      `/dashboard?periodId=${q1.id}&teamId=${eng.id}`,
    );
    expect(res.status).toBe(200);
    const ids = res.body.changes.statusChanges.map((c) => c.id);
    expect(ids).toContain(older.id);
    expect(ids).not.toContain(fresh.id);
    expect(ids).not.toContain(published.id);
  });

  it("still shows today's structure in a read as of before the objective existed (§3 time travel)", async () => {
    const res = await api.call<{ id: string; progress: number }>(
      "GET",
      `/objectives/${fresh.id}?asOf=2026-02-08T12:00:00Z`,
    );
    expect(res.status).toBe(200);
    expect(res.body.progress).toBe(0);
  });
});
