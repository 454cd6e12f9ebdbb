/**
 * The manager's dashboard (GET /dashboard): objectives by team and status (the same statuses
 * every objective reads with), check-in freshness, top risks with owners and objectives, what
 * changed since a week ago, drafts left out, private objectives only for those who may see them,
 * and the same number of statements whatever the organisation holds outside the answer.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokenForEmail } from "../../src/services/auth.service.js";
import { type ApiHarness, factories, startApi } from "../support/api.js";
import { DATABASE_KINDS } from "../support/databases.js";

interface Item {
  type: string;
  id: string;
  title: string;
  objective: { id: string; title: string } | null;
  owners: { id: string; name: string }[];
  status: string;
  progress: number;
  from?: string;
  before?: number;
  after?: number;
}
interface Row {
  teamId: string | null;
  name: string | null;
  depth: number;
  statuses: Record<string, number>;
  objectives: number;
  keyResults: number;
  fresh: number;
  neverCheckedIn: number;
  oldestCheckInAt: string | null;
}
interface Dashboard {
  teams: Row[];
  topRisks: Item[];
  changes: { up: Item[]; down: Item[]; statusChanges: Item[]; newRisks: Item[] };
}

describe.each(DATABASE_KINDS)("the dashboard on %s", (kind) => {
  let api: ApiHarness;
  let f: ReturnType<typeof factories>;
  let q1: { id: string };
  let sales: { id: string };
  let inside: { id: string };
  let platform: { id: string };
  let rising: { id: string };
  let falling: { id: string };
  let salesObjective: { id: string; title: string };
  let stalled: { id: string; title: string };
  let stalledKr: { id: string };
  let secret: { id: string; title: string };
  let memberToken: string;
  const get = async (qs: string, token?: string) =>
    api.call<Dashboard>("GET", `/dashboard?${qs}`, undefined, token ? { authorization: `Bearer ${token}` } : {});

  beforeAll(async () => {
    api = await startApi(kind, Date.UTC(2026, 1, 15, 12));
    f = factories(api);
    q1 = await f.period();
    const olga = await f.user({ name: "Olga Owner", email: "olga@example.com" });
    const ivan = await f.user({ name: "Ivan Inside", email: "ivan@example.com" });
    await f.user({ name: "Mia Member", email: "mia@example.com" });
    memberToken = (await createTokenForEmail(api.database, "mia@example.com")).token;
    sales = await f.team({ name: "Sales", ownerIds: [olga.id] });
    inside = await f.team({ name: "Inside sales", parentId: sales.id });
    platform = await f.team({ name: "Platform" });

    salesObjective = await f.objective(q1.id, {
      title: "Win the enterprise segment",
      level: "team",
      teamId: sales.id,
      ownerIds: [olga.id],
    });
    rising = await f.keyResult(salesObjective.id, { title: "Enterprise deals", ownerIds: [olga.id] });
    falling = await f.keyResult(salesObjective.id, { title: "Renewal rate", ownerIds: [olga.id] });
    // A week ago (8 February, 42 % of plan expected): 10 % (at risk) and 80 % (on track).
    await f.checkIn(rising.id, { value: 10, at: "2026-02-01T10:00:00Z" });
    await f.checkIn(falling.id, { value: 80, at: "2026-02-01T10:00:00Z" });
    // Now (15 February, 51 % expected): 60 % (on track) and 30 % (behind).
    await f.checkIn(rising.id, { value: 60, at: "2026-02-14T10:00:00Z" });
    await f.checkIn(falling.id, { value: 30, at: "2026-02-13T10:00:00Z", note: "Two big accounts left" });

    stalled = await f.objective(q1.id, {
      title: "Open the inside-sales channel",
      level: "team",
      teamId: inside.id,
      ownerIds: [ivan.id],
    });
    stalledKr = await f.keyResult(stalled.id, { title: "Calls booked" });

    const done = await f.objective(q1.id, { title: "Ship the platform", level: "team", teamId: platform.id });
    const doneKr = await f.keyResult(done.id, { title: "Services migrated" });
    await f.checkIn(doneKr.id, { value: 100, at: "2026-01-20T10:00:00Z" });

    const orgWide = await f.objective(q1.id, { title: "Be the reference", ownerIds: [olga.id] });
    const orgKr = await f.keyResult(orgWide.id, { title: "Market share" });
    await f.checkIn(orgKr.id, { value: 45, at: "2026-02-10T10:00:00Z" });

    // Drafts count nowhere; a private objective counts only for those who may see it.
    const draft = await f.objective(q1.id, { title: "Maybe later", level: "team", teamId: sales.id, state: "draft" });
    await f.keyResult(draft.id, { title: "Draft KR" });
    secret = await f.objective(q1.id, {
      title: "Acquire Initech quietly",
      level: "team",
      teamId: platform.id,
      ownerIds: [olga.id],
      visibility: "private",
    });
    await f.keyResult(secret.id, { title: "Initech shares bought" });
  });
  afterAll(() => api.close());

  it("refuses a missing period and names unknown periods and teams as not found", async () => {
    const none = await api.call("GET", "/dashboard");
    expect(none.status).toBe(400);
    expect(none.body.error.message).toContain("periodId");
    expect((await get("periodId=00000000-0000-4000-8000-000000000000")).status).toBe(404);
    expect((await get(`periodId=${q1.id}&teamId=00000000-0000-4000-8000-000000000000`)).status).toBe(404);
  });

  it("counts each team's objectives by the status every objective reads with, drafts left out", async () => {
    const res = await get(`periodId=${q1.id}`);
    expect(res.status).toBe(200);
    const listed = (await api.call("GET", `/objectives?periodId=${q1.id}&limit=100`)).body.items as {
      teamId: string | null;
      status: string;
      state: string;
    }[];
    const expected = new Map<string | null, Record<string, number>>();
    for (const o of listed.filter((x) => x.state !== "draft")) {
      const row = expected.get(o.teamId) ?? {};
      row[o.status] = (row[o.status] ?? 0) + 1;
      expected.set(o.teamId, row);
    }
    const rows = res.body.teams;
    expect(rows.map((r) => [r.name, r.depth])).toEqual([
      [null, 0],
      ["Platform", 1],
      ["Sales", 1],
      ["Inside sales", 2],
    ]);
    for (const r of rows) {
      const nonzero = Object.fromEntries(Object.entries(r.statuses).filter(([, n]) => n > 0));
      expect(nonzero).toEqual(expected.get(r.teamId) ?? {});
    }
    const salesRow = rows.find((r) => r.teamId === sales.id)!;
    expect(salesRow.objectives).toBe(1); // the draft is not counted
    expect(salesRow.statuses.behind).toBe(1);
    expect(rows.find((r) => r.teamId === platform.id)!.objectives).toBe(2); // with the private one
  });

  it("lists the team shown and every team under it, and only their objectives", async () => {
    const rows = (await get(`periodId=${q1.id}&teamId=${sales.id}`)).body.teams;
    expect(rows.map((r) => [r.teamId, r.depth])).toEqual([
      [sales.id, 0],
      [inside.id, 1],
    ]);
    expect(rows[1]!.statuses.atRisk).toBe(1);
  });

  it("measures check-in freshness per team against the cadence", async () => {
    const rows = (await get(`periodId=${q1.id}`)).body.teams;
    const salesRow = rows.find((r) => r.teamId === sales.id)!;
    expect(salesRow).toMatchObject({ keyResults: 2, fresh: 2, neverCheckedIn: 0 });
    expect(salesRow.oldestCheckInAt).toBe("2026-02-13T10:00:00.000Z");
    expect(rows.find((r) => r.teamId === inside.id)).toMatchObject({ keyResults: 1, fresh: 0, neverCheckedIn: 1 });
    const platformRow = rows.find((r) => r.teamId === platform.id)!;
    expect(platformRow).toMatchObject({
      keyResults: 2,
      fresh: 0,
      neverCheckedIn: 1,
      oldestCheckInAt: "2026-01-20T10:00:00.000Z",
    });
  });

  it("lists the top risks worst first, with their owners and objectives", async () => {
    const risks = (await get(`periodId=${q1.id}`)).body.topRisks;
    const statuses = risks.map((r) => r.status);
    expect(statuses.lastIndexOf("atRisk")).toBeLessThan(statuses.indexOf("behind"));
    const stalledItem = risks.find((r) => r.id === stalled.id)!;
    expect(stalledItem).toMatchObject({ type: "objective", status: "atRisk", objective: null });
    expect(stalledItem.owners.map((o) => o.name)).toEqual(["Ivan Inside"]);
    // A key result without owners answers through its objective's owners.
    const kr = risks.find((r) => r.id === stalledKr.id)!;
    expect(kr).toMatchObject({ type: "keyResult", objective: { id: stalled.id, title: stalled.title } });
    expect(kr.owners.map((o) => o.name)).toEqual(["Ivan Inside"]);
    const fallingItem = risks.find((r) => r.id === falling.id)!;
    expect(fallingItem.status).toBe("behind");
    expect(risks.every((r) => r.status === "atRisk" || r.status === "behind")).toBe(true);
  });

  it("tells what changed since a week ago: movers, status changes and new risks", async () => {
    const { changes } = (await get(`periodId=${q1.id}`)).body;
    expect(changes.up[0]).toMatchObject({ id: rising.id, before: 0.1, after: 0.6 });
    expect(changes.down[0]).toMatchObject({ id: falling.id, before: 0.8, after: 0.3 });
    expect(changes.up.map((m) => m.id)).not.toContain(falling.id);
    const byId = new Map(changes.statusChanges.map((c) => [c.id, c]));
    expect(byId.get(rising.id)).toMatchObject({ from: "atRisk", status: "onTrack" });
    expect(byId.get(falling.id)).toMatchObject({ from: "onTrack", status: "behind" });
    // The objective's mean: 45 % then (on track at 43 % expected) and 45 % now (51 % expected).
    expect(byId.get(salesObjective.id)).toMatchObject({ from: "onTrack", status: "behind" });
    expect(changes.newRisks.map((c) => c.id)).toEqual([falling.id, salesObjective.id]);
    // The stalled objective was at risk a week ago too: no change.
    expect(byId.has(stalled.id)).toBe(false);
  });

  it("shows the clock's own changes: after the grace, an item without a check-in falls behind", async () => {
    const saved = api.clock.now;
    try {
      api.clock.now = Date.UTC(2026, 0, 10, 12); // 10 January: the grace (7 days) ended on the 8th
      const { changes, teams } = (await get(`periodId=${q1.id}`)).body;
      const insideRow = teams.find((r) => r.teamId === inside.id)!;
      expect(insideRow.statuses.behind).toBe(1);
      expect(changes.statusChanges.find((c) => c.id === stalled.id)).toMatchObject({
        from: "notStarted",
        status: "behind",
      });
    } finally {
      api.clock.now = saved;
    }
  });

  it("counts a private objective only for those who may see it", async () => {
    const admin = (await get(`periodId=${q1.id}`)).body;
    const member = await get(`periodId=${q1.id}`, memberToken);
    expect(member.status).toBe(200);
    const total = (d: Dashboard) => d.teams.reduce((n, r) => n + r.objectives, 0);
    expect(total(member.body)).toBe(total(admin) - 1);
    expect(member.body.teams.find((r) => r.teamId === platform.id)!.keyResults).toBe(1);
    expect(JSON.stringify(member.body)).not.toContain(secret.id);
  });
});
