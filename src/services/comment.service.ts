/**
 * Comments on objectives, key results and check-ins, with mentions and reactions (#12).
 *
 * Policies:
 * - A thread reads oldest first (a conversation), a keyset page at a time (default 50).
 * - Whoever may see the objective may read its comments; whoever may see it and is not an
 *   observer may comment and react (observers are read-only everywhere). A private objective's
 *   comments answer 404 to those who may not see it, exactly as the objective does.
 * - Comments are allowed on closed objectives and key results: a retrospective is a conversation too.
 * - Mentions are written `@[Name](userId)` (domain/mentions.ts); each names a person of the
 *   organisation (404 otherwise). A mentioned person gets a `mention` notice; every other
 *   follower of the objective gets a `comment` notice; those who may not see the objective
 *   get neither (`notify` checks). An edit notifies only the people it newly mentions.
 * - Only the author edits a comment; the author or an admin deletes it (soft: kept for the
 *   audit trail). Edits keep `editedAt`.
 */
import { z } from "zod";
import { type CommentRow, commentQueries, commentRepo } from "../db/comment-queries.js";
import type { Executor } from "../db/database.js";
import type { OrgScope } from "../db/org-scope.js";
import { checkInRepo, keyResultRepo, type ObjectiveRow, objectiveRepo, userRepo } from "../db/repositories.js";
import { bidiControlProblem } from "../domain/bidi-controls.js";
import { AppError } from "../domain/errors.js";
import { MAX_MENTIONS, mentionedIds, plainBody, REACTION_EMOJI, reactionEmoji } from "../domain/mentions.js";
import type { Guard } from "./access.js";
import { type Actor, checkVersion, missingReference, mutate, read, type Services, type Write } from "./context.js";
import { type NoticeInput, notify } from "./notify.service.js";
import { createdListPage, type Page } from "./pagination.js";
import { IdSchema, PageQuerySchema, parseInput } from "./schemas.js";

export const COMMENT_OBJECT_TYPES = ["objective", "keyResult", "checkIn"] as const;
type CommentObjectType = (typeof COMMENT_OBJECT_TYPES)[number];

const ObjectTypeSchema = z.enum(COMMENT_OBJECT_TYPES, {
  message: 'must be "objective", "keyResult" or "checkIn" (what the comment is on)',
});
const MAX_BODY = 10_000;
const CommentBodySchema = z
  .string()
  .trim()
  .min(1, "must not be empty; write the comment")
  .max(MAX_BODY, `must be at most ${MAX_BODY} characters`)
  .superRefine((v, ctx) => {
    const problem = bidiControlProblem(v);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

export const CommentListQuerySchema = PageQuerySchema.extend({
  objectType: ObjectTypeSchema,
  objectId: IdSchema.describe("the objective, key result or check-in"),
});
export const CommentCreateSchema = z.strictObject({
  objectType: ObjectTypeSchema,
  objectId: IdSchema,
  body: CommentBodySchema.describe("the text; mention a person as @[Name](userId)"),
});
export const CommentUpdateSchema = z.strictObject({
  body: CommentBodySchema,
  version: z.number().int().optional().describe("the version you edited (409 when it changed since)"),
});

/** The default (and the largest useful) page of a thread. */
const THREAD_PAGE = 50;
/** How much of a comment a notice quotes. */
const QUOTE = 300;

/** What a comment is on: the objective that decides who sees it, a title, and where it is shown. */
interface Target {
  objective: ObjectiveRow;
  objectType: CommentObjectType;
  objectId: string;
  /** How notices name it. */
  title: string;
  /** Path of the page the thread is on (without the fragment). */
  page: string;
  /** The fragment that opens the thread and the comment (`#comment-…`, or the check-in's thread). */
  anchor: (commentId: string) => string;
}

/** The object a comment is (to be) on, or NOT_FOUND when it does not exist or the caller may not see it. */
async function targetOf(
  ex: Executor,
  scope: OrgScope,
  guard: Guard,
  objectType: CommentObjectType,
  objectId: string,
): Promise<Target> {
  const byComment = (id: string) => `#comment-${id}`;
  if (objectType === "objective") {
    const o = await objectiveRepo.get(ex, scope, objectId);
    await guard.assertVisible(o);
    return { objective: o, objectType, objectId: o.id, title: o.title, page: `/objectives/${o.id}`, anchor: byComment };
  }
  if (objectType === "keyResult") {
    const kr = await keyResultRepo.get(ex, scope, objectId);
    const o = await objectiveRepo.get(ex, scope, kr.objectiveId);
    await guard.assertVisible(o, "key result", objectId);
    return {
      objective: o,
      objectType,
      objectId: kr.id,
      title: kr.title,
      page: `/key-results/${kr.id}`,
      anchor: byComment,
    };
  }
  const ci = await checkInRepo.get(ex, scope, objectId);
  const kr = await keyResultRepo.get(ex, scope, ci.keyResultId);
  const o = await objectiveRepo.get(ex, scope, kr.objectiveId);
  await guard.assertVisible(o, "check-in", objectId);
  return {
    objective: o,
    objectType,
    objectId: ci.id,
    title: `a check-in on "${kr.title}"`,
    page: `/key-results/${kr.id}`,
    // The key result's page opens this check-in's thread.
    anchor: () => `#check-in-${ci.id}`,
  };
}

/** A live comment the caller may see (NOT_FOUND otherwise), with what it is on. */
async function visibleComment(ex: Executor, scope: OrgScope, guard: Guard, id: string) {
  const row = await commentRepo.get(ex, scope, id);
  try {
    return { row, target: await targetOf(ex, scope, guard, row.objectType as CommentObjectType, row.objectId) };
  } catch (err) {
    // Its object is gone or hidden: so is the comment, under its own id.
    if (err instanceof AppError && err.code === "NOT_FOUND") throw AppError.notFound("comment", id);
    throw err;
  }
}

/** The names of these people (those no longer found are left out). */
async function namesOf(ex: Executor, scope: OrgScope, ids: readonly string[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  return new Map((await userRepo.listByIds(ex, scope, unique)).map((u) => [u.id, u.name]));
}

/** Comments as the API shows them to `actor`: names, mentions, grouped reactions, what they may do. */
async function present(ex: Executor, scope: OrgScope, actor: Actor, guard: Guard, rows: readonly CommentRow[]) {
  const names = await namesOf(ex, scope, [...rows.map((r) => r.authorId), ...rows.flatMap((r) => r.mentionIds)]);
  const reactions = await commentQueries.reactions(
    ex,
    scope,
    rows.map((r) => r.id),
    actor.userId,
  );
  const writer = actor.role !== "observer" && actor.access === "write";
  return rows.map((r) => ({
    id: r.id,
    objectType: r.objectType as CommentObjectType,
    objectId: r.objectId,
    objectiveId: r.objectiveId,
    author: { id: r.authorId, name: names.get(r.authorId) ?? "A former member" },
    body: r.body,
    mentions: r.mentionIds.map((id) => ({ id, name: names.get(id) ?? "A former member" })),
    reactions: reactions
      .filter((x) => x.commentId === r.id)
      .sort((a, b) => a.first.getTime() - b.first.getTime() || REACTION_ORDER(a.emoji) - REACTION_ORDER(b.emoji))
      .map((x) => ({ emoji: x.emoji, count: x.count, mine: x.mine })),
    createdAt: r.createdAt.toISOString(),
    editedAt: r.editedAt ? r.editedAt.toISOString() : null,
    version: r.version,
    canEdit: writer && r.authorId === actor.userId,
    canDelete: writer && (r.authorId === actor.userId || guard.isAdmin),
  }));
}

const REACTION_ORDER = (emoji: string) => (REACTION_EMOJI as readonly string[]).indexOf(emoji);

export type CommentView = Awaited<ReturnType<typeof present>>[number];

async function presentOne(w: Write, row: CommentRow): Promise<CommentView> {
  const [view] = await present(w.tx, w.scope, w.actor, w.guard, [row]);
  if (!view) throw new Error("a presented comment went missing");
  return view;
}

/** The people a body mentions, checked: at most 20, each a person of the organisation (404 otherwise). */
async function mentionsIn(w: Write, body: string): Promise<string[]> {
  const ids = mentionedIds(body);
  if (ids.length > MAX_MENTIONS) {
    throw AppError.validation([`body: mentions ${ids.length} people; mention at most ${MAX_MENTIONS}`]);
  }
  const known = await namesOf(w.tx, w.scope, ids);
  const missing = ids.filter((id) => !known.has(id));
  if (missing.length) throw missingReference("body", "person to mention", missing);
  return ids;
}

/** The notices a comment sends: `mention` to `mentioned`, `comment` to `followers` not mentioned. */
function commentNotices(
  target: Target,
  row: CommentRow,
  authorName: string,
  mentioned: readonly string[],
  followers: readonly string[],
  names: ReadonlyMap<string, string>,
): NoticeInput[] {
  const text = plainBody(row.body, names);
  const quote = text.length > QUOTE ? `${text.slice(0, QUOTE - 1)}…` : text;
  const base = {
    objectType: "comment",
    objectId: row.id,
    objectiveId: target.objective.id,
    body: quote,
    link: `${target.page}${target.anchor(row.id)}`,
  };
  const quoted = target.objectType === "checkIn" ? target.title : `"${target.title}"`;
  return [
    ...mentioned.map((userId) => ({
      ...base,
      userId,
      kind: "mention",
      title: `${authorName} mentioned you on ${quoted}`,
    })),
    ...followers
      .filter((id) => !mentioned.includes(id))
      .map((userId) => ({ ...base, userId, kind: "comment", title: `${authorName} commented on ${quoted}` })),
  ];
}

/** The comments on one objective, key result or check-in, oldest first, a keyset page at a time. */
export async function listComments(svc: Services, actor: Actor, query: unknown): Promise<Page<CommentView>> {
  const q = parseInput(CommentListQuerySchema, query, "query");
  return read(svc, actor, async ({ ex, scope, guard }) => {
    const target = await targetOf(ex, scope, guard, q.objectType, q.objectId);
    return createdListPage(
      "comments",
      { objectType: target.objectType, objectId: target.objectId },
      { limit: q.limit ?? THREAD_PAGE, cursor: q.cursor },
      (after, limit) => commentQueries.page(ex, scope, target.objectType, target.objectId, after, limit),
      (rows) => present(ex, scope, actor, guard, rows),
    );
  });
}

/**
 * Adds a comment (callers who may see the object; observers are refused by the route). Notifies
 * the people it mentions and the objective's other followers; the author follows from now on.
 */
export async function createComment(svc: Services, actor: Actor, body: unknown): Promise<CommentView> {
  const input = parseInput(CommentCreateSchema, body);
  return mutate(svc, actor, async (w) => {
    let target: Target;
    try {
      target = await targetOf(w.tx, w.scope, w.guard, input.objectType, input.objectId);
    } catch (err) {
      if (err instanceof AppError && err.code === "NOT_FOUND") {
        throw missingReference("objectId", NOUN[input.objectType], [input.objectId]);
      }
      throw err;
    }
    const mentioned = await mentionsIn(w, input.body);
    const at = new Date(w.nowMs);
    const row = await commentRepo.insert(w.tx, w.scope, {
      objectType: target.objectType,
      objectId: target.objectId,
      objectiveId: target.objective.id,
      authorId: actor.userId,
      body: input.body,
      mentionIds: mentioned,
      createdAt: at,
      updatedAt: at,
    });
    const view = await presentOne(w, row);
    await w.audit("comment.created", "comment", row.id, null, view);
    const followers = await commentQueries.followers(w.tx, w.scope, target.objective.id);
    const names = new Map([[view.author.id, view.author.name], ...view.mentions.map((m) => [m.id, m.name] as const)]);
    await notify(svc, w, actor.userId, commentNotices(target, row, view.author.name, mentioned, followers, names));
    return view;
  });
}

const NOUN: Record<CommentObjectType, string> = {
  objective: "objective",
  keyResult: "key result",
  checkIn: "check-in",
};

/** Edits the caller's own comment; only people it newly mentions are notified. 403 for others' comments. */
export async function updateComment(
  svc: Services,
  actor: Actor,
  id: string,
  body: unknown,
  ifMatch?: number,
): Promise<CommentView> {
  const input = parseInput(CommentUpdateSchema, body);
  return mutate(svc, actor, async (w) => {
    const { row, target } = await visibleComment(w.tx, w.scope, w.guard, id);
    if (row.authorId !== actor.userId) {
      throw new AppError("FORBIDDEN", "Only its author can edit a comment; reply with a comment of your own instead.");
    }
    const before = await presentOne(w, row);
    await checkVersion(input.version ?? ifMatch, row, () => before);
    const mentioned = await mentionsIn(w, input.body);
    const updated = await commentRepo.update(w.tx, w.scope, id, {
      body: input.body,
      mentionIds: mentioned,
      editedAt: new Date(w.nowMs),
    });
    const view = await presentOne(w, updated);
    await w.audit("comment.updated", "comment", id, before, view);
    const fresh = mentioned.filter((m) => !row.mentionIds.includes(m));
    if (fresh.length > 0) {
      const names = new Map([[view.author.id, view.author.name], ...view.mentions.map((m) => [m.id, m.name] as const)]);
      await notify(svc, w, actor.userId, commentNotices(target, updated, view.author.name, fresh, [], names));
    }
    return view;
  });
}

/** Deletes a comment (soft): its author, or an admin. 403 for others. */
export async function deleteComment(svc: Services, actor: Actor, id: string): Promise<void> {
  await mutate(svc, actor, async (w) => {
    const { row } = await visibleComment(w.tx, w.scope, w.guard, id);
    if (row.authorId !== actor.userId && !w.guard.isAdmin) {
      throw new AppError("FORBIDDEN", "Only its author (or an admin) can delete a comment.");
    }
    const before = await presentOne(w, row);
    await commentRepo.softDelete(w.tx, w.scope, id, new Date(w.nowMs));
    await w.audit("comment.deleted", "comment", id, before, null);
  });
}

/** The allowed emoji `raw` names, or VALIDATION listing them. */
function emojiOf(raw: string): string {
  const emoji = reactionEmoji(raw);
  if (!emoji) {
    throw AppError.validation([`emoji: must be one of ${REACTION_EMOJI.join(" ")} (URL-encoded in the path)`]);
  }
  return emoji;
}

/**
 * Adds (`true`) or takes away (`false`) the caller's reaction to a comment; doing it twice is
 * fine (the second changes nothing and records nothing). Answers the comment.
 */
export async function setReaction(
  svc: Services,
  actor: Actor,
  id: string,
  rawEmoji: string,
  on: boolean,
): Promise<CommentView> {
  const emoji = emojiOf(rawEmoji);
  return mutate(svc, actor, async (w) => {
    const { row } = await visibleComment(w.tx, w.scope, w.guard, id);
    const changed = on
      ? await commentQueries.addReaction(w.tx, w.scope, id, actor.userId, emoji, new Date(w.nowMs))
      : await commentQueries.removeReaction(w.tx, w.scope, id, actor.userId, emoji);
    if (changed) {
      await w.audit(on ? "comment.reacted" : "comment.unreacted", "comment", id, null, {
        emoji,
        userId: actor.userId,
      });
    }
    return presentOne(w, row);
  });
}
