/**
 * The alignment map's team clusters: a page of teams (top-level, under one parent, or by id),
 * each with how many objectives it holds in a period, how many are in each status, their
 * mean progress, and how many sub-teams it has. A page reads its teams, their sub-team counts
 * and their own objectives: it costs what it shows, never the organisation.
 */
import { z } from "zod";
import { mapQueries } from "../db/map-queries.js";
import { AppError } from "../domain/errors.js";
import { STATUSES, type Status } from "../domain/types.js";
import { type Actor, read, type Services } from "./context.js";
import { groupBy, objectiveState } from "./evaluation.js";
import { figures } from "./okr.service.js";
import { cursorScope, DEFAULT_LIMIT, decodeKeyset, encodeKeyset, keyChecks, type Page } from "./pagination.js";
import { PageQuerySchema, parseInput } from "./schemas.js";
import { periodFamily } from "./view.service.js";

const TeamClusterQuery = PageQuerySchema.extend({
  periodId: z.string({ message: "is required (the period whose objectives the clusters count)" }),
  parentId: z.string().optional(),
  ids: z.string().max(4000, "at most 100 team ids").optional().describe("comma-separated team ids: these teams only"),
}).refine((q) => !(q.parentId && q.ids), {
  message: "give parentId or ids, not both (the teams under one team, or these teams)",
  path: ["ids"],
});

export interface TeamCluster {
  id: string;
  name: string;
  parentId: string | null;
  /** Live sub-teams. */
  subTeams: number;
  /** The team's own published objectives in the period (and its parent and child periods) the caller may see. */
  objectives: number;
  /** How many of those are in each status. */
  statuses: Record<Status, number>;
  /** Mean of their progress, each capped at 1; null with none. */
  progress: number | null;
}

const NAME_KEY = [keyChecks.text, keyChecks.id] as const;

/**
 * A page of team clusters for the alignment map, by name: the top-level teams, the teams
 * under `parentId`, or the teams named in `ids`. Throws NOT_FOUND for an unknown period and
 * VALIDATION for a bad query.
 */
export async function listTeamClusters(svc: Services, actor: Actor, query: unknown): Promise<Page<TeamCluster>> {
  const q = parseInput(TeamClusterQuery, query, "query");
  const ids = q.ids
    ?.split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (ids && ids.length > 100) throw AppError.validation(["ids: at most 100 team ids; ask for the rest in pages"]);
  const limit = q.limit ?? DEFAULT_LIMIT;
  const scopeName = cursorScope("team-clusters", { periodId: q.periodId, parentId: q.parentId, ids: q.ids });
  const after = q.cursor ? decodeKeyset<readonly [string, string]>(q.cursor, scopeName, NAME_KEY) : null;
  return read(svc, actor, async ({ ex, scope, ctx, nowMs, guard }) => {
    if (!ctx.periods.has(q.periodId)) throw AppError.notFound("period", q.periodId);
    const family = periodFamily(ctx, q.periodId);
    const rows = await mapQueries.teamsUnder(
      ex,
      scope,
      ids ? { ids } : { parentId: q.parentId ?? null },
      after ? { name: after[0], id: after[1] } : null,
      limit + 1,
    );
    const teams = rows.slice(0, limit);
    const teamIds = teams.map((t) => t.id);
    const subTeams = await mapQueries.subTeamCounts(ex, scope, teamIds);
    const sees = await guard.seer();
    const objectives = (await mapQueries.objectivesOfTeams(ex, scope, [...family], teamIds)).filter(sees);
    const f = await figures(ex, scope, ctx, nowMs);
    const byTeam = groupBy(objectives, (o) => o.teamId ?? "");
    const items = teams.map((team): TeamCluster => {
      const own = byTeam.get(team.id) ?? [];
      const statuses = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>;
      let sum = 0;
      for (const o of own) {
        const d = f.derive("objective", o);
        statuses[objectiveState(o, d, ctx, f.nowMs).status] += 1;
        sum += Math.min(1, Math.max(0, d.progress ?? 0));
      }
      return {
        id: team.id,
        name: team.name,
        parentId: team.parentId,
        subTeams: subTeams.get(team.id) ?? 0,
        objectives: own.length,
        statuses,
        progress: own.length ? sum / own.length : null,
      };
    });
    const last = teams.at(-1);
    return {
      items,
      nextCursor: rows.length > limit && last ? encodeKeyset(scopeName, [last.name, last.id]) : null,
    };
  });
}
