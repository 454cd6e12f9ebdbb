/**
 * `okra recompute`: rebuilds every stored figure (progress, current value, first and last
 * check-in, forecast) of every organisation from the base tables — objectives, key results,
 * alignments and check-ins. Run it after a restore, a bulk load or a migration; on a healthy
 * database it changes nothing.
 */
import type { Database } from "../db/database.js";
import { grantOrgScope } from "../db/org-scope.js";
import { graphQueries, inTransaction, lockOrganization, organizationRepo } from "../db/repositories.js";
import { loadOrgContext, recomputeStored } from "./evaluation.js";

export interface RecomputeReport {
  organizationId: string;
  name: string;
  keyResults: number;
  objectives: number;
  /** How many stored rows differed from the base tables and were rewritten. */
  rewritten: { keyResults: number; objectives: number };
}

/** Recomputes each organisation in its own transaction, under its write lock, as of `nowMs`. */
export async function recomputeAll(database: Database, nowMs: number): Promise<RecomputeReport[]> {
  const orgs = await database.db.query.organizations.findMany({ columns: { id: true } });
  const reports: RecomputeReport[] = [];
  for (const { id } of orgs) {
    const scope = grantOrgScope(id);
    reports.push(
      await inTransaction(database.db, async (tx) => {
        await lockOrganization(tx, scope);
        const org = await organizationRepo.get(tx, scope);
        const ctx = await loadOrgContext(tx, scope, org);
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
