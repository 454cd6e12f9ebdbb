/**
 * The manager's dashboard in one read: for a period, the whole organisation or one team with
 * the teams under it — objectives by team and status, check-in freshness by team, the top
 * risks with their owners and objectives, and what changed since a week ago (progress moved,
 * status changes, new risks). Drafts count nowhere (okr-method §3 "Drafts"); private
 * objectives count only for those who may see them.
 *
 * Cost. Counts and freshness are GROUP BYs in SQL. The lists are chosen in SQL from stored
 * figures and limited there; only the few rows chosen are read and evaluated:
 * - top risks: the objectives whose status (rules of §4 in SQL, one span per period) is
 *   behind or at risk, and the key results that may be (a manual status, or below plan),
 *   furthest behind first; the key results' exact status comes from the domain.
 * - what changed: "a week ago" is a time-travel read (§3) of the candidates only. Candidates
 *   are the objectives whose figures may have moved (a check-in within the week on anything
 *   they draw from) or whose status the clock alone moved, and the key results checked in
 *   within the week whose stored progress is furthest from where their latest check-in up
 *   to a week ago put them (the biggest rises and falls, chosen in SQL). `evaluateAsOf`
 *   evaluates only those and what they draw from, from the check-ins dated up to a week ago;
 *   today's figures are the stored ones.
 */
import { z } from "zod";
import { type DashboardScope, dashboardQueries } from "../db/dashboard-queries.js";
import {
  type KeyResultRow,
  keyResultRepo,
  type ObjectiveRow,
  objectiveRepo,
  teamRepo,
  userRepo,
} from "../db/repositories.js";
import { AppError } from "../domain/errors.js";
import { DAY_MS, periodSpan } from "../domain/periods.js";
import type { Status } from "../domain/types.js";
import { STATUSES } from "../domain/types.js";
import { type Actor, read, type Services } from "./context.js";
import { evaluateAsOf, existedAt, keyResultState, objectiveState, statusInstant, storedDerived } from "./evaluation.js";
import { parseInput } from "./schemas.js";

const DashboardQuery = z.object({
  periodId: z.string({ message: "is required (the period to show)" }),
  teamId: z.string().optional(),
});

/** How far back "what changed" looks. */
const WEEK_MS = 7 * DAY_MS;
const TOP_RISKS = 10;
const MOVERS_PER_SIDE = 5;
const CHANGES_SHOWN = 20;
/** Objectives evaluated a week ago at most, latest check-in first. */
const CHANGE_CANDIDATES = 200;
const RISK_STATUSES: readonly Status[] = ["atRisk", "behind"];
/** Worst first, for sorting by status. */
const SEVERITY: Record<string, number> = { atRisk: 0, behind: 1, notStarted: 2, onTrack: 3, closed: 4 };

interface Person {
  id: string;
  name: string;
}

/** An objective or key result as the dashboard lists it. */
export interface DashboardItem {
  type: "objective" | "keyResult";
  id: string;
  title: string;
  /** The key result's objective (null for an objective). */
  objective: { id: string; title: string } | null;
  owners: Person[];
  progress: number;
  expectedProgress: number;
  status: Status;
}

export interface DashboardTeamRow {
  /** null: the organisation's objectives that belong to no team (organisation view only). */
  teamId: string | null;
  name: string | null;
  /** 0 for the team shown (or no team), 1 for its direct children, and so on. */
  depth: number;
  statuses: Record<Status, number>;
  objectives: number;
  keyResults: number;
  fresh: number;
  neverCheckedIn: number;
  oldestCheckInAt: string | null;
}

/**
 * The dashboard of a period for the organisation, or for `teamId` and the teams under it.
 * Throws VALIDATION without a periodId, NOT_FOUND for an unknown period or team.
 */
export async function getDashboard(svc: Services, actor: Actor, query: unknown) {
  const q = parseInput(DashboardQuery, query, "query");
  return read(svc, actor, async ({ ex, scope, ctx, nowMs, guard }) => {
    const period = ctx.periods.get(q.periodId);
    if (!period) throw AppError.notFound("period", q.periodId);
    const team = q.teamId ? await teamRepo.get(ex, scope, q.teamId) : null;
    const teams = await dashboardQueries.teamsUnder(ex, scope, team?.id ?? null);
    const d: DashboardScope = {
      periodId: period.id,
      teamIds: team ? [team.id, ...teams.map((t) => t.id)] : null,
      visibleTo: await guard.visibleTo(),
    };
    const { settings } = ctx;
    const span = periodSpan(period.startDate, period.endDate, settings.timeZone);
    const instant = (atMs: number) => statusInstant(span, settings, atMs);
    const sinceMs = nowMs - WEEK_MS;
    const now = instant(nowMs);
    const then = instant(sinceMs);

    // Teams × status and freshness: two GROUP BYs.
    const counts = await dashboardQueries.statusCounts(ex, scope, d, now);
    const freshness = await dashboardQueries.freshness(ex, scope, d, nowMs - settings.cadenceDays * DAY_MS);
    const rows = teamRows(team, teams, counts, freshness);

    // Top risks and what changed: short candidate lists, then the rows they name.
    const riskObjectives = await dashboardQueries.objectivesInStatus(ex, scope, d, now, RISK_STATUSES, TOP_RISKS);
    const riskKrCandidates = await dashboardQueries.keyResultsMaybeAtRisk(ex, scope, d, now, TOP_RISKS * 3);
    const changedObjectives = await dashboardQueries.objectivesMaybeChanged(ex, scope, d, then, now, CHANGE_CANDIDATES);
    const moverIds = await dashboardQueries.moverCandidates(ex, scope, d, sinceMs, MOVERS_PER_SIDE * 2);
    const movers = await keyResultRepo.listByIds(ex, scope, moverIds);
    const objectiveOf = new Map<string, ObjectiveRow>([...riskObjectives, ...changedObjectives].map((o) => [o.id, o]));
    const missing = [...riskKrCandidates, ...movers].map((k) => k.objectiveId).filter((id) => !objectiveOf.has(id));
    for (const o of await objectiveRepo.listByIds(ex, scope, [...new Set(missing)])) objectiveOf.set(o.id, o);
    const past = await evaluateAsOf(ex, scope, ctx, sinceMs, {
      objective: changedObjectives.map((o) => o.id),
      keyResult: movers.map((k) => k.id),
    });

    const objectiveNow = (o: ObjectiveRow) => {
      const figures = storedDerived("objective", o);
      return { progress: figures.progress ?? 0, ...objectiveState(o, figures, ctx, nowMs) };
    };
    const keyResultNow = (k: KeyResultRow, o: ObjectiveRow) => {
      const figures = storedDerived("keyResult", k);
      return { progress: figures.progress ?? 0, ...keyResultState(k, o, figures, ctx, nowMs) };
    };
    const objectiveItem = (o: ObjectiveRow): Omit<DashboardItem, "owners"> & { ownerIds: string[] } => ({
      type: "objective",
      id: o.id,
      title: o.title,
      objective: null,
      ownerIds: o.ownerIds,
      ...objectiveNow(o),
    });
    const keyResultItem = (
      k: KeyResultRow,
      o: ObjectiveRow,
    ): Omit<DashboardItem, "owners"> & { ownerIds: string[] } => ({
      type: "keyResult",
      id: k.id,
      title: k.title,
      objective: { id: o.id, title: o.title },
      // A key result without owners answers through its objective's owners.
      ownerIds: k.ownerIds.length ? k.ownerIds : o.ownerIds,
      ...keyResultNow(k, o),
    });

    const gap = (i: { expectedProgress: number; progress: number }) =>
      i.expectedProgress - Math.min(1, Math.max(0, i.progress));
    const risks = [
      ...riskObjectives.map(objectiveItem),
      ...riskKrCandidates.flatMap((k) => {
        const o = objectiveOf.get(k.objectiveId);
        return o ? [keyResultItem(k, o)] : [];
      }),
    ]
      .filter((i) => RISK_STATUSES.includes(i.status))
      .sort((a, b) => (SEVERITY[a.status] ?? 9) - (SEVERITY[b.status] ?? 9) || gap(b) - gap(a))
      .slice(0, TOP_RISKS);

    // What did not exist a week ago has no "before": it is not a change since then.
    const existedThen = (o: ObjectiveRow, k?: KeyResultRow) =>
      existedAt(o, sinceMs, nowMs) && (!k || existedAt({ createdAt: k.createdAt, publishedAt: null }, sinceMs, nowMs));
    const moved = movers.flatMap((k) => {
      const o = objectiveOf.get(k.objectiveId);
      if (!o || !existedThen(o, k)) return [];
      const before = past.get(`keyResult:${k.id}`);
      const item = keyResultItem(k, o);
      const was = keyResultState(k, o, before ?? storedDerived("keyResult", k), ctx, sinceMs).status;
      return [{ ...item, before: before?.progress ?? 0, after: item.progress, from: was }];
    });
    const withDelta = moved.map((m) => ({ ...m, delta: m.after - m.before }));
    const up = withDelta
      .filter((m) => m.delta > 0)
      .sort((a, b) => b.delta - a.delta)
      .slice(0, MOVERS_PER_SIDE);
    const down = withDelta
      .filter((m) => m.delta < 0)
      .sort((a, b) => a.delta - b.delta)
      .slice(0, MOVERS_PER_SIDE);

    const statusChanges = [
      ...changedObjectives.flatMap((o) => {
        const before = past.get(`objective:${o.id}`);
        if (!before || !existedThen(o)) return [];
        const item = objectiveItem(o);
        return [{ ...item, from: objectiveState(o, before, ctx, sinceMs).status }];
      }),
      ...moved,
    ]
      .filter((c) => c.from !== c.status)
      .sort((a, b) => (SEVERITY[a.status] ?? 9) - (SEVERITY[b.status] ?? 9) || a.title.localeCompare(b.title));
    const newRisks = statusChanges.filter(
      (c) => RISK_STATUSES.includes(c.status) && (!RISK_STATUSES.includes(c.from) || c.from === "behind"),
    );

    // Owner names for every item shown, in one read.
    const shown = [
      ...risks,
      ...up,
      ...down,
      ...statusChanges.slice(0, CHANGES_SHOWN),
      ...newRisks.slice(0, CHANGES_SHOWN),
    ];
    const people = new Map(
      (await userRepo.listByIds(ex, scope, [...new Set(shown.flatMap((i) => i.ownerIds))])).map((u) => [u.id, u.name]),
    );
    const present = <T extends { ownerIds: string[] }>({ ownerIds, ...rest }: T) => ({
      ...rest,
      owners: ownerIds.flatMap((id) => {
        const name = people.get(id);
        return name === undefined ? [] : [{ id, name }];
      }),
    });
    const change = <T extends { ownerIds: string[]; from: Status; status: Status }>(c: T) => {
      const { from, ...rest } = c;
      return { ...present(rest), from };
    };
    const asMover = (m: (typeof withDelta)[number]) => {
      const { from: _from, ...rest } = m;
      return present(rest);
    };

    return {
      periodId: period.id,
      teamId: team?.id ?? null,
      at: new Date(nowMs).toISOString(),
      since: new Date(sinceMs).toISOString(),
      expectedProgress: now.expected,
      cadenceDays: settings.cadenceDays,
      teams: rows,
      topRisks: risks.map(present),
      changes: {
        up: up.map(asMover),
        down: down.map(asMover),
        statusChanges: statusChanges.slice(0, CHANGES_SHOWN).map(change),
        newRisks: newRisks.slice(0, CHANGES_SHOWN).map(change),
      },
    };
  });
}

/** The scope's own row, then each team under it depth first (children by name). */
function teamRows(
  team: { id: string; name: string } | null,
  teams: Awaited<ReturnType<typeof dashboardQueries.teamsUnder>>,
  counts: Awaited<ReturnType<typeof dashboardQueries.statusCounts>>,
  freshness: Awaited<ReturnType<typeof dashboardQueries.freshness>>,
): DashboardTeamRow[] {
  const empty = (): Record<Status, number> => Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>;
  const row = (teamId: string | null, name: string | null, depth: number): DashboardTeamRow => {
    const statuses = empty();
    let objectives = 0;
    for (const c of counts) {
      if (c.teamId !== teamId) continue;
      if (c.status in statuses) statuses[c.status as Status] += c.count;
      objectives += c.count;
    }
    const f = freshness.find((x) => x.teamId === teamId);
    return {
      teamId,
      name,
      depth,
      statuses,
      objectives,
      keyResults: f?.keyResults ?? 0,
      fresh: f?.fresh ?? 0,
      neverCheckedIn: f?.never ?? 0,
      oldestCheckInAt: f?.oldestCheckInAt ? f.oldestCheckInAt.toISOString() : null,
    };
  };
  const children = new Map<string | null, typeof teams>();
  const ids = new Set(teams.map((t) => t.id));
  for (const t of teams) {
    const parent = t.parentId && ids.has(t.parentId) ? t.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), t]);
  }
  const out = [row(team?.id ?? null, team?.name ?? null, 0)];
  const walk = (parent: string | null, depth: number) => {
    for (const t of [...(children.get(parent) ?? [])].sort((a, b) => a.name.localeCompare(b.name))) {
      out.push(row(t.id, t.name, depth));
      walk(t.id, depth + 1);
    }
  };
  walk(null, 1);
  return out;
}
