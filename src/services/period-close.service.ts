/**
 * Closing a whole period safely: a preview of exactly what a close does (counts, drafts, each
 * objective's suggested score), the close itself, and reopening a closed period, which
 * restores every objective its close closed — and only those.
 */
import { eq } from "drizzle-orm";
import type { Executor } from "../db/database.js";
import type { OrgScope } from "../db/org-scope.js";
import { periodQueries } from "../db/period-queries.js";
import { graphQueries, keyResultRepo, type ObjectiveRow, objectiveRepo, periodRepo } from "../db/repositories.js";
import { objectives as objectivesTable } from "../db/schema.js";
import { AppError } from "../domain/errors.js";
import { grade, roundScore } from "../domain/scoring.js";
import { type Actor, mutate, read, type Services, type Write } from "./context.js";
import { storedDerived } from "./evaluation.js";
import { closeMany, keyResultIdsOf, stateBeforeClose, suggestedObjectiveScore } from "./lifecycle.service.js";
import { currentObjectives, type ObjectiveDetail } from "./okr.service.js";
import { notifyPeriodClosed } from "./period-close-notice.js";
import { presentPeriod } from "./presenters.js";
import { ClosePeriodSchema, parseInput } from "./schemas.js";

/** Audits each of these objectives with its view `before` and as it stands now, in one insert. */
async function auditEach(w: Write, action: string, ids: readonly string[], before: Map<string, ObjectiveDetail>) {
  const after = await currentObjectives(w, ids);
  await w.auditMany(
    ids.map((id) => ({ action, objectType: "objective", objectId: id, before: before.get(id), after: after.get(id) })),
  );
}

async function objectivesOf(ex: Executor, scope: OrgScope, periodId: string): Promise<ObjectiveRow[]> {
  return objectiveRepo.list(ex, scope, eq(objectivesTable.periodId, periodId));
}

/**
 * What closing the period would do, read from the period's own objectives and their key
 * results: how many objectives and key results it closes, how many of them are drafts, each
 * objective's suggested score, and how many objectives reopening it would restore.
 * NOT_FOUND when the period is not in the caller's organisation.
 */
export async function getClosePreview(svc: Services, actor: Actor, periodId: string) {
  return read(svc, actor, async ({ ex, scope }) => {
    const period = await periodRepo.get(ex, scope, periodId);
    const objs = await objectivesOf(ex, scope, periodId);
    const krs = await graphQueries.keyResultsOf(
      ex,
      scope,
      objs.map((o) => o.id),
    );
    const krsOf = new Map<string, typeof krs>();
    for (const kr of krs) krsOf.set(kr.objectiveId, [...(krsOf.get(kr.objectiveId) ?? []), kr]);
    // A close from before the mark (no objective carries it) is recognised by its instant.
    const legacyAt = objs.some((o) => o.closedByPeriodId === periodId) ? null : period.closedAt;
    const items = objs.map((o) => {
      const own = krsOf.get(o.id) ?? [];
      const closed = o.state === "closed";
      return {
        id: o.id,
        title: o.title,
        state: o.state as "draft" | "active" | "closed",
        committed: o.committed,
        keyResults: own.length,
        progress: storedDerived("objective", o).progress,
        suggestedScore: closed ? null : suggestedObjectiveScore(own),
        score: closed ? o.score : null,
        closedByPeriodClose: closed && closedByThisClose(o, periodId, legacyAt),
      };
    });
    const toClose = items.filter((i) => i.state !== "closed");
    const suggested = toClose
      .filter((i) => i.state === "active")
      .map((i) => i.suggestedScore)
      .filter((s): s is number => s !== null);
    return {
      period: presentPeriod(period),
      objectives: {
        total: items.length,
        toClose: toClose.length,
        drafts: toClose.filter((i) => i.state === "draft").length,
        alreadyClosed: items.length - toClose.length,
      },
      keyResults: {
        total: krs.length,
        toClose: toClose.reduce((n, i) => n + i.keyResults, 0),
      },
      averageSuggestedScore: suggested.length
        ? roundScore(suggested.reduce((a, b) => a + b, 0) / suggested.length)
        : null,
      reopens: items.filter((i) => i.closedByPeriodClose).length,
      items,
    };
  });
}

/**
 * Closes every open objective of a period (drafts too, remembered as drafts) in one
 * transaction, marks them as closed by this period close, and reports the outcome; the
 * scores of the summary leave drafts out, as they were never commitments.
 */
export async function closePeriod(
  svc: Services,
  actor: Actor,
  periodId: string,
  body: unknown,
  history?: { atMs: number },
) {
  const input = parseInput(ClosePeriodSchema, body ?? {});
  const atMs = history?.atMs;
  return mutate(svc, actor, async (w) => {
    const period = await periodRepo.get(w.tx, w.scope, periodId);
    const objs = await objectivesOf(w.tx, w.scope, periodId);
    // In bulk: a period of thousands of objectives closes in a few statements per kind of row.
    const open = objs.filter((o) => o.state !== "closed");
    const openIds = open.map((o) => o.id);
    const before = await currentObjectives(w, openIds);
    await closeMany(w, open, { note: input.note ?? "", atMs }, periodId);
    await auditEach(w, "objective.closed", openIds, before);
    const closedNow = open.length;
    const updated = await periodRepo.update(w.tx, w.scope, periodId, { closedAt: new Date(atMs ?? w.nowMs) });
    const ids = objs.map((o) => o.id);
    w.touch(await keyResultIdsOf(w, ids), { objective: ids });
    const after = await objectivesOf(w.tx, w.scope, periodId);
    const counted = after.filter((o) => stateBeforeClose(o) !== "draft" || o.closedByPeriodId !== periodId);
    const scores = counted.map((o) => o.score).filter((s): s is number => s !== null);
    const grades: Record<"red" | "yellow" | "green", number> = { red: 0, yellow: 0, green: 0 };
    for (const s of scores) grades[grade(s)]++;
    const summary = {
      period: presentPeriod(updated),
      objectivesClosed: closedNow,
      objectivesTotal: after.length,
      averageScore: scores.length ? roundScore(scores.reduce((a, b) => a + b, 0) / scores.length) : null,
      grades,
      committedMissed: counted.filter((o) => o.committed && (o.score ?? 0) < 1).length,
      objectives: after.map((o) => ({
        id: o.id,
        title: o.title,
        committed: o.committed,
        score: o.score,
        grade: o.score === null ? null : grade(o.score),
      })),
    };
    await w.audit("period.closed", "period", periodId, presentPeriod(period), summary);
    // Owners hear of what this close scored (drafts were no commitment: not scored for them).
    const scoredNow = new Set(open.filter((o) => o.state !== "draft").map((o) => o.id));
    await notifyPeriodClosed(
      svc,
      w,
      updated,
      after.filter((o) => scoredNow.has(o.id)),
    );
    return summary;
  });
}

/**
 * Reopens a closed period: every objective its close closed (and their key results) is open
 * again — a draft as a draft — while objectives closed on their own stay closed. One
 * transaction; roll-ups recomputed from what changed. CONFLICT when the period is not closed.
 */
/** Whether the period's close closed this objective (`legacyAt`: a close from before the mark, by its instant). */
function closedByThisClose(o: ObjectiveRow, periodId: string, periodClosedAt: Date | null): boolean {
  if (o.closedByPeriodId === periodId) return true;
  const at = (o.closing as { closedAt?: unknown } | null)?.closedAt;
  return (
    o.closedByPeriodId === null &&
    periodClosedAt !== null &&
    typeof at === "string" &&
    Date.parse(at) === periodClosedAt.getTime()
  );
}

export async function reopenPeriod(svc: Services, actor: Actor, periodId: string) {
  return mutate(svc, actor, async (w) => {
    const period = await periodRepo.get(w.tx, w.scope, periodId);
    if (!period.closedAt) {
      throw new AppError("CONFLICT", `The period "${period.name}" is not closed; there is nothing to reopen.`);
    }
    const objs = await periodQueries.closedByPeriodClose(w.tx, w.scope, periodId, period.closedAt);
    const ids = objs.map((o) => o.id);
    const reopened = objs.map((o) => ({ id: o.id, title: o.title, state: stateBeforeClose(o) }));
    // In bulk, as the close: every key result at once, the objectives by the state they return to.
    const before = await currentObjectives(w, ids);
    const krIds = (await graphQueries.keyResultsOf(w.tx, w.scope, ids)).map((kr) => kr.id);
    await keyResultRepo.updateMany(w.tx, w.scope, krIds, { closed: false });
    for (const state of ["draft", "active"] as const) {
      const these = reopened.filter((r) => r.state === state).map((r) => r.id);
      await objectiveRepo.updateMany(w.tx, w.scope, these, { state, score: null, closedByPeriodId: null });
    }
    await auditEach(w, "objective.reopened", ids, before);
    const updated = await periodRepo.update(w.tx, w.scope, periodId, { closedAt: null });
    if (ids.length) w.touch(await keyResultIdsOf(w, ids), { objective: ids });
    const result = { period: presentPeriod(updated), objectivesReopened: reopened.length, objectives: reopened };
    await w.audit("period.reopened", "period", periodId, presentPeriod(period), result);
    return result;
  });
}
