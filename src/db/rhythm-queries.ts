/**
 * What the rhythm's jobs read and record (#12): the key results that may need a check-in
 * today, the reminders already sent, the runs of each job. Every query names the organisation.
 */
import { and, asc, desc, eq, gt, gte, inArray, isNotNull, isNull, lte, or, sql } from "drizzle-orm";
import type { Executor } from "./database.js";
import type { OrgScope } from "./org-scope.js";
import * as s from "./schema.js";
import { isId } from "./table-repository.js";

/** A key result a reminder may concern, with what the rule and the message need. */
export interface ReminderCandidate {
  id: string;
  title: string;
  ownerIds: string[];
  lastCheckInAt: Date | null;
  objectiveId: string;
  objectiveTitle: string;
  objectiveOwnerIds: string[];
  level: string;
  teamId: string | null;
  visibility: string;
  periodStart: string;
}

export type JobRunRow = typeof s.jobRuns.$inferSelect;

/**
 * Open key results of published objectives in a period containing `today` (the reminders' and
 * the digest's rows), for a query joining key_results to objectives and periods.
 */
export function openInPeriodOf(scope: OrgScope, today: string) {
  const k = s.keyResults;
  const o = s.objectives;
  const p = s.periods;
  return and(
    eq(k.orgId, scope.orgId),
    isNull(k.deletedAt),
    eq(k.closed, false),
    isNull(o.deletedAt),
    eq(o.state, "active"),
    lte(p.startDate, today),
    gte(p.endDate, today),
  );
}

export const rhythmQueries = {
  /**
   * Key results checked in by hand (not rolled up), open, of published objectives, in a period
   * that contains `today`: a page after the id `after`, in id order. `teamIds`: only those of
   * objectives of these teams (a team lead's digest).
   */
  async reminderCandidates(
    ex: Executor,
    scope: OrgScope,
    today: string,
    after: string | null,
    limit: number,
    teamIds?: readonly string[],
  ): Promise<ReminderCandidate[]> {
    const k = s.keyResults;
    const o = s.objectives;
    const p = s.periods;
    const teams = teamIds?.filter(isId);
    if (teams && teams.length === 0) return [];
    return ex
      .select({
        id: k.id,
        title: k.title,
        ownerIds: k.ownerIds,
        lastCheckInAt: k.lastCheckInAt,
        objectiveId: o.id,
        objectiveTitle: o.title,
        objectiveOwnerIds: o.ownerIds,
        level: o.level,
        teamId: o.teamId,
        visibility: o.visibility,
        periodStart: p.startDate,
      })
      .from(k)
      .innerJoin(o, and(eq(o.orgId, scope.orgId), eq(o.id, k.objectiveId)))
      .innerJoin(p, and(eq(p.orgId, scope.orgId), eq(p.id, o.periodId)))
      .where(
        and(
          openInPeriodOf(scope, today),
          eq(k.progressMode, "manual"),
          teams ? inArray(o.teamId, teams) : undefined,
          after ? gt(k.id, after) : undefined,
        ),
      )
      .orderBy(asc(k.id))
      .limit(limit);
  },

  /** The teams with a chat channel of their own (Slack or Teams URL set), by name. */
  async teamsWithChat(ex: Executor, scope: OrgScope) {
    const t = s.teams;
    return ex
      .select({ id: t.id, name: t.name, slackWebhookUrl: t.slackWebhookUrl, teamsWebhookUrl: t.teamsWebhookUrl })
      .from(t)
      .where(
        and(
          eq(t.orgId, scope.orgId),
          isNull(t.deletedAt),
          or(isNotNull(t.slackWebhookUrl), isNotNull(t.teamsWebhookUrl)),
        ),
      )
      .orderBy(asc(t.name), asc(t.id));
  },

  /** Every team's parent and own cadence (the cadence rule walks up them). */
  async teamCadences(ex: Executor, scope: OrgScope) {
    const t = s.teams;
    return ex
      .select({ id: t.id, parentId: t.parentId, cadence: t.cadence, name: t.name })
      .from(t)
      .where(and(eq(t.orgId, scope.orgId), isNull(t.deletedAt)));
  },

  /**
   * Records reminders, one per key result and due date; returns only those recorded now (one
   * reminded before, by this run or another instance's, is not returned): each goes once.
   */
  async recordReminders(
    ex: Executor,
    scope: OrgScope,
    rows: readonly { userId: string; keyResultId: string; dueDate: string; channel: string }[],
  ) {
    if (rows.length === 0) return [];
    return ex
      .insert(s.reminders)
      .values(rows.map((r) => ({ ...r, orgId: scope.orgId })))
      .onConflictDoNothing()
      .returning();
  },

  /** The key results among these already reminded for these due dates (`keyResultId|dueDate`). */
  async remindedAlready(
    ex: Executor,
    scope: OrgScope,
    pairs: readonly { keyResultId: string; dueDate: string }[],
  ): Promise<Set<string>> {
    const r = s.reminders;
    const ids = [...new Set(pairs.map((p) => p.keyResultId).filter(isId))];
    if (ids.length === 0) return new Set();
    const rows = await ex
      .select({ kr: r.keyResultId, due: r.dueDate })
      .from(r)
      .where(and(eq(r.orgId, scope.orgId), inArray(r.keyResultId, ids)));
    return new Set(rows.map((x) => `${x.kr}|${x.due}`));
  },

  /**
   * The reminders of one key result since its last check-in (all of them when it has none),
   * newest first: the streak escalation counts.
   */
  async streak(ex: Executor, scope: OrgScope, keyResultId: string, since: Date | null) {
    const r = s.reminders;
    return ex
      .select()
      .from(r)
      .where(and(eq(r.orgId, scope.orgId), eq(r.keyResultId, keyResultId), since ? gt(r.createdAt, since) : undefined))
      .orderBy(desc(r.createdAt));
  },

  async markEscalated(ex: Executor, scope: OrgScope, reminderId: string, managerId: string, at: Date) {
    const r = s.reminders;
    await ex
      .update(r)
      .set({ escalatedTo: managerId, escalatedAt: at })
      .where(and(eq(r.orgId, scope.orgId), eq(r.id, reminderId)));
  },

  /** Records a delivery made at most once (a digest for a week); false when it was made before. */
  async claimDelivery(ex: Executor, scope: OrgScope, key: string): Promise<boolean> {
    const rows = await ex
      .insert(s.deliveries)
      .values({ orgId: scope.orgId, key })
      .onConflictDoNothing()
      .returning({ key: s.deliveries.key });
    return rows.length > 0;
  },

  // ------------------------------------------------------------------------- job runs

  async startRun(ex: Executor, scope: OrgScope, name: string, trigger: string, at: Date): Promise<JobRunRow> {
    const [row] = await ex.insert(s.jobRuns).values({ orgId: scope.orgId, name, trigger, startedAt: at }).returning();
    if (!row) throw new Error("job run insert returned nothing");
    return row;
  },

  async finishRun(
    ex: Executor,
    scope: OrgScope,
    id: string,
    outcome: { ok: boolean; summary: unknown; error: string | null; at: Date },
  ): Promise<JobRunRow> {
    const j = s.jobRuns;
    const [row] = await ex
      .update(j)
      .set({ ok: outcome.ok, summary: outcome.summary, error: outcome.error, finishedAt: outcome.at })
      .where(and(eq(j.orgId, scope.orgId), eq(j.id, id)))
      .returning();
    if (!row) throw new Error("job run update found nothing");
    return row;
  },

  /** Moves a finished run to a newer time with a new summary (a row of idle runs kept as one). */
  async redateRun(
    ex: Executor,
    scope: OrgScope,
    id: string,
    run: { startedAt: Date; finishedAt: Date; summary: unknown },
  ): Promise<JobRunRow> {
    const j = s.jobRuns;
    const [row] = await ex
      .update(j)
      .set({ startedAt: run.startedAt, finishedAt: run.finishedAt, summary: run.summary })
      .where(and(eq(j.orgId, scope.orgId), eq(j.id, id)))
      .returning();
    if (!row) throw new Error("job run update found nothing");
    return row;
  },

  /** The latest runs of one job, newest first. */
  async runs(ex: Executor, scope: OrgScope, name: string, limit: number): Promise<JobRunRow[]> {
    const j = s.jobRuns;
    return ex
      .select()
      .from(j)
      .where(and(eq(j.orgId, scope.orgId), eq(j.name, name)))
      .orderBy(desc(j.startedAt))
      .limit(limit);
  },

  /** How many runs of one job failed since `since`. */
  async failuresSince(ex: Executor, scope: OrgScope, name: string, since: Date): Promise<number> {
    const j = s.jobRuns;
    const [row] = await ex
      .select({ n: sql<number>`count(*)::int` })
      .from(j)
      .where(and(eq(j.orgId, scope.orgId), eq(j.name, name), eq(j.ok, false), gte(j.startedAt, since)));
    return row?.n ?? 0;
  },
};
