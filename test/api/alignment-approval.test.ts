/**
 * Issue #9, item 3: aligning under someone else's objective needs a say from the parent's side.
 * A member's contributing alignment under an objective they may not edit waits as `pending`
 * (counting nowhere) until the parent's owners accept it; the weights of a parent's children are
 * theirs to set.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokenForEmail } from "../../src/services/auth.service.js";
import { type ApiHarness, factories, startApi } from "../support/api.js";
import { DATABASE_KINDS } from "../support/databases.js";

describe.each(DATABASE_KINDS)("alignment under someone else's objective on %s", (kind) => {
  let api: ApiHarness;
  const tok: Record<string, string> = {};
  const id: Record<string, string> = {};
  let periodId: string;
  const as = (who: string, method: string, url: string, body?: unknown) =>
    api.call(method, url, body, { authorization: `Bearer ${tok[who]}` });
  const progressOf = async (objectiveId: string) => (await api.call("GET", `/objectives/${objectiveId}`)).body.progress;

  /** An individual objective of `who` with one KR checked in at `value` of 10. */
  async function objectiveOf(who: string, value: number) {
    const o = await as(who, "POST", "/objectives", {
      title: `${who}'s goal ${Math.random().toString(36).slice(2, 7)}`,
      level: "individual",
      periodId,
      ownerIds: [id[who]],
    });
    expect(o.status).toBe(201);
    const kr = await as(who, "POST", `/objectives/${o.body.id}/key-results`, {
      title: "Measured thing",
      type: "increase",
      start: 0,
      target: 10,
      ownerIds: [id[who]],
    });
    expect(kr.status).toBe(201);
    expect((await as(who, "POST", `/key-results/${kr.body.id}/check-ins`, { value })).status).toBe(201);
    return o.body.id as string;
  }

  beforeAll(async () => {
    api = await startApi(kind);
    periodId = (await factories(api).period()).id;
    for (const who of ["olga", "mo"]) {
      const email = `${who}@align.test`;
      id[who] = (await api.call("POST", "/users", { name: who, email, role: "member", invite: false })).body.id;
      tok[who] = (await createTokenForEmail(api.database, email)).token;
    }
  });
  afterAll(async () => {
    await api?.close();
  });

  it("keeps a member's contributing child pending, counting nowhere, until the parent's owner accepts it", async () => {
    const parent = await objectiveOf("olga", 5);
    const child = await objectiveOf("mo", 1);
    expect(await progressOf(parent)).toBeCloseTo(0.5);
    const edge = { childType: "objective", childId: child, parentType: "objective", parentId: parent };

    // The probe's attack: weight 100 to drag the parent from 50 % toward the child's 10 %.
    const heavy = await as("mo", "POST", "/alignments", { ...edge, weight: 100 });
    expect(heavy.status).toBe(403);
    expect(heavy.body.error.message).toMatch(/weights of an objective's or key result's children are set by/);

    const asked = await as("mo", "POST", "/alignments", edge);
    expect(asked.status).toBe(201);
    expect(asked.body).toMatchObject({ state: "pending", contributes: false, weight: 1 });
    expect(await progressOf(parent)).toBeCloseTo(0.5);

    const waiting = await as("olga", "GET", `/alignments?parentId=${parent}&state=pending`);
    expect(waiting.body.items.map((a: { id: string }) => a.id)).toEqual([asked.body.id]);

    // Only the parent's side accepts, and only the parent's side sets the weight.
    expect((await as("mo", "POST", `/alignments/${asked.body.id}/approve`, {})).status).toBe(403);
    expect((await as("mo", "PATCH", `/alignments/${asked.body.id}`, { weight: 100 })).status).toBe(403);
    const accepted = await as("olga", "POST", `/alignments/${asked.body.id}/approve`, { weight: 3 });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ state: "active", contributes: true, weight: 3 });
    // (1 × 0.5 + 3 × 0.1) / 4
    expect(await progressOf(parent)).toBeCloseTo(0.2);
    expect((await as("olga", "POST", `/alignments/${asked.body.id}/approve`, {})).status).toBe(409);

    // The child's side may stop counting without anyone's say; counting again is a new request.
    const withdrawn = await as("mo", "PATCH", `/alignments/${asked.body.id}`, { contributes: false });
    expect(withdrawn.body).toMatchObject({ state: "active", contributes: false });
    expect(await progressOf(parent)).toBeCloseTo(0.5);
    const again = await as("mo", "PATCH", `/alignments/${asked.body.id}`, { contributes: true });
    expect(again.body).toMatchObject({ state: "pending", contributes: false });
    expect(await progressOf(parent)).toBeCloseTo(0.5);

    // Declining is removing it, from the parent's side.
    expect((await as("olga", "DELETE", `/alignments/${asked.body.id}`)).status).toBe(204);
  });

  it("makes a postponed copy ask again: the parent accepted the original, not the copy", async () => {
    const parent = await objectiveOf("olga", 5);
    const child = await objectiveOf("mo", 1);
    const asked = await as("mo", "POST", "/alignments", {
      childType: "objective",
      childId: child,
      parentType: "objective",
      parentId: parent,
    });
    expect((await as("olga", "POST", `/alignments/${asked.body.id}/approve`, {})).status).toBe(200);
    expect(await progressOf(parent)).toBeCloseTo(0.3);
    const next = await api.call("POST", "/periods", {
      name: "Q2 2026",
      kind: "quarter",
      startDate: "2026-04-01",
      endDate: "2026-06-30",
    });
    const copy = await as("mo", "POST", `/objectives/${child}/postpone`, { periodId: next.body.id });
    expect(copy.status).toBeLessThan(300);
    const copied = await as("olga", "GET", `/alignments?parentId=${parent}&childId=${copy.body.id}`);
    expect(copied.body.items).toEqual([expect.objectContaining({ state: "pending", contributes: false })]);
    expect(await progressOf(parent)).toBeCloseTo(0.3);
  });

  it("aligns at once when the caller may edit the parent, or when the child does not count", async () => {
    const parent = await objectiveOf("olga", 5);
    const child = await objectiveOf("mo", 1);
    const edge = { childType: "objective", childId: child, parentType: "objective", parentId: parent };
    const notCounted = await as("mo", "POST", "/alignments", { ...edge, contributes: false });
    expect(notCounted.body).toMatchObject({ state: "active", contributes: false });
    expect((await as("mo", "DELETE", `/alignments/${notCounted.body.id}`)).status).toBe(204);
    const byAdmin = await api.call("POST", "/alignments", { ...edge, weight: 2 });
    expect(byAdmin.body).toMatchObject({ state: "active", contributes: true, weight: 2 });
    expect(await progressOf(parent)).toBeCloseTo((0.5 + 2 * 0.1) / 3);
  });

  it("treats a key result's own owners as its side", async () => {
    const parentObjective = await objectiveOf("olga", 5);
    const kr = (await api.call("GET", `/objectives/${parentObjective}`)).body.keyResults[0];
    await api.call("PATCH", `/key-results/${kr.id}`, { progressMode: "rollup", rollup: "mean", ownerIds: [id.mo] });
    const child = await objectiveOf("mo", 1);
    const made = await as("mo", "POST", "/alignments", {
      childType: "objective",
      childId: child,
      parentType: "keyResult",
      parentId: kr.id,
      weight: 2,
    });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ state: "active", contributes: true, weight: 2 });
  });
});
