/**
 * Bridges stored rows and the pure method: builds domain inputs from rows, recomputes
 * the stored roll-ups inside a write transaction, and evaluates the graph "as of" a
 * past moment from the check-in history.
 */

import { inArray, type SQL } from "drizzle-orm";
import type { Executor } from "../db/database.js";
import type { OrgScope } from "../db/org-scope.js";
import {
  type AlignmentRow,
  type CheckInFigures,
  type ChildAlignmentRow,
  type ChildKeyResultRow,
  type ChildObjectiveRow,
  type ChildRow,
  checkInQueries,
  type DerivedValues,
  graphQueries,
  type InitiativeRow,
  initiativeRepo,
  type KeyResultRow,
  keyResultRepo,
  type ObjectiveRow,
  type OrganizationRow,
  type OrgWithPeriods,
  objectiveRepo,
  organizationRepo,
  type PeriodRow,
  periodRepo,
} from "../db/repositories.js";
import { initiatives as initiativesTable } from "../db/schema.js";
import type { StatusInstant } from "../db/status-sql.js";
import { forecastKeyResult } from "../domain/forecast.js";
import { DAY_MS, dayStartMs, periodSpan } from "../domain/periods.js";
import { currentCheckIn } from "../domain/progress.js";
import { evaluateGraph, type GraphInput, type NodeResult, nodeKey } from "../domain/rollup.js";
import { computeStatus, expectedProgress } from "../domain/status.js";
import {
  type CheckInPoint,
  DEFAULT_SETTINGS,
  type Forecast,
  type KrType,
  type ManualStatus,
  type MethodSettings,
  type NodeType,
  type PlanPoint,
  type ProgressMode,
  type RollupMethod,
  type Span,
  type Status,
  type Unit,
} from "../domain/types.js";

/** Everything about one organisation the method needs besides the graph. */
export interface OrgContext {
  settings: MethodSettings;
  periods: Map<string, PeriodRow>;
}

export function settingsOf(org: OrganizationRow): MethodSettings {
  return { ...DEFAULT_SETTINGS, ...((org.settings ?? {}) as Partial<MethodSettings>) };
}

/**
 * The organisation and its context in one statement (`organizationRepo.withPeriods`); with
 * `webhookEvents`, also the events its webhooks subscribe to (for a write).
 */
export async function loadOrgAndContext(
  ex: Executor,
  scope: OrgScope,
  options: { webhookEvents?: boolean } = {},
): Promise<{ org: OrganizationRow; ctx: OrgContext; webhookEvents?: ReadonlySet<string> }> {
  return orgAndContext(await organizationRepo.withPeriods(ex, scope, options));
}

/** The organisation and its context from its row, its periods and (for a write) its webhooks' events. */
export function orgAndContext({ org, periods, webhookEvents }: OrgWithPeriods): {
  org: OrganizationRow;
  ctx: OrgContext;
  webhookEvents?: ReadonlySet<string>;
} {
  return { org, ctx: contextOf(org, periods), ...(webhookEvents && { webhookEvents: new Set(webhookEvents) }) };
}

export async function loadOrgContext(ex: Executor, scope: OrgScope, org: OrganizationRow): Promise<OrgContext> {
  return contextOf(org, await periodRepo.list(ex, scope));
}

function contextOf(org: OrganizationRow, periods: readonly PeriodRow[]): OrgContext {
  return { settings: settingsOf(org), periods: new Map(periods.map((p) => [p.id, p])) };
}

/** The derived figures of one node, stored or computed as of a moment. */
export interface Derived {
  progress: number | null;
  current: number | null;
  latestValue: number | null;
  achieved: boolean | null;
  manualStatus: ManualStatus | null;
  firstCheckInMs: number | null;
  lastCheckInMs: number | null;
  forecast: Forecast | null;
}

export const num = (v: string | null | undefined): number | null => (v === null || v === undefined ? null : Number(v));
const ms = (d: Date | null | undefined): number | null => (d ? d.getTime() : null);

export function objectiveSpan(o: Pick<ObjectiveRow, "periodId">, ctx: OrgContext): Span | null {
  const p = ctx.periods.get(o.periodId);
  return p ? periodSpan(p.startDate, p.endDate, ctx.settings.timeZone) : null;
}

/**
 * What an objective's status in a period with this span depends on at `atMs`, besides its own
 * row (every objective of a period shares it): how SQL reads statuses (db/status-sql.ts).
 */
export function statusInstant(span: Span, settings: MethodSettings, atMs: number): StatusInstant {
  return {
    atMs,
    expected: expectedProgress(span, atMs),
    startMs: span.startMs,
    endMs: span.endMs,
    graceMs: settings.notStartedGraceDays * DAY_MS,
    ended: atMs >= span.endMs,
    behindThreshold: settings.behindThreshold,
  };
}

export function keyResultSpan(
  kr: Pick<KeyResultRow, "startDate" | "endDate">,
  objSpan: Span | null,
  ctx: OrgContext,
): Span | null {
  const tz = ctx.settings.timeZone;
  const startMs = kr.startDate ? dayStartMs(kr.startDate, tz) : objSpan?.startMs;
  const endMs = kr.endDate ? periodSpan(kr.endDate, kr.endDate, tz).endMs : objSpan?.endMs;
  if (startMs === undefined || endMs === undefined) return null;
  return { startMs, endMs };
}

export function planPoints(kr: Pick<KeyResultRow, "plan">, ctx: OrgContext): PlanPoint[] {
  const plan = (kr.plan ?? []) as { date: string; value: string }[];
  return plan.map((p) => ({ atMs: dayStartMs(p.date, ctx.settings.timeZone), value: Number(p.value) }));
}

export function checkInPoint(c: CheckInFigures): CheckInPoint {
  return {
    atMs: c.at.getTime(),
    createdMs: c.createdAt.getTime(),
    value: num(c.value),
    achieved: c.achieved,
    status: c.status as ManualStatus | null,
    confidence: c.confidence,
  };
}

/** A KR's own figures from its check-ins (sorted or not) at `nowMs`. */
export function ownStats(
  kr: KeyResultRow,
  span: Span | null,
  committed: boolean,
  checkIns: readonly CheckInFigures[],
  nowMs: number,
): Pick<Derived, "latestValue" | "achieved" | "manualStatus" | "firstCheckInMs" | "lastCheckInMs" | "forecast"> {
  const points = checkIns.map(checkInPoint).filter((p) => p.atMs <= nowMs);
  const latest = currentCheckIn(points, nowMs);
  let first: number | null = null;
  let last: number | null = null;
  for (const p of points) {
    if (first === null || p.atMs < first) first = p.atMs;
    if (last === null || p.atMs > last) last = p.atMs;
  }
  const forecast =
    span && kr.progressMode === "manual"
      ? forecastKeyResult(
          { type: kr.type as KrType, start: num(kr.start), target: num(kr.target), committed },
          span,
          points,
          nowMs,
        )
      : null;
  return {
    latestValue: latest?.value ?? null,
    achieved: latest?.achieved ?? null,
    manualStatus: latest?.status ?? null,
    firstCheckInMs: first,
    lastCheckInMs: last,
    forecast,
  };
}

export interface GraphRows {
  objectives: ObjectiveRow[];
  keyResults: KeyResultRow[];
  /** Whole rows, or the narrower ones read with a chain's children (what a roll-up takes of them). */
  alignments: ChildAlignmentRow[];
  initiatives: InitiativeRow[];
}

/**
 * What the roll-up reads of the rows (`combine`): whole rows, or the narrower rows of children
 * whose figures stand (`ChildObjectiveRow`, `ChildKeyResultRow`).
 */
interface FigureRows {
  objectives: readonly ChildObjectiveRow[];
  keyResults: readonly ChildKeyResultRow[];
  alignments: readonly ChildAlignmentRow[];
  initiatives: readonly InitiativeRow[];
}

type Own = ReturnType<typeof ownStats>;

function graphInput(rows: FigureRows, own: Map<string, Own>, settings: MethodSettings): GraphInput {
  return {
    objectives: rows.objectives.map((o) => ({ id: o.id, progressOverride: o.progressOverride })),
    keyResults: rows.keyResults.map((kr) => {
      const st = own.get(kr.id);
      const hasLatest = st && (st.latestValue !== null || st.achieved !== null);
      return {
        id: kr.id,
        objectiveId: kr.objectiveId,
        type: kr.type as KrType,
        unit: kr.unit as Unit,
        currency: kr.currency,
        start: num(kr.start),
        target: num(kr.target),
        progressMode: kr.progressMode as ProgressMode,
        rollup: kr.rollup as RollupMethod,
        progressOverride: kr.progressOverride,
        weight: Number(kr.weight),
        latest: hasLatest ? { value: st.latestValue, achieved: st.achieved } : null,
        firstCheckInMs: st?.firstCheckInMs ?? null,
        forecast: st?.forecast ?? null,
      };
    }),
    alignments: rows.alignments.map((a) => ({
      childType: a.childType as NodeType,
      childId: a.childId,
      parentType: a.parentType as NodeType,
      parentId: a.parentId,
      weight: Number(a.weight),
      contributes: a.contributes,
    })),
    initiatives: rows.initiatives.map((i) => ({
      objectiveId: i.objectiveId,
      progress: i.progress,
      weight: Number(i.weight),
    })),
    initiativesCount: settings.initiativesCount,
  };
}

function storedOwn(kr: ChildKeyResultRow): Own {
  return {
    latestValue: num(kr.latestValue),
    achieved: kr.achieved,
    manualStatus: kr.manualStatus as ManualStatus | null,
    firstCheckInMs: kr.progressMode === "manual" ? ms(kr.firstCheckInAt) : null,
    lastCheckInMs: ms(kr.lastCheckInAt),
    forecast: (kr.forecast as Forecast | null) ?? null,
  };
}

function combine(
  rows: FigureRows,
  own: Map<string, Own>,
  settings: MethodSettings,
  fixed?: ReadonlyMap<string, NodeResult>,
): Map<string, Derived> {
  const results = evaluateGraph({ ...graphInput(rows, own, settings), ...(fixed && { fixed }) });
  const out = new Map<string, Derived>();
  const lastByObjective = new Map<string, number>();
  for (const kr of rows.keyResults) {
    const st = own.get(kr.id);
    const r = results.get(nodeKey("keyResult", kr.id));
    out.set(nodeKey("keyResult", kr.id), {
      progress: r?.progress ?? null,
      current: r?.current ?? null,
      latestValue: st?.latestValue ?? null,
      achieved: st?.achieved ?? null,
      manualStatus: st?.manualStatus ?? null,
      firstCheckInMs: r?.firstCheckInMs ?? null,
      lastCheckInMs: st?.lastCheckInMs ?? null,
      forecast: r?.forecast ?? null,
    });
    const last = st?.lastCheckInMs;
    if (last !== null && last !== undefined && last > (lastByObjective.get(kr.objectiveId) ?? -Infinity)) {
      lastByObjective.set(kr.objectiveId, last);
    }
  }
  for (const o of rows.objectives) {
    const r = results.get(nodeKey("objective", o.id));
    out.set(nodeKey("objective", o.id), {
      progress: r?.progress ?? 0,
      current: null,
      latestValue: null,
      achieved: null,
      manualStatus: null,
      firstCheckInMs: r?.firstCheckInMs ?? null,
      lastCheckInMs: lastByObjective.get(o.id) ?? null,
      forecast: r?.forecast ?? null,
    });
  }
  return out;
}

async function loadGraphRows(ex: Executor, scope: OrgScope): Promise<GraphRows> {
  // One after another: inside a transaction they share one connection.
  const objectives = await graphQueries.allObjectives(ex, scope);
  const keyResults = await graphQueries.allKeyResults(ex, scope);
  const alignments = await graphQueries.countingAlignments(ex, scope);
  const initiatives = await graphQueries.allInitiatives(ex, scope);
  return { objectives, keyResults, alignments, initiatives };
}

/**
 * Whether a stored forecast (jsonb: PostgreSQL reorders an object's keys) equals a computed one,
 * field by field; comparing serialisations never matched, so every forecast was rewritten.
 */
export function sameForecast(stored: unknown, computed: Forecast | null): boolean {
  if (stored === null || stored === undefined || computed === null) return (stored ?? null) === computed;
  const s = stored as Partial<Record<keyof Forecast, unknown>>;
  return (["progress", "low", "high", "probability"] as const).every((k) => (s[k] ?? null) === computed[k]);
}

/** The part of the graph a change of some key results can reach, to recompute it alone. */
interface Ancestry {
  /** The changed key results and everything they count toward, transitively: what may change. */
  affected: Set<string>;
  /** Those nodes and their objectives' key results, whole. */
  rows: GraphRows;
  /** The direct children not among `rows`, in the columns a roll-up reads (their figures are `fixed`). */
  children: { objectives: ChildObjectiveRow[]; keyResults: ChildKeyResultRow[] };
  /** The stored figures of every node not `affected`. */
  fixed: Map<string, NodeResult>;
}

/** The rows of a chain of ancestors, read under their locks (`openChainWrite`). */
export interface ChainRows {
  keyResults: KeyResultRow[];
  objectives: ObjectiveRow[];
  /** Every key result of those objectives (the chain's among them), when read with them. */
  siblings?: KeyResultRow[];
  /** The counting alignments below the chain with their children's rows, when read with them. */
  children?: ChildRow[];
}

/** What lies above some nodes: their ids, the alignments between them, and each key result's objective. */
export interface Upward {
  ids: NodeIds;
  edges: AlignmentRow[];
  krObjective: Map<string, string>;
}

/**
 * The given key results and objectives and everything they count toward, transitively: a key
 * result's own objective and, upward through alignments, every objective and key result above
 * (deleted ones end the walk). Only structure is read (which objective a key result belongs
 * to, alignments), so the answer holds while the organisation's structure does (see
 * `writeTransaction`'s lock modes). Costs what lies above, not the organisation.
 */
export async function walkUp(
  ex: Executor,
  scope: OrgScope,
  keyResultIds: readonly string[],
  objectiveIds: readonly string[] = [],
): Promise<Upward> {
  const objIds = new Set<string>();
  const krIds = new Set<string>();
  const edges: AlignmentRow[] = [];
  const krObjective = new Map<string, string>();
  let frontier = { objective: [] as string[], keyResult: [] as string[] };
  const reachKrs = (krs: readonly KeyResultRow[]) => {
    for (const k of krs) {
      krObjective.set(k.id, k.objectiveId);
      if (objIds.has(k.objectiveId)) continue;
      objIds.add(k.objectiveId);
      frontier.objective.push(k.objectiveId);
    }
  };
  for (const o of await objectiveRepo.listByIds(ex, scope, objectiveIds)) {
    if (objIds.has(o.id)) continue;
    objIds.add(o.id);
    frontier.objective.push(o.id);
  }
  const startKrs = await keyResultRepo.listByIds(ex, scope, keyResultIds);
  for (const k of startKrs) krIds.add(k.id);
  reachKrs(startKrs);
  frontier.keyResult = [...krIds];
  while (frontier.objective.length || frontier.keyResult.length) {
    const next = { objective: [] as string[], keyResult: [] as string[] };
    for (const e of await graphQueries.alignmentsAt(ex, scope, "child", frontier)) {
      edges.push(e);
      const type = e.parentType === "objective" ? "objective" : "keyResult";
      const seen = type === "objective" ? objIds : krIds;
      if (seen.has(e.parentId)) continue;
      seen.add(e.parentId);
      next[type].push(e.parentId);
    }
    // A key result reached through an alignment counts toward its own objective too (a deleted one, nowhere).
    const liveKrs = await keyResultRepo.listByIds(ex, scope, next.keyResult);
    const alive = new Set(liveKrs.map((k) => k.id));
    for (const id of next.keyResult) if (!alive.has(id)) krIds.delete(id);
    next.keyResult = next.keyResult.filter((id) => alive.has(id));
    frontier = next;
    reachKrs(liveKrs);
  }
  return { ids: { objective: [...objIds], keyResult: [...krIds] }, edges, krObjective };
}

/** The ids `walkUp` reaches: what a change of these nodes can change. */
export async function ancestorIds(
  ex: Executor,
  scope: OrgScope,
  keyResultIds: readonly string[],
  objectiveIds: readonly string[] = [],
): Promise<NodeIds> {
  return (await walkUp(ex, scope, keyResultIds, objectiveIds)).ids;
}

/**
 * Loads the part of the graph a change can reach: the `affected` nodes (see `ancestorIds`)
 * and the direct children of all of them (their own key results, what aligns under them,
 * their initiatives), whose stored figures stand (`fixed`). Costs what that part of the
 * graph holds, not the organisation.
 */
async function loadAncestry(
  ex: Executor,
  scope: OrgScope,
  ctx: OrgContext,
  affectedNodes: NodeIds | ChainRows,
): Promise<Ancestry> {
  const given = "objectives" in affectedNodes ? affectedNodes : null;
  const krRows = new Map(
    (given ? given.keyResults : await keyResultRepo.listByIds(ex, scope, (affectedNodes as NodeIds).keyResult)).map(
      (k) => [k.id, k],
    ),
  );
  const live = {
    objective: given ? given.objectives.map((o) => o.id) : (affectedNodes as NodeIds).objective,
    keyResult: [...krRows.keys()],
  };
  // The direct children: the alignments below, with their children's rows, and each objective's key results.
  const children = given?.children ?? (await graphQueries.childrenAt(ex, scope, live));
  const alignments = children.map((c) => c.alignment);
  for (const k of given?.siblings ?? (await graphQueries.keyResultsOf(ex, scope, live.objective))) {
    if (!krRows.has(k.id)) krRows.set(k.id, k);
  }
  const childKrs = new Map<string, ChildKeyResultRow>();
  for (const c of children) if (c.keyResult && !krRows.has(c.keyResult.id)) childKrs.set(c.keyResult.id, c.keyResult);
  const known = new Map((given?.objectives ?? []).map((o) => [o.id, o]));
  const missing = live.objective.filter((id) => !known.has(id));
  for (const o of await objectiveRepo.listByIds(ex, scope, missing)) known.set(o.id, o);
  const childObjectives = new Map<string, ChildObjectiveRow>();
  for (const c of children)
    if (c.objective && !known.has(c.objective.id)) childObjectives.set(c.objective.id, c.objective);
  const objectives = [...known.values()];
  const initiatives =
    ctx.settings.initiativesCount && live.objective.length
      ? await initiativeRepo.list(ex, scope, inArray(initiativesTable.objectiveId, [...live.objective]))
      : [];
  const keyResults = [...krRows.values()];
  const affected = new Set([
    ...live.objective.map((id) => nodeKey("objective", id)),
    ...live.keyResult.map((id) => nodeKey("keyResult", id)),
  ]);
  const fixed = new Map<string, NodeResult>();
  for (const o of [...objectives, ...childObjectives.values()]) {
    const key = nodeKey("objective", o.id);
    if (affected.has(key)) continue;
    fixed.set(key, {
      progress: o.progress,
      current: null,
      firstCheckInMs: ms(o.firstCheckInAt),
      forecast: storedForecast(o.forecast),
    });
  }
  for (const k of [...keyResults, ...childKrs.values()]) {
    const key = nodeKey("keyResult", k.id);
    if (affected.has(key)) continue;
    fixed.set(key, {
      progress: k.progress,
      current: num(k.current),
      firstCheckInMs: ms(k.firstCheckInAt),
      forecast: storedForecast(k.forecast),
    });
  }
  return {
    affected,
    rows: { objectives, keyResults, alignments, initiatives },
    children: { objectives: [...childObjectives.values()], keyResults: [...childKrs.values()] },
    fixed,
  };
}

function storedForecast(v: unknown): Forecast | null {
  return (v as Forecast | null) ?? null;
}

/** A status a recomputation changed, at the write's instant (the `status.changed` webhook event). */
export interface StatusChange {
  objectType: "objective" | "keyResult";
  id: string;
  title: string;
  /** The objective itself, or the key result's objective: whose visibility decides who may hear of it. */
  objectiveId: string;
  from: Status;
  to: Status;
  progress: number | null;
}

/** How many key results' check-ins a recomputation reads at a time. */
const RECOUNT_SLICE = 2000;

/**
 * Recomputes the stored figures after a write, inside its transaction: first the own figures
 * of the key results whose check-ins or definition changed, then the roll-ups — of the whole
 * organisation (`whole`, for structural changes), or only of what those key results count
 * toward (their ancestors, read with their direct children; `ancestors` when the caller
 * has them already). Writes only rows whose figures changed, and returns how many. With
 * `statusChanges`, adds to it each written row whose status at `nowMs` changed with its figures.
 */
export async function recomputeStored(
  ex: Executor,
  scope: OrgScope,
  ctx: OrgContext,
  changedKeyResultIds: readonly string[],
  nowMs: number,
  whole = true,
  ancestors?: NodeIds | ChainRows,
  statusChanges?: StatusChange[],
  /** Other writes of the transaction to send with the figures' (its audit rows). */
  also: SQL | null = null,
  /** Key results' whole live history, when the write has read it already (not read again). */
  knownHistory: ReadonlyMap<string, readonly CheckInFigures[]> = new Map(),
): Promise<{ keyResults: number; objectives: number }> {
  const written = { keyResults: 0, objectives: 0 };
  const part = whole
    ? null
    : await loadAncestry(ex, scope, ctx, ancestors ?? (await ancestorIds(ex, scope, changedKeyResultIds)));
  const rows = part?.rows ?? (await loadGraphRows(ex, scope));
  const mayChange = (type: "objective" | "keyResult", id: string) => !part || part.affected.has(nodeKey(type, id));
  // The roll-up reads the children too; only `rows` may be written.
  const graph: FigureRows = part
    ? {
        ...rows,
        objectives: [...rows.objectives, ...part.children.objectives],
        keyResults: [...rows.keyResults, ...part.children.keyResults],
      }
    : rows;
  const own = new Map<string, Own>();
  for (const kr of graph.keyResults) own.set(kr.id, storedOwn(kr));
  const changed = new Set(changedKeyResultIds);
  const objById = new Map(rows.objectives.map((o) => [o.id, o]));
  const toRecount = rows.keyResults.filter((kr) => changed.has(kr.id));
  // In slices: a whole organisation's check-ins are never held at once, nor sent as one list of ids.
  for (let i = 0; i < toRecount.length; i += RECOUNT_SLICE) {
    const slice = toRecount.slice(i, i + RECOUNT_SLICE);
    const unread = slice.filter((k) => !knownHistory.has(k.id)).map((k) => k.id);
    const checkIns = unread.length ? await checkInQueries.figuresFor(ex, scope, unread) : [];
    const byKr = groupBy(checkIns, (c) => c.keyResultId);
    for (const kr of slice) {
      const obj = objById.get(kr.objectiveId);
      const span = obj ? keyResultSpan(kr, objectiveSpan(obj, ctx), ctx) : null;
      const history = knownHistory.get(kr.id) ?? byKr.get(kr.id) ?? [];
      own.set(kr.id, ownStats(kr, span, obj?.committed ?? false, history, nowMs));
    }
  }
  const krWrites: { id: string; values: DerivedValues }[] = [];
  const objectiveWrites: { id: string; values: DerivedValues }[] = [];
  const derived = combine(graph, own, ctx.settings, part?.fixed);
  for (const kr of rows.keyResults) {
    if (!mayChange("keyResult", kr.id)) continue;
    const d = derived.get(nodeKey("keyResult", kr.id))!;
    const values = {
      progress: d.progress,
      current: d.current === null ? null : String(d.current),
      latestValue: d.latestValue === null ? null : String(d.latestValue),
      achieved: d.achieved,
      manualStatus: d.manualStatus,
      firstCheckInAt: d.firstCheckInMs === null ? null : new Date(d.firstCheckInMs),
      lastCheckInAt: d.lastCheckInMs === null ? null : new Date(d.lastCheckInMs),
      forecast: d.forecast,
    };
    // Every stored field is compared, so that only rows whose figures changed are written.
    if (
      kr.progress !== values.progress ||
      num(kr.current) !== d.current ||
      num(kr.latestValue) !== d.latestValue ||
      kr.achieved !== d.achieved ||
      kr.manualStatus !== d.manualStatus ||
      ms(kr.firstCheckInAt) !== d.firstCheckInMs ||
      ms(kr.lastCheckInAt) !== d.lastCheckInMs ||
      !sameForecast(kr.forecast, d.forecast)
    ) {
      krWrites.push({ id: kr.id, values });
      const obj = objById.get(kr.objectiveId);
      if (statusChanges && obj) {
        const from = keyResultState(kr, obj, storedDerived("keyResult", kr), ctx, nowMs).status;
        const to = keyResultState(kr, obj, d, ctx, nowMs).status;
        if (from !== to) {
          statusChanges.push({
            objectType: "keyResult",
            id: kr.id,
            title: kr.title,
            objectiveId: obj.id,
            from,
            to,
            progress: d.progress,
          });
        }
      }
    }
  }
  for (const o of rows.objectives) {
    if (!mayChange("objective", o.id)) continue;
    const d = derived.get(nodeKey("objective", o.id))!;
    if (
      o.progress !== (d.progress ?? 0) ||
      ms(o.firstCheckInAt) !== d.firstCheckInMs ||
      ms(o.lastCheckInAt) !== d.lastCheckInMs ||
      !sameForecast(o.forecast, d.forecast)
    ) {
      if (statusChanges) {
        const from = objectiveState(o, storedDerived("objective", o), ctx, nowMs).status;
        const to = objectiveState(o, { ...d, progress: d.progress ?? 0 }, ctx, nowMs).status;
        if (from !== to) {
          statusChanges.push({
            objectType: "objective",
            id: o.id,
            title: o.title,
            objectiveId: o.id,
            from,
            to,
            progress: d.progress ?? 0,
          });
        }
      }
      objectiveWrites.push({
        id: o.id,
        values: {
          progress: d.progress ?? 0,
          firstCheckInAt: d.firstCheckInMs === null ? null : new Date(d.firstCheckInMs),
          lastCheckInAt: d.lastCheckInMs === null ? null : new Date(d.lastCheckInMs),
          forecast: d.forecast,
        },
      });
    }
  }
  // One statement per table (per 500 rows), however long the chain.
  await graphQueries.updateDerivedBoth(ex, scope, krWrites, objectiveWrites, also);
  written.keyResults = krWrites.length;
  written.objectives = objectiveWrites.length;
  return written;
}

/** Objectives and key results named by id. */
export interface NodeIds {
  objective: readonly string[];
  keyResult: readonly string[];
}

/**
 * What the figures of `roots` are computed from: the roots and, downward, everything they
 * draw from — an objective's live key results, what contributes to an objective or a roll-up
 * key result through alignments, an objective's initiatives when they count. Costs what that
 * part of the graph holds, not the organisation; nodes outside it play no part in their figures.
 */
export async function loadBelow(ex: Executor, scope: OrgScope, ctx: OrgContext, roots: NodeIds): Promise<GraphRows> {
  const objectives = new Map<string, ObjectiveRow>();
  const keyResults = new Map<string, KeyResultRow>();
  const alignments = new Map<string, AlignmentRow>();
  let frontier = {
    objective: [...new Set(roots.objective)],
    keyResult: [...new Set(roots.keyResult)],
  };
  while (frontier.objective.length || frontier.keyResult.length) {
    const objs = await objectiveRepo.listByIds(ex, scope, frontier.objective);
    for (const o of objs) objectives.set(o.id, o);
    const krs = [
      ...(await keyResultRepo.listByIds(ex, scope, frontier.keyResult)),
      ...(await graphQueries.keyResultsOf(
        ex,
        scope,
        objs.map((o) => o.id),
      )),
    ];
    const newKrs = krs.filter((k) => !keyResults.has(k.id));
    for (const k of newKrs) keyResults.set(k.id, k);
    // Only objectives and roll-up key results take figures from what aligns under them.
    const parents = {
      objective: objs.map((o) => o.id),
      keyResult: newKrs.filter((k) => k.progressMode === "rollup").map((k) => k.id),
    };
    const next = { objective: [] as string[], keyResult: [] as string[] };
    for (const a of await graphQueries.alignmentsAt(ex, scope, "parent", parents, { counting: true })) {
      if (!a.contributes) continue;
      alignments.set(a.id, a);
      if (a.childType === "objective" && !objectives.has(a.childId)) next.objective.push(a.childId);
      if (a.childType === "keyResult" && !keyResults.has(a.childId)) next.keyResult.push(a.childId);
    }
    frontier = { objective: [...new Set(next.objective)], keyResult: [...new Set(next.keyResult)] };
  }
  const objectiveIds = [...objectives.keys()];
  const initiatives =
    ctx.settings.initiativesCount && objectiveIds.length
      ? await initiativeRepo.list(ex, scope, inArray(initiativesTable.objectiveId, objectiveIds))
      : [];
  return {
    objectives: [...objectives.values()],
    keyResults: [...keyResults.values()],
    alignments: [...alignments.values()],
    initiatives,
  };
}

/**
 * Evaluates `rows` (a part of the graph closed downward, see `loadBelow`) at each instant of
 * `instants`, from the check-ins dated at or before it: one read of the check-ins, then one
 * evaluation per instant. Returns one map of figures per instant, in the same order.
 */
export async function evaluateRowsAt(
  ex: Executor,
  scope: OrgScope,
  ctx: OrgContext,
  rows: GraphRows,
  instants: readonly number[],
): Promise<Map<string, Derived>[]> {
  if (!instants.length) return [];
  const manual = rows.keyResults.filter((k) => k.progressMode === "manual").map((k) => k.id);
  const checkIns = await checkInQueries.figuresFor(ex, scope, manual, Math.max(...instants));
  const byKr = groupBy(checkIns, (c) => c.keyResultId);
  const objById = new Map(rows.objectives.map((o) => [o.id, o]));
  const spans = new Map<string, Span | null>();
  for (const kr of rows.keyResults) {
    const obj = objById.get(kr.objectiveId);
    spans.set(kr.id, obj ? keyResultSpan(kr, objectiveSpan(obj, ctx), ctx) : null);
  }
  return instants.map((atMs) => {
    const own = new Map<string, Own>();
    for (const kr of rows.keyResults) {
      const obj = objById.get(kr.objectiveId);
      own.set(kr.id, ownStats(kr, spans.get(kr.id) ?? null, obj?.committed ?? false, byKr.get(kr.id) ?? [], atMs));
    }
    return combine(rows, own, ctx.settings);
  });
}

/**
 * The figures of `roots` and everything under them as they stood at `asOfMs`, from the
 * check-ins dated up to then over today's structure (okr-method §3 "Time travel"): reads
 * the part of the graph the roots draw from and the check-ins of its key results, nothing else.
 */
export async function evaluateAsOf(
  ex: Executor,
  scope: OrgScope,
  ctx: OrgContext,
  asOfMs: number,
  roots: NodeIds,
): Promise<Map<string, Derived>> {
  const rows = await loadBelow(ex, scope, ctx, roots);
  const [at] = await evaluateRowsAt(ex, scope, ctx, rows, [asOfMs]);
  return at!;
}

/**
 * Whether an objective existed at `atMs`, as a read at `nowMs` knows it: its history starts when
 * it was published (a draft published later), else when it was created (okr-method §3
 * "Drafts"). Charts over time and "since last week" leave it out before then; reads `asOf` an
 * instant still show today's structure (§3 "Time travel"). A start after `nowMs` is not known
 * at `nowMs` (as for rule 3's grace): the objective counts from the beginning.
 */
export function existedAt(o: Pick<ObjectiveRow, "createdAt" | "publishedAt">, atMs: number, nowMs: number): boolean {
  const startMs = (o.publishedAt ?? o.createdAt).getTime();
  return startMs <= atMs || startMs > nowMs;
}

/** The stored figures of a row (ordinary reads: no recomputation). */
export function storedDerived(type: "objective", row: ObjectiveRow): Derived;
export function storedDerived(type: "keyResult", row: KeyResultRow): Derived;
export function storedDerived(type: NodeType, row: ObjectiveRow | KeyResultRow): Derived {
  if (type === "objective") {
    const o = row as ObjectiveRow;
    return {
      progress: o.progress,
      current: null,
      latestValue: null,
      achieved: null,
      manualStatus: null,
      firstCheckInMs: ms(o.firstCheckInAt),
      lastCheckInMs: ms(o.lastCheckInAt),
      forecast: (o.forecast as Forecast | null) ?? null,
    };
  }
  const kr = row as KeyResultRow;
  return {
    progress: kr.progress,
    current: num(kr.current) ?? num(kr.start),
    latestValue: num(kr.latestValue),
    achieved: kr.achieved,
    manualStatus: kr.manualStatus as ManualStatus | null,
    firstCheckInMs: ms(kr.firstCheckInAt),
    lastCheckInMs: ms(kr.lastCheckInAt),
    forecast: (kr.forecast as Forecast | null) ?? null,
  };
}

/** Expected progress and status of an objective at `nowMs`. */
export function objectiveState(
  o: ObjectiveRow,
  d: Derived,
  ctx: OrgContext,
  nowMs: number,
): { expectedProgress: number; status: Status } {
  const span = objectiveSpan(o, ctx);
  const expected = span ? expectedProgress(span, nowMs) : 0;
  const status = span
    ? computeStatus({
        draft: o.state === "draft",
        closed: o.state === "closed",
        createdMs: o.createdAt.getTime(),
        manualStatus: null,
        progress: d.progress,
        hasCheckIn: d.firstCheckInMs !== null && d.firstCheckInMs <= nowMs,
        span,
        krType: null,
        expected,
        nowMs,
        settings: ctx.settings,
      })
    : o.state === "draft"
      ? "draft"
      : "notStarted";
  return { expectedProgress: expected, status };
}

/** Expected progress and status of a key result at `nowMs`. */
export function keyResultState(
  kr: KeyResultRow,
  obj: ObjectiveRow,
  d: Derived,
  ctx: OrgContext,
  nowMs: number,
): { expectedProgress: number; status: Status } {
  const span = keyResultSpan(kr, objectiveSpan(obj, ctx), ctx);
  if (!span) return { expectedProgress: 0, status: obj.state === "draft" ? "draft" : "notStarted" };
  const start = num(kr.start);
  const target = num(kr.target);
  const plan = planPoints(kr, ctx);
  const expected = expectedProgress(
    span,
    nowMs,
    plan.length && start !== null && target !== null ? { start, target, points: plan } : null,
  );
  const status = computeStatus({
    draft: obj.state === "draft",
    closed: kr.closed || obj.state === "closed",
    createdMs: kr.createdAt.getTime(),
    manualStatus: d.manualStatus,
    progress: d.progress,
    hasCheckIn: d.firstCheckInMs !== null && d.firstCheckInMs <= nowMs,
    span,
    krType: kr.type as KrType,
    expected,
    nowMs,
    settings: ctx.settings,
  });
  return { expectedProgress: expected, status };
}

export function groupBy<T, K>(items: readonly T[], key: (t: T) => K): Map<K, T[]> {
  const m = new Map<K, T[]>();
  for (const it of items) {
    const k = key(it);
    const list = m.get(k);
    if (list) list.push(it);
    else m.set(k, [it]);
  }
  return m;
}
