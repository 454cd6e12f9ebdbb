/**
 * Managing periods (a year with its quarters in one step, deleting only an empty one) and
 * closing a period safely: the preview says exactly what a close does, and reopening the
 * period restores what its close closed — only that. Members are refused every admin step.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokenForEmail } from "../../src/services/auth.service.js";
import { type ApiHarness, factories, startApi } from "../support/api.js";
import { DATABASE_KINDS } from "../support/databases.js";

describe.each(DATABASE_KINDS)("periods, close preview and reopen on %s", (kind) => {
  let api: ApiHarness;
  let f: ReturnType<typeof factories>;
  let memberToken: string;
  const asMember = (method: string, url: string, body?: unknown) =>
    api.call(method, url, body, { authorization: `Bearer ${memberToken}` });

  beforeAll(async () => {
    api = await startApi(kind);
    f = factories(api);
    await api.call("POST", "/users", { name: "Mia Member", email: "mia@p.example", invite: false });
    memberToken = (await createTokenForEmail(api.database, "mia@p.example")).token;
  });
  afterAll(async () => {
    await api?.close();
  });

  it("creates a year with its four quarters in one step, and refuses the same year twice", async () => {
    const r = await api.call("POST", "/periods/years", { year: 2027 });
    expect(r.status).toBe(201);
    expect(r.body.year).toMatchObject({ name: "2027", kind: "year", startDate: "2027-01-01", endDate: "2027-12-31" });
    expect(
      r.body.quarters.map((q: { name: string; startDate: string; endDate: string; parentId: string }) => q),
    ).toEqual(
      [
        ["Q1 2027", "2027-01-01", "2027-03-31"],
        ["Q2 2027", "2027-04-01", "2027-06-30"],
        ["Q3 2027", "2027-07-01", "2027-09-30"],
        ["Q4 2027", "2027-10-01", "2027-12-31"],
      ].map(([name, startDate, endDate]) =>
        expect.objectContaining({ name, kind: "quarter", startDate, endDate, parentId: r.body.year.id }),
      ),
    );
    const listed = (await api.call("GET", "/periods?limit=100")).body.items.map((p: { name: string }) => p.name);
    expect(listed).toEqual(expect.arrayContaining(["2027", "Q1 2027", "Q4 2027"]));

    const again = await api.call("POST", "/periods/years", { year: 2027, name: "Again" });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain('The year "2027"');
    // Nothing of the refused attempt was kept.
    const after = (await api.call("GET", "/periods?limit=100")).body.items;
    expect(after.filter((p: { name: string }) => p.name.includes("Again"))).toEqual([]);

    const fiscal = await api.call("POST", "/periods/years", { year: 2027, startMonth: 7 });
    expect(fiscal.status).toBe(201);
    expect(fiscal.body.year).toMatchObject({ name: "FY 2027", startDate: "2027-07-01", endDate: "2028-06-30" });

    const bad = await api.call("POST", "/periods/years", { year: 27.5, startMonth: 13 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^year: /),
        expect.stringMatching(/^startMonth: .*1 \(January\) to 12/),
      ]),
    );
  });

  it("renames a period, deletes an empty one, and refuses one with objectives saying how many", async () => {
    const { year, quarters } = (await api.call("POST", "/periods/years", { year: 2030 })).body;
    const renamed = await api.call("PATCH", `/periods/${quarters[0].id}`, { name: "Winter 2030" });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe("Winter 2030");

    await f.objective(quarters[1].id, { title: "One" });
    await f.objective(quarters[1].id, { title: "Two" });
    const refused = await api.call("DELETE", `/periods/${quarters[1].id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain("still holds 2 objectives");
    const parent = await api.call("DELETE", `/periods/${year.id}`);
    expect(parent.status).toBe(409);
    expect(parent.body.error.message).toContain("sub-periods (Winter 2030, Q2 2030, Q3 2030, Q4 2030)");

    expect((await api.call("DELETE", `/periods/${quarters[3].id}`)).status).toBe(204);
    expect((await api.call("GET", `/periods/${quarters[3].id}`)).status).toBe(404);
  });

  it("previews a close exactly, closes, and reopening restores only what the close closed", async () => {
    const p = await f.period({ name: "Q3 2025", startDate: "2025-07-01", endDate: "2025-09-30" });
    const a = await f.objective(p.id, { title: "Ship the new plan", committed: true });
    const a1 = await f.keyResult(a.id, { title: "Plans sold", start: 0, target: 100 });
    const a2 = await f.keyResult(a.id, { title: "Churn", start: 0, target: 100, weight: 3 });
    await f.checkIn(a1.id, { value: 65, at: "2025-09-01T10:00:00Z" });
    await f.checkIn(a2.id, { value: 20, at: "2025-09-01T10:00:00Z" });
    const draft = await f.objective(p.id, { title: "An idea", state: "draft" });
    await f.keyResult(draft.id, { title: "Measure it", start: 0, target: 10 });
    const early = await f.objective(p.id, { title: "Done early" });
    await f.keyResult(early.id, { title: "Finished", start: 0, target: 1 });
    expect((await api.call("POST", `/objectives/${early.id}/close`, { score: 0.9 })).status).toBe(200);

    const preview = await api.call("GET", `/periods/${p.id}/close-preview`);
    expect(preview.status).toBe(200);
    expect(preview.body.objectives).toEqual({ total: 3, toClose: 2, drafts: 1, alreadyClosed: 1 });
    expect(preview.body.keyResults).toEqual({ total: 4, toClose: 3 });
    const byId = new Map(preview.body.items.map((i: { id: string }) => [i.id, i]));
    // KR scores 0.7 (0.65 half up) and 0.2, weights 1 and 3: (0.7 + 0.6) / 4 = 0.325 → 0.3.
    expect(byId.get(a.id)).toMatchObject({ state: "active", suggestedScore: 0.3, score: null, keyResults: 2 });
    expect(byId.get(draft.id)).toMatchObject({ state: "draft", suggestedScore: 0 });
    expect(byId.get(early.id)).toMatchObject({ state: "closed", suggestedScore: null, score: 0.9 });
    expect(preview.body.averageSuggestedScore).toBe(0.3);
    expect(preview.body.reopens).toBe(0);

    const closed = await api.call("POST", `/periods/${p.id}/close`, {});
    expect(closed.status).toBe(200);
    expect(closed.body.objectivesClosed).toBe(2);
    expect((await api.call("GET", `/objectives/${a.id}`)).body).toMatchObject({ state: "closed", score: 0.3 });
    // The close did what its preview said: the committed objective was scored as suggested.
    const afterClose = (await api.call("GET", `/periods/${p.id}/close-preview`)).body;
    expect(afterClose.objectives.toClose).toBe(0);
    expect(afterClose.reopens).toBe(2);
    expect((await f.checkIn(a1.id, { value: 70 }).catch((e: Error) => e.message)) as string).toContain("409");

    const reopened = await api.call("POST", `/periods/${p.id}/reopen`);
    expect(reopened.status).toBe(200);
    expect(reopened.body.period.closedAt).toBeNull();
    expect(reopened.body.objectives).toEqual(
      expect.arrayContaining([
        { id: a.id, title: "Ship the new plan", state: "active" },
        { id: draft.id, title: "An idea", state: "draft" },
      ]),
    );
    expect(reopened.body.objectivesReopened).toBe(2);
    const aNow = (await api.call("GET", `/objectives/${a.id}`)).body;
    expect(aNow).toMatchObject({ state: "active", score: null });
    expect(aNow.status).not.toBe("closed");
    expect((await api.call("GET", `/objectives/${draft.id}`)).body).toMatchObject({ state: "draft", score: null });
    // Closed on its own before the period close: stays closed with its score.
    expect((await api.call("GET", `/objectives/${early.id}`)).body).toMatchObject({ state: "closed", score: 0.9 });
    // Its key results take check-ins again, and the roll-up follows them.
    await f.checkIn(a1.id, { value: 100, at: "2025-09-02T10:00:00Z" });
    const rolled = (await api.call("GET", `/objectives/${a.id}`)).body;
    expect(rolled.progress).toBeCloseTo((1 + 3 * 0.2) / 4, 12);

    const audit = await api.call("GET", `/audit?objectType=period&objectId=${p.id}`);
    expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual(
      expect.arrayContaining(["period.closed", "period.reopened"]),
    );
    const again = await api.call("POST", `/periods/${p.id}/reopen`);
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain("is not closed");
  });

  it("refuses reopening one objective of a closed period, so the period reopens as it closed", async () => {
    const p = await f.period({ name: "Q2 2025", startDate: "2025-04-01", endDate: "2025-06-30" });
    const x = await f.objective(p.id, { title: "Rebuilt by hand" });
    const y = await f.objective(p.id, { title: "Left to the period" });
    expect((await api.call("POST", `/periods/${p.id}/close`, {})).status).toBe(200);
    const refused = await api.call("POST", `/objectives/${x.id}/reopen`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain('The period "Q2 2025" is closed');

    const r = await api.call("POST", `/periods/${p.id}/reopen`);
    expect(r.body.objectives.map((o: { id: string }) => o.id).sort()).toEqual([x.id, y.id].sort());
    expect((await api.call("GET", `/objectives/${x.id}`)).body.state).toBe("active");
    expect((await api.call("GET", `/objectives/${y.id}`)).body.state).toBe("active");
  });

  it("refuses members every admin step on periods with 403, and lets them read", async () => {
    const p = await f.period({ name: "Q1 2024", startDate: "2024-01-01", endDate: "2024-03-31" });
    await f.objective(p.id, { title: "Members may not close this" });
    const refused = [
      await asMember("POST", "/periods/years", { year: 2031 }),
      await asMember("POST", "/periods", {
        name: "Mine",
        kind: "custom",
        startDate: "2031-01-01",
        endDate: "2031-02-01",
      }),
      await asMember("PATCH", `/periods/${p.id}`, { name: "Renamed" }),
      await asMember("DELETE", `/periods/${p.id}`),
      await asMember("GET", `/periods/${p.id}/close-preview`),
      await asMember("POST", `/periods/${p.id}/close`, {}),
      await asMember("POST", `/periods/${p.id}/reopen`),
    ];
    expect(refused.map((r) => r.status)).toEqual([403, 403, 403, 403, 403, 403, 403]);
    expect(refused[5]?.body.error.code).toBe("FORBIDDEN");
    expect((await api.call("GET", `/periods/${p.id}`)).body).toMatchObject({ name: "Q1 2024", closedAt: null });
    expect((await asMember("GET", "/periods")).status).toBe(200);
  });

  it("reopens a period closed before closes were marked (migration 0011), by the close's instant", async () => {
    const p = await f.period({ name: "Legacy Q", startDate: "2025-10-01", endDate: "2025-12-31" });
    const a = await f.objective(p.id, { title: "Closed by the period" });
    await f.keyResult(a.id, { start: 0, target: 10 });
    const own = await f.objective(p.id, { title: "Closed on its own" });
    await f.keyResult(own.id, { start: 0, target: 10 });
    expect((await api.call("POST", `/objectives/${own.id}/close`, {})).status).toBe(200);
    api.clock.now += 60_000;
    expect((await api.call("POST", `/periods/${p.id}/close`, {})).status).toBe(200);
    // As a close made by an earlier version left it: no mark on the objectives.
    await api.database.db.execute(sql`update objectives set closed_by_period_id = null where period_id = ${p.id}`);
    expect((await api.call("GET", `/periods/${p.id}/close-preview`)).body.reopens).toBe(1);
    const reopened = await api.call("POST", `/periods/${p.id}/reopen`);
    expect(reopened.status).toBe(200);
    expect(reopened.body.objectives.map((o: { id: string }) => o.id)).toEqual([a.id]);
    expect((await api.call("GET", `/objectives/${own.id}`)).body.state).toBe("closed");
  });
});
