/**
 * The end of an OKR's life: close with a score and learnings, reopen, postpone into
 * another period (a clone: progress is not copied, each KR starts from its last value),
 * and close a whole period with a summary report.
 */
import { eq } from "drizzle-orm";
import {
  alignmentRepo,
  graphQueries,
  type KeyResultRow,
  keyResultRepo,
  type ObjectiveRow,
  objectiveRepo,
  periodRepo,
} from "../db/repositories.js";
import { objectives as objectivesTable } from "../db/schema.js";
import { AppError } from "../domain/errors.js";
import { grade, objectiveScore, roundScore, suggestedKrScore } from "../domain/scoring.js";
import { speaksForParent } from "./alignment.service.js";
import { type Actor, missingReference, mutate, type Services, type Write } from "./context.js";
import { storedDerived } from "./evaluation.js";
import { currentObjective, getObjective, type ObjectiveDetail } from "./okr.service.js";
import { presentAlignment, presentKeyResult, presentObjective, presentPeriod } from "./presenters.js";
import { CloseObjectiveSchema, ClosePeriodSchema, PostponeObjectiveSchema, parseInput } from "./schemas.js";

interface CloseInput {
  score?: number | null | undefined;
  note?: string | undefined;
  learnings?: string | undefined;
  next?: string | undefined;
  keyResultScores?: { keyResultId: string; score: number; reason: string }[] | undefined;
}

/** Closes one objective and its KRs inside `w`; returns its score. */
async function closeOne(w: Write, o: ObjectiveRow, input: CloseInput): Promise<number | null> {
  const krs = await graphQueries.keyResultsOf(w.tx, w.scope, [o.id]);
  const overrides = new Map((input.keyResultScores ?? []).map((s) => [s.keyResultId, s]));
  const unknown = [...overrides.keys()].filter((id) => !krs.some((k) => k.id === id));
  if (unknown.length) {
    throw AppError.validation(
      unknown.map((id) => `keyResultScores: ${JSON.stringify(id)} is not a key result of this objective`),
    );
  }
  const scored: { score: number; weight: number }[] = [];
  for (const kr of krs) {
    const o2 = overrides.get(kr.id);
    const score = o2 ? roundScore(o2.score) : suggestedKrScore(storedDerived("keyResult", kr).progress);
    if (kr.type !== "baseline") scored.push({ score, weight: Number(kr.weight) });
    await keyResultRepo.update(w.tx, w.scope, kr.id, { closed: true, score, scoreReason: o2?.reason ?? null });
  }
  const score = input.score !== undefined && input.score !== null ? roundScore(input.score) : objectiveScore(scored);
  await objectiveRepo.update(w.tx, w.scope, o.id, {
    state: "closed",
    score,
    closing: {
      note: input.note ?? "",
      learnings: input.learnings ?? "",
      next: input.next ?? "",
      closedAt: new Date(w.nowMs).toISOString(),
      closedBy: w.actor.userId,
      suggestedScore: objectiveScore(scored),
    },
  });
  return score;
}

export async function closeObjective(svc: Services, actor: Actor, id: string, body: unknown): Promise<ObjectiveDetail> {
  const input = parseInput(CloseObjectiveSchema, body ?? {});
  await mutate(svc, actor, async (w) => {
    const o = await objectiveRepo.get(w.tx, w.scope, id);
    await w.guard.assertCanEditObjective(o);
    if (o.state === "closed") throw new AppError("CLOSED", `The objective "${o.title}" is already closed.`);
    const before = await currentObjective(w, id);
    await closeOne(w, o, input);
    w.touch(await keyResultIdsOf(w, [id]), { objective: [id] });
    await w.audit("objective.closed", "objective", id, before, await currentObjective(w, id));
  });
  return getObjective(svc, actor, id, {});
}

export async function reopenObjective(svc: Services, actor: Actor, id: string): Promise<ObjectiveDetail> {
  await mutate(svc, actor, async (w) => {
    const o = await objectiveRepo.get(w.tx, w.scope, id);
    await w.guard.assertCanEditObjective(o);
    if (o.state !== "closed")
      throw new AppError("CONFLICT", `The objective "${o.title}" is not closed; there is nothing to reopen.`);
    const before = await currentObjective(w, id);
    for (const kr of await graphQueries.keyResultsOf(w.tx, w.scope, [id])) {
      await keyResultRepo.update(w.tx, w.scope, kr.id, { closed: false });
    }
    await objectiveRepo.update(w.tx, w.scope, id, { state: "active", score: null });
    w.touch(await keyResultIdsOf(w, [id]), { objective: [id] });
    await w.audit("objective.reopened", "objective", id, before, await currentObjective(w, id));
  });
  return getObjective(svc, actor, id, {});
}

function cloneKeyResult(kr: KeyResultRow, objectiveId: string) {
  const d = storedDerived("keyResult", kr);
  // A KR continues from where it stands: its new start is its last value.
  const last = d.latestValue ?? (kr.start === null ? null : Number(kr.start));
  const movesOn = kr.type === "increase" || kr.type === "decrease";
  return {
    objectiveId,
    title: kr.title,
    description: kr.description,
    ownerIds: kr.ownerIds,
    delegateIds: kr.delegateIds,
    type: kr.type,
    unit: kr.unit,
    currency: kr.currency,
    start: movesOn && last !== null ? String(last) : kr.start,
    target: kr.target,
    baselineConfirmed: kr.baselineConfirmed,
    progressMode: kr.progressMode,
    rollup: kr.rollup,
    weight: kr.weight,
    position: kr.position,
  };
}

/**
 * Postpones (continues) an objective into another period: a clone with the same KRs,
 * owners and upward alignments, progress not copied. The original stays as it is.
 */
export async function postponeObjective(
  svc: Services,
  actor: Actor,
  id: string,
  body: unknown,
): Promise<ObjectiveDetail> {
  const input = parseInput(PostponeObjectiveSchema, body);
  const newId = await mutate(svc, actor, async (w) => {
    const o = await objectiveRepo.get(w.tx, w.scope, id);
    await w.guard.assertCanEditObjective(o);
    const period = await periodRepo.find(w.tx, w.scope, input.periodId);
    if (!period) throw missingReference("periodId", "period", [input.periodId]);
    if (period.id === o.periodId) throw AppError.validation(["periodId: pick another period than the objective's own"]);
    const clone = await objectiveRepo.insert(w.tx, w.scope, {
      title: o.title,
      description: o.description,
      level: o.level,
      teamId: o.teamId,
      ownerIds: o.ownerIds,
      periodId: period.id,
      committed: o.committed,
      state: "active",
      visibility: o.visibility,
    });
    // The clone and everything copied with it are audited as created, like any new item.
    const cloneView = presentObjective(clone, storedDerived("objective", clone), w.ctx, w.nowMs);
    await w.audit("objective.created", "objective", clone.id, null, cloneView);
    const krs = await graphQueries.keyResultsOf(w.tx, w.scope, [id]);
    for (const kr of krs) {
      const copy = await keyResultRepo.insert(w.tx, w.scope, cloneKeyResult(kr, clone.id));
      w.touch([copy.id]);
      const view = presentKeyResult(copy, clone, storedDerived("keyResult", copy), w.ctx, w.nowMs);
      await w.audit("keyResult.created", "keyResult", copy.id, null, view);
    }
    const upward = (await graphQueries.alignmentsTouching(w.tx, w.scope, [id])).filter((a) => a.childId === id);
    for (const a of upward) {
      // The parent's side accepted the original, not this copy: without a say there, it asks again.
      const asks = (a.contributes || a.state === "pending") && !(await speaksForParent(w, a.parentType, a.parentId));
      const row = await alignmentRepo.insert(w.tx, w.scope, {
        childType: "objective",
        childId: clone.id,
        parentType: a.parentType,
        parentId: a.parentId,
        weight: a.weight,
        contributes: asks ? false : a.contributes,
        state: asks ? "pending" : a.state,
      });
      await w.audit(
        asks ? "alignment.requested" : "alignment.created",
        "alignment",
        row.id,
        null,
        presentAlignment(row),
      );
    }
    w.touch([], { objective: [clone.id, id] });
    // Provenance only (which objective it continues); the clone's snapshot is its objective.created event.
    await w.audit("objective.postponed", "objective", clone.id, { from: id }, { periodId: period.id });
    return clone.id;
  });
  return getObjective(svc, actor, newId, {});
}

/** The ids of these objectives' live key results. */
async function keyResultIdsOf(w: Write, objectiveIds: readonly string[]): Promise<string[]> {
  return (await graphQueries.keyResultsOf(w.tx, w.scope, objectiveIds)).map((k) => k.id);
}

/** Closes every open objective of a period in one transaction and reports the outcome. */
export async function closePeriod(svc: Services, actor: Actor, periodId: string, body: unknown) {
  const input = parseInput(ClosePeriodSchema, body ?? {});
  return mutate(svc, actor, async (w) => {
    const period = await periodRepo.get(w.tx, w.scope, periodId);
    const objs = await objectiveRepo.list(w.tx, w.scope, eq(objectivesTable.periodId, periodId));
    let closedNow = 0;
    for (const o of objs) {
      if (o.state === "closed") continue;
      const before = await currentObjective(w, o.id);
      await closeOne(w, o, { note: input.note ?? "" });
      await w.audit("objective.closed", "objective", o.id, before, await currentObjective(w, o.id));
      closedNow++;
    }
    const updated = await periodRepo.update(w.tx, w.scope, periodId, { closedAt: new Date(w.nowMs) });
    const ids = objs.map((o) => o.id);
    w.touch(await keyResultIdsOf(w, ids), { objective: ids });
    const after = await objectiveRepo.list(w.tx, w.scope, eq(objectivesTable.periodId, periodId));
    const scores = after.map((o) => o.score).filter((s): s is number => s !== null);
    const grades: Record<"red" | "yellow" | "green", number> = { red: 0, yellow: 0, green: 0 };
    for (const s of scores) grades[grade(s)]++;
    const summary = {
      period: presentPeriod(updated),
      objectivesClosed: closedNow,
      objectivesTotal: after.length,
      averageScore: scores.length ? roundScore(scores.reduce((a, b) => a + b, 0) / scores.length) : null,
      grades,
      committedMissed: after.filter((o) => o.committed && (o.score ?? 0) < 1).length,
      objectives: after.map((o) => ({
        id: o.id,
        title: o.title,
        committed: o.committed,
        score: o.score,
        grade: o.score === null ? null : grade(o.score),
      })),
    };
    await w.audit("period.closed", "period", periodId, presentPeriod(period), summary);
    return summary;
  });
}
