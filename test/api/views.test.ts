/**
 * Views and lifecycle: the filtered objective list, the alignment tree, the coach,
 * postpone, period close, settings, and reading any of them as of a past moment.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiHarness, factories, startApi } from "../support/api.js";
import { DATABASE_KINDS } from "../support/databases.js";

interface Node {
  type: string;
  id: string;
  title: string;
  progress: number | null;
  status: string;
  flags: string[];
  alignment: { weight: number } | null;
  children: Node[];
}

describe.each(DATABASE_KINDS)("views and lifecycle on %s", (kind) => {
  let api: ApiHarness;
  let f: ReturnType<typeof factories>;
  let year: { id: string };
  let q1: { id: string };
  let q2: { id: string };
  let org: { id: string };
  let orgKr: { id: string };
  let team: { id: string };
  let teamKr: { id: string };
  let person: { id: string };
  let user: { id: string };
  let squad: { id: string };
  let postponed: { id: string; keyResults: { id: string; title: string }[] };
  beforeAll(async () => {
    api = await startApi(kind, Date.UTC(2026, 1, 15, 12));
    f = factories(api);
    year = await f.period({ name: "2026", kind: "year", startDate: "2026-01-01", endDate: "2026-12-31" });
    q1 = await f.period({ name: "Q1 2026", parentId: year.id });
    q2 = await f.period({ name: "Q2 2026", startDate: "2026-04-01", endDate: "2026-06-30", parentId: year.id });
    user = await f.user({ name: "Ola Owner", email: "ola@example.com" });
    squad = await f.team({ name: "Squad", ownerIds: [user.id] });
    org = await f.objective(year.id, { title: "Become the reference in our market", ownerIds: [user.id] });
    orgKr = await f.keyResult(org.id, {
      title: "Market share",
      start: 10,
      target: 30,
      progressMode: "rollup",
      ownerIds: [user.id],
    });
    team = await f.objective(q1.id, {
      title: "Win the enterprise segment",
      level: "team",
      teamId: squad.id,
      ownerIds: [user.id],
    });
    teamKr = await f.keyResult(team.id, { title: "Enterprise deals", start: 0, target: 10, ownerIds: [user.id] });
    await f.keyResult(team.id, { title: "Launch the partner portal", type: "milestone" });
    person = await f.objective(q1.id, { title: "Grow my pipeline", level: "individual", ownerIds: [user.id] });
    await f.keyResult(person.id, { title: "Qualified meetings", start: 0, target: 40, ownerIds: [user.id] });
    await f.align("objective", team.id, "keyResult", orgKr.id);
    await f.align("objective", person.id, "keyResult", teamKr.id, { weight: 2 });
    await f.checkIn(teamKr.id, { value: 4, at: "2026-02-01T10:00:00Z" });
    await f.checkIn(teamKr.id, { value: 6, at: "2026-02-14T10:00:00Z" });
  });
  afterAll(() => api.close());

  it("lists objectives with every filter", async () => {
    const ids = async (qs: string) =>
      (await api.call("GET", `/objectives?${qs}`)).body.items.map((o: { id: string }) => o.id);
    expect(await ids(`periodId=${q1.id}`)).toEqual([team.id, person.id]);
    expect(await ids(`teamId=${squad.id}`)).toEqual([team.id]);
    expect(await ids(`ownerId=${user.id}&level=individual`)).toEqual([person.id]);
    expect(await ids("q=ENTERPRISE")).toEqual([team.id]);
    expect(await ids("q=qualified")).toEqual([person.id]); // matches a KR title
    const statuses = (await api.call("GET", "/objectives")).body.items.map((o: { status: string }) => o.status);
    const some = statuses[0];
    expect(
      (await api.call("GET", `/objectives?status=${some}`)).body.items.every(
        (o: { status: string }) => o.status === some,
      ),
    ).toBe(true);
    expect((await api.call("GET", "/objectives?status=sleeping")).status).toBe(400);
    expect((await api.call("GET", "/objectives?level=planet")).status).toBe(400);
    const paged = (await api.call("GET", "/objectives?limit=1")).body;
    expect(paged.items).toHaveLength(1);
    expect(paged.nextCursor).not.toBeNull();
  });

  it("builds the tree of a period with its year, with figures and flags per node", async () => {
    const tree = (await api.call("GET", `/tree?periodId=${q1.id}`)).body;
    expect(tree.periodIds.sort()).toEqual([year.id, q1.id].sort());
    expect(tree.roots.map((n: Node) => n.id)).toEqual([org.id]);
    const root: Node = tree.roots[0];
    const kr = root.children.find((c) => c.id === orgKr.id)!;
    const teamNode = kr.children.find((c) => c.id === team.id)!;
    expect(teamNode.alignment).toMatchObject({ weight: 1 });
    const deals = teamNode.children.find((c) => c.id === teamKr.id)!;
    // Deals: 6/10 = 0.6; the individual objective aligned below with weight 2 and no check-in does not change the KR (it is manual).
    expect(deals.progress).toBeCloseTo(0.6, 12);
    expect(deals.children.map((c) => c.id)).toEqual([person.id]);
    // Team objective: mean of 0.6 and the milestone 0 = 0.3; org KR rolls it up.
    expect(teamNode.progress).toBeCloseTo(0.3, 12);
    expect(kr.progress).toBeCloseTo(0.3, 12);
    expect(root.progress).toBeCloseTo(0.3, 12);
    const personNode = deals.children[0]!;
    expect(personNode.flags).toContain("noCheckIn");
    const milestone = teamNode.children.find((c) => c.title.startsWith("Launch"))!;
    expect(milestone.flags).toContain("noOwner");

    const past = (await api.call("GET", `/tree?periodId=${q1.id}&asOf=2026-02-05T00:00:00Z`)).body;
    const pastDeals = past.roots[0].children[0].children[0].children.find((c: Node) => c.id === teamKr.id);
    expect(pastDeals.progress).toBeCloseTo(0.4, 12);
    expect((await api.call("GET", "/tree")).status).toBe(400);
    expect((await api.call("GET", "/tree?periodId=00000000-0000-4000-8000-000000000000")).status).toBe(404);
    expect((await api.call("GET", `/tree?periodId=${q1.id}&asOf=last-week`)).status).toBe(400);
  });

  it("builds the tree of one team or under one objective: the same nodes as the whole tree's subtree", async () => {
    const whole = (await api.call("GET", `/tree?periodId=${q1.id}`)).body;
    const find = (nodes: Node[], id: string): Node | undefined => {
      for (const n of nodes) {
        if (n.id === id) return n;
        const below = find(n.children, id);
        if (below) return below;
      }
      return undefined;
    };
    const strip = (n: Node): unknown => ({ ...n, alignment: null, children: n.children.map(strip) });
    const byTeam = (await api.call("GET", `/tree?periodId=${q1.id}&teamId=${squad.id}`)).body;
    expect(byTeam.roots.map((n: Node) => n.id)).toEqual([team.id]);
    expect(strip(byTeam.roots[0])).toEqual(strip(find(whole.roots, team.id)!));
    const byRoot = (await api.call("GET", `/tree?periodId=${q1.id}&rootId=${orgKr.id}`)).status;
    expect(byRoot).toBe(404); // a key result is not an objective
    const underOrg = (await api.call("GET", `/tree?periodId=${q1.id}&rootId=${org.id}`)).body;
    expect(underOrg.roots).toEqual(whole.roots);
    const past = (await api.call("GET", `/tree?periodId=${q1.id}&teamId=${squad.id}&asOf=2026-02-05T00:00:00Z`)).body;
    expect(past.roots[0].children.find((c: Node) => c.id === teamKr.id).progress).toBeCloseTo(0.4, 12);
    const both = await api.call("GET", `/tree?periodId=${q1.id}&teamId=${squad.id}&rootId=${org.id}`);
    expect(both.status).toBe(400);
    expect(both.body.error.message).toMatch(/teamId or rootId/);
    expect((await api.call("GET", `/tree?periodId=${q1.id}&teamId=00000000-0000-4000-8000-000000000000`)).status).toBe(
      404,
    );
    const q2Root = await api.call("GET", `/tree?periodId=${q2.id}&rootId=${team.id}`);
    expect(q2Root.status).toBe(400);
    expect(q2Root.body.error.message).toMatch(/periodId/);
  });

  it("charts progress over time in one request: each point equals the list read as of its instant", async () => {
    const res = await api.call("GET", `/series?periodId=${q1.id}`);
    expect(res.status).toBe(200);
    const { points } = res.body as {
      points: {
        at: string;
        progress: number;
        expectedProgress: number;
        objectives: number;
        statuses: Record<string, number>;
      }[];
    };
    // Q1 from 1 Jan to now (15 Feb 12:00): 5 whole weeks, then now.
    expect(points.map((p) => p.at)).toEqual([
      "2026-01-08T00:00:00.000Z",
      "2026-01-15T00:00:00.000Z",
      "2026-01-22T00:00:00.000Z",
      "2026-01-29T00:00:00.000Z",
      "2026-02-05T00:00:00.000Z",
      "2026-02-12T00:00:00.000Z",
      "2026-02-15T12:00:00.000Z",
    ]);
    for (const p of points) {
      const listed = (await api.call("GET", `/objectives?periodId=${q1.id}&asOf=${p.at}`)).body.items as {
        progress: number;
        expectedProgress: number;
        status: string;
        state: string;
      }[];
      const shown = listed.filter((o) => o.state !== "draft");
      const mean = (g: (o: (typeof shown)[number]) => number) => shown.reduce((a, o) => a + g(o), 0) / shown.length;
      expect(p.objectives).toBe(shown.length);
      expect(p.progress).toBeCloseTo(
        mean((o) => Math.min(1, o.progress)),
        12,
      );
      expect(p.expectedProgress).toBeCloseTo(
        mean((o) => o.expectedProgress),
        12,
      );
      for (const o of shown) expect(p.statuses[o.status]).toBeGreaterThan(0);
      expect(Object.values(p.statuses).reduce((a, b) => a + b, 0)).toBe(shown.length);
    }
    // Deals moved on 1 Feb (4/10) and 14 Feb (6/10): the team's line moves with them.
    const teamSeries = (await api.call("GET", `/series?periodId=${q1.id}&teamId=${squad.id}`)).body;
    expect(teamSeries.teamId).toBe(squad.id);
    expect(teamSeries.points.map((p: { progress: number }) => p.progress)).toEqual([0, 0, 0, 0, 0.2, 0.2, 0.3]);
    expect((await api.call("GET", "/series")).status).toBe(400);
    expect((await api.call("GET", "/series?periodId=00000000-0000-4000-8000-000000000000")).status).toBe(404);
    // A period that has not started yet has no point.
    expect((await api.call("GET", `/series?periodId=${q2.id}`)).body.points).toEqual([]);
  });

  it("reports the coach's findings with stable ids", async () => {
    const res = await api.call("GET", `/coach?periodId=${q1.id}`);
    expect(res.status).toBe(200);
    expect(res.body.nextCursor).toBeNull();
    const ids = res.body.items.map((x: { checkId: string }) => x.checkId);
    expect(ids).toContain("kr-task-like"); // the milestone "Launch the partner portal"
    expect(ids).toContain("kr-owner");
    expect(ids).toContain("kr-count"); // the individual objective has one KR
    expect(ids).toContain("no-check-in");
    for (const item of res.body.items) {
      expect(item).toEqual({
        checkId: expect.any(String),
        severity: expect.stringMatching(/^(error|warn|info)$/),
        objectType: expect.stringMatching(/^(objective|keyResult|user)$/),
        objectId: expect.any(String),
        message: expect.any(String),
        reason: expect.any(String),
      });
    }
    expect((await api.call("GET", "/coach")).status).toBe(400);
  });

  it("postpones into another period: a clone starting from the last value", async () => {
    const res = await api.call("POST", `/objectives/${team.id}/postpone`, { periodId: q2.id });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      title: "Win the enterprise segment",
      periodId: q2.id,
      state: "active",
      progress: 0,
    });
    expect(res.body.id).not.toBe(team.id);
    const deals = res.body.keyResults.find((k: { title: string }) => k.title === "Enterprise deals");
    expect(deals).toMatchObject({ start: 6, target: 10, current: 6, progress: 0 });
    expect((await api.call("GET", `/objectives/${team.id}`)).body.periodId).toBe(q1.id);
    expect((await api.call("GET", `/alignments?childId=${res.body.id}`)).body.items).toHaveLength(1);
    expect((await api.call("POST", `/objectives/${team.id}/postpone`, { periodId: q1.id })).status).toBe(400);
    expect((await api.call("POST", `/objectives/${team.id}/postpone`, {})).status).toBe(400);
    postponed = res.body;
  });

  it("postpones an objective into a period once: a second copy is a 409 naming the first, until it is deleted", async () => {
    const from = await f.period({ name: "Once from", startDate: "2027-01-01", endDate: "2027-03-31" });
    const into = await f.period({ name: "Once into", startDate: "2027-04-01", endDate: "2027-06-30" });
    const source = await f.objective(from.id, { title: "Continue me once" });
    const first = await api.call("POST", `/objectives/${source.id}/postpone`, { periodId: into.id });
    expect(first.status).toBe(201);
    const again = await api.call("POST", `/objectives/${source.id}/postpone`, { periodId: into.id });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain(first.body.id);
    expect(again.body.error.message).toMatch(/already continued into Once into/);
    expect((await api.call("DELETE", `/objectives/${first.body.id}`)).status).toBe(204);
    expect((await api.call("POST", `/objectives/${source.id}/postpone`, { periodId: into.id })).status).toBe(201);
  });

  it("audits a postponed clone, its key results and its alignments as created, with their snapshots", async () => {
    const events = async (action: string) =>
      (await api.call("GET", `/audit?action=${action}&order=desc&limit=500`)).body.items as {
        objectId: string;
        before: unknown;
        after: Record<string, unknown>;
      }[];
    const created = (await events("objective.created")).find((e) => e.objectId === postponed.id);
    expect(created?.before).toBeNull();
    expect(created?.after).toMatchObject({
      id: postponed.id,
      title: "Win the enterprise segment",
      periodId: q2.id,
      level: "team",
      teamId: squad.id,
      state: "active",
      visibility: "public",
    });
    const krEvents = (await events("keyResult.created")).filter((e) =>
      postponed.keyResults.some((k) => k.id === e.objectId),
    );
    expect(krEvents).toHaveLength(postponed.keyResults.length);
    const dealsCopy = postponed.keyResults.find((k) => k.title === "Enterprise deals")!;
    expect(krEvents.find((e) => e.objectId === dealsCopy.id)?.after).toMatchObject({
      id: dealsCopy.id,
      objectiveId: postponed.id,
      title: "Enterprise deals",
      start: 6,
      target: 10,
    });
    const alignment = (await api.call("GET", `/alignments?childId=${postponed.id}`)).body.items[0];
    const alignEvent = (await events("alignment.created")).find((e) => e.objectId === alignment.id);
    expect(alignEvent?.before).toBeNull();
    expect(alignEvent?.after).toEqual(alignment);
    const history = (await api.call("GET", `/objectives/${postponed.id}/history`)).body.items.map(
      (e: { action: string }) => e.action,
    );
    expect(history).toEqual(expect.arrayContaining(["objective.created", "keyResult.created", "alignment.created"]));
  });

  it("closes a whole period with a summary and scores", async () => {
    const res = await api.call("POST", `/periods/${q1.id}/close`, {});
    expect(res.status).toBe(200);
    expect(res.body.objectivesClosed).toBe(2);
    expect(res.body.period.closedAt).not.toBeNull();
    const byId = new Map(res.body.objectives.map((o: { id: string }) => [o.id, o]));
    // Team: KR scores 0.6 and 0 → 0.3 (red). Person: 0.
    expect(byId.get(team.id)).toMatchObject({ score: 0.3, grade: "red" });
    expect(byId.get(person.id)).toMatchObject({ score: 0, grade: "red" });
    expect(res.body.grades).toEqual({ red: 2, yellow: 0, green: 0 });
    const t = (await api.call("GET", `/objectives/${team.id}`)).body;
    expect(t).toMatchObject({ state: "closed", status: "closed", score: 0.3 });
    expect(t.keyResults.every((k: { closed: boolean }) => k.closed)).toBe(true);
    expect((await api.call("POST", `/key-results/${teamKr.id}/check-ins`, { value: 9 })).status).toBe(409);
  });

  it("audits every objective a period close closed, with before and after", async () => {
    const closed = (await api.call("GET", "/audit?action=objective.closed&limit=500")).body.items as {
      objectId: string;
      before: { state: string; keyResults: { closed: boolean }[] };
      after: { state: string; score: number; status: string; keyResults: { closed: boolean }[] };
    }[];
    expect(closed.map((e) => e.objectId).sort()).toEqual([team.id, person.id].sort());
    const teamEvent = closed.find((e) => e.objectId === team.id)!;
    expect(teamEvent.before.state).toBe("active");
    expect(teamEvent.before.keyResults.some((k) => k.closed)).toBe(false);
    expect(teamEvent.after).toMatchObject({ state: "closed", status: "closed", score: 0.3 });
    expect(teamEvent.after.keyResults.every((k) => k.closed)).toBe(true);
  });

  it("reads and changes settings; a bad time zone is refused", async () => {
    const s = (await api.call("GET", "/settings")).body;
    expect(s).toMatchObject({
      timeZone: "UTC",
      notStartedGraceDays: 7,
      behindThreshold: 0.25,
      initiativesCount: false,
    });
    expect((await api.call("PATCH", "/settings", { timeZone: "Mars/Olympus" })).status).toBe(400);
    const changed = (await api.call("PATCH", "/settings", { timeZone: "Europe/Paris", behindThreshold: 0.3 })).body;
    expect(changed).toMatchObject({ timeZone: "Europe/Paris", behindThreshold: 0.3 });
  });

  it("audits settings with the effective values on both sides, defaults included", async () => {
    const [first] = (await api.call("GET", "/audit?action=settings.updated&limit=500")).body.items;
    // The access rules were never saved before this change: their defaults are what applied.
    expect(first.before).toMatchObject({
      timeZone: "UTC",
      behindThreshold: 0.25,
      membersCreateTeamOkrs: true,
      privateUnderPublic: false,
    });
    expect(first.after).toMatchObject({
      timeZone: "Europe/Paris",
      behindThreshold: 0.3,
      membersCreateTeamOkrs: true,
      privateUnderPublic: false,
    });
    expect(Object.keys(first.before).sort()).toEqual(Object.keys(first.after).sort());
    await api.call("PATCH", "/settings", { privateUnderPublic: true });
    const last = (await api.call("GET", "/audit?action=settings.updated&order=desc&limit=1")).body.items[0];
    expect(last.before.privateUnderPublic).toBe(false);
    expect(last.after.privateUnderPublic).toBe(true);
    expect(last.before.timeZone).toBe("Europe/Paris");
  });
  it("lists what involves a person: objectives they own, or with a key result they own or stand in for", async () => {
    const q3 = await f.period({ name: "Q3 2026", startDate: "2026-07-01", endDate: "2026-09-30" });
    const kim = await f.user({ name: "Kim Keyholder", email: "kim@example.com" });
    const lee = await f.user({ name: "Lee Delegate", email: "lee@example.com" });
    const mine = await f.objective(q3.id, { title: "Ola's plan", level: "individual", ownerIds: [user.id] });
    const other = await f.objective(q3.id, { title: "Ola's other plan", level: "individual", ownerIds: [user.id] });
    await f.keyResult(mine.id, { title: "Kim's number", start: 0, target: 5, ownerIds: [kim.id] });
    await f.keyResult(other.id, { title: "Lee stands in", start: 0, target: 5, delegateIds: [lee.id] });
    const ids = async (qs: string) =>
      (await api.call("GET", `/objectives?periodId=${q3.id}&${qs}`)).body.items.map((o: { id: string }) => o.id);
    expect(await ids(`ownerId=${kim.id}`)).toEqual([]);
    expect(await ids(`involves=${kim.id}`)).toEqual([mine.id]);
    expect(await ids(`involves=${lee.id}`)).toEqual([other.id]);
    expect(await ids(`involves=${user.id}`)).toEqual([mine.id, other.id]);
    expect(await ids("involves=not-an-id")).toEqual([]);
  });
});

describe.each(DATABASE_KINDS)("terminology on %s", (kind) => {
  it("stores what the organisation calls its OKR items, and refuses blanks", async () => {
    const api = await startApi(kind);
    try {
      const ok = await api.call("PATCH", "/settings", {
        terminology: { objective: "Goal", keyResult: "Measure", initiative: "Project" },
      });
      expect(ok.status).toBe(200);
      expect((await api.call("GET", "/settings")).body.terminology).toEqual({
        objective: "Goal",
        keyResult: "Measure",
        initiative: "Project",
      });
      const bad = await api.call("PATCH", "/settings", { terminology: { objective: "", keyResult: "Measure" } });
      expect(bad.status).toBe(400);
      expect(bad.body.error.details).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^terminology\.objective:/),
          "terminology.initiative: is required",
        ]),
      );
    } finally {
      await api.close();
    }
  });
});
