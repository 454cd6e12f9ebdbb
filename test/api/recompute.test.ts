/**
 * `okra recompute` rebuilds every stored figure from the base tables; after any sequence of
 * writes (some of them concurrent) the stored figures must already be what it computes, so it
 * rewrites nothing. This is the check the incremental roll-ups of #10 must keep passing.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recomputeAll } from "../../src/services/recompute.service.js";
import { type ApiHarness, factories, startApi } from "../support/api.js";
import { DATABASE_KINDS } from "../support/databases.js";

type Op =
  | { kind: "checkIn"; kr: number; value: number; day: number }
  | { kind: "align"; child: number; parent: number; weight: number }
  | { kind: "alignKr"; child: number; parent: number; weight: number }
  | { kind: "target"; kr: number; target: number }
  | { kind: "weight"; alignment: number; weight: number }
  | { kind: "unalign"; alignment: number }
  | { kind: "removeKr"; kr: number }
  | { kind: "restoreKr"; kr: number }
  | { kind: "override"; objective: number; progress: number | null }
  | { kind: "close"; objective: number }
  | { kind: "reopen"; objective: number }
  | { kind: "settings"; zone: number; threshold: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant("checkIn" as const),
    kr: fc.nat(11),
    value: fc.integer({ min: -20, max: 140 }),
    day: fc.integer({ min: 1, max: 44 }),
  }),
  fc.record({
    kind: fc.constant("align" as const),
    child: fc.nat(5),
    parent: fc.nat(5),
    weight: fc.integer({ min: 0, max: 5 }),
  }),
  fc.record({
    kind: fc.constant("alignKr" as const),
    child: fc.nat(11),
    parent: fc.nat(2),
    weight: fc.integer({ min: 0, max: 3 }),
  }),
  fc.record({ kind: fc.constant("target" as const), kr: fc.nat(11), target: fc.integer({ min: 101, max: 300 }) }),
  fc.record({ kind: fc.constant("weight" as const), alignment: fc.nat(20), weight: fc.integer({ min: 0, max: 5 }) }),
  fc.record({ kind: fc.constant("unalign" as const), alignment: fc.nat(20) }),
  fc.record({ kind: fc.constant("removeKr" as const), kr: fc.nat(5) }),
  fc.record({ kind: fc.constant("restoreKr" as const), kr: fc.nat(5) }),
  fc.record({
    kind: fc.constant("override" as const),
    objective: fc.nat(5),
    progress: fc.option(fc.integer({ min: 0, max: 12 }).map((n) => n / 10)),
  }),
  fc.record({ kind: fc.constant("close" as const), objective: fc.nat(5) }),
  fc.record({ kind: fc.constant("reopen" as const), objective: fc.nat(5) }),
  fc.record({ kind: fc.constant("settings" as const), zone: fc.nat(2), threshold: fc.integer({ min: 1, max: 5 }) }),
);

/** Time zones far apart: a change moves every span, hence every forecast. */
const ZONES = ["UTC", "Pacific/Auckland", "America/Los_Angeles"];

describe.each(DATABASE_KINDS)("okra recompute on %s", (kind) => {
  let api: ApiHarness;
  const objectives: string[] = [];
  const krs: string[] = [];
  const alignments: string[] = [];
  /** Roll-up key results (mean, sum, proportional) that key results align under. */
  const rollups: string[] = [];

  beforeAll(async () => {
    api = await startApi(kind, Date.UTC(2026, 1, 15, 12));
    const f = factories(api);
    const periodId = (await f.period()).id;
    for (let i = 0; i < 6; i++) {
      const o = await f.objective(periodId, { title: `Objective ${i}`, level: i < 2 ? "organization" : "team" });
      objectives.push(o.id);
      krs.push((await f.keyResult(o.id, { title: `KR ${i}a`, start: 0, target: 100 })).id);
      krs.push((await f.keyResult(o.id, { title: `KR ${i}b`, start: 0, target: 100, weight: 2 })).id);
    }
    const top = await f.objective(periodId, { title: "Roll-ups", level: "organization" });
    for (const rollup of ["mean", "sum", "proportional"]) {
      const kr = await f.keyResult(top.id, {
        title: `Total ${rollup}`,
        start: 0,
        target: 500,
        progressMode: "rollup",
        rollup,
      });
      rollups.push(kr.id);
    }
    // The first key results start aligned under the roll-ups, each with its own value, so removing one changes a parent.
    for (let i = 0; i < 4; i++) {
      const r = await api.call("POST", "/alignments", {
        childType: "keyResult",
        childId: krs[i],
        parentType: "keyResult",
        parentId: rollups[i % rollups.length],
      });
      expect(r.status).toBe(201);
      alignments.push(r.body.id);
      const c = await api.call("POST", `/key-results/${krs[i]}/check-ins`, { value: 20 + 15 * i });
      expect(c.status).toBe(201);
    }
  }, 120_000);
  afterAll(async () => {
    await api?.close();
  });

  /** Aligns a child under a parent of the same type, remembering the alignment when it was made. */
  async function align(type: "objective" | "keyResult", childId?: string, parentId?: string, weight = 1) {
    const r = await api.call("POST", "/alignments", {
      childType: type,
      childId,
      parentType: type,
      parentId,
      weight,
    });
    if (r.status === 201) alignments.push(r.body.id);
    return r;
  }

  async function apply(o: Op) {
    const pick = <T>(xs: T[], i: number) => xs[i % Math.max(xs.length, 1)];
    switch (o.kind) {
      case "checkIn": {
        const at = new Date(Date.UTC(2026, 0, 1) + o.day * 86_400_000).toISOString();
        return api.call("POST", `/key-results/${krs[o.kr]}/check-ins`, { value: o.value, at });
      }
      case "align":
        return align("objective", objectives[o.child], objectives[o.parent], o.weight);
      case "alignKr":
        return align("keyResult", krs[o.child], rollups[o.parent], o.weight);
      case "target":
        return api.call("PATCH", `/key-results/${krs[o.kr]}`, { target: o.target });
      case "weight": {
        const id = pick(alignments, o.alignment);
        return id ? api.call("PATCH", `/alignments/${id}`, { weight: o.weight }) : null;
      }
      case "unalign": {
        const id = pick(alignments, o.alignment);
        if (!id) return null;
        alignments.splice(alignments.indexOf(id), 1);
        return api.call("DELETE", `/alignments/${id}`);
      }
      case "removeKr":
        return api.call("DELETE", `/key-results/${krs[o.kr]}`);
      case "restoreKr":
        return api.call("POST", `/trash/${krs[o.kr]}/restore`);
      case "override":
        return api.call("PATCH", `/objectives/${objectives[o.objective]}`, { progressOverride: o.progress });
      case "close":
        return api.call("POST", `/objectives/${objectives[o.objective]}/close`, {});
      case "reopen":
        return api.call("POST", `/objectives/${objectives[o.objective]}/reopen`);
      case "settings":
        return api.call("PATCH", "/settings", { timeZone: ZONES[o.zone], behindThreshold: o.threshold / 10 });
    }
  }

  it("finds every stored figure already right after random writes, some of them concurrent", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(op, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 4 }),
        async (batches) => {
          // Checked after every batch: a later write must not hide an earlier one's mistake.
          for (const batch of batches) {
            const answers = await Promise.all(batch.map(apply));
            for (const r of answers) if (r) expect(r.status, JSON.stringify(r.body)).toBeLessThan(500);
            const [report] = await recomputeAll(api.database, api.clock.now);
            expect(report?.rewritten, JSON.stringify(batch)).toEqual({ keyResults: 0, objectives: 0 });
          }
        },
      ),
      { numRuns: 25 },
    );
  }, 300_000);

  it("corrects a stored figure that went wrong (a restore, a manual edit), and then finds nothing to do", async () => {
    await api.database.db.execute(
      (await import("drizzle-orm")).sql`update objectives set progress = 0.123 where id = ${objectives[0]}`,
    );
    const [first] = await recomputeAll(api.database, api.clock.now);
    expect(first?.rewritten.objectives).toBe(1);
    const [second] = await recomputeAll(api.database, api.clock.now);
    expect(second?.rewritten).toEqual({ keyResults: 0, objectives: 0 });
  });
});
