/**
 * Editing OKRs after creation: reordering an objective's key results (PATCH `position`),
 * the team a team-level objective needs, and publishing a draft — with who may do each.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokenForEmail } from "../../src/services/auth.service.js";
import { type ApiHarness, factories, startApi } from "../support/api.js";
import { DATABASE_KINDS } from "../support/databases.js";

describe.each(DATABASE_KINDS)("editing objectives and key results on %s", (kind) => {
  let api: ApiHarness;
  let f: ReturnType<typeof factories>;
  let periodId: string;
  let member: { id: string; auth: Record<string, string> };
  beforeAll(async () => {
    api = await startApi(kind);
    f = factories(api);
    periodId = (await f.period()).id;
    const user = await f.user({ name: "Mia Member", email: "mia@example.com", role: "member" });
    member = {
      id: user.id,
      auth: { authorization: `Bearer ${(await createTokenForEmail(api.database, "mia@example.com")).token}` },
    };
  });
  afterAll(() => api.close());

  const titles = async (objectiveId: string) =>
    (
      (await api.call("GET", `/objectives/${objectiveId}`)).body.keyResults as { title: string; position: number }[]
    ).map((k) => `${k.position}:${k.title}`);

  it("moves a key result to a position, the others keeping their order around it", async () => {
    const o = await f.objective(periodId, { title: "Reorder me" });
    const a = await f.keyResult(o.id, { title: "A" });
    await f.keyResult(o.id, { title: "B" });
    const c = await f.keyResult(o.id, { title: "C" });
    expect(await titles(o.id)).toEqual(["0:A", "1:B", "2:C"]);

    const moved = await api.call("PATCH", `/key-results/${c.id}`, { position: 0, version: c.version });
    expect(moved.status).toBe(200);
    expect(moved.body.position).toBe(0);
    expect(moved.body.version).toBe(c.version + 1);
    expect(await titles(o.id)).toEqual(["0:C", "1:A", "2:B"]);

    // The others' content did not change, so an edit dialog opened on them still saves.
    const editA = await api.call("PATCH", `/key-results/${a.id}`, { title: "A!", version: a.version });
    expect(editA.status).toBe(200);

    await api.call("PATCH", `/key-results/${c.id}`, { position: 2 });
    expect(await titles(o.id)).toEqual(["0:A!", "1:B", "2:C"]);
    // The same place again changes nothing in the order.
    await api.call("PATCH", `/key-results/${c.id}`, { position: 2 });
    expect(await titles(o.id)).toEqual(["0:A!", "1:B", "2:C"]);

    const history = await api.call("GET", `/objectives/${o.id}/history`);
    const moves = (history.body.items as { action: string; objectId: string }[]).filter(
      (e) => e.action === "keyResult.updated" && e.objectId === c.id,
    );
    expect(moves.length).toBeGreaterThanOrEqual(3);
  });

  it("refuses a position past the last key result, or not a whole number, saying the range", async () => {
    const o = await f.objective(periodId, { title: "Two KRs" });
    const a = await f.keyResult(o.id, { title: "A" });
    await f.keyResult(o.id, { title: "B" });
    const past = await api.call("PATCH", `/key-results/${a.id}`, { position: 2 });
    expect(past.status).toBe(400);
    expect(past.body.error.details).toEqual([
      "position: must be 0 to 1: the objective has 2 key results (0 is the first)",
    ]);
    const negative = await api.call("PATCH", `/key-results/${a.id}`, { position: -1 });
    expect(negative.status).toBe(400);
    expect(negative.body.error.details).toEqual(["position: must be 0 or more"]);
    const fraction = await api.call("PATCH", `/key-results/${a.id}`, { position: 0.5 });
    expect(fraction.status).toBe(400);
    expect(fraction.body.error.details).toEqual(["position: must be a whole number, not 0.5"]);
    expect(await titles(o.id)).toEqual(["0:A", "1:B"]);
  });

  it("lets a key result's owner edit it but not reorder its objective's key results (403)", async () => {
    const o = await f.objective(periodId, { title: "Someone else's" });
    const mine = await f.keyResult(o.id, { title: "Mine", ownerIds: [member.id] });
    await f.keyResult(o.id, { title: "Other" });
    const edit = await api.call("PATCH", `/key-results/${mine.id}`, { target: 120 }, member.auth);
    expect(edit.status).toBe(200);
    const move = await api.call("PATCH", `/key-results/${mine.id}`, { position: 1 }, member.auth);
    expect(move.status).toBe(403);
    expect(move.body.error.message).toMatch(/objective/);
    expect(await titles(o.id)).toEqual(["0:Mine", "1:Other"]);
    // Nor may they add one to it, or delete the objective.
    expect(
      (
        await api.call(
          "POST",
          `/objectives/${o.id}/key-results`,
          { title: "X", type: "increase", start: 0, target: 1 },
          member.auth,
        )
      ).status,
    ).toBe(403);
    expect((await api.call("DELETE", `/objectives/${o.id}`, undefined, member.auth)).status).toBe(403);
  });

  it("refuses a team-level objective without its team (400), on create and on edit", async () => {
    const created = await api.call("POST", "/objectives", { title: "No team", level: "team", periodId });
    expect(created.status).toBe(400);
    expect(created.body.error.details).toEqual([
      'teamId: a team-level objective needs its team; give teamId, or choose the level "organization" or "individual"',
    ]);
    const nullTeam = await api.call("POST", "/objectives", { title: "No team", level: "team", teamId: null, periodId });
    expect(nullTeam.status).toBe(400);

    const team = await f.team({ name: "Squad" });
    const o = await f.objective(periodId, { title: "Team one", level: "team", teamId: team.id });
    expect((await api.call("PATCH", `/objectives/${o.id}`, { teamId: null })).status).toBe(400);
    const org = await f.objective(periodId, { title: "Org one" });
    expect((await api.call("PATCH", `/objectives/${org.id}`, { level: "team" })).status).toBe(400);
    const moved = await api.call("PATCH", `/objectives/${org.id}`, { level: "team", teamId: team.id });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ level: "team", teamId: team.id });
  });

  it("publishes a draft (its editors only): it then counts in what it aligns to", async () => {
    const parent = await f.objective(periodId, { title: "Parent" });
    const draft = await f.objective(periodId, { title: "Draft child", state: "draft" });
    const kr = await f.keyResult(draft.id, { title: "Half", start: 0, target: 10 });
    await f.checkIn(kr.id, { value: 5 });
    await f.align("objective", draft.id, "objective", parent.id);
    // Only those who may edit it publish it.
    const byMember = await api.call("PATCH", `/objectives/${draft.id}`, { state: "active" }, member.auth);
    expect(byMember.status).toBe(403);

    const current = (await api.call("GET", `/objectives/${draft.id}`)).body;
    expect(current.state).toBe("draft");
    const published = await api.call("PATCH", `/objectives/${draft.id}`, { state: "active", version: current.version });
    expect(published.status).toBe(200);
    expect(published.body.state).toBe("active");
    expect((await api.call("GET", `/objectives/${parent.id}`)).body.progress).toBeCloseTo(0.5, 12);
  });
});
