/**
 * `okra recompute`: rebuilds every stored figure (progress, current value, first and last
 * check-in, forecast) of every organisation from the base tables — objectives, key results,
 * alignments and check-ins. Run it after a restore, a bulk load or a migration; on a healthy
 * database it changes nothing.
 */
import type { Database } from "../db/database.js";
import { instanceQueries } from "../db/instance-queries.js";
import { grantOrgScope } from "../db/org-scope.js";
import { graphQueries } from "../db/repositories.js";
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
  // A job of the instance: its own clock, and nothing for live listeners to hear.
  const svc: Services = { database, now: () => nowMs, emit: () => {} };
  const reports: RecomputeReport[] = [];
  for (const id of await instanceQueries.organizationIds(database.db)) {
    reports.push(
      await writeTransaction(svc, { scope: grantOrgScope(id), actorId: null }, async ({ tx, scope, org, ctx }) => {
        const krs = await graphQueries.allKeyResults(tx, scope);
        const objectives = await graphQueries.allObjectives(tx, scope);
        const rewritten = await recomputeStored(
          tx,
          scope,
          ctx,
          krs.map((k) => k.id),
          nowMs,
        );
        return { organizationId: id, name: org.name, keyResults: krs.length, objectives: objectives.length, rewritten };
      }),
    );
  }
  return reports;
}
