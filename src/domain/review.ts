/**
 * The optional review workflow (setting `reviewWorkflow`): a draft objective goes
 * draft → in review → approved → active. Pure rules: who reviews, which step may follow which.
 *
 * - Reviewers are the owners' (direct) managers and the owners of the objective's team, never
 *   the objective's own owners. An objective with none of them (an organisation objective of
 *   someone without a manager) is reviewed by the organisation's admins.
 * - Admins may approve any objective, and may publish a draft without a review (the step is
 *   recorded as an activation "without review").
 * - Submitting needs the coach's `error` checks to pass (the service runs them).
 */
import { isAdmin, type Viewer } from "./access.js";

/** The review state of a draft: null (not submitted, or sent back), in review, approved. */
export type ReviewState = "inReview" | "approved";

export const REVIEW_STEPS = ["submitted", "approved", "sentBack", "withdrawn", "activated"] as const;
/** A step of the review trail; `withdrawn`: an edit of a submitted draft took it back to draft. */
export type ReviewStep = (typeof REVIEW_STEPS)[number];

/** What the workflow can be asked to do to an objective. */
export type ReviewAction = "submit" | "approve" | "sendBack" | "publish";

/** A person as the reviewer rule sees them. */
export interface ReviewPerson {
  id: string;
  managerId: string | null;
  role: string;
  active: boolean;
}

export interface ReviewObjective {
  state: string;
  reviewState: string | null;
  ownerIds: readonly string[];
  teamId: string | null;
}

export function isReviewState(v: unknown): v is ReviewState {
  return v === "inReview" || v === "approved";
}

/**
 * The reviewers of an objective, in a stable order: the active direct managers of its owners,
 * then the active owners of its team, without its own owners; when that leaves nobody, the
 * active admins (organisation owners and admins) who do not own it.
 * `people` must hold the owners, their managers, the team's owners and the admins.
 */
export function reviewersOf(
  o: Pick<ReviewObjective, "ownerIds" | "teamId">,
  people: ReadonlyMap<string, ReviewPerson>,
  teamOwnerIds: readonly string[],
): { ids: string[]; admins: boolean } {
  const owners = new Set(o.ownerIds);
  const usable = (id: string | null | undefined): id is string =>
    !!id && !owners.has(id) && people.get(id)?.active === true;
  const named: string[] = [];
  const add = (id: string | null | undefined) => {
    if (usable(id) && !named.includes(id)) named.push(id);
  };
  for (const owner of o.ownerIds) add(people.get(owner)?.managerId);
  if (o.teamId !== null) for (const id of teamOwnerIds) add(id);
  if (named.length > 0) return { ids: named, admins: false };
  const admins = [...people.values()]
    .filter((p) => usable(p.id) && (p.role === "owner" || p.role === "admin"))
    .map((p) => p.id)
    .sort();
  return { ids: admins, admins: true };
}

/** Whether `viewer` may approve or send back an objective whose reviewers are `reviewerIds`. */
export function mayReview(viewer: Viewer, reviewerIds: readonly string[]): boolean {
  if (viewer.role === "observer") return false;
  return isAdmin(viewer) || reviewerIds.includes(viewer.userId);
}

/**
 * Why `action` cannot happen to an objective in its current state (a 409 CONFLICT message),
 * or null when it can. `publish` is the step from an approved draft to active; with the
 * workflow on, `skipReview` (an admin) lets an unreviewed draft be published too.
 */
export function reviewConflict(
  o: Pick<ReviewObjective, "state" | "reviewState"> & { id: string },
  action: ReviewAction,
  skipReview = false,
): string | null {
  if (o.state === "active") {
    return action === "publish"
      ? null
      : "This objective is already active: reviews are for drafts. Return it to draft first to review a change.";
  }
  if (o.state !== "draft") return "This objective is closed: reopen it first.";
  const r = isReviewState(o.reviewState) ? o.reviewState : null;
  switch (action) {
    case "submit":
      if (r === "inReview") return "This draft is already in review: wait for a reviewer to approve or send it back.";
      if (r === "approved") return "This draft is already approved: publish it to make it active.";
      return null;
    case "approve":
      if (r === "approved") return "This draft is already approved: its owners can publish it now.";
      if (r === null) return "This draft is not in review: its owners must submit it for review first.";
      return null;
    case "sendBack":
      if (r === null) return "This draft is not in review: there is nothing to send back.";
      return null;
    case "publish":
      if (r === "approved" || skipReview) return null;
      return r === "inReview"
        ? "This draft is still in review: it can be published once a reviewer approves it."
        : `With reviews on, a draft goes live only after a review: submit it for review (POST /objectives/${o.id}/review/submit) and publish it once approved.`;
  }
}
