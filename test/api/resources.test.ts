/**
 * Every resource route of /api/v1 with its error paths: periods, teams, users,
 * objectives, key results, alignments, check-ins, initiatives, KPIs.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiHarness, factories, startApi } from "../support/api.js";
import { DATABASE_KINDS } from "../support/databases.js";

const MISSING = "00000000-0000-4000-8000-000000000000";

describe.each(DATABASE_KINDS)("resources on %s", (kind) => {
  let api: ApiHarness;
  let f: ReturnType<typeof factories>;
  let q1: { id: string };
  beforeAll(async () => {
    api = await startApi(kind, Date.UTC(2026, 1, 15, 12));
    f = factories(api);
    q1 = await f.period();
  });
  afterAll(() => api.close());

  async function auditCount() {
    return (await api.call("GET", "/audit?limit=500")).body.items.length;
  }

  it("periods: create, list, get, patch, nest, refuse bad dates, delete", async () => {
    const year = await f.period({ name: "2027", kind: "year", startDate: "2027-01-01", endDate: "2027-12-31" });
    expect(year).toMatchObject({
      name: "2027",
      kind: "year",
      startDate: "2027-01-01",
      endDate: "2027-12-31",
      parentId: null,
      version: 1,
    });
    const q = await f.period({ name: "Q1 2027", startDate: "2027-01-01", endDate: "2027-03-31", parentId: year.id });
    expect(q.parentId).toBe(year.id);
    expect((await api.call("GET", `/periods/${q.id}`)).body).toEqual(q);
    const list = (await api.call("GET", "/periods")).body;
    expect(list.nextCursor).toBeNull();
    expect(list.items.map((p: { id: string }) => p.id)).toEqual(expect.arrayContaining([year.id, q.id]));
    const reversed = await api.call("PATCH", `/periods/${q.id}`, { endDate: "2026-12-01" });
    expect(reversed.status).toBe(400);
    expect(reversed.body.error.details[0]).toMatch(/^endDate:/);
    const loop = await api.call("PATCH", `/periods/${year.id}`, { parentId: q.id });
    expect(loop.status).toBe(400);
    const renamed = await api.call("PATCH", `/periods/${q.id}`, { name: "First quarter 2027" });
    expect(renamed.body).toMatchObject({ name: "First quarter 2027", version: 2 });
    expect(
      (
        await api.call("POST", "/periods", {
          name: "x",
          kind: "quarter",
          startDate: "2027-01-01",
          endDate: "2027-03-31",
          parentId: MISSING,
        })
      ).status,
    ).toBe(404);
    // A period that holds objectives cannot be deleted.
    await f.objective(q.id);
    const busy = await api.call("DELETE", `/periods/${q.id}`);
    expect(busy.status).toBe(409);
    expect(busy.body.error.code).toBe("CONFLICT");
    const empty = await f.period({ name: "Spare", kind: "custom", startDate: "2030-01-01", endDate: "2030-01-31" });
    expect((await api.call("DELETE", `/periods/${empty.id}`)).status).toBe(204);
    expect((await api.call("GET", `/periods/${empty.id}`)).status).toBe(404);
    expect((await api.call("DELETE", `/periods/${empty.id}`)).status).toBe(404);
  });

  it("pages lists with a cursor", async () => {
    for (let i = 0; i < 3; i++) await f.team({ name: `Paged ${i}` });
    const first = (await api.call("GET", "/teams?limit=2")).body;
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = (await api.call("GET", `/teams?limit=2&cursor=${first.nextCursor}`)).body;
    expect(second.items[0].id).not.toBe(first.items[1].id);
    expect((await api.call("GET", "/teams?limit=0")).status).toBe(400);
    expect((await api.call("GET", "/teams?cursor=@@@")).status).toBe(400);
  });

  it("teams and users: members, managers, teamIds, duplicates, deactivation", async () => {
    const lead = await f.user({ name: "Lea Lead", email: "lea@example.com" });
    const team = await f.team({ name: "Growth", ownerIds: [lead.id] });
    expect(team).toMatchObject({ name: "Growth", parentId: null, ownerIds: [lead.id], memberIds: [lead.id] });
    const sub = await f.team({ name: "Growth / Web", parentId: team.id });
    expect(sub.parentId).toBe(team.id);
    const member = await f.user({
      name: "Max Member",
      email: "max@example.com",
      managerId: lead.id,
      teamIds: [team.id, sub.id],
    });
    expect(member).toMatchObject({
      name: "Max Member",
      email: "max@example.com",
      managerId: lead.id,
      role: "member",
      active: true,
    });
    expect(member.teamIds.sort()).toEqual([team.id, sub.id].sort());
    expect((await api.call("GET", `/teams/${team.id}`)).body.memberIds.sort()).toEqual([lead.id, member.id].sort());
    const dup = await api.call("POST", "/users", { name: "Again", email: "LEA@example.com" });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe("ALREADY_EXISTS");
    expect((await api.call("POST", "/users", { name: "No mail", email: "nope" })).status).toBe(400);
    expect(
      (await api.call("POST", "/users", { name: "Ghost team", email: "g@example.com", teamIds: [MISSING] })).status,
    ).toBe(404);
    const cycle = await api.call("PATCH", `/users/${lead.id}`, { managerId: member.id });
    expect(cycle.status).toBe(400);
    const moved = await api.call("PATCH", `/users/${member.id}`, { teamIds: [team.id] });
    expect(moved.body.teamIds).toEqual([team.id]);
    expect((await api.call("GET", "/users")).body.items.length).toBeGreaterThanOrEqual(3);
    expect((await api.call("DELETE", `/users/${member.id}`)).status).toBe(204);
    expect((await api.call("GET", `/users/${member.id}`)).body.active).toBe(false);
    const teamLoop = await api.call("PATCH", `/teams/${team.id}`, { parentId: sub.id });
    expect(teamLoop.status).toBe(400);
    const busy = await api.call("DELETE", `/teams/${team.id}`);
    expect(busy.status).toBe(409); // it has a sub-team
    expect((await api.call("DELETE", `/teams/${sub.id}`)).status).toBe(204);
    expect((await api.call("GET", `/teams/${sub.id}`)).status).toBe(404);
  });

  it("objectives: defaults, validation, references, draft, delete with its KRs", async () => {
    const o = await f.objective(q1.id, { title: "Be the fastest" });
    expect(o).toMatchObject({
      title: "Be the fastest",
      description: "",
      level: "organization",
      teamId: null,
      ownerIds: [],
      periodId: q1.id,
      committed: false,
      state: "active",
      progress: 0,
      status: "atRisk", // no check-in 45 days in: past the 7-day grace, 0.51 behind plan
      score: null,
      forecast: null,
      version: 1,
      keyResults: [],
    });
    expect(o.expectedProgress).toBeCloseTo(45.5 / 90, 12);
    expect((await api.call("GET", `/objectives/${o.id}`)).body).toEqual(o);
    const draft = await f.objective(q1.id, { state: "draft" });
    expect(draft.state).toBe("draft");
    const bad = await api.call("POST", "/objectives", { title: "  ", level: "galaxy" });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^title:/),
        expect.stringMatching(/^level:/),
        "periodId: is required",
      ]),
    );
    expect(
      (await api.call("POST", "/objectives", { title: "x", level: "organization", periodId: MISSING })).status,
    ).toBe(404);
    expect(
      (
        await api.call("POST", "/objectives", {
          title: "x",
          level: "organization",
          periodId: q1.id,
          ownerIds: [MISSING],
        })
      ).status,
    ).toBe(404);
    expect((await api.call("PATCH", `/objectives/${o.id}`, { state: "closed" })).status).toBe(400);
    expect((await api.call("PATCH", `/objectives/${o.id}`, { progressOverride: -1 })).status).toBe(400);
    const overridden = await api.call("PATCH", `/objectives/${o.id}`, { progressOverride: 0.42 });
    expect(overridden.body).toMatchObject({ progress: 0.42, progressOverride: 0.42 });
    const kr = await f.keyResult(o.id);
    const before = await auditCount();
    expect((await api.call("DELETE", `/objectives/${o.id}`)).status).toBe(204);
    expect((await api.call("GET", `/objectives/${o.id}`)).status).toBe(404);
    expect((await api.call("GET", `/key-results/${kr.id}`)).status).toBe(404);
    expect(await auditCount()).toBe(before + 1);
  });

  it("key results: every type's required fields, defaults, currency, plan, weights, delete", async () => {
    const o = await f.objective(q1.id);
    const cases: [Record<string, unknown>, number, RegExp?][] = [
      [{ type: "increase", start: 0, target: 10 }, 201],
      [{ type: "increase", target: 10 }, 400, /^start:/],
      [{ type: "decrease", start: 5, target: 10 }, 400, /^target:/],
      [{ type: "decrease", start: "10.5", target: "2.25" }, 201],
      [{ type: "stayAbove", target: 99.5 }, 201],
      [{ type: "stayBelow" }, 400, /^target:/],
      [{ type: "milestone" }, 201],
      [{ type: "baseline" }, 201],
      [{ type: "increase", start: 0, target: 10, unit: "currency" }, 400, /^currency:/],
      [{ type: "increase", start: 0, target: 10, unit: "currency", currency: "eur" }, 400, /^currency:/],
      [{ type: "increase", start: 0, target: "1e3x" }, 400, /^target:/],
      [{ type: "increase", start: 0, target: 10, weight: -1 }, 400, /^weight:/],
      [{ type: "sideways", start: 0, target: 10 }, 400, /^type:/],
    ];
    for (const [body, status, detail] of cases) {
      const r = await api.call("POST", `/objectives/${o.id}/key-results`, { title: "KR", ...body });
      expect(r.status, JSON.stringify(body)).toBe(status);
      if (detail)
        expect(
          r.body.error.details.some((d: string) => detail.test(d)),
          JSON.stringify(r.body),
        ).toBe(true);
    }
    const kr = await f.keyResult(o.id, { type: "increase", start: "0.1", target: "0.30", unit: "percent" });
    expect(kr).toMatchObject({
      start: 0.1,
      target: 0.3,
      unit: "percent",
      currency: null,
      ownerIds: [],
      progressMode: "manual",
      rollup: "mean",
      progressOverride: null,
      weight: 1,
      plan: null,
      startDate: null,
      endDate: null,
      status: "atRisk",
      forecast: null,
    });
    const money = await f.keyResult(o.id, { start: 0, target: 1000, unit: "currency", currency: "EUR" });
    expect(money.currency).toBe("EUR");
    // Phased plan: 80 % of the way planned by the middle of February.
    const phased = await f.keyResult(o.id, { start: 0, target: 100, plan: [{ date: "2026-02-15", value: 80 }] });
    expect(phased.expectedProgress).toBeCloseTo(0.8 + 0.2 * (0.5 / 45), 9); // 12:00 on 02-15 is half a day past the point, 45 days to go
    const patched = await api.call("PATCH", `/key-results/${kr.id}`, { target: "0.5", version: 1 });
    expect(patched.body).toMatchObject({ target: 0.5, version: 2 });
    const wrong = await api.call("PATCH", `/key-results/${kr.id}`, { target: 0 });
    expect(wrong.status).toBe(400);
    expect((await api.call("GET", `/key-results/${kr.id}`)).body.target).toBe(0.5);
    const stale = await api.call("PATCH", `/key-results/${kr.id}`, { title: "x", version: 1 });
    expect(stale.status).toBe(409);
    expect(stale.body.error.details.current.version).toBe(2);
    const listed = (await api.call("GET", `/objectives/${o.id}/key-results`)).body.items;
    expect(listed.length).toBeGreaterThanOrEqual(6);
    expect((await api.call("DELETE", `/key-results/${kr.id}`)).status).toBe(204);
    expect((await api.call("GET", `/key-results/${kr.id}`)).status).toBe(404);
    expect(
      (await api.call("POST", `/objectives/${MISSING}/key-results`, { title: "x", type: "milestone" })).status,
    ).toBe(404);
  });

  it("check-ins: values, milestones, history kept on edit and delete, future refused, paging", async () => {
    const o = await f.objective(q1.id);
    const kr = await f.keyResult(o.id, { start: 100, target: 200 });
    const c1 = await f.checkIn(kr.id, { value: 120, at: "2026-01-10T10:00:00Z", confidence: 6, note: "Slow start" });
    expect(c1).toMatchObject({
      keyResultId: kr.id,
      value: 120,
      achieved: null,
      status: null,
      confidence: 6,
      note: "Slow start",
      at: "2026-01-10T10:00:00.000Z",
      version: 1,
    });
    const c2 = await f.checkIn(kr.id, { value: "150.5", status: "atRisk" });
    expect(c2.at).toBe(new Date(api.clock.now).toISOString());
    let k = (await api.call("GET", `/key-results/${kr.id}`)).body;
    expect(k.current).toBe(150.5);
    expect(k.progress).toBeCloseTo(0.505, 12);
    expect(k.status).toBe("atRisk"); // the manual status wins
    expect((await api.call("POST", `/key-results/${kr.id}/check-ins`, { note: "no value" })).status).toBe(400);
    expect((await api.call("POST", `/key-results/${kr.id}/check-ins`, { value: 1, confidence: 11 })).status).toBe(400);
    expect(
      (await api.call("POST", `/key-results/${kr.id}/check-ins`, { value: 1, at: "2026-03-01T00:00:00Z" })).status,
    ).toBe(400);
    expect((await api.call("POST", `/key-results/${kr.id}/check-ins`, { value: 1, at: "yesterday" })).status).toBe(400);
    expect((await api.call("POST", `/key-results/${MISSING}/check-ins`, { value: 1 })).status).toBe(404);

    const edited = await api.call("PATCH", `/check-ins/${c2.id}`, { value: 170, status: null });
    expect(edited.body).toMatchObject({ value: 170, status: null, version: 2 });
    k = (await api.call("GET", `/key-results/${kr.id}`)).body;
    expect(k.progress).toBeCloseTo(0.7, 12);
    expect((await api.call("PATCH", `/check-ins/${c2.id}`, { value: 1 }, { "if-match": "1" })).status).toBe(409);
    expect((await api.call("DELETE", `/check-ins/${c2.id}`)).status).toBe(204);
    k = (await api.call("GET", `/key-results/${kr.id}`)).body;
    expect(k.current).toBe(120);
    const history = (await api.call("GET", `/audit?objectType=checkIn&objectId=${c2.id}`)).body.items;
    expect(history.map((e: { action: string }) => e.action)).toEqual([
      "checkIn.created",
      "checkIn.updated",
      "checkIn.deleted",
    ]);
    expect(history[1].before.value).toBe(150.5);

    const milestone = await f.keyResult(o.id, { type: "milestone", title: "Security audit passed" });
    expect((await api.call("POST", `/key-results/${milestone.id}/check-ins`, { value: 1 })).status).toBe(400);
    await f.checkIn(milestone.id, { value: undefined, achieved: true });
    expect((await api.call("GET", `/key-results/${milestone.id}`)).body).toMatchObject({
      achieved: true,
      progress: 1,
      status: "onTrack",
    });

    for (let d = 11; d < 16; d++) await f.checkIn(kr.id, { value: 100 + d, at: `2026-01-${d}T10:00:00Z` });
    const page1 = (await api.call("GET", `/key-results/${kr.id}/check-ins?limit=4`)).body;
    expect(page1.items.map((c: { value: number }) => c.value)).toEqual([115, 114, 113, 112]);
    const page2 = (await api.call("GET", `/key-results/${kr.id}/check-ins?limit=4&cursor=${page1.nextCursor}`)).body;
    expect(page2.items.map((c: { value: number }) => c.value)).toEqual([111, 120]);
    expect(page2.nextCursor).toBeNull();
    const asOf = (await api.call("GET", `/key-results/${kr.id}/check-ins?asOf=2026-01-12T12:00:00Z`)).body;
    expect(asOf.items.map((c: { value: number }) => c.value)).toEqual([112, 111, 120]);
  });

  it("roll-up KRs: sum needs one unit, proportional weighs by size, override sticks", async () => {
    const o = await f.objective(q1.id, { title: "Revenue" });
    const total = await f.keyResult(o.id, {
      title: "Bookings",
      start: 0,
      target: 121,
      progressMode: "rollup",
      rollup: "sum",
      unit: "currency",
      currency: "USD",
    });
    const child = await f.objective(q1.id, { title: "Regions", level: "team" });
    const a = await f.keyResult(child.id, { title: "EMEA", start: 0, target: 100, unit: "currency", currency: "USD" });
    const b = await f.keyResult(child.id, { title: "APAC", start: 0, target: 20, unit: "currency", currency: "USD" });
    const c = await f.keyResult(child.id, { title: "LATAM", start: 0, target: 1, unit: "currency", currency: "USD" });
    const eur = await f.keyResult(child.id, {
      title: "In euros",
      start: 0,
      target: 1,
      unit: "currency",
      currency: "EUR",
    });
    for (const k of [a, b, c]) await f.align("keyResult", k.id, "keyResult", total.id);
    const mismatch = await api.call("POST", "/alignments", {
      childType: "keyResult",
      childId: eur.id,
      parentType: "keyResult",
      parentId: total.id,
    });
    expect(mismatch.status).toBe(400);
    await f.checkIn(a.id, { value: 50 });
    await f.checkIn(b.id, { value: 20 });
    expect((await api.call("GET", `/key-results/${total.id}`)).body).toMatchObject({ current: 70 });
    expect((await api.call("GET", `/key-results/${total.id}`)).body.progress).toBeCloseTo(70 / 121, 12);
    expect((await api.call("POST", `/key-results/${total.id}/check-ins`, { value: 3 })).status).toBe(400);

    // proportional: weights 100/121, 20/121, 1/121 → (100·0.5 + 20·1 + 1·0)/121
    await api.call("PATCH", `/key-results/${total.id}`, { rollup: "proportional" });
    expect((await api.call("GET", `/key-results/${total.id}`)).body.progress).toBeCloseTo(70 / 121, 12);
    // mean: (0.5 + 1 + 0)/3
    await api.call("PATCH", `/key-results/${total.id}`, { rollup: "mean" });
    expect((await api.call("GET", `/key-results/${total.id}`)).body.progress).toBeCloseTo(0.5, 12);
    const over = await api.call("PATCH", `/key-results/${total.id}`, { progressOverride: 0.9 });
    expect(over.body.progress).toBe(0.9);
    expect((await api.call("GET", `/objectives/${o.id}`)).body.progress).toBe(0.9);
    await api.call("PATCH", `/key-results/${total.id}`, { progressOverride: null });
    expect((await api.call("GET", `/objectives/${o.id}`)).body.progress).toBeCloseTo(0.5, 12);
  });

  it("alignments: list, patch weight and contributes, delete, references", async () => {
    const parent = await f.objective(q1.id, { title: "Parent" });
    const pk = await f.keyResult(parent.id, { progressMode: "rollup" });
    const c1 = await f.objective(q1.id, { title: "Child one", level: "team" });
    const c2 = await f.objective(q1.id, { title: "Child two", level: "team", progressOverride: 1 });
    await api.call("PATCH", `/objectives/${c1.id}`, { progressOverride: 0.2 });
    const e1 = await f.align("objective", c1.id, "keyResult", pk.id);
    expect(e1).toMatchObject({
      childType: "objective",
      childId: c1.id,
      parentType: "keyResult",
      parentId: pk.id,
      weight: 1,
      contributes: true,
      version: 1,
    });
    const e2 = await f.align("objective", c2.id, "keyResult", pk.id, { weight: 3 });
    expect((await api.call("GET", `/key-results/${pk.id}`)).body.progress).toBeCloseTo((0.2 + 3) / 4, 12);
    expect(
      (
        await api.call("POST", "/alignments", {
          childType: "objective",
          childId: c2.id,
          parentType: "keyResult",
          parentId: pk.id,
        })
      ).status,
    ).toBe(409);
    const off = await api.call("PATCH", `/alignments/${e2.id}`, { contributes: false });
    expect(off.body).toMatchObject({ contributes: false, version: 2 });
    expect((await api.call("GET", `/key-results/${pk.id}`)).body.progress).toBeCloseTo(0.2, 12);
    expect((await api.call("PATCH", `/alignments/${e2.id}`, { weight: 1, version: 1 })).status).toBe(409);
    expect((await api.call("GET", `/alignments/${e1.id}`)).body.id).toBe(e1.id);
    expect((await api.call("GET", `/alignments?childId=${c1.id}`)).body.items).toHaveLength(1);
    expect((await api.call("DELETE", `/alignments/${e1.id}`)).status).toBe(204);
    expect((await api.call("GET", `/key-results/${pk.id}`)).body.progress).toBe(0); // a mean roll-up with nothing left to count is 0, like an empty objective
    expect(
      (
        await api.call("POST", "/alignments", {
          childType: "objective",
          childId: MISSING,
          parentType: "keyResult",
          parentId: pk.id,
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await api.call("POST", "/alignments", {
          childType: "task",
          childId: c1.id,
          parentType: "keyResult",
          parentId: pk.id,
        })
      ).status,
    ).toBe(400);
  });

  it("initiatives and KPIs: create, list, get, patch, delete, values and health", async () => {
    const o = await f.objective(q1.id);
    const kr = await f.keyResult(o.id);
    const ini = (
      await api.call("POST", "/initiatives", {
        title: "Run onboarding experiments",
        objectiveId: o.id,
        keyResultId: kr.id,
        progress: 0.25,
      })
    ).body;
    expect(ini).toMatchObject({
      objectiveId: o.id,
      keyResultId: kr.id,
      state: "planned",
      progress: 0.25,
      weight: 1,
      version: 1,
    });
    expect((await api.call("GET", `/initiatives?objectiveId=${o.id}`)).body.items).toHaveLength(1);
    expect((await api.call("PATCH", `/initiatives/${ini.id}`, { state: "inProgress" })).body.state).toBe("inProgress");
    expect((await api.call("POST", "/initiatives", { title: "x", objectiveId: MISSING })).status).toBe(404);
    expect((await api.call("POST", "/initiatives", { title: "x", objectiveId: o.id, progress: 2 })).status).toBe(400);
    expect((await api.call("GET", `/initiatives/${ini.id}`)).status).toBe(200);
    expect((await api.call("DELETE", `/initiatives/${ini.id}`)).status).toBe(204);
    expect((await api.call("GET", `/initiatives/${ini.id}`)).status).toBe(404);

    const kpi = (
      await api.call("POST", "/kpis", { name: "Uptime", unit: "percent", healthyMin: 99.5, healthyMax: "100" })
    ).body;
    expect(kpi).toMatchObject({
      name: "Uptime",
      healthyMin: 99.5,
      healthyMax: 100,
      current: null,
      healthy: null,
      values: [],
    });
    expect((await api.call("POST", "/kpis", { name: "Bad", healthyMin: 5, healthyMax: 1 })).status).toBe(400);
    const v = await api.call("POST", `/kpis/${kpi.id}/values`, { value: 99.1, at: "2026-02-10T00:00:00Z" });
    expect(v.status).toBe(201);
    expect(v.body).toMatchObject({ kpiId: kpi.id, value: 99.1 });
    let got = (await api.call("GET", `/kpis/${kpi.id}`)).body;
    expect(got).toMatchObject({ current: 99.1, healthy: false });
    await api.call("POST", `/kpis/${kpi.id}/values`, { value: 99.9 });
    got = (await api.call("GET", `/kpis/${kpi.id}`)).body;
    expect(got).toMatchObject({ current: 99.9, healthy: true });
    expect(got.values).toHaveLength(2);
    expect((await api.call("GET", "/kpis")).body.items.length).toBeGreaterThanOrEqual(1);
    expect((await api.call("PATCH", `/kpis/${kpi.id}`, { healthyMax: 99 })).status).toBe(400);
    expect((await api.call("PATCH", `/kpis/${kpi.id}`, { name: "Availability" })).body.name).toBe("Availability");
    expect((await api.call("POST", `/kpis/${kpi.id}/values`, {})).status).toBe(400);
    expect((await api.call("DELETE", `/kpis/${kpi.id}`)).status).toBe(204);
    expect((await api.call("GET", `/kpis/${kpi.id}`)).status).toBe(404);
  });

  it("stores each owner, delegate and linked objective once, in the order first given", async () => {
    const a = (await f.user({ name: "Ana Again" })).id;
    const b = (await f.user({ name: "Ben Before" })).id;
    const o = await f.objective(q1.id, { title: "Twice named", level: "individual", ownerIds: [b, a, b, a] });
    expect(o.ownerIds).toEqual([b, a]);
    const patched = await api.call("PATCH", `/objectives/${o.id}`, { ownerIds: [a, a] });
    expect(patched.body.ownerIds).toEqual([a]);
    expect((await api.call("GET", `/objectives/${o.id}`)).body.ownerIds).toEqual([a]);

    const kr = await f.keyResult(o.id, { ownerIds: [a, a, b], delegateIds: [b, b] });
    expect(kr).toMatchObject({ ownerIds: [a, b], delegateIds: [b] });
    const krPatched = await api.call("PATCH", `/key-results/${kr.id}`, { ownerIds: [b, b], delegateIds: [a, b, a] });
    expect(krPatched.body).toMatchObject({ ownerIds: [b], delegateIds: [a, b] });
    expect((await api.call("GET", `/key-results/${kr.id}`)).body).toMatchObject({ ownerIds: [b], delegateIds: [a, b] });

    const ini = await api.call("POST", "/initiatives", { title: "Twice", objectiveId: o.id, ownerIds: [a, a] });
    expect(ini.body.ownerIds).toEqual([a]);
    const iniPatched = await api.call("PATCH", `/initiatives/${ini.body.id}`, { ownerIds: [b, a, b] });
    expect(iniPatched.body.ownerIds).toEqual([b, a]);

    const other = await f.objective(q1.id, { title: "Linked twice" });
    const kpi = await api.call("POST", "/kpis", {
      name: "Twice",
      ownerIds: [a, a],
      objectiveIds: [other.id, other.id],
    });
    expect(kpi.body).toMatchObject({ ownerIds: [a], objectiveIds: [other.id] });
    const kpiPatched = await api.call("PATCH", `/kpis/${kpi.body.id}`, { ownerIds: [a, b, b] });
    expect(kpiPatched.body.ownerIds).toEqual([a, b]);
  });

  it("a rejected request leaves nothing half-written", async () => {
    const before = await auditCount();
    const objectivesBefore = (await api.call("GET", "/objectives?limit=500")).body.items.length;
    // The KR references an unknown owner: the whole request fails, no objective or KR appears.
    const o = await f.objective(q1.id, { title: "Atomic" });
    const r = await api.call("POST", `/objectives/${o.id}/key-results`, {
      title: "x",
      type: "milestone",
      ownerIds: [MISSING],
    });
    expect(r.status).toBe(404);
    expect((await api.call("GET", `/objectives/${o.id}`)).body.keyResults).toHaveLength(0);
    expect((await api.call("GET", "/objectives?limit=500")).body.items.length).toBe(objectivesBefore + 1);
    expect(await auditCount()).toBe(before + 1);
  });
});
