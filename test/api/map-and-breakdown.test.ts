/**
 * The alignment map's reads and an objective's progress breakdown (#11): team clusters with
 * their counts and status summary, the organisation's level of the tree, and what makes up an
 * objective's percentage. Each costs what its answer holds.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokenForEmail } from "../../src/services/auth.service.js";
import { type ApiHarness, factories, startApi } from "../support/api.js";
import { DATABASE_KINDS } from "../support/databases.js";
import { recordStatements } from "../support/statements.js";

interface Cluster {
  id: string;
  name: string;
  subTeams: number;
  objectives: number;
  statuses: Record<string, number>;
  progress: number | null;
}

describe.each(DATABASE_KINDS)("alignment map and progress breakdown on %s", (kind) => {
  let api: ApiHarness;
  let f: ReturnType<typeof factories>;
  let periodId: string;
  let sales: { id: string };
  let emea: { id: string };
  let company: { id: string; keyResults?: unknown };
  let companyKr: { id: string };
  let teamObjective: { id: string };
  let memberToken: string;
  let secret: { id: string };
  let draft: { id: string };
  beforeAll(async () => {
    api = await startApi(kind, Date.UTC(2026, 1, 15, 12));
    f = factories(api);
    periodId = (await f.period()).id;
    const lead = await f.user({ name: "Lena Lead", email: "lena@example.com" });
    await f.user({ name: "Max Member", email: "max@example.com" });
    memberToken = (await createTokenForEmail(api.database, "max@example.com")).token;
    sales = await f.team({ name: "Sales", ownerIds: [lead.id] });
    emea = await f.team({ name: "Sales EMEA", parentId: sales.id });
    await f.team({ name: "Support" });
    company = await f.objective(periodId, { title: "Grow the business", ownerIds: [lead.id] });
    companyKr = await f.keyResult(company.id, { title: "Revenue", start: 0, target: 100, weight: 3 });
    await f.checkIn(companyKr.id, { value: 50, at: "2026-02-10T10:00:00Z" });
    teamObjective = await f.objective(periodId, {
      title: "Win deals",
      level: "team",
      teamId: sales.id,
      ownerIds: [lead.id],
    });
    const deals = await f.keyResult(teamObjective.id, { title: "Deals", start: 0, target: 10 });
    await f.checkIn(deals.id, { value: 10, at: "2026-02-12T10:00:00Z" });
    await f.align("objective", teamObjective.id, "objective", company.id, { weight: 1 });
    // A private child the member may not see, and a draft that counts nowhere.
    expect((await api.call("PATCH", "/settings", { privateUnderPublic: true })).status).toBe(200);
    secret = await f.objective(periodId, {
      title: "Quiet deal",
      level: "team",
      teamId: sales.id,
      ownerIds: [lead.id],
      visibility: "private",
    });
    await f.align("objective", secret.id, "objective", company.id, { weight: 4 });
    draft = await f.objective(periodId, { title: "Still a draft", level: "team", teamId: sales.id, state: "draft" });
    await f.align("objective", draft.id, "objective", company.id, { weight: 5 });
  });
  afterAll(() => api.close());

  const clusters = async (qs: string, headers?: Record<string, string>) => {
    const r = await api.call("GET", `/tree/teams?periodId=${periodId}${qs}`, undefined, headers);
    expect(r.status).toBe(200);
    return r.body as { items: Cluster[]; nextCursor: string | null };
  };

  it("lists the top-level teams as clusters with their objectives' count and status summary", async () => {
    const page = await clusters("");
    expect(page.items.map((c) => c.name)).toEqual(["Sales", "Support"]);
    const s = page.items[0]!;
    expect(s).toMatchObject({ id: sales.id, subTeams: 1, objectives: 2 });
    expect(Object.values(s.statuses).reduce((a, b) => a + b, 0)).toBe(2);
    expect(s.statuses.onTrack).toBeGreaterThanOrEqual(1);
    expect(page.items[1]).toMatchObject({ objectives: 0, subTeams: 0, progress: null });
  });

  it("hides private objectives from who may not see them, in the count too", async () => {
    const page = await clusters("", { authorization: `Bearer ${memberToken}` });
    expect(page.items[0]).toMatchObject({ id: sales.id, objectives: 1, progress: 1 });
  });

  it("lists a team's sub-teams, or named teams, and pages by name", async () => {
    expect((await clusters(`&parentId=${sales.id}`)).items.map((c) => c.id)).toEqual([emea.id]);
    expect((await clusters(`&ids=${emea.id}`)).items.map((c) => c.name)).toEqual(["Sales EMEA"]);
    const first = await clusters("&limit=1");
    expect(first.items.map((c) => c.name)).toEqual(["Sales"]);
    const second = await clusters(`&limit=1&cursor=${encodeURIComponent(first.nextCursor!)}`);
    expect(second.items.map((c) => c.name)).toEqual(["Support"]);
    expect(second.nextCursor).toBeNull();
  });

  it("refuses a bad query with what to fix, and an unknown period as not found", async () => {
    const both = await api.call("GET", `/tree/teams?periodId=${periodId}&parentId=${sales.id}&ids=${emea.id}`);
    expect(both.status).toBe(400);
    expect(both.body.error.message).toMatch(/parentId or ids, not both/);
    const none = await api.call("GET", "/tree/teams");
    expect(none.status).toBe(400);
    expect(none.body.error.message).toMatch(/periodId/);
    expect((await api.call("GET", `/tree/teams?periodId=${sales.id}`)).status).toBe(404);
    expect((await api.call("GET", `/tree/teams?periodId=${periodId}`, undefined, { authorization: "" })).status).toBe(
      401,
    );
  });

  it("gives the organisation's level of the tree: its objectives and key results, nothing below", async () => {
    const r = await api.call("GET", `/tree?periodId=${periodId}&level=organization`);
    expect(r.status).toBe(200);
    expect(r.body.roots.map((n: { id: string }) => n.id)).toEqual([company.id]);
    expect(r.body.roots[0].children.map((n: { id: string }) => n.id)).toEqual([companyKr.id]);
    const bad = await api.call("GET", `/tree?periodId=${periodId}&level=team`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/organization/);
    const both = await api.call("GET", `/tree?periodId=${periodId}&level=organization&teamId=${sales.id}`);
    expect(both.status).toBe(400);
  });

  it("breaks an objective's progress into weights, shares and contributions that sum to it", async () => {
    const r = await api.call("GET", `/objectives/${company.id}/breakdown`);
    expect(r.status).toBe(200);
    const b = r.body;
    // Own KR (weight 3, 50 %), the team objective (weight 1, 100 %), the private one (weight 4, 0 %); not the draft.
    expect(b.items.map((i: { title: string }) => i.title)).toEqual(["Revenue", "Win deals", "Quiet deal"]);
    expect(b.items.map((i: { weight: number }) => i.weight)).toEqual([3, 1, 4]);
    expect(b.items.map((i: { share: number }) => i.share)).toEqual([3 / 8, 1 / 8, 4 / 8]);
    const sum = b.items.reduce((n: number, i: { contribution: number }) => n + i.contribution, 0);
    // The draft counts nowhere (okr-method §3): the roll-up is over the three others.
    expect(sum).toBeCloseTo(b.rollup, 9);
    expect(b.rollup).toBeCloseTo((3 * 0.5 + 1 * 1) / 8, 9);
    const team = (await api.call("GET", `/objectives/${teamObjective.id}/breakdown`)).body;
    expect(team.items.map((i: { title: string; share: number }) => [i.title, i.share])).toEqual([["Deals", 1]]);
    expect(team.rollup).toBeCloseTo(team.progress, 9);
    expect(team.progress).toBe(1);
    expect(b.hidden).toEqual({ count: 0, share: 0 });
    expect(b.items[1]).toMatchObject({ type: "objective", source: "aligned", objectiveId: teamObjective.id });
  });

  it("keeps what a person may not see out of the breakdown, saying how much weight it carries", async () => {
    const r = await api.call("GET", `/objectives/${company.id}/breakdown`, undefined, {
      authorization: `Bearer ${memberToken}`,
    });
    expect(r.status).toBe(200);
    expect(r.body.items.map((i: { id: string }) => i.id)).not.toContain(secret.id);
    expect(r.body.hidden).toEqual({ count: 1, share: 0.5 });
    const hiddenOne = await api.call("GET", `/objectives/${secret.id}/breakdown`, undefined, {
      authorization: `Bearer ${memberToken}`,
    });
    expect(hiddenOne.status).toBe(404);
    expect((await api.call("GET", `/objectives/${sales.id}/breakdown`)).status).toBe(404);
  });
});

describe.each(DATABASE_KINDS)("what the map's reads cost on %s", (kind) => {
  const sizes = [3, 30] as const;
  const orgs = new Map<number, { api: ApiHarness; periodId: string; teamObjectiveId: string; teamIds: string }>();
  beforeAll(async () => {
    for (const size of sizes) {
      const api = await startApi(kind, Date.UTC(2026, 1, 15, 12));
      const f = factories(api);
      const periodId = (await f.period()).id;
      const company = await f.objective(periodId, { title: "Company" });
      await f.keyResult(company.id, { title: "Company KR" });
      const ids: string[] = [];
      let teamObjectiveId = "";
      for (let t = 0; t < size; t++) {
        const team = await f.team({ name: `Team ${String(t).padStart(2, "0")}` });
        ids.push(team.id);
        const o = await f.objective(periodId, { title: `Team ${t}`, level: "team", teamId: team.id });
        const kr = await f.keyResult(o.id, { title: `KR ${t}` });
        await f.checkIn(kr.id, { value: 20 + t, at: "2026-02-01T10:00:00Z" });
        await f.align("objective", o.id, "objective", company.id);
        teamObjectiveId ||= o.id;
      }
      orgs.set(size, { api, periodId, teamObjectiveId, teamIds: ids.slice(0, 2).join(",") });
    }
  }, 300_000);
  afterAll(async () => {
    for (const { api } of orgs.values()) await api.close();
  });

  const reads: [string, (o: { periodId: string; teamObjectiveId: string; teamIds: string }) => string][] = [
    ["a page of two team clusters", (o) => `/tree/teams?periodId=${o.periodId}&limit=2`],
    ["two named team clusters", (o) => `/tree/teams?periodId=${o.periodId}&ids=${o.teamIds}`],
    ["the organisation's level of the tree", (o) => `/tree?periodId=${o.periodId}&level=organization`],
    ["a team objective's breakdown", (o) => `/objectives/${o.teamObjectiveId}/breakdown`],
  ];
  it.each(reads)("reads as many rows for %s in an organisation ten times the size", async (_what, url) => {
    const costs = [];
    for (const size of sizes) {
      const org = orgs.get(size)!;
      await org.api.call("GET", "/me");
      let status = 0;
      const log = await recordStatements(org.api, async () => {
        status = (await org.api.call("GET", url(org))).status;
      });
      expect(status).toBe(200);
      costs.push({ statements: log.length, rows: log.reduce((n, s) => n + s.rows, 0) });
    }
    expect(costs[0]!.rows).toBeGreaterThan(0);
    expect(costs[1]).toEqual(costs[0]);
  });
});
