/**
 * Objectives and key results: create, read (stored figures, or as of a past moment),
 * edit, delete. Every write recomputes the stored roll-ups in its transaction.
 */
import { eq } from "drizzle-orm";
import { keyResultTokenQueries } from "../db/data-link-queries.js";
import type { Executor } from "../db/database.js";
import type { OrgScope } from "../db/org-scope.js";
import {
  type AlignmentRow,
  graphQueries,
  initiativeRepo,
  type KeyResultRow,
  keyResultRepo,
  type ObjectiveRow,
  objectiveRepo,
  periodRepo,
  teamRepo,
} from "../db/repositories.js";
import { initiatives as initiativesTable } from "../db/schema.js";
import { sameUnitProblem } from "../domain/alignment.js";
import { AppError } from "../domain/errors.js";
import { validateKeyResultTargets } from "../domain/progress.js";
import type { KrType } from "../domain/types.js";
import { createAlignment } from "./alignment.service.js";
import {
  type Actor,
  checkVersion,
  type DomainEvent,
  joinedServices,
  missingReference,
  mutate,
  namingPath,
  read,
  type Services,
  type Write,
} from "./context.js";
import { sameSource } from "./data-source-schema.js";
import { type Derived, evaluateAsOf, groupBy, type NodeIds, type OrgContext, storedDerived } from "./evaluation.js";
import { changedFields, notifyFollowers } from "./follow.service.js";
import { requireUsers } from "./people.service.js";
import { assertPeriodTakesObjectives } from "./period-guard.js";
import { type KeyResultView, type ObjectiveView, presentKeyResult, presentObjective } from "./presenters.js";
import { changesFields, initialState, onCreatedActive, onPublish, withdrawOnEdit } from "./review-steps.js";
import {
  AsOfQuerySchema,
  KeyResultCreateSchema,
  KeyResultUpdateSchema,
  ObjectiveCreateSchema,
  ObjectiveUpdateSchema,
  ObjectiveWithPartsSchema,
  parseInput,
} from "./schemas.js";

export type ObjectiveDetail = ObjectiveView & { keyResults: KeyResultView[] };

/** The figures to show: stored ones, or those recomputed as of `asOfMs`. */
export interface Figures {
  nowMs: number;
  /**
   * Readies `derive` for these nodes and what they draw from. Stored figures need nothing;
   * `asOf` figures evaluate that part of the graph (once per node), never the organisation.
   */
  load(nodes: Partial<NodeIds>): Promise<void>;
  derive(type: "objective", row: ObjectiveRow): Derived;
  derive(type: "keyResult", row: KeyResultRow): Derived;
}

/** Stored figures (ordinary reads) or figures as of a past moment (`asOf`), over today's structure. */
export async function figures(
  ex: Executor,
  scope: OrgScope,
  ctx: OrgContext,
  nowMs: number,
  asOf?: string,
): Promise<Figures> {
  if (!asOf) {
    return { nowMs, load: async () => {}, derive: storedDerived as Figures["derive"] };
  }
  const asOfMs = Date.parse(asOf);
  const map = new Map<string, Derived>();
  return {
    nowMs: asOfMs,
    async load(nodes) {
      const missing = {
        objective: (nodes.objective ?? []).filter((id) => !map.has(`objective:${id}`)),
        keyResult: (nodes.keyResult ?? []).filter((id) => !map.has(`keyResult:${id}`)),
      };
      if (!missing.objective.length && !missing.keyResult.length) return;
      for (const [key, d] of await evaluateAsOf(ex, scope, ctx, asOfMs, missing)) map.set(key, d);
    },
    derive: ((type: "objective" | "keyResult", row: { id: string }) => {
      const d = map.get(`${type}:${row.id}`);
      // A read that skipped load() would show today's figures under a past date: fail loudly.
      if (!d) throw new Error(`figures as of ${asOf} were not loaded for ${type} ${row.id}`);
      return d;
    }) as Figures["derive"],
  };
}

export function objectiveDetail(o: ObjectiveRow, krs: KeyResultRow[], f: Figures, ctx: OrgContext): ObjectiveDetail {
  return {
    ...presentObjective(o, f.derive("objective", o), ctx, f.nowMs),
    keyResults: krs.map((kr) => presentKeyResult(kr, o, f.derive("keyResult", kr), ctx, f.nowMs)),
  };
}

async function detailOf(
  ex: Executor,
  scope: OrgScope,
  ctx: OrgContext,
  f: Figures,
  /** The objective, or its id to read it by. */
  objective: ObjectiveRow | string,
): Promise<ObjectiveDetail> {
  const o = typeof objective === "string" ? await objectiveRepo.get(ex, scope, objective) : objective;
  await f.load({ objective: [o.id] });
  return objectiveDetail(o, await graphQueries.keyResultsOf(ex, scope, [o.id]), f, ctx);
}

/** The objective with its key results, as stored now (after a write, inside its transaction). */
export async function currentObjective(w: Write, id: string): Promise<ObjectiveDetail> {
  return detailOf(w.tx, w.scope, w.ctx, await figures(w.tx, w.scope, w.ctx, w.nowMs), id);
}

/** Several objectives with their key results, as stored now, by id: three reads however many. */
export async function currentObjectives(w: Write, ids: readonly string[]): Promise<Map<string, ObjectiveDetail>> {
  const f = await figures(w.tx, w.scope, w.ctx, w.nowMs);
  await f.load({ objective: [...ids] });
  const krsOf = groupBy(await graphQueries.keyResultsOf(w.tx, w.scope, ids), (kr) => kr.objectiveId);
  const rows = await objectiveRepo.listByIds(w.tx, w.scope, ids);
  return new Map(rows.map((o) => [o.id, objectiveDetail(o, krsOf.get(o.id) ?? [], f, w.ctx)]));
}

export async function getObjective(svc: Services, actor: Actor, id: string, query: unknown): Promise<ObjectiveDetail> {
  const q = parseInput(AsOfQuerySchema, query, "query");
  return read(svc, actor, async ({ ex, scope, ctx, nowMs, guard }) => {
    const o = await objectiveRepo.get(ex, scope, id);
    await guard.assertVisible(o);
    return detailOf(ex, scope, ctx, await figures(ex, scope, ctx, nowMs, q.asOf), o);
  });
}

/** Refuses changes to a closed objective (409 CLOSED) until it is reopened. */
export function assertOpen(o: ObjectiveRow, what = "changed"): void {
  if (o.state === "closed") {
    throw new AppError(
      "CLOSED",
      `The objective "${o.title}" is closed and cannot be ${what}; reopen it first (POST /objectives/${o.id}/reopen).`,
    );
  }
}

/** How an objective is written: by a caller that closes it in the same transaction (an OKR file's closed objective). */
export interface ObjectiveWriteOptions {
  /** It is closed before the transaction ends: a closed period may take it. */
  closesAfter?: boolean;
}

async function checkObjectiveRefs(
  w: Write,
  input: { periodId?: string | undefined; teamId?: string | null | undefined; ownerIds?: string[] | undefined },
  /** Set when the objective would land in `input.periodId` open: how ("created in", "moved to"). */
  landsOpen?: string,
) {
  if (input.periodId !== undefined) {
    const period = await periodRepo.find(w.tx, w.scope, input.periodId);
    if (!period) throw missingReference("periodId", "period", [input.periodId]);
    if (landsOpen) assertPeriodTakesObjectives(period, landsOpen);
  }
  if (input.teamId && !(await teamRepo.find(w.tx, w.scope, input.teamId))) {
    throw missingReference("teamId", "team", [input.teamId]);
  }
  await requireUsers(w.tx, w.scope, input.ownerIds, "ownerIds");
}

/**
 * Unless the organisation allows it, a private objective cannot sit under a public one
 * (its figures would show through the public roll-up): refuses making `id` private while
 * it (or a KR of it) aligns under a public objective, and making it public while a
 * private objective aligns under it (or under one of its KRs).
 */
export async function checkPrivateAlignment(w: Write, id: string, visibility: string): Promise<void> {
  if (w.guard.rules.privateUnderPublic) return;
  const krs = await graphQueries.keyResultsOf(w.tx, w.scope, [id]);
  const mine = new Set([id, ...krs.map((k) => k.id)]);
  const edges = await graphQueries.alignmentsTouching(w.tx, w.scope, [...mine]);
  const hint = "or ask an admin to allow it in settings (privateUnderPublic)";
  for (const e of edges) {
    if (visibility === "private" && mine.has(e.childId)) {
      const parent = await parentObjective(w, e.parentType, e.parentId);
      if (parent && parent.visibility !== "private" && parent.id !== id) {
        throw AppError.validation([
          `visibility: this objective aligns under the public objective "${parent.title}"; a private objective cannot align under a public one. Remove that alignment first, ${hint}.`,
        ]);
      }
    }
    if (visibility !== "private" && mine.has(e.parentId)) {
      const child = await parentObjective(w, e.childType, e.childId);
      if (child && child.visibility === "private" && child.id !== id) {
        const name = (await w.guard.hidden()).has(child.id)
          ? "A private objective"
          : `The private objective "${child.title}"`;
        throw AppError.validation([
          `visibility: ${name} aligns under this one, and its progress would show through a public objective. Remove that alignment first, ${hint}.`,
        ]);
      }
    }
  }
}

/** The objective a node belongs to (itself, or the key result's objective). */
export async function parentObjective(w: Write, type: string, nodeId: string): Promise<ObjectiveRow | null> {
  if (type === "objective") return objectiveRepo.find(w.tx, w.scope, nodeId);
  const kr = await keyResultRepo.find(w.tx, w.scope, nodeId);
  return kr ? objectiveRepo.find(w.tx, w.scope, kr.objectiveId) : null;
}

/** Each id once, in the order first given: a list that names someone twice means them once. */
export function distinctIds(ids: string[]): string[];
export function distinctIds(ids: string[] | undefined): string[] | undefined;
export function distinctIds(ids: string[] | undefined): string[] | undefined {
  return ids && [...new Set(ids)];
}

function checkOverride(v: number | null | undefined) {
  if (v !== undefined && v !== null && (v < 0 || v > 10)) {
    throw AppError.validation(["progressOverride: must be a fraction from 0 to 10 (1 = 100 %), or null to clear it"]);
  }
}

/** Refuses a team-level objective that names no team (400): whose team it is decides who may edit it. */
function checkTeamOfLevel(level: string, teamId: string | null | undefined) {
  if (level === "team" && !teamId) {
    throw AppError.validation([
      'teamId: a team-level objective needs its team; give teamId, or choose the level "organization" or "individual"',
    ]);
  }
}

/**
 * Creates an objective; with `keyResults` (each as `POST /objectives/:id/key-results` takes it)
 * and `alignTo`, those too, in the same transaction: a key result or an alignment refused
 * leaves nothing behind, and the refusal names the part (`keyResults[1].target: …`).
 * CLOSED when its period is closed (unless `opts.closesAfter`).
 */
export async function createObjective(
  svc: Services,
  actor: Actor,
  body: unknown,
  opts: ObjectiveWriteOptions = {},
): Promise<ObjectiveDetail> {
  const whole = parseInput(ObjectiveWithPartsSchema, body);
  if (whole.keyResults !== undefined || whole.alignTo !== undefined) {
    const { keyResults = [], alignTo, ...objective } = whole;
    const events: DomainEvent[] = [];
    const id = await mutate(svc, actor, async (w) => {
      const inner = joinedServices(svc, w, events);
      const o = await createObjective(inner, actor, objective, opts);
      for (const [i, k] of keyResults.entries()) {
        await namingPath(`keyResults[${i}]`, () => createKeyResult(inner, actor, o.id, k));
      }
      if (alignTo) {
        await namingPath("alignTo", () =>
          createAlignment(inner, actor, { childType: "objective", childId: o.id, ...alignTo }),
        );
      }
      return o.id;
    });
    for (const e of events) svc.emit(e);
    return getObjective(svc, actor, id, {});
  }
  const input = parseInput(ObjectiveCreateSchema, body);
  input.ownerIds = distinctIds(input.ownerIds);
  checkOverride(input.progressOverride);
  checkTeamOfLevel(input.level, input.teamId);
  return mutate(svc, actor, async (w) => {
    await checkObjectiveRefs(w, input, opts.closesAfter ? undefined : "created in");
    // Without owners, an individual objective is the author's own.
    const ownerIds = input.ownerIds ?? (input.level === "individual" ? [w.actor.userId] : []);
    await w.guard.assertCanCreateObjective({
      level: input.level,
      teamId: input.teamId ?? null,
      ownerIds,
      visibility: input.visibility ?? "public",
    });
    const row = await objectiveRepo.insert(w.tx, w.scope, {
      title: input.title,
      description: input.description ?? "",
      level: input.level,
      teamId: input.teamId ?? null,
      ownerIds,
      periodId: input.periodId,
      committed: input.committed ?? false,
      state: initialState(w, input.state),
      visibility: input.visibility ?? "public",
      progressOverride: input.progressOverride ?? null,
    });
    w.touch([], { objective: [row.id] });
    await w.audit("objective.created", "objective", row.id, null, row);
    await onCreatedActive(w, row);
    return row.id;
  }).then((id) => getObjective(svc, actor, id, {}));
}

/** The edits of an objective its followers hear of (a description or a team move is not news). */
const OBJECTIVE_CHANGES: Partial<Record<keyof ObjectiveRow, string>> = {
  title: "title",
  state: "state",
  periodId: "period",
  ownerIds: "owners",
  progressOverride: "progress override",
};
/** The edits of a key result its objective's followers hear of. */
const KEY_RESULT_CHANGES: Partial<Record<keyof KeyResultRow, string>> = {
  title: "title",
  type: "type",
  start: "start",
  target: "target",
  progressOverride: "progress override",
  ownerIds: "owners",
};

/** Edits an objective (CLOSED when it is closed, or when it would move into a closed period unless `opts.closesAfter`). */
export async function updateObjective(
  svc: Services,
  actor: Actor,
  id: string,
  body: unknown,
  ifMatch?: number,
  opts: ObjectiveWriteOptions = {},
): Promise<ObjectiveDetail> {
  const input = parseInput(ObjectiveUpdateSchema, body);
  input.ownerIds = distinctIds(input.ownerIds);
  checkOverride(input.progressOverride);
  await mutate(svc, actor, async (w) => {
    const row = await objectiveRepo.get(w.tx, w.scope, id);
    await w.guard.assertCanEditObjective(row);
    await checkVersion(input.version ?? ifMatch, row, () => currentObjective(w, id));
    assertOpen(row, "edited");
    if (input.state === "closed") {
      throw AppError.validation([
        `state: close an objective with POST /objectives/${id}/close, which records its score and learnings`,
      ]);
    }
    const moves = input.periodId !== undefined && input.periodId !== row.periodId && !opts.closesAfter;
    await checkObjectiveRefs(w, input, moves ? "moved to" : undefined);
    const next = {
      level: input.level ?? row.level,
      teamId: input.teamId !== undefined ? input.teamId : row.teamId,
      ownerIds: input.ownerIds ?? row.ownerIds,
      visibility: input.visibility ?? row.visibility,
    };
    if (input.level !== undefined || input.teamId !== undefined) checkTeamOfLevel(next.level, next.teamId);
    // Moving an objective to another level or team needs the right to create it there.
    if (
      (input.level !== undefined && input.level !== row.level) ||
      (input.teamId !== undefined && input.teamId !== row.teamId)
    ) {
      await w.guard.assertCanCreateObjective(next);
    }
    if (next.visibility !== row.visibility) await checkPrivateAlignment(w, id, next.visibility);
    const { version: _v, ...patch } = input;
    // The review workflow: a changed submitted draft goes back to draft (and so needs a new review
    // before it is published); publishing a draft takes an approval while reviews are on.
    const edited = changesFields(patch, row, ["state"]);
    let review: { reviewState?: null; publishedAt?: Date } = {};
    if (edited && row.reviewState !== null) {
      await withdrawOnEdit(svc, w, row, false);
      review = { reviewState: null };
    }
    if (patch.state === "active" && row.state === "draft") {
      review = await onPublish(svc, w, { ...row, ...review });
    }
    const updated = await objectiveRepo.update(w.tx, w.scope, id, { ...patch, ...review });
    const krs = await graphQueries.keyResultsOf(w.tx, w.scope, [id]);
    // Committed changes the forecast's goal; the period changes every span; publishing a draft
    // (or returning it to draft) changes what its key results count toward through their own alignments.
    const krsMatter =
      patch.committed !== undefined ||
      patch.periodId !== undefined ||
      (patch.state !== undefined && patch.state !== row.state);
    w.touch(krsMatter ? krs.map((k) => k.id) : [], { objective: [id] });
    await w.audit("objective.updated", "objective", id, row, updated);
    const changed = changedFields(row, updated, OBJECTIVE_CHANGES);
    if (changed.length > 0) {
      await notifyFollowers(svc, w, actor.userId, id, {
        title: `"${updated.title}" changed: ${changed.join(", ")}`,
        link: `/objectives/${id}`,
      });
    }
  });
  return getObjective(svc, actor, id, {});
}

/** The parents of the alignments whose child is one of `childIds`, by type. */
function parentsOf(edges: readonly AlignmentRow[], childIds: readonly string[]): NodeIds {
  const children = new Set(childIds);
  const under = edges.filter((e) => children.has(e.childId));
  return {
    objective: under.filter((e) => e.parentType === "objective").map((e) => e.parentId),
    keyResult: under.filter((e) => e.parentType === "keyResult").map((e) => e.parentId),
  };
}

/** Deletes an objective with its key results, initiatives and alignments (kept in the trash). */
export async function deleteObjective(svc: Services, actor: Actor, id: string): Promise<void> {
  await mutate(svc, actor, async (w) => {
    const row = await objectiveRepo.get(w.tx, w.scope, id);
    await w.guard.assertCanEditObjective(row);
    const krs = await graphQueries.keyResultsOf(w.tx, w.scope, [id]);
    for (const kr of krs) await keyResultRepo.softDelete(w.tx, w.scope, kr.id, new Date(w.nowMs));
    // Their check-in tokens die with them, and stay dead if the objective comes back from the trash.
    await keyResultTokenQueries.revokeAllOf(
      w.tx,
      w.scope,
      krs.map((k) => k.id),
      new Date(w.nowMs),
    );
    const initiatives = await initiativeRepo.list(w.tx, w.scope, eq(initiativesTable.objectiveId, id));
    for (const i of initiatives) await initiativeRepo.softDelete(w.tx, w.scope, i.id, new Date(w.nowMs));
    const edges = await graphQueries.alignmentsTouching(w.tx, w.scope, [id, ...krs.map((k) => k.id)]);
    await graphQueries.deleteAlignments(
      w.tx,
      w.scope,
      edges.map((e) => e.id),
    );
    await objectiveRepo.softDelete(w.tx, w.scope, id, new Date(w.nowMs));
    // What it and its key results counted toward loses a child.
    w.touch([], parentsOf(edges, [id, ...krs.map((k) => k.id)]));
    await w.audit(
      "objective.deleted",
      "objective",
      id,
      { ...row, keyResults: krs, alignments: edges, initiativeIds: initiatives.map((i) => i.id) },
      null,
    );
  });
}

// ---------------------------------------------------------------- key results

type KrFields = {
  type: KrType;
  unit: string;
  currency: string | null;
  start: string | null;
  target: string | null;
  plan: { date: string; value: string }[] | null;
  startDate: string | null;
  endDate: string | null;
  progressMode: string;
  rollup: string;
};

/** Every rule a key result's fields must satisfy together; problems as "path: message". */
function keyResultProblems(k: KrFields): string[] {
  const problems = validateKeyResultTargets({
    type: k.type,
    start: k.start === null ? null : Number(k.start),
    target: k.target === null ? null : Number(k.target),
  });
  if (k.unit === "currency" && !k.currency)
    problems.push('currency: is required when unit is "currency" (an ISO 4217 code such as EUR)');
  if (k.unit !== "currency" && k.currency)
    problems.push('currency: only applies when unit is "currency"; remove it or set unit');
  if (k.startDate && k.endDate && k.endDate < k.startDate)
    problems.push(`endDate: must be on or after startDate (${k.startDate})`);
  if (k.plan?.length) {
    if (k.start === null || k.target === null) problems.push("plan: a phased plan needs both start and target");
    const dates = k.plan.map((p) => p.date);
    if (new Set(dates).size !== dates.length) problems.push("plan: each date may appear only once");
  }
  if (k.progressMode === "rollup" && k.rollup === "sum" && (k.type === "milestone" || k.type === "baseline")) {
    problems.push(
      `rollup: a "sum" roll-up needs a numeric key result (increase, decrease, stayAbove or stayBelow), not ${k.type}`,
    );
  }
  return problems;
}

export async function getKeyResult(svc: Services, actor: Actor, id: string, query: unknown): Promise<KeyResultView> {
  const q = parseInput(AsOfQuerySchema, query, "query");
  return read(svc, actor, async ({ ex, scope, ctx, nowMs, guard }) => {
    const kr = await keyResultRepo.get(ex, scope, id);
    const o = await objectiveRepo.get(ex, scope, kr.objectiveId);
    await guard.assertVisible(o, "key result", id);
    const f = await figures(ex, scope, ctx, nowMs, q.asOf);
    await f.load({ keyResult: [kr.id] });
    return presentKeyResult(kr, o, f.derive("keyResult", kr), ctx, f.nowMs);
  });
}

export async function listKeyResults(svc: Services, actor: Actor, objectiveId: string, query: unknown) {
  const detail = await getObjective(svc, actor, objectiveId, query);
  return { items: detail.keyResults, nextCursor: null };
}

/** Checks that a `sum` roll-up KR's aligned KR children share its unit (400 otherwise). */
async function checkSumChildren(w: Write, kr: KeyResultRow) {
  if (kr.progressMode !== "rollup" || kr.rollup !== "sum") return;
  const edges = (await graphQueries.alignmentsTouching(w.tx, w.scope, [kr.id])).filter(
    (e) => e.parentId === kr.id && e.childType === "keyResult",
  );
  const children = await keyResultRepo.listByIds(
    w.tx,
    w.scope,
    edges.map((e) => e.childId),
  );
  const problems = children
    .map((c) => sameUnitProblem(kr, c))
    .filter((p): p is string => p !== null)
    .map((p) => `unit: ${p}`);
  if (problems.length) throw AppError.validation(problems);
}

/** Checks that a KR whose unit changed still matches the `sum` parents it is aligned under. */
async function checkSumParents(w: Write, kr: KeyResultRow) {
  const edges = (await graphQueries.alignmentsTouching(w.tx, w.scope, [kr.id])).filter(
    (e) => e.childId === kr.id && e.parentType === "keyResult",
  );
  const parents = await keyResultRepo.listByIds(
    w.tx,
    w.scope,
    edges.map((e) => e.parentId),
  );
  const problems = parents
    .filter((p) => p.progressMode === "rollup" && p.rollup === "sum")
    .map((p) => sameUnitProblem(p, kr))
    .filter((p): p is string => p !== null)
    .map((p) => `unit: ${p}`);
  if (problems.length) throw AppError.validation(problems);
}

export async function createKeyResult(
  svc: Services,
  actor: Actor,
  objectiveId: string,
  body: unknown,
): Promise<KeyResultView> {
  const input = parseInput(KeyResultCreateSchema, body);
  input.ownerIds = distinctIds(input.ownerIds);
  input.delegateIds = distinctIds(input.delegateIds);
  checkOverride(input.progressOverride);
  const fields: KrFields = {
    type: input.type,
    unit: input.unit ?? "number",
    currency: input.currency ?? null,
    start: input.start ?? null,
    target: input.target ?? null,
    plan: input.plan ?? null,
    startDate: input.startDate ?? null,
    endDate: input.endDate ?? null,
    progressMode: input.progressMode ?? "manual",
    rollup: input.rollup ?? "mean",
  };
  const problems = keyResultProblems(fields);
  if (problems.length) throw AppError.validation(problems);
  const id = await mutate(svc, actor, async (w) => {
    const o = await objectiveRepo.get(w.tx, w.scope, objectiveId);
    await w.guard.assertCanEditObjective(o);
    assertOpen(o, "given new key results");
    await withdrawOnEdit(svc, w, o);
    await requireUsers(w.tx, w.scope, input.ownerIds, "ownerIds");
    await requireUsers(w.tx, w.scope, input.delegateIds, "delegateIds");
    const existing = await graphQueries.keyResultsOf(w.tx, w.scope, [objectiveId]);
    const row = await keyResultRepo.insert(w.tx, w.scope, {
      ...fields,
      objectiveId,
      title: input.title,
      description: input.description ?? "",
      ownerIds: input.ownerIds ?? [],
      delegateIds: input.delegateIds ?? [],
      baselineConfirmed: input.baselineConfirmed ?? true,
      progressOverride: input.progressOverride ?? null,
      weight: input.weight ?? "1",
      position: existing.length ? Math.max(...existing.map((k) => k.position)) + 1 : 0,
    });
    w.touch([row.id]);
    await w.audit("keyResult.created", "keyResult", row.id, null, row);
    return row.id;
  });
  return getKeyResult(svc, actor, id, {});
}

/**
 * Makes room for `kr` at `position` among its objective's key results: the others keep their
 * order and are numbered 0, 1, 2… around it (without a new version: their content is unchanged).
 * Reordering belongs to whoever may edit the objective (403 otherwise); a position past the last
 * is refused (400).
 */
async function moveKeyResult(w: Write, kr: KeyResultRow, o: ObjectiveRow, position: number): Promise<void> {
  await w.guard.assertCanEditObjective(o);
  const siblings = await graphQueries.keyResultsOf(w.tx, w.scope, [o.id]);
  if (position > siblings.length - 1) {
    throw AppError.validation([
      `position: must be 0 to ${siblings.length - 1}: the objective has ${siblings.length} key result${siblings.length === 1 ? "" : "s"} (0 is the first)`,
    ]);
  }
  const others = siblings.filter((k) => k.id !== kr.id);
  const order = [...others.slice(0, position), kr, ...others.slice(position)];
  for (const [i, k] of order.entries()) {
    if (k.id !== kr.id && k.position !== i) {
      await keyResultRepo.update(w.tx, w.scope, k.id, { position: i }, { bumpVersion: false });
    }
  }
}

export async function updateKeyResult(
  svc: Services,
  actor: Actor,
  id: string,
  body: unknown,
  ifMatch?: number,
): Promise<KeyResultView> {
  const input = parseInput(KeyResultUpdateSchema, body);
  input.ownerIds = distinctIds(input.ownerIds);
  input.delegateIds = distinctIds(input.delegateIds);
  checkOverride(input.progressOverride);
  await mutate(svc, actor, async (w) => {
    const kr = await keyResultRepo.get(w.tx, w.scope, id);
    const o = await objectiveRepo.get(w.tx, w.scope, kr.objectiveId);
    await w.guard.assertCanEditKeyResult(kr, o);
    await checkVersion(input.version ?? ifMatch, kr, () =>
      presentKeyResult(kr, o, storedDerived("keyResult", kr), w.ctx, w.nowMs),
    );
    assertOpen(o, "edited");
    if (kr.closed) throw new AppError("CLOSED", `The key result "${kr.title}" is closed; reopen its objective first.`);
    const { version: _v, position, ...patch } = input;
    // Reordering is not a change of what was reviewed; any other field is.
    if (changesFields(patch, kr)) await withdrawOnEdit(svc, w, o);
    const merged: KrFields = {
      type: patch.type ?? (kr.type as KrType),
      unit: patch.unit ?? kr.unit,
      currency: patch.currency !== undefined ? patch.currency : kr.currency,
      start: patch.start !== undefined ? patch.start : kr.start,
      target: patch.target !== undefined ? patch.target : kr.target,
      plan: patch.plan !== undefined ? patch.plan : (kr.plan as KrFields["plan"]),
      startDate: patch.startDate !== undefined ? patch.startDate : kr.startDate,
      endDate: patch.endDate !== undefined ? patch.endDate : kr.endDate,
      progressMode: patch.progressMode ?? kr.progressMode,
      rollup: patch.rollup ?? kr.rollup,
    };
    const problems = keyResultProblems(merged);
    const source = patch.source !== undefined ? patch.source : kr.source;
    if (source && merged.progressMode !== "manual") {
      problems.push(
        "source: a key result in roll-up mode takes its value from the items aligned to it; set progressMode to manual first, or remove the source",
      );
    } else if (source && merged.type === "milestone") {
      problems.push(
        "source: a milestone is marked achieved, not read as a number; use another type, or remove the source",
      );
    }
    if (problems.length) throw AppError.validation(problems);
    await requireUsers(w.tx, w.scope, patch.ownerIds, "ownerIds");
    await requireUsers(w.tx, w.scope, patch.delegateIds, "delegateIds");
    if (position !== undefined) await moveKeyResult(w, kr, o, position);
    const updated = await keyResultRepo.update(w.tx, w.scope, id, {
      ...patch,
      ...(position !== undefined && { position }),
      // A new source starts with no sync behind it.
      ...(patch.source !== undefined && !sameSource(patch.source, kr.source) && { sourceState: null }),
    });
    await checkSumChildren(w, updated);
    if (patch.unit !== undefined || patch.currency !== undefined) await checkSumParents(w, updated);
    w.touch([id]);
    await w.audit("keyResult.updated", "keyResult", id, kr, updated);
    const changed = changedFields(kr, updated, KEY_RESULT_CHANGES);
    if (changed.length > 0) {
      await notifyFollowers(svc, w, actor.userId, o.id, {
        title: `"${updated.title}" (a key result of "${o.title}") changed: ${changed.join(", ")}`,
        link: `/key-results/${id}`,
        objectType: "keyResult",
        objectId: id,
      });
    }
  });
  return getKeyResult(svc, actor, id, {});
}

/** Deletes a key result and its alignments (kept in the trash; check-ins are kept). */
export async function deleteKeyResult(svc: Services, actor: Actor, id: string): Promise<void> {
  await mutate(svc, actor, async (w) => {
    const kr = await keyResultRepo.get(w.tx, w.scope, id);
    const o = await objectiveRepo.get(w.tx, w.scope, kr.objectiveId);
    await w.guard.assertCanEditKeyResult(kr, o);
    assertOpen(o, "changed");
    await withdrawOnEdit(svc, w, o);
    const edges = await graphQueries.alignmentsTouching(w.tx, w.scope, [id]);
    await graphQueries.deleteAlignments(
      w.tx,
      w.scope,
      edges.map((e) => e.id),
    );
    await keyResultRepo.softDelete(w.tx, w.scope, id, new Date(w.nowMs));
    // Its check-in tokens die with it, and stay dead if it comes back from the trash.
    await keyResultTokenQueries.revokeAllOf(w.tx, w.scope, [id], new Date(w.nowMs));
    // Its objective and what it counted toward lose a child.
    const parents = parentsOf(edges, [id]);
    w.touch([], { objective: [kr.objectiveId, ...parents.objective], keyResult: parents.keyResult });
    await w.audit("keyResult.deleted", "keyResult", id, { ...kr, alignments: edges }, null);
  });
}
