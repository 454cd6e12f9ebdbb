/**
 * The review workflow's steps as other writes meet them (#12, setting `reviewWorkflow`): the
 * state a new objective starts in, publishing a draft, an edit of a submitted draft — and the
 * step record every one of them leaves (a `review_steps` row and an audit event, in the write's
 * transaction). The review routes themselves are in review.service.ts.
 */
import type { Executor } from "../db/database.js";
import type { OrgScope } from "../db/org-scope.js";
import type { ObjectiveRow, OrganizationRow } from "../db/repositories.js";
import { objectiveRepo } from "../db/repositories.js";
import { type ReviewPersonRow, reviewQueries } from "../db/review-queries.js";
import { AppError } from "../domain/errors.js";
import { isReviewState, type ReviewStep, reviewConflict, reviewersOf } from "../domain/review.js";
import type { Services, Write } from "./context.js";
import { type NoticeInput, notify } from "./notify.service.js";

/**
 * Whether `patch` changes any field of `row` besides those in `ignore` (a save that sends every
 * field unchanged changes nothing): decimals compare as numbers, lists and plans as JSON.
 */
export function changesFields(
  patch: Readonly<Record<string, unknown>>,
  row: Readonly<Record<string, unknown>>,
  ignore: readonly string[] = [],
): boolean {
  const asNumber = (v: unknown) =>
    typeof v === "number" || (typeof v === "string" && /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(v)) ? Number(v) : Number.NaN;
  return Object.entries(patch).some(([k, v]) => {
    if (v === undefined || ignore.includes(k)) return false;
    const was = row[k];
    if (v === was) return false;
    const a = asNumber(v);
    if (!Number.isNaN(a) && a === asNumber(was)) return false;
    return JSON.stringify(v) !== JSON.stringify(was ?? null);
  });
}

/** Whether the organisation asks for a review before a draft goes live. */
export function reviewWorkflowOn(org: Pick<OrganizationRow, "settings">): boolean {
  return (org.settings as { reviewWorkflow?: unknown } | null)?.reviewWorkflow === true;
}

/** The reviewers of each objective (see `reviewersOf`), and the names of everyone involved. */
export async function reviewersFor(
  ex: Executor,
  scope: OrgScope,
  objectives: readonly Pick<ObjectiveRow, "id" | "ownerIds" | "teamId">[],
): Promise<{ of: Map<string, { ids: string[]; admins: boolean }>; people: Map<string, ReviewPersonRow> }> {
  const owners = await reviewQueries.people(
    ex,
    scope,
    objectives.flatMap((o) => o.ownerIds),
  );
  const teamOwners = await reviewQueries.teamOwners(
    ex,
    scope,
    objectives.map((o) => o.teamId),
  );
  const people = new Map(owners.map((p) => [p.id, p]));
  const more = [...owners.map((p) => p.managerId), ...[...teamOwners.values()].flat()].filter(
    (id): id is string => id !== null && !people.has(id),
  );
  for (const p of await reviewQueries.people(ex, scope, more)) people.set(p.id, p);
  const of = new Map<string, { ids: string[]; admins: boolean }>();
  let admins: ReviewPersonRow[] | null = null;
  for (const o of objectives) {
    const teamIds = o.teamId ? (teamOwners.get(o.teamId) ?? []) : [];
    let r = reviewersOf(o, people, teamIds);
    if (r.admins) {
      // Only objectives without a named reviewer need the admins; most never do.
      admins ??= await reviewQueries.admins(ex, scope);
      for (const a of admins) if (!people.has(a.id)) people.set(a.id, a);
      r = reviewersOf(o, people, teamIds);
    }
    of.set(o.id, r);
  }
  return { of, people };
}

const AUDIT_ACTION: Record<ReviewStep, string> = {
  submitted: "objective.reviewSubmitted",
  approved: "objective.reviewApproved",
  sentBack: "objective.reviewSentBack",
  withdrawn: "objective.reviewWithdrawn",
  activated: "objective.reviewActivated",
};

/** Records one step of an objective's review: its row in the trail and its audit event. */
export async function recordStep(
  w: Write,
  o: Pick<ObjectiveRow, "id" | "reviewState">,
  step: ReviewStep,
  next: { reviewState: string | null; comment: string; withoutReview?: boolean },
): Promise<void> {
  // The trail is ordered by time: a step in the same millisecond as the last one (two in one
  // write, or a fixed clock) is stamped a millisecond after it.
  const last = await reviewQueries.lastStepAt(w.tx, w.scope, o.id);
  await reviewQueries.insertStep(w.tx, w.scope, {
    objectiveId: o.id,
    step,
    actorId: w.actor.userId,
    comment: next.comment,
    createdAt: new Date(Math.max(w.nowMs, last ? last.getTime() + 1 : 0)),
  });
  await w.audit(
    AUDIT_ACTION[step],
    "objective",
    o.id,
    { reviewState: o.reviewState },
    {
      reviewState: next.reviewState,
      step,
      comment: next.comment,
      ...(next.withoutReview && { withoutReview: true }),
    },
  );
}

/** Notices of kind `review` about `o`, one per person, linking to its page. */
export function reviewNotices(
  o: Pick<ObjectiveRow, "id">,
  userIds: readonly string[],
  title: string,
  body = "",
): NoticeInput[] {
  return [...new Set(userIds)].map((userId) => ({
    userId,
    kind: "review",
    objectType: "objective",
    objectId: o.id,
    objectiveId: o.id,
    title,
    body,
    link: `/objectives/${o.id}`,
  }));
}

/** The name of the person acting, for notices. */
async function actorName(w: Write): Promise<string> {
  return (await reviewQueries.people(w.tx, w.scope, [w.actor.userId]))[0]?.name ?? "Someone";
}

/**
 * The state a new objective starts in. With reviews on, someone who may not skip them (anyone
 * but an admin) gets a draft by default, and asking for an active objective is refused (409).
 */
export function initialState(w: Write, requested: "draft" | "active" | undefined): "draft" | "active" {
  if (!reviewWorkflowOn(w.org) || w.guard.isAdmin) return requested ?? "active";
  if (requested === "active") {
    throw new AppError(
      "CONFLICT",
      'With reviews on, a new objective starts as a draft: create it with state "draft" (or leave state out), then submit it for review.',
    );
  }
  return "draft";
}

/**
 * Records that an admin created an objective active while reviews are on (the review skipped).
 */
export async function onCreatedActive(w: Write, o: ObjectiveRow): Promise<void> {
  if (o.state !== "active" || !reviewWorkflowOn(w.org)) return;
  await recordStep(w, o, "activated", {
    reviewState: null,
    comment: "Created active by an admin, without a review.",
    withoutReview: true,
  });
}

/**
 * Publishing a draft (`state: "active"`). With reviews on, only an approved draft goes live,
 * unless an admin publishes it (the step says it went without a review); otherwise 409 saying
 * to submit it. Records the `activated` step when reviews are on or the draft had been
 * submitted, and answers what to store with the publication: no review state, and the moment
 * it was published (its history starts then, okr-method §3 "Drafts").
 */
export async function onPublish(
  svc: Services,
  w: Write,
  o: ObjectiveRow,
): Promise<{ reviewState: null; publishedAt: Date }> {
  const on = reviewWorkflowOn(w.org);
  const approved = o.reviewState === "approved";
  if (on) {
    const why = reviewConflict(o, "publish", w.guard.isAdmin);
    if (why) throw new AppError("CONFLICT", why);
  }
  if (on || isReviewState(o.reviewState)) {
    await recordStep(w, o, "activated", {
      reviewState: null,
      comment: approved ? "" : "Published by an admin without a review.",
      withoutReview: !approved,
    });
    const { of } = await reviewersFor(w.tx, w.scope, [o]);
    const name = await actorName(w);
    await notify(
      svc,
      w,
      w.actor.userId,
      reviewNotices(
        o,
        [...o.ownerIds, ...(of.get(o.id)?.ids ?? [])],
        `${name} published “${o.title}”: it is active now.`,
      ),
    );
  }
  return { reviewState: null, publishedAt: new Date(w.nowMs) };
}

/**
 * An edit of a submitted draft (its fields or its key results) takes it back to draft: the
 * reviewers approve what they saw, so a changed draft is submitted again. Records the
 * `withdrawn` step and tells the reviewers. With `store: false` the caller writes the cleared
 * review state itself (it is updating the objective anyway).
 */
export async function withdrawOnEdit(svc: Services, w: Write, o: ObjectiveRow, store = true): Promise<void> {
  if (o.state !== "draft" || !isReviewState(o.reviewState)) return;
  if (store) await objectiveRepo.update(w.tx, w.scope, o.id, { reviewState: null });
  await recordStep(w, o, "withdrawn", {
    reviewState: null,
    comment: "Changed after it was submitted: submit it again for review.",
  });
  const { of } = await reviewersFor(w.tx, w.scope, [o]);
  const name = await actorName(w);
  await notify(
    svc,
    w,
    w.actor.userId,
    reviewNotices(
      o,
      of.get(o.id)?.ids ?? [],
      `${name} changed “${o.title}” after submitting it: it is back to draft until submitted again.`,
    ),
  );
}
