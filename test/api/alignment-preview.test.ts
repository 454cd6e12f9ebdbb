/**
 * Issue #11, alignment editing: `POST /alignments/preview` says what adding, changing, accepting
 * or removing an alignment would do to each parent's progress and status — exactly what saving
 * then produces — refuses as the change itself would, stores nothing, and costs what the
 * parent's chain holds, not the organisation.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokenForEmail } from "../../src/services/auth.service.js";
import { type ApiHarness, factories, startApi } from "../support/api.js";
import { DATABASE_KINDS } from "../support/databases.js";
import { recordStatements } from "../support/statements.js";

type Figures = { progress: number | null; status: string };
type Parent = { type: string; id: string; title: string; depth: number; before: Figures; after: Figures };

describe.each(DATABASE_KINDS)("alignment preview on %s", (kind) => {
  let api: ApiHarness;
  let f: ReturnType<typeof factories>;
  let periodId: string;
  const tok: Record<string, string> = {};
  const uid: Record<string, string> = {};
  const as = (who: string, method: string, url: string, body?: unknown) =>
    api.call(method, url, body, { authorization: `Bearer ${tok[who]}` });

  /** An objective with one key result checked in at `value` of 100 (progress value / 100). */
  async function objectiveAt(value: number, over: Record<string, unknown> = {}) {
    const o = await f.objective(periodId, {
      title: `Goal at ${value} ${Math.random().toString(36).slice(2, 6)}`,
      ...over,
    });
    const kr = await f.keyResult(o.id, { ownerIds: over.ownerIds ?? [] });
    await f.checkIn(kr.id, { value, at: "2026-02-10T10:00:00Z" });
    return { id: o.id as string, krId: kr.id as string };
  }

  /** The figures a read shows for a node now. */
  async function read(type: string, id: string): Promise<Figures & { title: string }> {
    const r = await api.call("GET", type === "objective" ? `/objectives/${id}` : `/key-results/${id}`);
    expect(r.status).toBe(200);
    return { title: r.body.title, progress: r.body.progress, status: r.body.status };
  }

  /** Each previewed parent's `before` is what a read shows now. */
  async function expectBeforeIsNow(parents: Parent[]) {
    for (const p of parents) {
      const now = await read(p.type, p.id);
      expect(p.before, `${p.title} before`).toEqual({ progress: now.progress, status: now.status });
      expect(p.title).toBe(now.title);
    }
  }

  /** Each previewed parent's `after` is exactly what a read shows once the change is saved. */
  async function expectAfterIsSaved(parents: Parent[]) {
    for (const p of parents) {
      const now = await read(p.type, p.id);
      expect(p.after, `${p.title} after`).toEqual({ progress: now.progress, status: now.status });
    }
  }

  beforeAll(async () => {
    api = await startApi(kind);
    f = factories(api);
    periodId = (await f.period()).id;
    for (const [who, role] of [
      ["mia", "member"],
      ["otto", "observer"],
    ] as const) {
      const email = `${who}@preview.test`;
      uid[who] = (await api.call("POST", "/users", { name: who, email, role, invite: false })).body.id;
      tok[who] = (await createTokenForEmail(api.database, email)).token;
    }
  });
  afterAll(async () => {
    await api?.close();
  });

  it("previews adding a weighted parent, up the chain, exactly as saving then reads, storing nothing", async () => {
    const top = (await f.objective(periodId, { title: "Top of the chain" })).id as string;
    const parent = await objectiveAt(50);
    const child = await objectiveAt(10);
    await f.align("objective", parent.id, "objective", top);
    const change = {
      childType: "objective",
      childId: child.id,
      parentType: "objective",
      parentId: parent.id,
      weight: 3,
    };

    const preview = await api.call("POST", "/alignments/preview", { action: "add", ...change });
    expect(preview.status).toBe(200);
    expect(preview.body.outcome).toBe("active");
    expect(preview.body.speaksForParent).toBe(true);
    const parents = preview.body.parents as Parent[];
    expect(parents.map((p) => [p.id, p.depth])).toEqual([
      [parent.id, 0],
      [top, 1],
    ]);
    expect(parents[0]!.before.progress).toBeCloseTo(0.5);
    // (1 × 0.5 + 3 × 0.1) / 4
    expect(parents[0]!.after.progress).toBeCloseTo(0.2);
    expect(parents[1]!.after.progress).toBeCloseTo(0.2);
    await expectBeforeIsNow(parents);

    // Nothing was stored, audited or recomputed.
    expect((await api.call("GET", `/alignments?childId=${child.id}`)).body.items).toEqual([]);
    const history = await api.call("GET", `/objectives/${parent.id}/history`);
    expect(JSON.stringify(history.body)).not.toContain(child.id);

    expect((await api.call("POST", "/alignments", change)).status).toBe(201);
    await expectAfterIsSaved(parents);
  });

  it("previews a weight change, not counting, and removal, each as saving then reads", async () => {
    const parent = await objectiveAt(80);
    const childA = await objectiveAt(20);
    const childB = await objectiveAt(60);
    const a = (await f.align("objective", childA.id, "objective", parent.id)).id as string;
    await f.align("objective", childB.id, "objective", parent.id);

    const heavier = await api.call("POST", "/alignments/preview", { action: "update", alignmentId: a, weight: 4 });
    expect(heavier.status).toBe(200);
    // before (0.8 + 0.2 + 0.6) / 3; after (0.8 + 4 × 0.2 + 0.6) / 6
    expect(heavier.body.parents[0].before.progress).toBeCloseTo(1.6 / 3);
    expect(heavier.body.parents[0].after.progress).toBeCloseTo(2.2 / 6);
    expect((await api.call("PATCH", `/alignments/${a}`, { weight: 4 })).status).toBe(200);
    await expectAfterIsSaved(heavier.body.parents);

    const uncounted = await api.call("POST", "/alignments/preview", {
      action: "update",
      alignmentId: a,
      contributes: false,
    });
    expect(uncounted.body.parents[0].after.progress).toBeCloseTo(0.7);
    await expectBeforeIsNow(uncounted.body.parents);
    expect((await api.call("PATCH", `/alignments/${a}`, { contributes: false })).status).toBe(200);
    await expectAfterIsSaved(uncounted.body.parents);

    const removal = await api.call("POST", "/alignments/preview", { action: "remove", alignmentId: a });
    expect(removal.status).toBe(200);
    expect(removal.body.outcome).toBe("removed");
    // It did not count: removing it changes nothing.
    expect(removal.body.parents[0].after).toEqual(removal.body.parents[0].before);
    expect((await api.call("GET", `/alignments/${a}`)).status).toBe(200);
    expect((await api.call("DELETE", `/alignments/${a}`)).status).toBe(204);
    await expectAfterIsSaved(removal.body.parents);
  });

  it("previews under a roll-up key result: the key result, then its objective", async () => {
    const o = await f.objective(periodId, { title: "Rolls up" });
    const rollup = await f.keyResult(o.id, { title: "Team results", progressMode: "rollup", rollup: "mean" });
    const own = await f.keyResult(o.id, { title: "Own measure" });
    await f.checkIn(own.id, { value: 40, at: "2026-02-10T10:00:00Z" });
    const child = await objectiveAt(90);
    const change = { childType: "objective", childId: child.id, parentType: "keyResult", parentId: rollup.id };
    const preview = await api.call("POST", "/alignments/preview", { action: "add", ...change });
    expect(preview.status).toBe(200);
    const parents = preview.body.parents as Parent[];
    expect(parents.map((p) => [p.type, p.id, p.depth])).toEqual([
      ["keyResult", rollup.id, 0],
      ["objective", o.id, 1],
    ]);
    expect(parents[0]!.after.progress).toBeCloseTo(0.9);
    await expectBeforeIsNow(parents);
    expect((await api.call("POST", "/alignments", change)).status).toBe(201);
    await expectAfterIsSaved(parents);
  });

  it("previews a request from the child's side: pending, counting nowhere; and its acceptance", async () => {
    const parent = await objectiveAt(50);
    const mine = await objectiveAt(10, { level: "individual", ownerIds: [uid.mia] });
    const change = { childType: "objective", childId: mine.id, parentType: "objective", parentId: parent.id };
    const asked = await as("mia", "POST", "/alignments/preview", { action: "add", ...change });
    expect(asked.status).toBe(200);
    expect(asked.body.outcome).toBe("pending");
    expect(asked.body.speaksForParent).toBe(false);
    expect(asked.body.parents[0].after).toEqual(asked.body.parents[0].before);

    const heavy = { action: "add", ...change, weight: 5 };
    const [previewed, real] = [
      await as("mia", "POST", "/alignments/preview", heavy),
      await as("mia", "POST", "/alignments", { ...change, weight: 5 }),
    ];
    expect(previewed.status).toBe(403);
    expect(previewed.body).toEqual(real.body);

    const request = await as("mia", "POST", "/alignments", change);
    expect(request.status).toBe(201);
    const approve = { action: "approve", alignmentId: request.body.id, weight: 1 };
    const accepted = await api.call("POST", "/alignments/preview", approve);
    expect(accepted.status).toBe(200);
    expect(accepted.body.outcome).toBe("active");
    expect(accepted.body.parents[0].after.progress).toBeCloseTo(0.3);
    expect((await api.call("POST", `/alignments/${request.body.id}/approve`, { weight: 1 })).status).toBe(200);
    await expectAfterIsSaved(accepted.body.parents);
  });

  it("leaves out what the caller may not see further up", async () => {
    const secret = (await f.objective(periodId, { title: "Secret plan", visibility: "private" })).id as string;
    const parent = await objectiveAt(50, { level: "individual", ownerIds: [uid.mia] });
    const child = await objectiveAt(10, { level: "individual", ownerIds: [uid.mia] });
    await f.align("objective", parent.id, "objective", secret);
    const body = {
      action: "add",
      childType: "objective",
      childId: child.id,
      parentType: "objective",
      parentId: parent.id,
    };
    const seenByAdmin = await api.call("POST", "/alignments/preview", body);
    expect(seenByAdmin.body.parents.map((p: Parent) => p.id)).toEqual([parent.id, secret]);
    const seenByMia = await as("mia", "POST", "/alignments/preview", body);
    expect(seenByMia.status).toBe(200);
    expect(seenByMia.body.parents.map((p: Parent) => p.id)).toEqual([parent.id]);
    expect(JSON.stringify(seenByMia.body)).not.toContain("Secret plan");
  });

  it("refuses exactly as the change itself: a loop, bad input, no rights, an observer, an unknown id, a stale version", async () => {
    const upper = await objectiveAt(30);
    const lower = await objectiveAt(70);
    const link = await f.align("objective", lower.id, "objective", upper.id);
    const loop = { childType: "objective", childId: upper.id, parentType: "objective", parentId: lower.id };
    const cases: [string, string, { preview: unknown; real: [string, string, unknown?] }][] = [
      ["admin", "a loop", { preview: { action: "add", ...loop }, real: ["POST", "/alignments", loop] }],
      [
        "admin",
        "a negative weight",
        {
          preview: { action: "add", ...loop, parentId: upper.id, childId: lower.id, weight: -2 },
          real: ["POST", "/alignments", { ...loop, parentId: upper.id, childId: lower.id, weight: -2 }],
        },
      ],
      [
        "mia",
        "no rights on the child",
        {
          preview: { action: "remove", alignmentId: link.id },
          real: ["DELETE", `/alignments/${link.id}`],
        },
      ],
      [
        "otto",
        "an observer",
        {
          preview: { action: "update", alignmentId: link.id, weight: 2 },
          real: ["PATCH", `/alignments/${link.id}`, { weight: 2 }],
        },
      ],
      [
        "admin",
        "an unknown alignment",
        {
          preview: { action: "remove", alignmentId: "00000000-0000-4000-8000-000000000000" },
          real: ["DELETE", "/alignments/00000000-0000-4000-8000-000000000000"],
        },
      ],
      [
        "admin",
        "a stale version",
        {
          preview: { action: "update", alignmentId: link.id, weight: 2, version: 99 },
          real: ["PATCH", `/alignments/${link.id}`, { weight: 2, version: 99 }],
        },
      ],
    ];
    for (const [who, what, { preview, real }] of cases) {
      const call = (m: string, u: string, b?: unknown) => (who === "admin" ? api.call(m, u, b) : as(who, m, u, b));
      const p = await call("POST", "/alignments/preview", preview);
      const r = await call(real[0], real[1], real[2]);
      expect(p.status, what).toBeGreaterThanOrEqual(400);
      expect([p.status, p.body], what).toEqual([r.status, r.body]);
    }
    const unknownAction = await api.call("POST", "/alignments/preview", { action: "move", alignmentId: link.id });
    expect(unknownAction.status).toBe(400);
    expect(unknownAction.body.error.message).toMatch(/action/);
  });

  it("is in the OpenAPI document with its body and answer", async () => {
    const doc = (await api.call("GET", "/api/v1/openapi.json")).body;
    const op = doc.paths["/api/v1/alignments/preview"]?.post ?? doc.paths["/alignments/preview"]?.post;
    expect(op).toBeTruthy();
    const text = JSON.stringify(op);
    for (const word of ["add", "update", "approve", "remove", "speaksForParent", "depth"]) expect(text).toContain(word);
  });

  it("costs the same in an organisation ten times the size", async () => {
    const counts: number[] = [];
    for (const extra of [2, 20]) {
      const other = await startApi(kind);
      try {
        const g = factories(other);
        const pid = (await g.period()).id;
        for (let i = 0; i < extra; i++) {
          const o = await g.objective(pid, { title: `Elsewhere ${i}` });
          const kr = await g.keyResult(o.id);
          await g.checkIn(kr.id, { value: 20 + i, at: "2026-02-10T10:00:00Z" });
        }
        const top = await g.objective(pid, { title: "Top" });
        const parent = await g.objective(pid, { title: "Parent" });
        await g.align("objective", parent.id, "objective", top.id);
        const child = await g.objective(pid, { title: "Child" });
        await g.checkIn((await g.keyResult(child.id)).id, { value: 40, at: "2026-02-10T10:00:00Z" });
        await other.call("GET", "/me"); // the token's last use is recorded at most once a minute
        const body = {
          action: "add",
          childType: "objective",
          childId: child.id,
          parentType: "objective",
          parentId: parent.id,
        };
        const log = await recordStatements(other, async () => {
          expect((await other.call("POST", "/alignments/preview", body)).status).toBe(200);
        });
        counts.push(log.length);
      } finally {
        await other.close();
      }
    }
    expect(counts[0]).toBeGreaterThan(5);
    expect(counts[1]).toBe(counts[0]);
  }, 120_000);
});
