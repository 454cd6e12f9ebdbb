/**
 * Statuses that move with time alone (#13): an objective on track on Monday may be behind on
 * Friday without anyone writing anything, because the progress it should have made by now
 * grew. Writes announce the status changes they cause (`status.changed`, from the recompute);
 * this job announces the others. Each hour it compares the status of every open objective and
 * key result of the periods that run now, from the figures Okra holds, an hour ago and now,
 * and queues a `status.changed` webhook for each that moved — only when some subscription
 * wants the event, so an organisation without one pays a single query.
 */
import { grantOrgScope } from "../db/org-scope.js";
import { graphQueries, type ObjectiveRow, organizationRepo } from "../db/repositories.js";
import { webhookQueries } from "../db/webhook-queries.js";
import { periodSpan } from "../domain/periods.js";
import { type Services, writeTransaction } from "./context.js";
import { keyResultState, loadOrgContext, objectiveState, type StatusChange, storedDerived } from "./evaluation.js";
import { queueWebhooks } from "./webhook-queue.js";

/** Objectives read at a time. */
const PAGE = 1000;

/** How far back each run looks: the hour since the run before (the job runs hourly). */
export const STATUS_WATCH_WINDOW_MS = 3_600_000;

/** What one run found: how many open items it looked at, and how many changed status with time. */
export interface StatusWatchSummary {
  checked: number;
  changed: number;
}

/** The status changes time alone made between `sinceMs` and `nowMs` in one organisation. */
export async function statusChangesOverTime(
  svc: Services,
  orgId: string,
  sinceMs: number,
  nowMs: number,
): Promise<{ checked: number; changes: StatusChange[] }> {
  const scope = grantOrgScope(orgId);
  const ex = svc.database.db;
  const org = await organizationRepo.get(ex, scope);
  const ctx = await loadOrgContext(ex, scope, org);
  // The periods that ran at either end of the window.
  const running = [...ctx.periods.values()].filter((p) => {
    const span = periodSpan(p.startDate, p.endDate, ctx.settings.timeZone);
    return span.startMs <= nowMs && span.endMs > sinceMs && p.closedAt === null;
  });
  const changes: StatusChange[] = [];
  let checked = 0;
  // A page of objectives (and their key results) at a time: memory stays bounded in a big organisation.
  let after: string | null = null;
  for (;;) {
    const objectives: ObjectiveRow[] = await graphQueries.activeObjectivesPage(
      ex,
      scope,
      running.map((p) => p.id),
      after,
      PAGE,
    );
    if (objectives.length === 0) break;
    after = objectives[objectives.length - 1]!.id;
    const byId = new Map(objectives.map((o) => [o.id, o]));
    /** Records the item when its status an hour ago and now differ. */
    const compare = (item: Omit<StatusChange, "from" | "to">, statusAt: (ms: number) => StatusChange["from"]) => {
      checked++;
      const from = statusAt(sinceMs);
      const to = statusAt(nowMs);
      if (from !== to) changes.push({ ...item, from, to });
    };
    for (const o of objectives) {
      const d = storedDerived("objective", o);
      compare(
        { objectType: "objective", id: o.id, title: o.title, objectiveId: o.id, progress: o.progress },
        (ms) => objectiveState(o, d, ctx, ms).status,
      );
    }
    for (const kr of await graphQueries.keyResultsOf(ex, scope, [...byId.keys()])) {
      const o = byId.get(kr.objectiveId);
      if (!o || kr.closed) continue;
      const d = storedDerived("keyResult", kr);
      compare(
        { objectType: "keyResult", id: kr.id, title: kr.title, objectiveId: o.id, progress: kr.progress },
        (ms) => keyResultState(kr, o, d, ctx, ms).status,
      );
    }
    if (objectives.length < PAGE) break;
  }
  return { checked, changes };
}

/**
 * The job: announces, as `status.changed` webhooks, the statuses time moved in the last hour.
 * A write's own changes were announced by the write; a run that misses its hour (the server
 * was down) does not look further back.
 */
export async function runStatusWatch(
  svc: Services,
  orgId: string,
  opts: { nowMs: number },
): Promise<StatusWatchSummary> {
  const scope = grantOrgScope(orgId);
  if ((await webhookQueries.subscribed(svc.database.db, scope, ["status.changed"])).length === 0) {
    return { checked: 0, changed: 0 };
  }
  const { checked, changes } = await statusChangesOverTime(svc, orgId, opts.nowMs - STATUS_WATCH_WINDOW_MS, opts.nowMs);
  if (changes.length) {
    await writeTransaction(svc, { scope, actorId: null }, (t) => queueWebhooks(svc, t, [], changes));
  }
  return { checked, changed: changes.length };
}
