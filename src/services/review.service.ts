/**
 * The review workflow's routes (#12, setting `reviewWorkflow`): a draft objective is submitted
 * for review by someone who may edit it (only when the coach finds no `error` in it), approved
 * or sent back with a comment by a reviewer (the owners' managers, the team's owners, or the
 * admins when there are none; admins may always), then published by its owners. Each step is
 * one transaction with its trail row, its audit event and its notices.
 */
import type { Executor } from "../db/database.js";
import type { OrgScope } from "../db/org-scope.js";
import { graphQueries, type ObjectiveRow, objectiveRepo } from "../db/repositories.js";
import { reviewQueries } from "../db/review-queries.js";
import { canEditObjective } from "../domain/access.js";
import { type Finding, runCoach } from "../domain/coach.js";
import { AppError } from "../domain/errors.js";
import { isReviewState, mayReview, type ReviewAction, reviewConflict } from "../domain/review.js";
import { forbidden, type Guard } from "./access.js";
import { alignedUnderVisible, coachObjectiveOf } from "./coach-input.js";
import { type Actor, mutate, read, type Services, type Write } from "./context.js";
import type { OrgContext } from "./evaluation.js";
import { notify } from "./notify.service.js";
import { assertOpen, figures } from "./okr.service.js";
import { recordStep, reviewersFor, reviewNotices, reviewWorkflowOn } from "./review-steps.js";
import { parseInput, ReviewCommentSchema, ReviewSendBackSchema } from "./schemas.js";

/** The coach's `error` findings on one objective and its key results: what blocks submitting it. */
async function blockersOf(
  ex: Executor,
  scope: OrgScope,
  ctx: OrgContext,
  nowMs: number,
  guard: Guard,
  o: ObjectiveRow,
): Promise<Finding[]> {
  const period = ctx.periods.get(o.periodId);
  const krs = await graphQueries.keyResultsOf(ex, scope, [o.id]);
  const f = await figures(ex, scope, ctx, nowMs);
  const aligned = await alignedUnderVisible(ex, scope, [o.id], await guard.seer());
  const initiatives = await graphQueries.initiativesOf(ex, scope, [o.id]);
  const input = coachObjectiveOf(o, krs, f, ctx, period ?? { startDate: "", endDate: "" }, {
    aligned: aligned.has(o.id),
    initiativeCount: initiatives.length,
  });
  if (!period) input.periodId = null;
  const mine = new Set([o.id, ...krs.map((k) => k.id)]);
  return runCoach({ objectives: [input], nowMs, settings: ctx.settings }).filter(
    (x) => x.severity === "error" && mine.has(x.objectId),
  );
}

/** What the review panel shows (`GET /objectives/:id/review`, and every review step's answer). */
export async function getReview(svc: Services, actor: Actor, id: string) {
  return read(svc, actor, async ({ ex, scope, org, ctx, nowMs, guard }) => {
    const o = await objectiveRepo.get(ex, scope, id);
    await guard.assertVisible(o);
    const { of, people } = await reviewersFor(ex, scope, [o]);
    const reviewers = of.get(o.id) ?? { ids: [], admins: true };
    const steps = await reviewQueries.steps(ex, scope, o.id);
    const on = reviewWorkflowOn(org);
    const writes = actor.access === "write" && guard.viewer.role !== "observer";
    const edits = writes && (guard.isAdmin || canEditObjective(await guard.graph(), guard.viewer, o));
    const reviews = writes && mayReview(guard.viewer, reviewers.ids);
    const open = (action: ReviewAction) => reviewConflict(o, action, guard.isAdmin) === null;
    const blockers =
      o.state === "draft" && !isReviewState(o.reviewState) ? await blockersOf(ex, scope, ctx, nowMs, guard, o) : [];
    return {
      objectiveId: o.id,
      workflow: on,
      state:
        o.state === "draft" && isReviewState(o.reviewState)
          ? o.reviewState
          : (o.state as "draft" | "active" | "closed"),
      reviewers: reviewers.ids.map((rid) => ({ id: rid, name: people.get(rid)?.name ?? "" })),
      reviewersAreAdmins: reviewers.admins,
      steps: steps.map((s) => ({
        step: s.step,
        actorId: s.actorId,
        actorName: s.actorName,
        comment: s.comment,
        at: s.createdAt.toISOString(),
      })),
      canSubmit: on && edits && open("submit") && blockers.length === 0,
      canApprove: reviews && open("approve"),
      canSendBack: reviews && open("sendBack"),
      canPublish: edits && o.state === "draft" && (!on || open("publish")),
      blockers,
    };
  });
}

/** A 409 for a step the objective's state does not allow (CLOSED when it is closed). */
function assertStep(o: ObjectiveRow, action: ReviewAction, skipReview = false) {
  assertOpen(o, action === "submit" ? "submitted for review" : "reviewed");
  const why = reviewConflict(o, action, skipReview);
  if (why) throw new AppError("CONFLICT", why);
}

/** The details of a refused submission: each blocking finding as "where: what to do". */
function blockerDetails(findings: readonly Finding[]): string[] {
  return findings.map((f) => `${f.objectType === "objective" ? "objective" : `keyResult ${f.objectId}`}: ${f.message}`);
}

/**
 * Submits a draft for review (`{ comment? }`): for those who may edit it, while reviews are
 * on. 409 when the coach finds an `error` in it (each listed with how to fix it), when it is
 * not a draft waiting for submission, or when reviews are off; 403 for those who may not edit
 * it; 404 when it is private and hidden from the caller. Tells its reviewers.
 */
export async function submitForReview(svc: Services, actor: Actor, id: string, body: unknown) {
  const input = parseInput(ReviewCommentSchema, body ?? {});
  await mutate(svc, actor, async (w) => {
    const o = await objectiveRepo.get(w.tx, w.scope, id);
    await w.guard.assertCanEditObjective(o);
    if (!reviewWorkflowOn(w.org)) {
      throw new AppError(
        "CONFLICT",
        "Reviews are off in this organisation: publish the draft directly, or ask an admin to turn on reviews in the settings (reviewWorkflow).",
      );
    }
    assertStep(o, "submit");
    const blockers = await blockersOf(w.tx, w.scope, w.ctx, w.nowMs, w.guard, o);
    if (blockers.length > 0) {
      const details = blockerDetails(blockers);
      throw new AppError(
        "CONFLICT",
        `The coach found ${blockers.length === 1 ? "a problem that blocks" : `${blockers.length} problems that block`} submitting this draft; fix ${blockers.length === 1 ? "it" : "them"} and submit again: ${details.join("; ")}`,
        details,
      );
    }
    await objectiveRepo.update(w.tx, w.scope, id, { reviewState: "inReview" });
    await recordStep(w, o, "submitted", { reviewState: "inReview", comment: input.comment ?? "" });
    const { of, people } = await reviewersFor(w.tx, w.scope, [o]);
    const name = people.get(actor.userId)?.name ?? (await reviewQueries.people(w.tx, w.scope, [actor.userId]))[0]?.name;
    await notify(
      svc,
      w,
      actor.userId,
      reviewNotices(
        o,
        of.get(o.id)?.ids ?? [],
        `${name ?? "Someone"} asks you to review “${o.title}”`,
        input.comment ?? "",
      ),
    );
  });
  return getReview(svc, actor, id);
}

/** 403 unless the caller reviews this objective (or is an admin), naming who does. */
async function assertReviewer(w: Write, o: ObjectiveRow) {
  await w.guard.assertVisible(o);
  const { of, people } = await reviewersFor(w.tx, w.scope, [o]);
  const ids = of.get(o.id)?.ids ?? [];
  if (!mayReview(w.guard.viewer, ids)) {
    const names = ids.map((r) => people.get(r)?.name).filter(Boolean);
    throw forbidden(
      `Only this objective's reviewers${names.length ? ` (${names.join(", ")})` : ""} and admins can approve it or send it back: its owners' managers and its team's owners review it.`,
    );
  }
  return {
    name:
      people.get(w.actor.userId)?.name ??
      (await reviewQueries.people(w.tx, w.scope, [w.actor.userId]))[0]?.name ??
      "Someone",
  };
}

/**
 * Approves a draft in review (`{ comment? }`): for its reviewers and admins (403 for others,
 * 404 when hidden), 409 unless it is in review. Tells its owners they may publish it.
 */
export async function approveReview(svc: Services, actor: Actor, id: string, body: unknown) {
  const input = parseInput(ReviewCommentSchema, body ?? {});
  await mutate(svc, actor, async (w) => {
    const o = await objectiveRepo.get(w.tx, w.scope, id);
    const { name } = await assertReviewer(w, o);
    assertStep(o, "approve");
    await objectiveRepo.update(w.tx, w.scope, id, { reviewState: "approved" });
    await recordStep(w, o, "approved", { reviewState: "approved", comment: input.comment ?? "" });
    await notify(
      svc,
      w,
      actor.userId,
      reviewNotices(o, o.ownerIds, `${name} approved “${o.title}”: publish it to make it active`, input.comment ?? ""),
    );
  });
  return getReview(svc, actor, id);
}

/**
 * Sends a draft in review (or approved, not yet published) back to its owners with a comment
 * saying what to change (`{ comment }`, required): for its reviewers and admins; 409 unless it
 * is in review or approved. It is a plain draft again, to be changed and submitted anew.
 */
export async function sendBackReview(svc: Services, actor: Actor, id: string, body: unknown) {
  const input = parseInput(ReviewSendBackSchema, body);
  await mutate(svc, actor, async (w) => {
    const o = await objectiveRepo.get(w.tx, w.scope, id);
    const { name } = await assertReviewer(w, o);
    assertStep(o, "sendBack");
    await objectiveRepo.update(w.tx, w.scope, id, { reviewState: null });
    await recordStep(w, o, "sentBack", { reviewState: null, comment: input.comment });
    await notify(
      svc,
      w,
      actor.userId,
      reviewNotices(o, o.ownerIds, `${name} sent “${o.title}” back: ${input.comment}`, input.comment),
    );
  });
  return getReview(svc, actor, id);
}

/** How many drafts the waiting list looks at; `truncated` says when there were more. */
const WAITING_CAP = 200;

/**
 * The drafts in review that the caller reviews (their reports' and their teams' objectives; for
 * an admin also those without a named reviewer), most recently changed first, that they may see.
 */
export async function listReviewsWaiting(svc: Services, actor: Actor) {
  return read(svc, actor, async ({ ex, scope, guard }) => {
    const candidates = await reviewQueries.waitingFor(ex, scope, actor.userId, guard.isAdmin, WAITING_CAP + 1);
    const truncated = candidates.length > WAITING_CAP;
    const rows = candidates.slice(0, WAITING_CAP);
    const sees = await guard.seer();
    const { of } = await reviewersFor(ex, scope, rows);
    const mine = rows.filter((o) => sees(o) && (of.get(o.id)?.ids ?? []).includes(actor.userId));
    const submitted = await reviewQueries.lastSubmitted(
      ex,
      scope,
      mine.map((o) => o.id),
    );
    return {
      items: mine.map((o) => ({
        id: o.id,
        title: o.title,
        level: o.level as "organization" | "team" | "individual",
        teamId: o.teamId,
        ownerIds: o.ownerIds,
        periodId: o.periodId,
        submittedAt: (submitted.get(o.id) ?? o.updatedAt).toISOString(),
      })),
      truncated,
    };
  });
}
