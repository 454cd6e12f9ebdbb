/**
 * The demo workspace: size, variety (every KR type, varied progress and statuses,
 * roll-ups, closed history) and loading only into a workspace without objectives.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../db/database.js";
import { grantOrgScope } from "../db/org-scope.js";
import {
  alignmentRepo,
  checkInQueries,
  graphQueries,
  kpiRepo,
  kpiValueRepo,
  organizationRepo,
  periodRepo,
  teamRepo,
  userRepo,
} from "../db/repositories.js";
import { type AlignmentEdge, wouldCreateCycle } from "../domain/alignment.js";
import { validateKeyResultTargets } from "../domain/progress.js";
import type { KrType, NodeType } from "../domain/types.js";
import { bootstrap } from "./auth.service.js";
import type { Actor, Services } from "./context.js";
import { loadDemo } from "./demo.service.js";
import { loadOrgContext, storedDerived } from "./evaluation.js";
import { presentKeyResult, presentObjective } from "./presenters.js";
import { getCoach } from "./view.service.js";

const NOW = Date.UTC(2026, 4, 20, 12); // Wed 20 May 2026: Q2 in progress, Q1 closed
const DAY = 86_400_000;

describe("loadDemo", { timeout: 60_000 }, () => {
  let database: Database;
  let actor: Actor;
  let first: { loaded: boolean; summary: string };
  let loadMs = 0;

  beforeAll(async () => {
    database = await openDatabase({});
    await database.migrate();
    const boot = await bootstrap(database, {});
    const admin = await userRepo.list(database.db, grantOrgScope(boot.organizationId));
    actor = {
      userId: admin[0]!.id,
      orgId: boot.organizationId,
      scope: grantOrgScope(boot.organizationId),
      role: "owner",
      access: "write",
      isInstanceAdmin: true,
    };
    const t0 = performance.now();
    first = await loadDemo(database, actor, NOW);
    loadMs = performance.now() - t0;
    console.log(`demo loaded in ${Math.round(loadMs)} ms: ${first.summary}`);
  }, 60_000);

  afterAll(async () => {
    await database?.close();
  });

  it("loads a company of the promised size", async () => {
    expect(first.loaded).toBe(true);
    const ex = database.db;
    const scope = actor.scope;
    const objectives = await graphQueries.allObjectives(ex, scope);
    const krs = await graphQueries.allKeyResults(ex, scope);
    const teams = await teamRepo.list(ex, scope);
    const users = await userRepo.list(ex, scope);
    const periods = await periodRepo.list(ex, scope);
    const checkIns = await checkInQueries.forKeyResults(ex, scope, null);
    expect(objectives.length).toBeGreaterThanOrEqual(35);
    expect(objectives.length).toBeLessThanOrEqual(50);
    expect(krs.length).toBeGreaterThanOrEqual(100);
    expect(krs.length).toBeLessThanOrEqual(140);
    expect(teams.length).toBeGreaterThanOrEqual(6);
    expect(teams.some((t) => t.parentId !== null)).toBe(true);
    expect(users.length).toBeGreaterThanOrEqual(25);
    expect(users.filter((u) => u.managerId !== null).length).toBeGreaterThanOrEqual(20);
    expect(periods.map((p) => p.name).sort()).toEqual(["2026", "Q1 2026", "Q2 2026", "Q3 2026", "Q4 2026"]);
    expect(checkIns.length).toBeGreaterThan(500);
    expect(first.summary).toContain(`${objectives.length} objectives`);
    expect(first.summary).toContain(`${krs.length} key results`);

    // Check-ins lie in the past, on weekdays in working hours, stamped when they were made.
    for (const c of checkIns) {
      expect(c.at.getTime()).toBeLessThanOrEqual(NOW);
      expect([1, 2, 3, 4, 5]).toContain(c.at.getUTCDay());
      expect(c.at.getUTCHours()).toBeGreaterThanOrEqual(9);
      expect(c.at.getUTCHours()).toBeLessThan(17);
      expect(c.createdAt.getTime()).toBe(c.at.getTime());
      if (c.confidence !== null) expect(c.confidence).toBeGreaterThanOrEqual(1);
      if (c.confidence !== null) expect(c.confidence).toBeLessThanOrEqual(10);
    }
    expect(checkIns.some((c) => c.status !== null)).toBe(true);
    expect(checkIns.some((c) => c.note !== "")).toBe(true);
    expect(checkIns.some((c) => c.achieved === true)).toBe(true);
    expect(checkIns.some((c) => c.achieved === false)).toBe(true);

    const kpis = await kpiRepo.list(ex, scope);
    expect(kpis.length).toBeGreaterThanOrEqual(3);
    const kpiValues = await kpiValueRepo.forKpis(
      ex,
      scope,
      kpis.map((k) => k.id),
    );
    expect(kpiValues.length).toBeGreaterThan(kpis.length * 4);
  });

  it("covers every kind of key result, alignment and state", async () => {
    const ex = database.db;
    const scope = actor.scope;
    const objectives = await graphQueries.allObjectives(ex, scope);
    const krs = await graphQueries.allKeyResults(ex, scope);
    const alignments = await alignmentRepo.list(ex, scope);

    expect(new Set(krs.map((k) => k.type))).toEqual(
      new Set(["increase", "decrease", "stayAbove", "stayBelow", "milestone", "baseline"]),
    );
    expect(new Set(krs.map((k) => k.unit))).toEqual(new Set(["number", "percent", "currency"]));
    expect(krs.filter((k) => k.unit === "currency").every((k) => /^[A-Z]{3}$/.test(k.currency ?? ""))).toBe(true);
    const rollups = krs.filter((k) => k.progressMode === "rollup");
    expect(new Set(rollups.map((k) => k.rollup))).toEqual(new Set(["mean", "sum", "proportional"]));
    expect(krs.some((k) => Array.isArray(k.plan) && k.plan.length > 0)).toBe(true);
    expect(krs.some((k) => !k.baselineConfirmed)).toBe(true);
    expect(new Set(krs.map((k) => k.weight)).size).toBeGreaterThan(1);
    expect(krs.filter((k) => k.ownerIds.length === 0).length).toBe(1);

    // Same-unit KR children under the sum roll-up.
    const sum = rollups.find((k) => k.rollup === "sum")!;
    const sumKids = alignments.filter((a) => a.parentId === sum.id);
    expect(sumKids.length).toBeGreaterThanOrEqual(2);
    for (const a of sumKids) {
      expect(a.childType).toBe("keyResult");
      const child = krs.find((k) => k.id === a.childId)!;
      expect([child.unit, child.currency]).toEqual([sum.unit, sum.currency]);
    }
    for (const r of rollups) expect(r.progress ?? 0).toBeGreaterThan(0);

    // Three levels: org objective ← team objective (under an org KR) ← individual objective.
    const byId = new Map(objectives.map((o) => [o.id, o]));
    const krById = new Map(krs.map((k) => [k.id, k]));
    const parentObjective = (childId: string) =>
      alignments
        .filter((a) => a.childType === "objective" && a.childId === childId)
        .map((a) =>
          a.parentType === "objective" ? byId.get(a.parentId) : byId.get(krById.get(a.parentId)!.objectiveId),
        )
        .filter((o) => o !== undefined);
    const deep = objectives.some(
      (o) =>
        o.level === "individual" &&
        parentObjective(o.id).some(
          (t) => t.level === "team" && parentObjective(t.id).some((g) => g.level === "organization"),
        ),
    );
    expect(deep).toBe(true);
    const parentsPerChild = new Map<string, number>();
    for (const a of alignments) parentsPerChild.set(a.childId, (parentsPerChild.get(a.childId) ?? 0) + 1);
    expect([...parentsPerChild.values()].filter((n) => n >= 2).length).toBeGreaterThanOrEqual(2);
    expect(alignments.some((a) => !a.contributes)).toBe(true);

    // What the API would refuse is absent: malformed targets and alignment loops.
    for (const k of krs) {
      const problems = validateKeyResultTargets({
        type: k.type as KrType,
        start: k.start === null ? null : Number(k.start),
        target: k.target === null ? null : Number(k.target),
      });
      expect(problems, k.title).toEqual([]);
    }
    const krToObjective = new Map(krs.map((k) => [k.id, k.objectiveId]));
    const edges: AlignmentEdge[] = [];
    for (const a of alignments) {
      const edge = {
        childType: a.childType as NodeType,
        childId: a.childId,
        parentType: a.parentType as NodeType,
        parentId: a.parentId,
      };
      expect(wouldCreateCycle(edges, krToObjective, edge)).toBe(false);
      edges.push(edge);
    }

    expect(objectives.filter((o) => o.state === "draft").length).toBe(1);
    expect(objectives.some((o) => o.committed)).toBe(true);
    const krCounts = new Map<string, number>();
    for (const k of krs) krCounts.set(k.objectiveId, (krCounts.get(k.objectiveId) ?? 0) + 1);
    expect([...krCounts.values()]).toContain(6);

    // Closed history in the previous quarter.
    const closed = objectives.filter((o) => o.state === "closed");
    expect(closed.length).toBeGreaterThanOrEqual(3);
    for (const o of closed) {
      expect(o.score).not.toBeNull();
      expect(o.closing).toMatchObject({ note: expect.any(String), learnings: expect.any(String) });
      for (const k of krs.filter((x) => x.objectiveId === o.id)) {
        expect(k.closed).toBe(true);
        expect(k.score).not.toBeNull();
      }
    }
  });

  it("shows varied progress and statuses", async () => {
    const ex = database.db;
    const scope = actor.scope;
    const org = await organizationRepo.get(ex, scope);
    const ctx = await loadOrgContext(ex, scope, org);
    const objectives = await graphQueries.allObjectives(ex, scope);
    const krs = await graphQueries.allKeyResults(ex, scope);

    expect(new Set(objectives.map((o) => o.progress.toFixed(3))).size).toBeGreaterThan(20);
    const objectiveStatuses = new Set(
      objectives.map((o) => presentObjective(o, storedDerived("objective", o), ctx, NOW).status),
    );
    for (const s of ["onTrack", "behind", "atRisk", "closed"]) expect(objectiveStatuses).toContain(s);

    const objById = new Map(objectives.map((o) => [o.id, o]));
    const views = krs.map((k) =>
      presentKeyResult(k, objById.get(k.objectiveId)!, storedDerived("keyResult", k), ctx, NOW),
    );
    const krStatuses = new Set(views.map((v) => v.status));
    for (const s of ["onTrack", "behind", "atRisk", "closed"]) expect(krStatuses).toContain(s);
    expect(views.filter((v) => v.forecast !== null).length).toBeGreaterThan(40);

    // Some KRs were never checked in, some went quiet three weeks or more ago.
    const live = krs.filter(
      (k) => !k.closed && k.progressMode === "manual" && objById.get(k.objectiveId)!.state === "active",
    );
    expect(live.filter((k) => k.lastCheckInAt === null).length).toBeGreaterThanOrEqual(2);
    expect(
      live.filter((k) => k.lastCheckInAt !== null && NOW - k.lastCheckInAt.getTime() >= 21 * DAY).length,
    ).toBeGreaterThanOrEqual(2);
  });

  it("gives the coach something to say", async () => {
    const svc: Services = { database, now: () => NOW, emit: () => {} };
    const periods = await periodRepo.list(database.db, actor.scope);
    const q2 = periods.find((p) => p.name === "Q2 2026")!;
    const { items } = await getCoach(svc, actor, { periodId: q2.id });
    const checks = new Set(items.map((i) => i.checkId));
    for (const id of ["kr-owner", "kr-count", "stale", "kr-task-like", "kr-baseline"]) expect(checks).toContain(id);
  });

  it("names the organisation, and reports values and confidence as its people would", async () => {
    const ex = database.db;
    const scope = actor.scope;
    expect((await organizationRepo.get(ex, scope)).name).toBe("Fernhill");
    const org = await organizationRepo.get(ex, scope);
    const ctx = await loadOrgContext(ex, scope, org);
    const objectives = new Map((await graphQueries.allObjectives(ex, scope)).map((o) => [o.id, o]));
    const krs = await graphQueries.allKeyResults(ex, scope);
    const checkIns = await checkInQueries.forKeyResults(ex, scope, null);
    const latest = new Map<string, (typeof checkIns)[number]>();
    for (const c of checkIns) {
      const seen = latest.get(c.keyResultId);
      if (!seen || c.at > seen.at) latest.set(c.keyResultId, c);
    }
    // Confidence follows how each key result stands: high when on track, low when at risk.
    const confidences: Record<string, number[]> = { onTrack: [], atRisk: [] };
    for (const k of krs) {
      const c = latest.get(k.id);
      // Baselines have no plan yet, and a check-in weeks old spoke for its own day.
      if (!c || c.confidence === null || k.closed || k.type === "baseline" || c.at.getTime() < NOW - 14 * DAY) continue;
      const status = presentKeyResult(
        k,
        objectives.get(k.objectiveId)!,
        storedDerived("keyResult", k),
        ctx,
        NOW,
      ).status;
      confidences[status]?.push(c.confidence);
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(confidences.onTrack!.length).toBeGreaterThan(10);
    expect(confidences.atRisk!.length).toBeGreaterThan(0);
    expect(Math.min(...confidences.onTrack!)).toBeGreaterThanOrEqual(5);
    expect(mean(confidences.onTrack!)).toBeGreaterThanOrEqual(7);
    expect(mean(confidences.atRisk!)).toBeLessThanOrEqual(5);
    // Things counted (offers, releases, days) are whole numbers at every check-in.
    const offers = krs.find((k) => k.title === "Engineering offers accepted")!;
    const offerValues = checkIns.filter((c) => c.keyResultId === offers.id).map((c) => Number(c.value));
    expect(offerValues.length).toBeGreaterThan(3);
    expect(offerValues.every((v) => Number.isInteger(v))).toBe(true);
  });

  it("loads only into a workspace without objectives", async () => {
    const again = await loadDemo(database, actor, NOW);
    expect(again).toEqual({ loaded: false, summary: "the workspace already holds objectives" });
    const objectives = await graphQueries.allObjectives(database.db, actor.scope);
    expect(first.summary).toContain(`${objectives.length} objectives`);
    expect(loadMs).toBeLessThan(30_000);
  });

  it("is the same for the same moment and reuses periods that already exist", async () => {
    const other = await openDatabase({});
    try {
      await other.migrate();
      // An organisation its operator named (OKRA_ORG_NAME) keeps its name.
      const boot = await bootstrap(other, { organizationName: "Acme Research" });
      const scope = grantOrgScope(boot.organizationId);
      const admin = (await userRepo.list(other.db, scope))[0]!;
      await periodRepo.insert(other.db, scope, {
        name: "Year 2026",
        kind: "year",
        startDate: "2026-01-01",
        endDate: "2026-12-31",
        parentId: null,
      });
      const result = await loadDemo(
        other,
        { userId: admin.id, orgId: boot.organizationId, scope, role: "owner", access: "write", isInstanceAdmin: true },
        NOW,
      );
      expect(result).toEqual(first);
      expect((await organizationRepo.get(other.db, scope)).name).toBe("Acme Research");
      expect((await periodRepo.list(other.db, scope)).length).toBe(5);
      // Sorted: check-ins of different key results at one instant have no order of their own (ids are random).
      const shape = (rows: Awaited<ReturnType<typeof checkInQueries.forKeyResults>>) =>
        rows.map((c) => [c.at.toISOString(), c.value, c.achieved, c.status, c.confidence, c.note].join("|")).sort();
      expect(shape(await checkInQueries.forKeyResults(other.db, scope, null))).toEqual(
        shape(await checkInQueries.forKeyResults(database.db, actor.scope, null)),
      );
    } finally {
      await other.close();
    }
  });
});
