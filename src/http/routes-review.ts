/**
 * The review workflow's routes (#12, setting `reviewWorkflow`). Spread into the route table
 * (`apiRoutes`) like any other route; publishing stays `PATCH /objectives/:id` with `state: "active"`.
 */
import * as shape from "../contract/index.js";
import * as review from "../services/review.service.js";
import * as S from "../services/schemas.js";
import type { RouteDef } from "./routes.js";

export const reviewRoutes: RouteDef[] = [
  {
    method: "GET",
    url: "/objectives/:id/review",
    permission: "read",
    tag: "reviews",
    summary: "An objective's review: its state, reviewers, trail, and what the caller may do",
    description:
      "`blockers` lists the coach's error findings that keep a draft from being submitted. " +
      "Reviewers are the owners' managers and the team's owners; the admins when there are none.",
    response: shape.ReviewShape,
    handler: (c) => review.getReview(c.svc, c.actor, c.id),
  },
  {
    method: "POST",
    url: "/objectives/:id/review/submit",
    permission: "contribute",
    tag: "reviews",
    summary: "Submit a draft for review (its editors, while reviews are on)",
    description:
      "Optional `comment` for the reviewers, who are notified. 409 CONFLICT when the coach finds an error in the draft " +
      "(`details` lists each with how to fix it), when it is not a draft waiting to be submitted, or when reviews are off.",
    body: S.ReviewCommentSchema,
    response: shape.ReviewShape,
    status: 200,
    handler: (c) => review.submitForReview(c.svc, c.actor, c.id, c.body),
  },
  {
    method: "POST",
    url: "/objectives/:id/review/approve",
    permission: "contribute",
    tag: "reviews",
    summary: "Approve a draft in review (its reviewers and admins)",
    description:
      'Optional `comment`. The owners are notified and may then publish it (PATCH with `state: "active"`). ' +
      "403 for anyone but its reviewers and admins; 409 CONFLICT when it is not in review.",
    body: S.ReviewCommentSchema,
    response: shape.ReviewShape,
    status: 200,
    handler: (c) => review.approveReview(c.svc, c.actor, c.id, c.body),
  },
  {
    method: "POST",
    url: "/objectives/:id/review/send-back",
    permission: "contribute",
    tag: "reviews",
    summary: "Send a draft back to its owners with what to change (its reviewers and admins)",
    description:
      "`comment` is required. The draft is a plain draft again; its owners are notified with the comment. " +
      "409 CONFLICT when it is neither in review nor approved.",
    body: S.ReviewSendBackSchema,
    response: shape.ReviewShape,
    status: 200,
    handler: (c) => review.sendBackReview(c.svc, c.actor, c.id, c.body),
  },
  {
    method: "GET",
    url: "/reviews/waiting",
    permission: "read",
    tag: "reviews",
    summary: "Drafts waiting for my review",
    description:
      "Drafts in review whose reviewer I am (my direct reports' and my teams' objectives; for admins, also those " +
      "without a named reviewer), most recently changed first; at most 200 (`truncated` says when there are more).",
    response: shape.ReviewsWaitingShape,
    handler: (c) => review.listReviewsWaiting(c.svc, c.actor),
  },
];
