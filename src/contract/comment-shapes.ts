/** Response shapes of comments, reactions and following (#12, collaboration). */
import { z } from "zod";
import { Id, Instant } from "./api-shapes.js";

export const CommentPersonShape = z.strictObject({
  id: Id,
  name: z.string().describe("the person's current name"),
});

export const CommentReactionShape = z.strictObject({
  emoji: z.string().describe("one of 👍 🎉 ❤️ 👀 🚀 🙏"),
  count: z.number().int().describe("how many people reacted with it"),
  mine: z.boolean().describe("whether the caller is one of them"),
});

export const CommentShape = z.strictObject({
  id: Id,
  objectType: z.enum(["objective", "keyResult", "checkIn"]).describe("what the comment is on"),
  objectId: Id,
  objectiveId: Id.describe("the objective whose visibility the comment follows"),
  author: CommentPersonShape,
  body: z
    .string()
    .describe("the text as written; a mention is written @[Name](userId) — show it with the name from `mentions`"),
  mentions: z.array(CommentPersonShape).describe("the people the body mentions"),
  reactions: z.array(CommentReactionShape).describe("grouped by emoji, in the order they were first used"),
  createdAt: Instant,
  editedAt: Instant.nullable().describe("when the author last edited it (null: never)"),
  version: z.number().int().describe("send it back with an edit (409 when someone changed it since)"),
  canEdit: z.boolean().describe("whether the caller may edit it (its author)"),
  canDelete: z.boolean().describe("whether the caller may delete it (its author, or an admin)"),
});

export const CommentPageShape = z.strictObject({
  items: z.array(CommentShape),
  nextCursor: z.string().nullable(),
});

export const FollowingShape = z.strictObject({
  following: z.boolean().describe("whether the caller gets a notice when the objective or its key results change"),
  reason: z
    .enum(["owner", "commenter", "explicit"])
    .nullable()
    .describe("why: an owner, someone who commented, or someone who chose to follow; null when not following"),
});
