/**
 * Collaboration routes (#12): comments with mentions and reactions, and following an
 * objective. Spread into the route table (`apiRoutes`) like any other route.
 */
import * as shape from "../contract/index.js";
import * as comments from "../services/comment.service.js";
import * as follows from "../services/follow.service.js";
import type { RouteDef } from "./routes.js";

const EMOJI = "👍 🎉 ❤️ 👀 🚀 🙏";

export const commentRoutes: RouteDef[] = [
  {
    method: "GET",
    url: "/comments",
    permission: "read",
    tag: "comments",
    summary: "The comments on an objective, a key result or a check-in, oldest first",
    description:
      "`objectType` (objective, keyResult or checkIn) and `objectId` name the thread. Pages with `limit` (default 50) " +
      "and `cursor` (the previous page's `nextCursor`). A private objective's comments answer 404 to those who may not see it.",
    query: comments.CommentListQuerySchema,
    response: shape.CommentPageShape,
    handler: (c) => comments.listComments(c.svc, c.actor, c.query),
  },
  {
    method: "POST",
    url: "/comments",
    permission: "contribute",
    tag: "comments",
    summary: "Comment on an objective, a key result or a check-in",
    description:
      "Mention a person by writing `@[Name](userId)` in `body`: they get a notice if they may see the objective. " +
      "The objective's other followers get a notice too, and the author follows it from then on. Observers may not comment.",
    body: comments.CommentCreateSchema,
    response: shape.CommentShape,
    status: 201,
    handler: (c) => comments.createComment(c.svc, c.actor, c.body),
  },
  {
    method: "PATCH",
    url: "/comments/:id",
    permission: "contribute",
    tag: "comments",
    summary: "Edit my comment",
    description: "Only its author may edit a comment. People the edit newly mentions get a notice; the others do not.",
    body: comments.CommentUpdateSchema,
    response: shape.CommentShape,
    handler: (c) => comments.updateComment(c.svc, c.actor, c.id, c.body, c.ifMatch),
  },
  {
    method: "DELETE",
    url: "/comments/:id",
    permission: "contribute",
    tag: "comments",
    summary: "Delete a comment (its author, or an admin)",
    response: null,
    status: 204,
    handler: (c) => comments.deleteComment(c.svc, c.actor, c.id),
  },
  {
    method: "PUT",
    url: "/comments/:id/reactions/:emoji",
    permission: "contribute",
    tag: "comments",
    summary: "React to a comment",
    description: `\`emoji\` (URL-encoded) is one of ${EMOJI}. Reacting twice with the same one changes nothing.`,
    response: shape.CommentShape,
    handler: (c) => comments.setReaction(c.svc, c.actor, c.id, c.params?.emoji ?? "", true),
  },
  {
    method: "DELETE",
    url: "/comments/:id/reactions/:emoji",
    permission: "contribute",
    tag: "comments",
    summary: "Take my reaction to a comment away",
    description: `\`emoji\` (URL-encoded) is one of ${EMOJI}. Answers the comment as it is now.`,
    response: shape.CommentShape,
    handler: (c) => comments.setReaction(c.svc, c.actor, c.id, c.params?.emoji ?? "", false),
  },
  {
    method: "GET",
    url: "/objectives/:id/following",
    permission: "read",
    tag: "comments",
    summary: "Whether I follow this objective, and why",
    description:
      "Owners and people who commented on it (or on its key results and check-ins) follow it without asking; " +
      "followers get a notice when it or its key results change (a check-in, a title or target, a close).",
    response: shape.FollowingShape,
    handler: (c) => follows.getFollowing(c.svc, c.actor, c.id),
  },
  {
    method: "PUT",
    url: "/objectives/:id/following",
    permission: "read",
    tag: "comments",
    summary: "Follow this objective",
    description: "Anyone who may see it may follow it, observers included.",
    response: shape.FollowingShape,
    handler: (c) => follows.setFollowing(c.svc, c.actor, c.id, true),
  },
  {
    method: "DELETE",
    url: "/objectives/:id/following",
    permission: "read",
    tag: "comments",
    summary: "Stop following this objective",
    description: "Holds for owners and commenters too, until they follow it again.",
    response: shape.FollowingShape,
    handler: (c) => follows.setFollowing(c.svc, c.actor, c.id, false),
  },
];
