/**
 * The end of an OKR's life: close with a score and learnings, reopen, postpone into
 * another period (a clone: progress is not copied, each KR starts from its last value).
 * Closing and reopening a whole period: period-close.service.ts.
 */
import {
  alignmentRepo,
  graphQueries,
  type KeyResultRow,
  keyResultRepo,
  type ObjectiveRow,
  objectiveRepo,
  periodRepo,
} from "../db/repositories.js";
import { AppError } from "../domain/errors.js";
import { objectiveScore, roundScore, suggestedKrScore } from "../domain/scoring.js";
import { speaksForParent } from "./alignment.service.js";
import { type Actor, missingReference, mutate, type Services, type Write } from "./context.js";
import { groupBy, storedDerived } from "./evaluation.js";
import { notifyFollowers } from "./follow.service.js";
import { currentObjective, getObjective, type ObjectiveDetail } from "./okr.service.js";
import { assertPeriodOpen, assertPeriodTakesObjectives } from "./period-guard.js";
import { presentAlignment, presentKeyResult, presentObjective } from "./presenters.js";
import { reviewWorkflowOn } from "./review-steps.js";
import { CloseObjectiveSchema, PostponeObjectiveSchema, parseInput } from "./schemas.js";

interface CloseInput {
  score?: number | null | undefined;
  note?: string | undefined;
  learnings?: string | undefined;
  next?: string | undefined;
  keyResultScores?: { keyResultId: string; score: number; reason: string }[] | undefined;
  /** When it was closed, for a recorded history (an OKR file); default now. */
  atMs?: number | undefined;
}

/** The score an objective's key results suggest (okr-method §6): baseline KRs are not scored. */
export function suggestedObjectiveScore(krs: readonly KeyResultRow[]): number | null {
  return objectiveScore(
    krs
      .filter((kr) => kr.type !== "baseline")
      .map((kr) => ({ score: suggestedKrScore(storedDerived("keyResult", kr).progress), weight: Number(kr.weight) })),
  );
}

/**
 * Closes one objective and its KRs inside `w`; returns its score. `byPeriodId` marks it as
 * closed by that period's close (what reopening the period restores), remembering the state
 * it had (a draft is restored as a draft).
 */
export async function closeOne(
  w: Write,
  o: ObjectiveRow,
  input: CloseInput,
  byPeriodId: string | null = null,
): Promise<number | null> {
  const c = closingOf(w, o, await graphQueries.keyResultsOf(w.tx, w.scope, [o.id]), input, byPeriodId);
  for (const k of c.keyResults) {
    await keyResultRepo.update(w.tx, w.scope, k.id, { closed: true, score: k.score, scoreReason: k.scoreReason });
  }
  await objectiveRepo.update(w.tx, w.scope, o.id, c.objective);
  return c.objective.score;
}

/**
 * Closes many objectives and their KRs inside `w` as `closeOne` does each, in a few statements:
 * rows that end the same (the same score, the same closing) are updated together.
 */
export async function closeMany(
  w: Write,
  objs: readonly ObjectiveRow[],
  input: CloseInput,
  byPeriodId: string | null,
): Promise<void> {
  const krsOf = groupBy(
    await graphQueries.keyResultsOf(
      w.tx,
      w.scope,
      objs.map((o) => o.id),
    ),
    (kr) => kr.objectiveId,
  );
  const krGroups = new Map<string, { patch: { score: number; scoreReason: string | null }; ids: string[] }>();
  const objectiveGroups = new Map<string, { patch: Closing["objective"]; ids: string[] }>();
  const add = <P>(groups: Map<string, { patch: P; ids: string[] }>, patch: P, id: string) => {
    const key = JSON.stringify(patch);
    const group = groups.get(key) ?? { patch, ids: [] };
    group.ids.push(id);
    groups.set(key, group);
  };
  for (const o of objs) {
    const c = closingOf(w, o, krsOf.get(o.id) ?? [], input, byPeriodId);
    for (const k of c.keyResults) add(krGroups, { score: k.score, scoreReason: k.scoreReason }, k.id);
    add(objectiveGroups, c.objective, o.id);
  }
  for (const g of krGroups.values()) {
    await keyResultRepo.updateMany(w.tx, w.scope, g.ids, { closed: true, ...g.patch });
  }
  for (const g of objectiveGroups.values()) await objectiveRepo.updateMany(w.tx, w.scope, g.ids, g.patch);
}

/** What closing one objective writes: its key results' scores and the objective's closing. */
interface Closing {
  keyResults: { id: string; score: number; scoreReason: string | null }[];
  objective: {
    state: "closed";
    score: number | null;
    closing: Record<string, unknown>;
    closedByPeriodId: string | null;
    reviewState: null;
  };
}

function closingOf(
  w: Write,
  o: ObjectiveRow,
  krs: readonly KeyResultRow[],
  input: CloseInput,
  byPeriodId: string | null,
): Closing {
  const overrides = new Map((input.keyResultScores ?? []).map((s) => [s.keyResultId, s]));
  const unknown = [...overrides.keys()].filter((id) => !krs.some((k) => k.id === id));
  if (unknown.length) {
    throw AppError.validation(
      unknown.map((id) => `keyResultScores: ${JSON.stringify(id)} is not a key result of this objective`),
    );
  }
  const scored: { score: number; weight: number }[] = [];
  const keyResults: Closing["keyResults"] = [];
  for (const kr of krs) {
    const o2 = overrides.get(kr.id);
    const score = o2 ? roundScore(o2.score) : suggestedKrScore(storedDerived("keyResult", kr).progress);
    if (kr.type !== "baseline") scored.push({ score, weight: Number(kr.weight) });
    keyResults.push({ id: kr.id, score, scoreReason: o2?.reason ?? null });
  }
  const score = input.score !== undefined && input.score !== null ? roundScore(input.score) : objectiveScore(scored);
  const objective: Closing["objective"] = {
    state: "closed",
    score,
    closing: {
      note: input.note ?? "",
      learnings: input.learnings ?? "",
      next: input.next ?? "",
      closedAt: new Date(input.atMs ?? w.nowMs).toISOString(),
      closedBy: w.actor.userId,
      suggestedScore: objectiveScore(scored),
      ...(byPeriodId && { previousState: o.state }),
    },
    closedByPeriodId: byPeriodId,
    // A review in flight ends with the objective: a reopened draft is submitted again.
    reviewState: null,
  };
  return { keyResults, objective };
}

/**
 * Closes an objective with its score (default: the suggested one) and notes. `history.atMs`
 * records a close that happened earlier (an OKR file's); the API closes now.
 */
export async function closeObjective(
  svc: Services,
  actor: Actor,
  id: string,
  body: unknown,
  history?: { atMs: number },
): Promise<ObjectiveDetail> {
  const input = { ...parseInput(CloseObjectiveSchema, body ?? {}), atMs: history?.atMs };
  await mutate(svc, actor, async (w) => {
    const o = await objectiveRepo.get(w.tx, w.scope, id);
    await w.guard.assertCanEditObjective(o);
    if (o.state === "closed") throw new AppError("CLOSED", `The objective "${o.title}" is already closed.`);
    const before = await currentObjective(w, id);
    await closeOne(w, o, input);
    w.touch(await keyResultIdsOf(w, [id]), { objective: [id] });
    const after = await currentObjective(w, id);
    await w.audit("objective.closed", "objective", id, before, after);
    await notifyFollowers(svc, w, actor.userId, id, {
      title: `"${o.title}" was closed${after.score === null ? "" : ` with a score of ${after.score.toFixed(1)}`}`,
      link: `/objectives/${id}`,
    });
  });
  return getObjective(svc, actor, id, {});
}

/** The state an objective had before a period close closed it (drafts stay drafts when reopened). */
export function stateBeforeClose(o: ObjectiveRow): "draft" | "active" {
  const closing = o.closing as { previousState?: unknown } | null;
  return closing?.previousState === "draft" ? "draft" : "active";
}

/**
 * Reopens a closed objective and its key results (a draft closed with its period comes back a
 * draft). CONFLICT when it is not closed; CLOSED while its period is closed, for anyone: the
 * period is reopened first, so its close summary never goes stale.
 */
export async function reopenObjective(svc: Services, actor: Actor, id: string): Promise<ObjectiveDetail> {
  await mutate(svc, actor, async (w) => {
    const o = await objectiveRepo.get(w.tx, w.scope, id);
    await w.guard.assertCanEditObjective(o);
    if (o.state !== "closed")
      throw new AppError("CONFLICT", `The objective "${o.title}" is not closed; there is nothing to reopen.`);
    assertPeriodOpen(
      await periodRepo.find(w.tx, w.scope, o.periodId),
      `the objective "${o.title}" cannot be reopened on its own`,
    );
    const before = await currentObjective(w, id);
    for (const kr of await graphQueries.keyResultsOf(w.tx, w.scope, [id])) {
      await keyResultRepo.update(w.tx, w.scope, kr.id, { closed: false });
    }
    // A draft closed with its period comes back a draft: reopening is not publishing.
    await objectiveRepo.update(w.tx, w.scope, id, { state: stateBeforeClose(o), score: null, closedByPeriodId: null });
    w.touch(await keyResultIdsOf(w, [id]), { objective: [id] });
    await w.audit("objective.reopened", "objective", id, before, await currentObjective(w, id));
    await notifyFollowers(svc, w, actor.userId, id, { title: `"${o.title}" was reopened`, link: `/objectives/${id}` });
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
 * CLOSED when the target period is closed.
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
    assertPeriodTakesObjectives(period, "continued into");
    // Once is enough: a second copy into the same period would be a duplicate.
    const earlier = await graphQueries.continuations(w.tx, w.scope, id, period.id);
    if (earlier.length) {
      throw new AppError(
        "CONFLICT",
        `"${o.title}" was already continued into ${period.name} (objective ${earlier[0]!.id}); open that copy, or delete it to postpone again.`,
      );
    }
    const clone = await objectiveRepo.insert(w.tx, w.scope, {
      continuedFrom: id,
      title: o.title,
      description: o.description,
      level: o.level,
      teamId: o.teamId,
      ownerIds: o.ownerIds,
      periodId: period.id,
      committed: o.committed,
      // With reviews on, continuing a draft does not publish it past its review (admins may skip it).
      state: o.state === "draft" && reviewWorkflowOn(w.org) && !w.guard.isAdmin ? "draft" : "active",
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
export async function keyResultIdsOf(w: Write, objectiveIds: readonly string[]): Promise<string[]> {
  return (await graphQueries.keyResultsOf(w.tx, w.scope, objectiveIds)).map((k) => k.id);
}
