/** Response shapes of the review workflow (#12): an objective's review and the drafts waiting for mine. */
import { z } from "zod";
import { REVIEW_STEPS } from "../domain/review.js";
import { FindingShape, Id, Instant } from "./api-shapes.js";

export const ReviewShape = z.strictObject({
  objectiveId: Id,
  workflow: z.boolean().describe("whether the organisation asks for reviews (setting reviewWorkflow)"),
  state: z
    .enum(["draft", "inReview", "approved", "active", "closed"])
    .describe("draft (not submitted, or sent back), inReview, approved (ready to publish), active, closed"),
  reviewers: z
    .array(z.strictObject({ id: Id, name: z.string() }))
    .describe("the owners' managers and the team's owners (never an owner); the admins when there are none"),
  reviewersAreAdmins: z.boolean().describe("the objective has no named reviewer, so the admins review it"),
  steps: z
    .array(
      z.strictObject({
        step: z.enum(REVIEW_STEPS),
        actorId: Id.nullable(),
        actorName: z.string().nullable(),
        comment: z.string(),
        at: Instant,
      }),
    )
    .describe("the review trail, oldest first"),
  canSubmit: z.boolean().describe("the caller may submit it for review now"),
  canApprove: z.boolean(),
  canSendBack: z.boolean(),
  canPublish: z.boolean().describe("the caller may publish (activate) it now"),
  blockers: z.array(FindingShape).describe("the coach's error findings that block submitting this draft"),
});

export const ReviewsWaitingShape = z.strictObject({
  items: z.array(
    z.strictObject({
      id: Id,
      title: z.string(),
      level: z.enum(["organization", "team", "individual"]),
      teamId: Id.nullable(),
      ownerIds: z.array(Id),
      periodId: Id,
      submittedAt: Instant,
    }),
  ),
  truncated: z.boolean().describe("more drafts wait than the 200 listed"),
});
