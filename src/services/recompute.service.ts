/**
 * `okra recompute`: rebuilds every stored figure (progress, current value, first and last
 * check-in, forecast) of every organisation from the base tables — objectives, key results,
 * alignments and check-ins — and the coach's title index from the objectives' titles. Run it
 * after a restore, a bulk load or a migration; on a healthy database it changes no figure.
 */
import type { Database } from "../db/database.js";
import { instanceQueries } from "../db/instance-queries.js";
import { grantOrgScope } from "../db/org-scope.js";
import { graphQueries, type OrganizationRow, organizationRepo } from "../db/repositories.js";
import { titleTokenQueries } from "../db/title-token-queries.js";
import { type Services, writeTransaction } from "./context.js";
import { recomputeStored } from "./evaluation.js";

export interface RecomputeReport {
  organizationId: string;
  name: string;
  keyResults: number;
  objectives: number;
  /** How many stored rows differed from the base tables and were rewritten. */
  rewritten: { keyResults: number; objectives: number };
}

/**
 * Recomputes each organisation in its own write (the one write path: under its write lock), as
 * of `nowMs`. Nothing is audited: the figures are derived, and on a healthy database nothing changes.
 */
export async function recomputeAll(database: Database, nowMs: number): Promise<RecomputeReport[]> {
  const reports: RecomputeReport[] = [];
  for (const id of await instanceQueries.organizationIds(database.db)) {
    reports.push(await recomputeOrganization(database, id, nowMs));
  }
  return reports;
}

/**
 * Recomputes every stored figure of one organisation (as `recomputeAll` does for each), in one
 * write under its lock, as of `nowMs`; a restored backup's figures are checked this way.
 */
export async function recomputeOrganization(
  database: Database,
  orgId: string,
  nowMs: number,
): Promise<RecomputeReport> {
  // A job of the instance: its own clock, and nothing for live listeners to hear.
  const svc: Services = { database, now: () => nowMs, emit: () => {} };
  return writeTransaction(svc, { scope: grantOrgScope(orgId), actorId: null }, async ({ tx, scope, org, ctx }) => {
    const krs = await graphQueries.allKeyResults(tx, scope);
    const objectives = await graphQueries.allObjectives(tx, scope);
    // Whatever a change of settings asked for in the background is done by this.
    await organizationRepo.setRecomputeRequested(tx, scope, null);
    // The coach's title index is derived from the objectives too.
    await titleTokenQueries.rebuild(tx, scope);
    const rewritten = await recomputeStored(
      tx,
      scope,
      ctx,
      krs.map((k) => k.id),
      nowMs,
    );
    return { organizationId: orgId, name: org.name, keyResults: krs.length, objectives: objectives.length, rewritten };
  });
}

// ---------------------------------------------------------------- in the background

/** How many key results one step of a background recompute takes (one transaction each). */
const PAGE = 1000;

/** Background recomputes running in this process, with their progress. */
const running = new Map<string, { done: number; total: number }>();

/**
 * Where a background recompute of the organisation stands, from its row's request
 * (`recompute_requested_at`) and this process's progress: null when none is asked for.
 */
export function recomputeStatus(
  org: Pick<OrganizationRow, "id" | "recomputeRequestedAt">,
): { requestedAt: string; done: number | null; total: number | null } | null {
  if (!org.recomputeRequestedAt) return null;
  const here = running.get(org.id);
  return { requestedAt: org.recomputeRequestedAt.toISOString(), done: here?.done ?? null, total: here?.total ?? null };
}

/**
 * Recomputes every stored figure of one organisation after a change of settings they all depend
 * on, in steps of 1,000 key results, each its own write under the organisation's lock: check-ins
 * and other writes go on between steps, and reads keep answering from what is stored. Each step
 * recomputes its key results and everything they count toward, so once the last step is done
 * every figure is right, whatever the order. The request is kept on the organisation
 * (`recompute_requested_at`) until done, so a restart resumes it (`resumeRecomputes`); a newer
 * request made meanwhile is left for its own run. One run per organisation per process.
 */
export async function recomputeInBackground(svc: Services, orgId: string): Promise<void> {
  if (running.has(orgId)) return;
  const scope = grantOrgScope(orgId);
  const db = svc.database.db;
  const requested = (await organizationRepo.get(db, scope)).recomputeRequestedAt;
  if (!requested) return;
  const progress = { done: 0, total: await organizationRepo.keyResultCount(db, scope) };
  running.set(orgId, progress);
  try {
    let after: string | null = null;
    while (true) {
      const ids = await organizationRepo.keyResultIdsAfter(db, scope, after, PAGE);
      if (!ids.length) break;
      await writeTransaction(svc, { scope, actorId: null }, async (t) => t.touch(ids));
      progress.done += ids.length;
      after = ids.at(-1) ?? null;
    }
    await writeTransaction(svc, { scope, actorId: null }, (t) =>
      organizationRepo.setRecomputeRequested(t.tx, t.scope, null, requested),
    );
  } finally {
    running.delete(orgId);
  }
  // A change made while this ran asked again: run for it too.
  if ((await organizationRepo.get(db, scope)).recomputeRequestedAt) await recomputeInBackground(svc, orgId);
}

/** Resumes the background recomputes a stop interrupted (at start). */
export async function resumeRecomputes(svc: Services): Promise<void> {
  for (const id of await instanceQueries.organizationsToRecompute(svc.database.db)) {
    await recomputeInBackground(svc, id);
  }
}
