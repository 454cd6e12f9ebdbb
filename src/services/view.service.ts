/**
 * Read models: the filtered objective list, the alignment tree of a period, the coach's
 * findings, the audit trail, and the organisation's settings.
 */
import { z } from "zod";
import { dashboardQueries } from "../db/dashboard-queries.js";
import type { Executor } from "../db/database.js";
import {
  type CreatedPosition,
  coachListQueries,
  type ObjectiveListFilter,
  type ObjectiveOrder,
  objectiveListQueries,
} from "../db/list-queries.js";
import { mapQueries } from "../db/map-queries.js";
import type { OrgScope } from "../db/org-scope.js";
import {
  type AlignmentRow,
  graphQueries,
  type KeyResultRow,
  keyResultRepo,
  type ObjectiveRow,
  type OrganizationRow,
  objectiveRepo,
  organizationRepo,
  type PeriodRow,
  teamRepo,
} from "../db/repositories.js";
import type { StatusInstant } from "../db/status-sql.js";
import type { ObjectiveFacts } from "../domain/access.js";
import { type CoachObjective, coachFindings, coachPeopleFindings, type Finding, runCoach } from "../domain/coach.js";
import { AppError } from "../domain/errors.js";
import { addDays, dayStartMs, isValidTimeZone, periodSpan } from "../domain/periods.js";
import { type AttentionFlag, attentionFlags } from "../domain/status.js";
import type { KrType, Level, MethodSettings, Status } from "../domain/types.js";
import { LEVELS, STATUSES } from "../domain/types.js";
import { orgRulesOf } from "./access.js";
import { assertChatUrls, auditedChatUrls, type ChatUrls, chatSettingsOf, presentChatUrls } from "./chat.js";
import { alignedUnderVisible, coachObjectiveOf } from "./coach-input.js";
import { type Actor, mutate, publicBaseUrl, read, type Services } from "./context.js";
import {
  evaluateRowsAt,
  groupBy,
  keyResultSpan,
  loadBelow,
  type OrgContext,
  objectiveSpan,
  objectiveState,
  settingsOf,
  statusInstant,
} from "./evaluation.js";
import { type Figures, figures, type ObjectiveDetail, objectiveDetail } from "./okr.service.js";
import {
  badCursor,
  cursorScope,
  DEFAULT_LIMIT,
  decodeKeyset,
  encodeKeyset,
  keyChecks,
  type Page,
} from "./pagination.js";
import { presentKeyResult, presentObjective } from "./presenters.js";
import { recomputeInBackground, recomputeStatus } from "./recompute.service.js";
import { rhythmOf } from "./rhythm.js";
import { commaIdsSchema, InstantSchema, PageQuerySchema, parseInput, SettingsUpdateSchema } from "./schemas.js";
import { earlierTwins, freshTitleIndex } from "./title-twins.js";

const SORT_KEYS = ["level", "title", "progress", "status"] as const;

const ObjectiveListQuery = PageQuerySchema.extend({
  periodId: z.string().optional(),
  teamId: z.string().optional(),
  ownerId: z.string().optional(),
  involves: z.string().optional(),
  level: z.enum(LEVELS).optional(),
  // One status, or several separated by commas.
  status: z
    .string()
    .transform((v) => [...new Set(v.split(",").map((x) => x.trim()))])
    .refine((list) => list.every((x) => (STATUSES as readonly string[]).includes(x)), {
      message: `must be one or more of ${STATUSES.join(", ")}, separated by commas`,
    })
    .transform((list) => list as Status[])
    .optional(),
  // Progress in percent, "min-max", both included: "0-30", "70-100".
  progress: z
    .string()
    .regex(/^\d{1,3}-\d{1,3}$/, 'must be "min-max" in percent, 0 to 100, e.g. "0-30"')
    .transform((v) => v.split("-").map(Number) as [number, number])
    .refine(([min, max]) => min <= max && max <= 100, {
      message: 'must be "min-max" with 0 ≤ min ≤ max ≤ 100, e.g. "70-100"',
    })
    .optional(),
  sort: z
    .string()
    .regex(
      new RegExp(`^-?(${SORT_KEYS.join("|")})$`),
      `must be one of ${SORT_KEYS.join(", ")}, with a leading "-" for descending (e.g. "-progress")`,
    )
    .optional(),
  state: z.enum(["draft", "active", "closed"]).optional(),
  q: z.string().max(500).optional(),
  asOf: InstantSchema.optional(),
});

/**
 * An objective's place in the list: its periods' start date, its segment (its status's place
 * when sorted by status, else 0), then level, creation, title, id and stored progress, of
 * which the sort compares the parts it orders by.
 */
type ObjectiveKey = readonly [
  startDate: string,
  segment: number,
  rank: number,
  createdAt: string,
  title: string,
  id: string,
  progress: number,
];
const OBJECTIVE_KEY = [
  keyChecks.date,
  keyChecks.smallInt,
  keyChecks.smallInt,
  keyChecks.instant,
  keyChecks.text,
  keyChecks.id,
  keyChecks.number,
] as const;

/** The live periods in list order, grouped by start date (a year and its first quarter share one). */
type ObjectiveListInput = z.output<typeof ObjectiveListQuery>;

/** A `progress=min-max` filter (percent) as the fractions the list compares with. */
function progressRangeOf(q: ObjectiveListInput): { min: number; max: number } | undefined {
  return q.progress ? { min: q.progress[0] / 100, max: q.progress[1] / 100 } : undefined;
}

/** The list's filters in SQL, as `GET /objectives` and its count read them (a status filter apart). */
function listFilterOf(
  q: ObjectiveListInput,
  progress: { min: number; max: number } | undefined,
  visibleTo: ObjectiveListFilter["visibleTo"],
): ObjectiveListFilter {
  return {
    teamId: q.teamId,
    ownerId: q.ownerId,
    involves: q.involves,
    level: q.level,
    state: q.state,
    text: q.q?.trim().toLowerCase() || undefined,
    progress,
    visibleTo,
  };
}

/** What a status depends on in each period at `nowMs` (worked out once per period), or null for none. */
function statusInstantsAt(ctx: OrgContext, nowMs: number): (periodId: string) => StatusInstant | null {
  const instants = new Map<string, StatusInstant | null>();
  return (periodId) => {
    if (!instants.has(periodId)) {
      const span = objectiveSpan({ periodId }, ctx);
      instants.set(periodId, span && statusInstant(span, ctx.settings, nowMs));
    }
    return instants.get(periodId) ?? null;
  };
}

function periodGroups(ctx: OrgContext, periodId: string | undefined): { startDate: string; periodIds: string[] }[] {
  const byStart = new Map<string, string[]>();
  for (const p of ctx.periods.values()) {
    if (periodId !== undefined && p.id !== periodId) continue;
    byStart.set(p.startDate, [...(byStart.get(p.startDate) ?? []), p.id]);
  }
  return [...byStart]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([startDate, periodIds]) => ({ startDate, periodIds }));
}

/**
 * Objectives matching every given filter, each with its key results. Periods come in order
 * of their start date; within one, the order is level, creation, title (or `sort`: level,
 * title, progress or status, `-` for descending). Filters, order and paging run in SQL
 * (keyset), so the work follows the page: only the page's objectives and their key results
 * are read. Status depends on the clock, so a `status` filter or sort narrows the candidates in
 * SQL by their stored figures (`db/status-sql.ts`), then checks each one's exact status, in
 * bounded batches until the page is full; a status sort walks the statuses one after another.
 * With `asOf` the figures come from `figures()`, which evaluates the page's objectives and what
 * they draw from as of that moment; a progress range is then checked on those figures, and a
 * sort by progress, which needs stored figures, is refused.
 */
export async function listObjectives(svc: Services, actor: Actor, query: unknown): Promise<Page<ObjectiveDetail>> {
  const q = parseInput(ObjectiveListQuery, query, "query");
  const limit = q.limit ?? DEFAULT_LIMIT;
  const text = q.q?.trim().toLowerCase() || undefined;
  const desc = q.sort?.startsWith("-") ?? false;
  const sortBy = (q.sort?.replace(/^-/, "") ?? "level") as (typeof SORT_KEYS)[number];
  if (sortBy === "progress" && q.asOf) {
    throw AppError.validation([
      "sort: progress cannot be combined with asOf (past figures are worked out per page, not stored); leave out one of them",
    ]);
  }
  const wanted = q.status ? new Set<Status>(q.status) : null;
  const range = progressRangeOf(q);
  const scopeName = cursorScope("objectives", {
    periodId: q.periodId,
    teamId: q.teamId,
    ownerId: q.ownerId,
    involves: q.involves,
    level: q.level,
    status: q.status ? [...q.status].sort().join(",") : undefined,
    progress: q.progress?.join("-"),
    sort: q.sort && q.sort !== "level" ? q.sort : undefined,
    state: q.state,
    q: text,
    asOf: q.asOf,
  });
  const after = q.cursor ? decodeKeyset<ObjectiveKey>(q.cursor, scopeName, OBJECTIVE_KEY) : null;
  // A status sort walks one status after another (those asked for, when a filter names them).
  const segments: (Status | null)[] =
    sortBy === "status"
      ? (desc ? [...STATUSES].reverse() : [...STATUSES]).filter((x) => !wanted || wanted.has(x))
      : [null];
  if (after && (after[1] < 0 || after[1] >= segments.length)) throw badCursor();
  // Descending reverses every part: statuses, and the list order within one.
  const order: ObjectiveOrder =
    sortBy === "title" || sortBy === "progress" ? { by: sortBy, desc } : { by: "list", desc };
  return read(svc, actor, async ({ ex, scope, ctx, nowMs, guard }) => {
    const f = await figures(ex, scope, ctx, nowMs, q.asOf);
    // Stored progress is now's: a range as of another moment is checked on that moment's figures.
    const filter = listFilterOf(q, q.asOf ? undefined : range, await guard.visibleTo());
    const groups = periodGroups(ctx, q.periodId);
    /** What a status depends on in each period now: lets SQL leave out objectives that cannot match. */
    const at = statusInstantsAt(ctx, nowMs);
    /** Stored figures are now's: with `asOf`, every candidate is checked on that moment's figures instead. */
    const prefilter = (segment: Status | null): ObjectiveListFilter => {
      const statuses = segment ? new Set([segment]) : wanted;
      return statuses && !q.asOf ? { ...filter, statuses: { wanted: statuses, at } } : filter;
    };
    /** The next `n` keys after `from`, walking the period groups and their segments in order. */
    const nextKeys = async (from: ObjectiveKey | null, n: number): Promise<ObjectiveKey[]> => {
      const out: ObjectiveKey[] = [];
      for (const g of groups) {
        if (from && g.startDate < from[0]) continue;
        const sameGroup = from !== null && g.startDate === from[0];
        for (let segment = sameGroup ? from[1] : 0; segment < segments.length; segment++) {
          if (out.length >= n) return out;
          const within =
            sameGroup && segment === from[1]
              ? { rank: from[2], createdAt: from[3], title: from[4], id: from[5], progress: from[6] }
              : null;
          const found = await objectiveListQueries.positions(
            ex,
            scope,
            g.periodIds,
            prefilter(segments[segment] ?? null),
            within,
            n - out.length,
            order,
          );
          for (const p of found) out.push([g.startDate, segment, p.rank, p.createdAt, p.title, p.id, p.progress]);
        }
      }
      return out;
    };
    const picked: { key: ObjectiveKey; row: ObjectiveRow }[] = [];
    let more = false;
    const evaluated = wanted !== null || sortBy === "status" || (range !== undefined && q.asOf !== undefined);
    if (!evaluated) {
      const keys = await nextKeys(after, limit + 1);
      more = keys.length > limit;
      // The extra key only says there is more: its row is not read.
      const rows = await objectiveListQueries.inOrder(
        ex,
        scope,
        keys.slice(0, limit).map((k) => k[5]),
      );
      const byId = new Map(rows.map((r) => [r.id, r]));
      for (const key of keys.slice(0, limit)) {
        const row = byId.get(key[5]);
        if (row) picked.push({ key, row });
      }
    } else {
      /** Whether the row, with its figures at the moment read, belongs in its segment and the filters. */
      const keep = (key: ObjectiveKey, row: ObjectiveRow) => {
        const view = presentObjective(row, f.derive("objective", row), ctx, f.nowMs);
        const segment = segments[key[1]];
        return (
          (segment === null || view.status === segment) &&
          (!wanted || wanted.has(view.status)) &&
          (!range || (view.progress >= range.min - 1e-9 && view.progress <= range.max + 1e-9))
        );
      };
      // Status depends on the clock: read candidate rows in bounded batches until the page is full.
      const batch = Math.max(limit * 2, 50);
      let from = after;
      scan: while (true) {
        const keys = await nextKeys(from, batch);
        const rows = await objectiveListQueries.inOrder(
          ex,
          scope,
          keys.map((k) => k[5]),
        );
        const byId = new Map(rows.map((r) => [r.id, r]));
        await f.load({ objective: rows.map((r) => r.id) });
        for (const key of keys) {
          const row = byId.get(key[5]);
          if (!row || !keep(key, row)) continue;
          if (picked.length === limit) {
            more = true;
            break scan;
          }
          picked.push({ key, row });
        }
        if (keys.length < batch) break;
        from = keys.at(-1) ?? null;
      }
    }
    const krsByObj = groupBy(
      await graphQueries.keyResultsOf(
        ex,
        scope,
        picked.map((p) => p.row.id),
      ),
      (k) => k.objectiveId,
    );
    await f.load({ objective: picked.map((p) => p.row.id) });
    const last = picked.at(-1);
    return {
      items: picked.map((p) => objectiveDetail(p.row, krsByObj.get(p.row.id) ?? [], f, ctx)),
      nextCursor: more && last ? encodeKeyset(scopeName, last.key) : null,
    };
  });
}

/**
 * How many objectives `GET /objectives` gives for the same filters, counted in SQL: the status
 * with the exact rule the dashboard counts by, at each period's instant now. `limit`, `cursor`
 * and `sort` are taken and ignored (the explorer passes its view as it is). With `asOf`, a status
 * or progress filter is refused: past figures are worked out per page, never for a whole period.
 */
export async function countObjectives(svc: Services, actor: Actor, query: unknown): Promise<{ count: number }> {
  const q = parseInput(ObjectiveListQuery, query, "query");
  if (q.asOf && (q.status || q.progress)) {
    throw AppError.validation([
      "asOf: a count by status or progress is of now only (past figures are worked out per page); leave out asOf, or the status and progress filters",
    ]);
  }
  return read(svc, actor, async ({ ex, scope, ctx, nowMs, guard }) => {
    const at = statusInstantsAt(ctx, nowMs);
    const filter: ObjectiveListFilter = {
      ...listFilterOf(q, progressRangeOf(q), await guard.visibleTo()),
      statuses: q.status ? { wanted: new Set(q.status), at } : undefined,
    };
    const periodIds = periodGroups(ctx, q.periodId).flatMap((g) => g.periodIds);
    return { count: await objectiveListQueries.count(ex, scope, periodIds, filter) };
  });
}

/** The period with this id, or NOT_FOUND. */
function periodOf(ctx: OrgContext, id: string) {
  const period = ctx.periods.get(id);
  if (!period) throw AppError.notFound("period", id);
  return period;
}

/** The period, its ancestors and descendants: OKRs of a quarter align under the year's. */
export function periodFamily(ctx: OrgContext, periodId: string): Set<string> {
  const family = new Set([periodId]);
  let cur = ctx.periods.get(periodId);
  while (cur?.parentId && !family.has(cur.parentId)) {
    family.add(cur.parentId);
    cur = ctx.periods.get(cur.parentId);
  }
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of ctx.periods.values()) {
      if (p.parentId && family.has(p.parentId) && !family.has(p.id) && p.id !== periodId) {
        // Only descendants of the period itself, not siblings reached through an ancestor.
        let a: string | null = p.parentId;
        let under = false;
        while (a) {
          if (a === periodId) {
            under = true;
            break;
          }
          a = ctx.periods.get(a)?.parentId ?? null;
        }
        if (under) {
          family.add(p.id);
          grew = true;
        }
      }
    }
  }
  return family;
}

export interface TreeEdge {
  id: string;
  weight: number;
  contributes: boolean;
}

export interface TreeNode {
  type: "objective" | "keyResult";
  id: string;
  title: string;
  level: Level | null;
  krType: KrType | null;
  teamId: string | null;
  ownerIds: string[];
  periodId: string;
  objectiveId: string | null;
  progress: number | null;
  expectedProgress: number;
  status: string;
  forecast: unknown;
  current: number | null;
  target: number | null;
  unit: string | null;
  flags: AttentionFlag[];
  alignment: TreeEdge | null;
  children: TreeNode[];
}

const TreeQuery = z
  .object({
    periodId: z.string({ message: "is required (the period to show)" }),
    asOf: InstantSchema.optional(),
    teamId: z.string().optional(),
    rootId: z.string().optional(),
    level: z
      .enum(["organization"], { message: 'must be "organization" (the organisation\'s own objectives)' })
      .optional(),
  })
  .refine((q) => [q.teamId, q.rootId, q.level].filter(Boolean).length <= 1, {
    message:
      "give teamId or rootId, not both, and level alone (a team's tree, the tree under one objective, or the organisation's level)",
    path: ["rootId"],
  });

/** The objectives and key results a tree shows, with the alignments between them. */
interface TreeRows {
  objectives: Map<string, ObjectiveRow>;
  keyResults: Map<string, KeyResultRow>;
  edges: AlignmentRow[];
}

/**
 * What a tree shows, starting from `start` (objectives of the period's family the caller may
 * see): their key results and, when `descend`, everything aligned under them, transitively,
 * as far as the caller may see and within the family. Reads that part of the graph only.
 */
async function treeRows(
  ex: Executor,
  scope: OrgScope,
  shown: (o: ObjectiveRow) => boolean,
  start: ObjectiveRow[],
  descend: boolean,
): Promise<TreeRows> {
  const objectives = new Map<string, ObjectiveRow>();
  const keyResults = new Map<string, KeyResultRow>();
  const edges = new Map<string, AlignmentRow>();
  let frontier = { objectives: start.filter(shown), keyResults: [] as KeyResultRow[] };
  while (frontier.objectives.length || frontier.keyResults.length) {
    for (const o of frontier.objectives) objectives.set(o.id, o);
    const own = await graphQueries.keyResultsOf(
      ex,
      scope,
      frontier.objectives.map((o) => o.id),
    );
    const newKrs = [...own, ...frontier.keyResults].filter((k) => !keyResults.has(k.id));
    for (const k of newKrs) keyResults.set(k.id, k);
    const under = await graphQueries.alignmentsAt(ex, scope, "parent", {
      objective: frontier.objectives.map((o) => o.id),
      keyResult: newKrs.map((k) => k.id),
    });
    if (!descend) {
      // The whole period: every shown objective is already a start; keep the links among them.
      for (const a of under) edges.set(a.id, a);
      break;
    }
    const childObjectives = await objectiveRepo.listByIds(
      ex,
      scope,
      under.filter((a) => a.childType === "objective" && !objectives.has(a.childId)).map((a) => a.childId),
    );
    const childKrs = await keyResultRepo.listByIds(
      ex,
      scope,
      under.filter((a) => a.childType === "keyResult" && !keyResults.has(a.childId)).map((a) => a.childId),
    );
    // A key result shows under its parent only when its own objective may be shown.
    const krObjectives = new Map(
      (
        await objectiveRepo.listByIds(
          ex,
          scope,
          childKrs.map((k) => k.objectiveId).filter((id) => !objectives.has(id)),
        )
      ).map((o) => [o.id, o]),
    );
    const nextKrs: KeyResultRow[] = [];
    for (const k of childKrs) {
      const o = objectives.get(k.objectiveId) ?? krObjectives.get(k.objectiveId);
      if (!o || !shown(o)) continue;
      if (!objectives.has(o.id)) objectives.set(o.id, o);
      nextKrs.push(k);
    }
    for (const a of under) edges.set(a.id, a);
    frontier = { objectives: childObjectives.filter(shown), keyResults: nextKrs };
  }
  return { objectives, keyResults, edges: [...edges.values()] };
}

/** One level's objectives, their key results and the links among them: nothing aligned from below is read. */
async function levelRows(ex: Executor, scope: OrgScope, objectives: ObjectiveRow[]): Promise<TreeRows> {
  const keyResults = await graphQueries.keyResultsOf(
    ex,
    scope,
    objectives.map((o) => o.id),
  );
  const edges = await mapQueries.alignmentsAmong(ex, scope, {
    objective: objectives.map((o) => o.id),
    keyResult: keyResults.map((k) => k.id),
  });
  return {
    objectives: new Map(objectives.map((o) => [o.id, o])),
    keyResults: new Map(keyResults.map((k) => [k.id, k])),
    edges,
  };
}

/**
 * The alignment tree of a period: root objectives (aligned to nothing shown), each with
 * its KRs and the items aligned under it, with figures and attention flags per node. A
 * child aligned under several parents appears under each. With `teamId`, the team's
 * objectives and what aligns under them; with `rootId`, one objective and what aligns under
 * it: then the tree costs what that subtree holds.
 */
export async function getTree(svc: Services, actor: Actor, query: unknown) {
  const q = parseInput(TreeQuery, query, "query");
  return read(svc, actor, async ({ ex, scope, ctx, nowMs, guard }) => {
    periodOf(ctx, q.periodId);
    const family = periodFamily(ctx, q.periodId);
    const f = await figures(ex, scope, ctx, nowMs, q.asOf);
    const sees = await guard.seer();
    const shown = (o: ObjectiveRow) => family.has(o.periodId) && o.state !== "draft" && sees(o);
    let start: ObjectiveRow[];
    if (q.rootId) {
      const root = await objectiveRepo.find(ex, scope, q.rootId);
      if (!root || !sees(root)) throw AppError.notFound("objective", q.rootId);
      if (!shown(root)) {
        throw AppError.validation([
          `rootId: this objective is not in the tree of the period (it is a draft or belongs to another period); pass its own periodId`,
        ]);
      }
      start = [root];
    } else if (q.level) {
      start = await mapQueries.objectivesAtLevel(ex, scope, [...family], q.level);
    } else if (q.teamId) {
      await teamRepo.get(ex, scope, q.teamId);
      start = await graphQueries.objectivesOfTeam(ex, scope, [...family], q.teamId);
    } else {
      start = await graphQueries.objectivesByPeriods(ex, scope, [...family]);
    }
    const rows = q.level
      ? await levelRows(ex, scope, start.filter(shown))
      : await treeRows(ex, scope, shown, start, Boolean(q.rootId || q.teamId));
    const objById = rows.objectives;
    const krById = rows.keyResults;
    await f.load({ objective: [...objById.keys()] });
    const krsByObj = groupBy(
      [...krById.values()].sort((a, b) => a.position - b.position || a.createdAt.getTime() - b.createdAt.getTime()),
      (k) => k.objectiveId,
    );
    const visible = (type: string, id: string) => (type === "objective" ? objById.has(id) : krById.has(id));
    const edges = rows.edges
      .filter((a) => visible(a.childType, a.childId) && visible(a.parentType, a.parentId))
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1));
    const childrenOf = groupBy(edges, (a) => a.parentId);
    const hasParent = new Set(edges.map((a) => a.childId));
    // Aligned under anything the caller may see, in any period; a link to a hidden node does not exist for them.
    const alignedAnywhere = await alignedUnderVisible(ex, scope, [...objById.keys()], sees);

    const build = (
      type: "objective" | "keyResult",
      id: string,
      edge: TreeEdge | null,
      path: Set<string>,
    ): TreeNode | null => {
      if (path.has(id)) return null;
      const nextPath = new Set(path).add(id);
      const aligned = (childrenOf.get(id) ?? [])
        .map((a) =>
          build(
            a.childType as "objective" | "keyResult",
            a.childId,
            { id: a.id, weight: Number(a.weight), contributes: a.contributes },
            nextPath,
          ),
        )
        .filter((n): n is TreeNode => n !== null);
      if (type === "objective") {
        const o = objById.get(id)!;
        const own = (krsByObj.get(id) ?? [])
          .map((k) => build("keyResult", k.id, null, nextPath))
          .filter((n): n is TreeNode => n !== null);
        return objectiveNode(o, krsByObj.get(id) ?? [], f, ctx, edge, [...own, ...aligned], alignedAnywhere.has(id));
      }
      const kr = krById.get(id)!;
      return keyResultNode(kr, objById.get(kr.objectiveId)!, f, ctx, edge, aligned);
    };
    const roots = (q.rootId ? start : start.filter((o) => shown(o) && !hasParent.has(o.id)))
      .sort(
        (a, b) =>
          LEVELS.indexOf(a.level as Level) - LEVELS.indexOf(b.level as Level) ||
          a.createdAt.getTime() - b.createdAt.getTime(),
      )
      .map((o) => build("objective", o.id, null, new Set()))
      .filter((n): n is TreeNode => n !== null);
    return { periodId: q.periodId, asOf: q.asOf ?? null, periodIds: [...family], roots };
  });
}

function objectiveNode(
  o: ObjectiveRow,
  krs: KeyResultRow[],
  f: Figures,
  ctx: OrgContext,
  alignment: TreeEdge | null,
  children: TreeNode[],
  aligned: boolean,
): TreeNode {
  const v = presentObjective(o, f.derive("objective", o), ctx, f.nowMs);
  const span = objectiveSpan(o, ctx);
  return {
    type: "objective",
    id: o.id,
    title: o.title,
    level: o.level as Level,
    krType: null,
    teamId: o.teamId,
    ownerIds: o.ownerIds,
    periodId: o.periodId,
    objectiveId: null,
    progress: v.progress,
    expectedProgress: v.expectedProgress,
    status: v.status,
    forecast: v.forecast,
    current: null,
    target: null,
    unit: null,
    flags: attentionFlags({
      kind: "objective",
      ownerCount: o.ownerIds.length,
      firstCheckInMs: f.derive("objective", o).firstCheckInMs,
      lastCheckInMs: f.derive("objective", o).lastCheckInMs,
      span,
      nowMs: f.nowMs,
      settings: ctx.settings,
      closed: o.state === "closed",
      draft: o.state === "draft",
      createdMs: o.createdAt.getTime(),
      keyResultCount: krs.length,
      level: o.level as Level,
      aligned,
      committed: o.committed,
      score: o.score,
    }),
    alignment,
    children,
  };
}

function keyResultNode(
  kr: KeyResultRow,
  o: ObjectiveRow,
  f: Figures,
  ctx: OrgContext,
  alignment: TreeEdge | null,
  children: TreeNode[],
): TreeNode {
  const d = f.derive("keyResult", kr);
  const v = presentKeyResult(kr, o, d, ctx, f.nowMs);
  const oSpan = objectiveSpan(o, ctx);
  const span = keyResultSpan(kr, oSpan, ctx);
  return {
    type: "keyResult",
    id: kr.id,
    title: kr.title,
    level: null,
    krType: kr.type as KrType,
    teamId: o.teamId,
    ownerIds: kr.ownerIds,
    periodId: o.periodId,
    objectiveId: o.id,
    progress: v.progress,
    expectedProgress: v.expectedProgress,
    status: v.status,
    forecast: v.forecast,
    current: v.current,
    target: v.target,
    unit: kr.unit,
    flags: attentionFlags({
      kind: "keyResult",
      ownerCount: kr.ownerIds.length,
      firstCheckInMs: d.firstCheckInMs,
      lastCheckInMs: d.lastCheckInMs,
      span,
      nowMs: f.nowMs,
      settings: ctx.settings,
      closed: v.closed,
      draft: o.state === "draft",
      createdMs: kr.createdAt.getTime(),
      datesOutsidePeriod: !!(span && oSpan && (span.startMs < oSpan.startMs || span.endMs > oSpan.endMs)),
    }),
    alignment,
    children,
  };
}

const SeriesQuery = z.object({
  periodId: z.string({ message: "is required (the period to chart)" }),
  teamId: z.string().optional(),
  subTeams: z.enum(["true", "false"], { message: 'must be "true" or "false"' }).optional(),
});

const SERIES_STEP_DAYS = 7;

/** The instants of a period's weekly series: each week's start in the organisation's time zone up to now, then now (or the period's end). */
export function weeklyInstants(ctx: OrgContext, periodId: string, nowMs: number): number[] {
  const period = periodOf(ctx, periodId);
  const tz = ctx.settings.timeZone;
  const span = periodSpan(period.startDate, period.endDate, tz);
  const instants: number[] = [];
  const last = Math.min(nowMs, span.endMs);
  for (let k = 1; ; k++) {
    const at = dayStartMs(addDays(period.startDate, k * SERIES_STEP_DAYS), tz);
    if (at >= last) break;
    instants.push(at);
  }
  if (last > span.startMs) instants.push(last);
  return instants;
}

/** Each objective's progress (capped at 100 %), expected progress and status at each of `instants`: one read, one evaluation per instant. */
export async function objectiveTrends(
  ex: Executor,
  scope: OrgScope,
  ctx: OrgContext,
  objs: readonly ObjectiveRow[],
  instants: readonly number[],
): Promise<Map<string, { progress: number; expectedProgress: number; status: Status }[]>> {
  const rows = await loadBelow(ex, scope, ctx, { objective: objs.map((o) => o.id), keyResult: [] });
  const evaluations = await evaluateRowsAt(ex, scope, ctx, rows, [...instants]);
  return new Map(
    objs.map((o) => [
      o.id,
      instants.map((at, i) => {
        const d = evaluations[i]!.get(`objective:${o.id}`)!;
        const state = objectiveState(o, d, ctx, at);
        return {
          progress: Math.min(1, d.progress ?? 0),
          expectedProgress: state.expectedProgress,
          status: state.status,
        };
      }),
    ]),
  );
}

/** One point of a progress-over-time series. */
export interface SeriesPoint {
  at: string;
  /** Mean of the objectives' progress (each capped at 1). */
  progress: number;
  expectedProgress: number;
  objectives: number;
  statuses: Record<Status, number>;
}

/**
 * Progress against plan over time for a period's objectives (of one team, or all), as the
 * dashboard charts it: a point each week from the period's start (in the organisation's
 * time zone) and one at the last instant up to now. Today's OKRs, with the figures each
 * instant's check-ins gave (okr-method §3 "Time travel"); drafts and what the caller may
 * not see are left out. One read of the objectives, what they draw from and its check-ins,
 * then one evaluation per point: the cost follows the objectives shown, not the organisation.
 */
export async function getSeries(svc: Services, actor: Actor, query: unknown) {
  const q = parseInput(SeriesQuery, query, "query");
  return read(svc, actor, async ({ ex, scope, ctx, nowMs, guard }) => {
    const instants = weeklyInstants(ctx, q.periodId, nowMs);
    const sees = await guard.seer();
    // With subTeams, the team and every team under it (as the dashboard's other cards count).
    const teams =
      q.teamId !== undefined && q.subTeams === "true"
        ? [q.teamId, ...(await dashboardQueries.teamsUnder(ex, scope, q.teamId)).map((t) => t.id)]
        : q.teamId;
    const objs = (await graphQueries.objectivesOfPeriod(ex, scope, q.periodId, teams)).filter(
      (o) => o.state !== "draft" && sees(o),
    );
    const trends = await objectiveTrends(ex, scope, ctx, objs, instants);
    const points: SeriesPoint[] = instants.map((at, i) => {
      const statuses = Object.fromEntries(STATUSES.map((st) => [st, 0])) as Record<Status, number>;
      let progress = 0;
      let expected = 0;
      let n = 0;
      // Today's OKRs at every point (okr-method §3 "Time travel": the structure is today's, and
      // the chart says so), each with the figures its check-ins gave it then.
      for (const o of objs) {
        const point = trends.get(o.id)![i]!;
        progress += point.progress;
        expected += point.expectedProgress;
        statuses[point.status]++;
        n++;
      }
      return {
        at: new Date(at).toISOString(),
        progress: n ? progress / n : 0,
        expectedProgress: n ? expected / n : 0,
        objectives: n,
        statuses,
      };
    });
    return { periodId: q.periodId, teamId: q.teamId ?? null, points };
  });
}

/** The most objectives one coach request may name: a page of the explorer. */
export const MAX_COACH_OBJECTIVES = 200;

const CoachQuery = z.object({
  periodId: z.string({ message: "is required (the period to check)" }),
  teamId: z.string().optional(),
  objectiveIds: commaIdsSchema(MAX_COACH_OBJECTIVES).optional(),
  asOf: InstantSchema.optional(),
  limit: PageQuerySchema.shape.limit,
  cursor: PageQuerySchema.shape.cursor,
});

/**
 * The coach's findings for the objectives of one period (with `teamId`: of that team's
 * objectives only). With `objectiveIds`, only those objectives' findings and their key
 * results' (the same a whole run gives them, duplicates of any objective of the period
 * included), read and checked without the rest of the period beyond its titles; findings
 * about people, which need the whole period, are then left out. With `limit`, one page of a
 * whole run's findings ({@link coachPage}).
 */
export async function getCoach(svc: Services, actor: Actor, query: unknown) {
  const q = parseInput(CoachQuery, query, "query");
  if (q.objectiveIds && (q.limit !== undefined || q.cursor !== undefined)) {
    throw AppError.validation([
      "limit: pages walk the whole period; with objectiveIds (at most 200) the answer comes whole, so send one or the other",
    ]);
  }
  if (q.cursor !== undefined && q.limit === undefined) {
    throw AppError.validation(["cursor: pass the limit of the page it came from as well"]);
  }
  return read(svc, actor, async ({ ex, scope, ctx, nowMs, guard }) => {
    const period = periodOf(ctx, q.periodId);
    if (q.teamId !== undefined) await teamRepo.get(ex, scope, q.teamId);
    const f = await figures(ex, scope, ctx, nowMs, q.asOf);
    const sees = await guard.seer();
    // A part of the period finds its twins in the period's title index: brought up to date first.
    const indexCurrent =
      q.limit !== undefined || q.objectiveIds ? await freshTitleIndex(svc.database.db, scope) : false;
    if (q.limit !== undefined) return coachPage({ ex, scope, ctx, f, period, sees, indexCurrent }, q, q.limit);
    if (q.objectiveIds) {
      // Only the objectives named (those of the period, in the team asked, that the reader
      // sees), in the order of a whole run; their twins come from the period's title index.
      const objs = (await objectiveRepo.listByIds(ex, scope, [...new Set(q.objectiveIds)]))
        .filter((o) => o.periodId === q.periodId && (q.teamId === undefined || o.teamId === q.teamId) && sees(o))
        .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      const twins = await earlierTwins(ex, scope, q.periodId, q.teamId, objs, sees, indexCurrent);
      const input = await coachInputOf(ex, scope, f, ctx, period, objs, sees);
      const items = runCoach({ objectives: input, nowMs: f.nowMs, settings: ctx.settings, twins });
      return { items, nextCursor: null };
    }
    const objs = (await graphQueries.objectivesOfPeriod(ex, scope, q.periodId, q.teamId)).filter(sees);
    const input = await coachInputOf(ex, scope, f, ctx, period, objs, sees);
    const items = runCoach({
      objectives: input,
      nowMs: f.nowMs,
      settings: ctx.settings,
      ownerScoreHistory: await ownerHistoryBefore(ex, scope, ctx, period, sees),
    });
    return { items, nextCursor: null };
  });
}

/** The owners' scores of the periods that ended before `period` began, as the coach's too-safe reads them. */
async function ownerHistoryBefore(
  ex: Executor,
  scope: OrgScope,
  ctx: OrgContext,
  period: PeriodRow,
  sees: (o: ObjectiveFacts) => boolean,
): Promise<Map<string, number[]>> {
  const earlier = [...ctx.periods.values()].filter((p) => p.endDate < period.startDate).map((p) => p.id);
  const history = (await graphQueries.closedScores(ex, scope, earlier)).filter(sees);
  return ownerScoreHistory(history, ctx, period.startDate);
}

/** A finding's place in a whole coach run, as the coach's cursor carries it. */
const COACH_OBJECTIVE_KEY = [keyChecks.instant, keyChecks.id, keyChecks.count] as const;
const COACH_PEOPLE_KEY = [keyChecks.count] as const;
/** The most objectives checked at a time while a page is filled. */
const COACH_BATCH = 200;

/**
 * One page of the findings a whole run gives, in its order: the objectives in creation order
 * (each with its key results'), then the findings about people. The page walks the period's
 * objectives from the cursor's in batches (the first about the page's size, then doubling up
 * to {@link COACH_BATCH}) until it holds `limit` findings and knows of one more, comparing titles for `duplicate` only with the objectives created up to the batch's
 * last (a title's twin is an earlier one): a dashboard's first page costs its first objectives,
 * not the period. The findings about people need every objective of the period, and come last.
 */
async function coachPage(
  c: {
    ex: Executor;
    scope: OrgScope;
    ctx: OrgContext;
    f: Figures;
    period: PeriodRow;
    sees: (o: ObjectiveFacts) => boolean;
    indexCurrent: boolean;
  },
  q: { periodId: string; teamId?: string | undefined; asOf?: string | undefined; cursor?: string | undefined },
  limit: number,
): Promise<Page<Finding>> {
  const { ex, scope, ctx, f, period, sees, indexCurrent } = c;
  const filters = { periodId: q.periodId, teamId: q.teamId, asOf: q.asOf };
  const objectiveScope = cursorScope("coach", filters);
  const peopleScope = cursorScope("coach-people", filters);
  const items: Finding[] = [];
  let next: string | null = null;
  /** Adds `found[skip…]`, until the page holds one more than it shows; that one's cursor is `next`. */
  const take = (found: readonly Finding[], skip: number, cursorAt: (index: number) => string): boolean => {
    for (let k = skip; k < found.length; k++) {
      if (items.length === limit) {
        next = cursorAt(k);
        return true;
      }
      items.push(found[k]!);
    }
    return false;
  };

  let from: CreatedPosition | null = null;
  let skip = 0;
  let peopleSkip: number | null = null;
  if (q.cursor) {
    try {
      const [createdAt, id, n] = decodeKeyset<[string, string, number]>(q.cursor, objectiveScope, COACH_OBJECTIVE_KEY);
      from = { createdAt, id };
      skip = n;
    } catch {
      [peopleSkip] = decodeKeyset<[number]>(q.cursor, peopleScope, COACH_PEOPLE_KEY);
    }
  }

  if (peopleSkip === null) {
    let inclusive = true;
    // A first batch about the page's size (an objective usually has a finding or more), then doubling.
    let batch = Math.max(8, Math.min(COACH_BATCH, limit + 1));
    for (;;) {
      const rows = await coachListQueries.objectivesFrom(ex, scope, q.periodId, q.teamId, from, batch, inclusive);
      const last = rows.at(-1)?.position;
      if (!last) break;
      const shown = rows.filter((r) => sees(r.row));
      const input = await coachInputOf(
        ex,
        scope,
        f,
        ctx,
        period,
        shown.map((r) => r.row),
        sees,
      );
      const { byObjective } = coachFindings({
        objectives: input,
        nowMs: f.nowMs,
        settings: ctx.settings,
        twins: await earlierTwins(
          ex,
          scope,
          q.periodId,
          q.teamId,
          shown.map((r) => r.row),
          sees,
          indexCurrent,
        ),
      });
      for (const [i, r] of shown.entries()) {
        const first = inclusive && from !== null && r.position.id === from.id ? skip : 0;
        const at = r.position;
        const full = take(byObjective[i]!, first, (k) => encodeKeyset(objectiveScope, [at.createdAt, at.id, k]));
        if (full) return { items, nextCursor: next };
      }
      if (rows.length < batch) break;
      from = last;
      inclusive = false;
      batch = Math.min(COACH_BATCH, batch * 2);
    }
    peopleSkip = 0;
  }

  const owned = (await coachListQueries.titlesBetween(ex, scope, q.periodId, q.teamId, null, null))
    .filter(sees)
    .map((o) => ({ ...o, periodStartDate: period.startDate, periodEndDate: period.endDate }));
  const people = coachPeopleFindings(owned, await ownerHistoryBefore(ex, scope, ctx, period, sees));
  take(people, peopleSkip, (k) => encodeKeyset(peopleScope, [k]));
  return { items, nextCursor: next };
}

/** The coach's view of these objectives (in their order): their key results, initiatives and alignment. */
async function coachInputOf(
  ex: Executor,
  scope: OrgScope,
  f: Figures,
  ctx: OrgContext,
  period: Pick<PeriodRow, "startDate" | "endDate">,
  objs: readonly ObjectiveRow[],
  sees: (o: ObjectiveRow) => boolean,
): Promise<CoachObjective[]> {
  const ids = objs.map((o) => o.id);
  await f.load({ objective: ids });
  const krsByObj = groupBy(await graphQueries.keyResultsOf(ex, scope, ids), (k) => k.objectiveId);
  const initiativesByObj = groupBy(await graphQueries.initiativesOf(ex, scope, ids), (i) => i.objectiveId);
  const aligned = await alignedUnderVisible(ex, scope, ids, sees);
  return objs.map((o) =>
    coachObjectiveOf(o, krsByObj.get(o.id) ?? [], f, ctx, period, {
      aligned: aligned.has(o.id),
      initiativeCount: initiativesByObj.get(o.id)?.length ?? 0,
    }),
  );
}

/** Per owner, the average score of their closed objectives in each period that ended before `before`, oldest first. */
function ownerScoreHistory(
  all: readonly Pick<ObjectiveRow, "periodId" | "state" | "score" | "ownerIds">[],
  ctx: OrgContext,
  before: string,
): Map<string, number[]> {
  const earlier = [...ctx.periods.values()]
    .filter((p) => p.endDate < before)
    .sort((a, b) => a.endDate.localeCompare(b.endDate));
  const out = new Map<string, number[]>();
  for (const p of earlier) {
    const byOwner = new Map<string, number[]>();
    for (const o of all) {
      if (o.periodId !== p.id || o.state !== "closed" || o.score === null) continue;
      for (const u of o.ownerIds) byOwner.set(u, [...(byOwner.get(u) ?? []), o.score]);
    }
    for (const [u, scores] of byOwner) {
      out.set(u, [...(out.get(u) ?? []), scores.reduce((a, b) => a + b, 0) / scores.length]);
    }
  }
  return out;
}

/**
 * The settings in effect: what was saved, with the defaults for anything never saved — less
 * the chat webhook URLs (credentials, answered by `presentChatUrls`, audited masked).
 */
function effectiveSettings(org: OrganizationRow) {
  const {
    slackWebhookUrl: _slack,
    teamsWebhookUrl: _teams,
    ...rest
  } = {
    reviewWorkflow: false,
    ...orgRulesOf(org),
    ...settingsOf(org),
    ...rhythmOf(org),
  } as { reviewWorkflow: boolean } & ReturnType<typeof settingsOf> & ReturnType<typeof orgRulesOf> & Partial<ChatUrls>;
  return rest;
}

/** What the server's configuration decides for every organisation: where links point, whether mail goes out. */
function serverSettings(svc: Services) {
  return { publicUrl: publicBaseUrl(svc), mailConfigured: svc.mailer !== undefined };
}

/** The organisation's settings; the chat webhook URLs in clear only for admins. */
export async function getSettings(svc: Services, actor: Actor) {
  return read(svc, actor, async ({ org, guard }) => ({
    name: org.name,
    ...effectiveSettings(org),
    ...presentChatUrls(chatSettingsOf(org), guard.isAdmin),
    ...serverSettings(svc),
    version: org.version,
    recompute: recomputeStatus(org),
  }));
}

/** Changes the organisation's settings (admins). Throws VALIDATION for a bad time zone or webhook URL. */
export async function updateSettings(svc: Services, actor: Actor, body: unknown) {
  const input = parseInput(SettingsUpdateSchema, body);
  assertChatUrls(input, svc.allowPrivateUrls === true);
  if (input.timeZone !== undefined && !isValidTimeZone(input.timeZone)) {
    throw AppError.validation([
      `timeZone: ${JSON.stringify(input.timeZone)} is not an IANA time zone; use one such as "Europe/Paris" or "UTC"`,
    ]);
  }
  let background: Date | null = null;
  const out = await mutate(svc, actor, async (w) => {
    const { name, slackWebhookUrl, teamsWebhookUrl, ...method } = input;
    // Terminology and the chat URLs ride along with the method settings in the settings document.
    const chatBefore = chatSettingsOf(w.org);
    const chat: ChatUrls = {
      slackWebhookUrl: slackWebhookUrl === undefined ? chatBefore.slackWebhookUrl : slackWebhookUrl,
      teamsWebhookUrl: teamsWebhookUrl === undefined ? chatBefore.teamsWebhookUrl : teamsWebhookUrl,
    };
    const before = { name: w.org.name, ...effectiveSettings(w.org), ...auditedChatUrls(chatBefore) };
    const settings: MethodSettings & { terminology?: unknown } = { ...effectiveSettings(w.org), ...method };
    const updated = await organizationRepo.updateSettings(
      w.tx,
      w.scope,
      { ...settings, ...chat } as unknown as Record<string, unknown>,
      name,
    );
    // Stored figures depend on the time zone (spans, hence forecasts) and on whether initiatives
    // count; every other setting is applied when figures are read (status, flags, the coach).
    const was = settingsOf(w.org);
    if (settings.timeZone !== was.timeZone || settings.initiativesCount !== was.initiativesCount) {
      // A large organisation recomputes in the background, in steps, while it keeps working.
      if ((await organizationRepo.keyResultCount(w.tx, w.scope)) > (svc.backgroundRecomputeAbove ?? 2000)) {
        background = new Date(w.nowMs);
        await organizationRepo.setRecomputeRequested(w.tx, w.scope, background);
      } else {
        const krs = await graphQueries.allKeyResults(w.tx, w.scope);
        w.touch(krs.map((k) => k.id));
      }
    }
    await w.audit("settings.updated", "organization", w.org.id, before, {
      name: updated.name,
      ...settings,
      ...auditedChatUrls(chat),
    });
    return {
      name: updated.name,
      ...settings,
      ...presentChatUrls(chat, true),
      ...serverSettings(svc),
      version: updated.version,
    };
  });
  if (!background) return { ...out, recompute: null };
  // Started after the commit; a failure leaves the request on the organisation for the next start.
  void recomputeInBackground(svc, actor.orgId).catch(() => {});
  return { ...out, recompute: recomputeStatus({ id: actor.orgId, recomputeRequestedAt: background }) };
}
