/**
 * The title index the coach's `duplicate` looks objectives up in (`objective_title_tokens`):
 * each objective's title keys (`domain/title-index.ts`) per period, in creation order. Triggers
 * on `objectives` (migration 0019) queue every objective whose title, period or creation time
 * was written in `objective_title_pending`; `drain` brings the index up to date from that
 * queue, and a read drains it before it looks anything up.
 */
import { sql } from "drizzle-orm";
import { titleIndexKeys } from "../domain/title-index.js";
import type { Executor } from "./database.js";
import type { OrgScope } from "./org-scope.js";
import type { ObjectiveRow } from "./repositories.js";
import { rowsOf } from "./sql-text.js";

const UTC_TEXT = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;

/** Objectives taken from the queue per statement. */
const DRAIN_BATCH = 500;

/** A candidate twin: what `duplicate` compares and who may see it. */
export type TitleCandidate = Pick<
  ObjectiveRow,
  "id" | "title" | "state" | "periodId" | "level" | "teamId" | "ownerIds" | "visibility"
> & {
  /** Creation instant, UTC to the microsecond (the walk's position). */
  createdAt: string;
  /** In the bin, or gone since its tokens were read (its other fields are then not to be used). */
  deleted: boolean;
};

/** One objective to find candidates for: the keys to look up, and where its walk has got to. */
export interface TitleWalk {
  /** The objective (candidates are created before it). */
  id: string;
  tokens: readonly string[];
  /** The last candidate already read (the walk goes on after it), or null to start. */
  after: { createdAt: string; id: string } | null;
}

export const titleTokenQueries = {
  /** The organisations whose queue holds anything (unscoped: the start's catching up). */
  async queuedOrganizations(ex: Executor): Promise<string[]> {
    // unscoped: the instance's background work, organisation by organisation
    const rows = rowsOf<{ org_id: string }>(await ex.execute(sql`select distinct org_id from objective_title_pending`));
    return rows.map((r) => r.org_id);
  },

  /** Whether the organisation's queue holds anything (a read then drains it first). */
  async queued(ex: Executor, scope: OrgScope): Promise<boolean> {
    const rows = rowsOf<{ queued: boolean }>(
      await ex.execute(
        sql`select exists (select 1 from objective_title_pending where org_id = ${scope.orgId}::uuid) as queued`,
      ),
    );
    return rows[0]?.queued === true;
  },

  /**
   * Rewrites the keys of the organisation's queued objectives from their rows as they now stand,
   * and takes them off the queue, {@link DRAIN_BATCH} at a time: all of them, or at most
   * `batches` batches. Run in a transaction. Answers how many were rewritten and whether the
   * queue is now empty.
   */
  async drain(
    ex: Executor,
    scope: OrgScope,
    batches = Number.POSITIVE_INFINITY,
  ): Promise<{ done: number; empty: boolean }> {
    let done = 0;
    for (let batch = 0; batch < batches; batch++) {
      const taken = rowsOf<{ taken: number; id: string; title: string | null }>(
        await ex.execute(sql`
          with taken as (
            delete from objective_title_pending p
            where p.org_id = ${scope.orgId}::uuid
              and p.id = any(array(
                select q.id from objective_title_pending q
                where q.org_id = ${scope.orgId}::uuid order by q.id limit ${DRAIN_BATCH}))
            returning p.objective_id
          ), objects as (
            select distinct objective_id from taken
          ), cleared as (
            delete from objective_title_tokens t using objects
            where t.org_id = ${scope.orgId}::uuid and t.objective_id = objects.objective_id
          )
          select (select count(*) from taken)::int as taken, objects.objective_id as id, o.title
          from objects left join objectives o on o.org_id = ${scope.orgId}::uuid and o.id = objects.objective_id`),
      );
      const rows = taken.flatMap((r) => {
        const keys = r.title === null ? [] : titleIndexKeys(r.title);
        return keys.length > 0 ? [{ i: r.id, t: keys }] : [];
      });
      if (rows.length > 0) {
        await ex.execute(sql`
          insert into objective_title_tokens (org_id, period_id, token, created_at, objective_id)
          select o.org_id, o.period_id, tk.token, o.created_at, o.id
          from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(i uuid, t jsonb)
          join objectives o on o.org_id = ${scope.orgId}::uuid and o.id = x.i
          cross join lateral jsonb_array_elements_text(x.t) as tk(token)
          on conflict do nothing`);
      }
      // Rows taken off the queue (an objective changed twice is queued twice, and indexed once).
      const rowsTaken = taken[0]?.taken ?? 0;
      done += taken.length;
      if (rowsTaken < DRAIN_BATCH) return { done, empty: true };
    }
    return { done, empty: !(await titleTokenQueries.queued(ex, scope)) };
  },

  /**
   * Rebuilds the organisation's whole index from its objectives (`okra recompute`, after a bulk
   * load or a restore): empties it, queues every objective and drains the queue. Run in a transaction.
   */
  async rebuild(ex: Executor, scope: OrgScope): Promise<{ done: number; empty: boolean }> {
    await ex.execute(sql`delete from objective_title_tokens where org_id = ${scope.orgId}::uuid`);
    await ex.execute(sql`delete from objective_title_pending where org_id = ${scope.orgId}::uuid`);
    await ex.execute(sql`
      insert into objective_title_pending (org_id, objective_id)
      select org_id, id from objectives where org_id = ${scope.orgId}::uuid`);
    return titleTokenQueries.drain(ex, scope);
  },

  /**
   * How many objectives of the period hold each key, counted up to `cap` (beyond it a key is
   * common, and how common does not matter): what picks the rarest keys to look up. Keys no
   * objective holds are left out of the answer.
   */
  async counts(
    ex: Executor,
    scope: OrgScope,
    periodId: string,
    tokens: readonly string[],
    cap: number,
  ): Promise<Map<string, number>> {
    if (tokens.length === 0) return new Map();
    const rows = rowsOf<{ token: string; n: number | string }>(
      await ex.execute(sql`
        select token, n from (
          select tk.token, (
            select count(*) from (
              select 1 from objective_title_tokens t
              where t.org_id = ${scope.orgId}::uuid and t.period_id = ${periodId}::uuid and t.token = tk.token
              limit ${cap}) s) as n
          from jsonb_array_elements_text(${JSON.stringify(tokens)}::jsonb) as tk(token)) c
        where n > 0`),
    );
    return new Map(rows.map((r) => [r.token, Number(r.n)]));
  },

  /**
   * For each walk, the next (at most) `limit` objectives of the period, in creation order,
   * created before the walk's objective and after its last candidate, that hold one of its
   * keys: one statement for every walk, each reading at most `limit` index entries per key.
   * Every join is a lateral one, so that each reads by key: estimating the rows of a JSON
   * input, the planner could otherwise hash-join a scan of the organisation's objectives.
   */
  async candidates(
    ex: Executor,
    scope: OrgScope,
    periodId: string,
    walks: readonly TitleWalk[],
    limit: number,
  ): Promise<Map<string, TitleCandidate[]>> {
    const found = new Map<string, TitleCandidate[]>(walks.map((w) => [w.id, []]));
    if (walks.length === 0) return found;
    const input = walks.map((w) => ({
      i: w.id,
      t: w.tokens,
      fa: w.after?.createdAt ?? "-infinity",
      fi: w.after?.id ?? "00000000-0000-0000-0000-000000000000",
    }));
    const rows = rowsOf<TitleCandidate & { walk: string }>(
      await ex.execute(sql`
        select x.i as walk, c.objective_id as id, o.title, o.state, o.period_id as "periodId", o.level, o.team_id as "teamId",
          o.owner_ids as "ownerIds", o.visibility, o.id is null or o.deleted_at is not null as deleted,
          to_char(c.created_at at time zone 'UTC', ${sql.raw(UTC_TEXT)}) as "createdAt"
        from jsonb_to_recordset(${JSON.stringify(input)}::jsonb) as x(i uuid, t jsonb, fa timestamptz, fi uuid)
        cross join lateral (
          select xo.created_at, xo.id from objectives xo where xo.org_id = ${scope.orgId}::uuid and xo.id = x.i) xo
        cross join lateral (
          select u.created_at, u.objective_id
          from jsonb_array_elements_text(x.t) as tk(token)
          cross join lateral (
            select t.created_at, t.objective_id from objective_title_tokens t
            where t.org_id = ${scope.orgId}::uuid and t.period_id = ${periodId}::uuid and t.token = tk.token
              and (t.created_at, t.objective_id) < (xo.created_at, xo.id)
              and (t.created_at, t.objective_id) > (x.fa, x.fi)
            order by t.created_at, t.objective_id
            limit ${limit}
          ) u
          group by u.created_at, u.objective_id
          order by u.created_at, u.objective_id
          limit ${limit}
        ) c
        left join lateral (
          select o.id, o.title, o.state, o.period_id, o.level, o.team_id, o.owner_ids, o.visibility, o.deleted_at
          from objectives o where o.org_id = ${scope.orgId}::uuid and o.id = c.objective_id) o on true
        order by x.i, c.created_at, c.objective_id`),
    );
    for (const { walk, ...candidate } of rows) found.get(walk)?.push(candidate);
    return found;
  },
};
