/**
 * Comments, their reactions and who follows an objective (#12, collaboration). Every query
 * names the organisation. A thread is read a keyset page at a time on the index
 * `(org_id, object_type, object_id, created_at)`; the followers of an objective are one
 * statement on the indexes by objective of comments and follows.
 */
import { and, asc, count, eq, inArray, isNull, type SQL, sql } from "drizzle-orm";
import type { Executor } from "./database.js";
import type { OrgScope } from "./org-scope.js";
import * as s from "./schema.js";
import { isId, tableRepository } from "./table-repository.js";

export type CommentRow = typeof s.comments.$inferSelect;

/** get / find / insert / update (version + 1) / soft delete of comments. */
export const commentRepo = tableRepository(s.comments, "comment");

/** A comment's place in its thread: creation instant (UTC, to the microsecond) and id. */
export interface CommentPlace {
  createdAt: string;
  id: string;
}

/** Why someone follows an objective (see `followState`). */
export type FollowReason = "owner" | "commenter" | "explicit";

/**
 * The ids (`user_id`) of who follows an objective (see `commentQueries.followers`), as a query:
 * the organisation and the objective as ids, or as SQL (parameters, a subquery).
 */
export function followersOf(orgId: string | SQL, objectiveId: string | SQL): SQL {
  return sql`
      select f.user_id from (
        select unnest(o.owner_ids) as user_id from objectives o
          where o.org_id = ${orgId} and o.id = ${objectiveId}
        union
        select c.author_id from comments c
          where c.org_id = ${orgId} and c.objective_id = ${objectiveId} and c.deleted_at is null
        union
        select x.user_id from follows x
          where x.org_id = ${orgId} and x.objective_id = ${objectiveId} and x.following
      ) f
      where not exists (
        select 1 from follows n
        where n.org_id = ${orgId} and n.objective_id = ${objectiveId} and n.user_id = f.user_id and not n.following
      )`;
}

function rowsOf<T>(result: unknown): T[] {
  return ((result as { rows?: T[] }).rows ?? result) as T[];
}

export const commentQueries = {
  /** The next `limit` live comments on one object after `after`, oldest first, with their places. */
  async page(
    ex: Executor,
    scope: OrgScope,
    objectType: string,
    objectId: string,
    after: CommentPlace | null,
    limit: number,
  ): Promise<{ row: CommentRow; position: CommentPlace }[]> {
    const c = s.comments;
    if (!isId(objectId)) return [];
    const rows = await ex
      .select({
        row: c,
        createdKey: sql<string>`to_char(${c.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
      })
      .from(c)
      .where(
        and(
          eq(c.orgId, scope.orgId),
          eq(c.objectType, objectType),
          eq(c.objectId, objectId),
          isNull(c.deletedAt),
          after ? sql`(${c.createdAt}, ${c.id}) > (${after.createdAt}::timestamptz, ${after.id}::uuid)` : undefined,
        ),
      )
      .orderBy(asc(c.createdAt), asc(c.id))
      .limit(limit);
    return rows.map((r) => ({ row: r.row, position: { createdAt: r.createdKey, id: r.row.id } }));
  },

  /** Reactions to these comments grouped by emoji: how many, and whether `userId` is among them. */
  async reactions(
    ex: Executor,
    scope: OrgScope,
    commentIds: readonly string[],
    userId: string,
  ): Promise<{ commentId: string; emoji: string; count: number; mine: boolean; first: Date }[]> {
    const r = s.commentReactions;
    const ids = commentIds.filter(isId);
    if (ids.length === 0) return [];
    const rows = await ex
      .select({
        commentId: r.commentId,
        emoji: r.emoji,
        count: count(),
        mine: sql<boolean>`bool_or(${r.userId} = ${userId}::uuid)`,
        first: sql<string>`min(${r.createdAt})`,
      })
      .from(r)
      .where(and(eq(r.orgId, scope.orgId), inArray(r.commentId, ids)))
      .groupBy(r.commentId, r.emoji);
    return rows.map((x) => ({ ...x, count: Number(x.count), mine: Boolean(x.mine), first: new Date(x.first) }));
  },

  /** Adds one person's reaction (no change when it is there); true when it was added. */
  async addReaction(ex: Executor, scope: OrgScope, commentId: string, userId: string, emoji: string, at: Date) {
    const r = s.commentReactions;
    const rows = await ex
      .insert(r)
      .values({ orgId: scope.orgId, commentId, userId, emoji, createdAt: at })
      .onConflictDoNothing()
      .returning({ emoji: r.emoji });
    return rows.length > 0;
  },

  /** Takes one person's reaction away; true when there was one. */
  async removeReaction(ex: Executor, scope: OrgScope, commentId: string, userId: string, emoji: string) {
    const r = s.commentReactions;
    const rows = await ex
      .delete(r)
      .where(and(eq(r.orgId, scope.orgId), eq(r.commentId, commentId), eq(r.userId, userId), eq(r.emoji, emoji)))
      .returning({ emoji: r.emoji });
    return rows.length > 0;
  },

  /** The objective a comment (deleted or not) follows, as a list of none or one (for live events). */
  async objectiveOf(ex: Executor, scope: OrgScope, commentId: string): Promise<string[]> {
    const c = s.comments;
    if (!isId(commentId)) return [];
    const rows = await ex
      .select({ id: c.objectiveId })
      .from(c)
      .where(and(eq(c.orgId, scope.orgId), eq(c.id, commentId)));
    return rows.map((r) => r.id);
  },

  /**
   * Everyone who follows an objective, in one statement: its owners and the authors of its live
   * comments (on it, its key results and their check-ins) follow without a row, others by a row
   * with `following`; a row with `following = false` is someone who stopped, whatever else holds.
   */
  async followers(ex: Executor, scope: OrgScope, objectiveId: string): Promise<string[]> {
    if (!isId(objectiveId)) return [];
    const r = await ex.execute(followersOf(scope.orgId, objectiveId));
    return rowsOf<{ user_id: string }>(r).map((x) => x.user_id);
  },

  /** Whether one person follows an objective and why (owner before commenter before an explicit row). */
  async followState(
    ex: Executor,
    scope: OrgScope,
    objectiveId: string,
    ownerIds: readonly string[],
    userId: string,
  ): Promise<{ following: boolean; reason: FollowReason | null }> {
    const f = s.follows;
    const c = s.comments;
    const [row] = await ex
      .select({ following: f.following })
      .from(f)
      .where(and(eq(f.orgId, scope.orgId), eq(f.objectiveId, objectiveId), eq(f.userId, userId)));
    if (row && !row.following) return { following: false, reason: null };
    if (ownerIds.includes(userId)) return { following: true, reason: "owner" };
    const [commented] = await ex
      .select({ id: c.id })
      .from(c)
      .where(and(eq(c.orgId, scope.orgId), eq(c.objectiveId, objectiveId), eq(c.authorId, userId), isNull(c.deletedAt)))
      .limit(1);
    if (commented) return { following: true, reason: "commenter" };
    return row ? { following: true, reason: "explicit" } : { following: false, reason: null };
  },

  /** Records that a person follows (true) or stopped following (false) an objective. */
  async setFollowing(ex: Executor, scope: OrgScope, objectiveId: string, userId: string, following: boolean, at: Date) {
    const f = s.follows;
    await ex
      .insert(f)
      .values({ orgId: scope.orgId, objectiveId, userId, following, createdAt: at })
      .onConflictDoUpdate({ target: [f.orgId, f.userId, f.objectiveId], set: { following, createdAt: at } });
  },
};
