/**
 * Initiatives (the work we believe moves a KR) and KPIs (health metrics with a healthy
 * range, watched continuously).
 */
import { z } from "zod";
import { initiativeListQueries, kpiListQueries } from "../db/list-queries.js";
import {
  initiativeRepo,
  type KeyResultRow,
  type KpiRow,
  keyResultRepo,
  kpiRepo,
  kpiValueRepo,
  type ObjectiveRow,
  objectiveRepo,
  teamRepo,
} from "../db/repositories.js";
import { canCheckIn, canEditObjective, canEditOwned } from "../domain/access.js";
import { AppError } from "../domain/errors.js";
import { forbidden } from "./access.js";
import { type Actor, checkVersion, missingReference, mutate, read, type Services, type Write } from "./context.js";
import { distinctIds } from "./okr.service.js";
import { createdListPage, type Page } from "./pagination.js";
import { requireUsers } from "./people.service.js";
import { presentInitiative, presentKpi, presentKpiValue } from "./presenters.js";
import {
  InitiativeCreateSchema,
  InitiativeUpdateSchema,
  KpiCreateSchema,
  KpiUpdateSchema,
  KpiValueCreateSchema,
  PageQuerySchema,
  parseEach,
  parseInput,
} from "./schemas.js";

export type InitiativeView = ReturnType<typeof presentInitiative>;
export type KpiView = ReturnType<typeof presentKpi>;

const InitiativeListQuery = PageQuerySchema.extend({
  objectiveId: z.string().optional(),
  keyResultId: z.string().optional(),
});

/** Initiatives (of objectives the caller may see), oldest first; one keyset page read in SQL. */
export async function listInitiatives(svc: Services, actor: Actor, query: unknown): Promise<Page<InitiativeView>> {
  const q = parseInput(InitiativeListQuery, query, "query");
  const filter = { objectiveId: q.objectiveId, keyResultId: q.keyResultId };
  return read(svc, actor, async ({ ex, scope, guard }) => {
    const hiddenObjectiveIds = [...(await guard.hidden())];
    return createdListPage(
      "initiatives",
      filter,
      q,
      (after, limit) => initiativeListQueries.page(ex, scope, { ...filter, hiddenObjectiveIds }, after, limit),
      (rows) => rows.map(presentInitiative),
    );
  });
}

export async function getInitiative(svc: Services, actor: Actor, id: string): Promise<InitiativeView> {
  return read(svc, actor, async ({ ex, scope, guard }) => {
    const row = await initiativeRepo.get(ex, scope, id);
    if ((await guard.hidden()).has(row.objectiveId)) throw AppError.notFound("initiative", id);
    return presentInitiative(row);
  });
}

async function checkInitiativeRefs(
  w: Write,
  objectiveId: string,
  keyResultId: string | null | undefined,
  ownerIds?: string[],
) {
  const o = await objectiveRepo.find(w.tx, w.scope, objectiveId);
  if (!o || (await w.guard.hidden()).has(o.id)) throw missingReference("objectiveId", "objective", [objectiveId]);
  let kr: KeyResultRow | null = null;
  if (keyResultId) {
    kr = await keyResultRepo.find(w.tx, w.scope, keyResultId);
    // A key result of an objective the caller may not see does not exist for them: same answer, no title.
    if (!kr || (await w.guard.hidden()).has(kr.objectiveId)) {
      throw missingReference("keyResultId", "key result", [keyResultId]);
    }
    if (kr.objectiveId !== objectiveId) {
      throw AppError.validation([
        `keyResultId: the key result "${kr.title}" belongs to another objective; pick one of this objective's key results`,
      ]);
    }
  }
  await requireUsers(w.tx, w.scope, ownerIds, "ownerIds");
  return { o, kr };
}

/**
 * Who may plan work on an objective: those who may edit it, the key result's owners and
 * delegates, and — for an existing initiative — its own owners.
 */
async function assertCanPlan(w: Write, o: ObjectiveRow, kr: KeyResultRow | null, initiativeOwners: string[] = []) {
  const g = await w.guard.graph();
  const v = w.guard.viewer;
  if (canEditObjective(g, v, o) || (kr && canCheckIn(v, kr, o)) || canEditOwned(v, initiativeOwners)) return;
  throw forbidden(
    "You cannot plan initiatives here: only the objective's owners, their managers, the team's owners, the key result's owners and delegates, the initiative's owners and admins can.",
  );
}

export async function createInitiative(svc: Services, actor: Actor, body: unknown): Promise<InitiativeView> {
  const input = parseInput(InitiativeCreateSchema, body);
  input.ownerIds = distinctIds(input.ownerIds);
  return mutate(svc, actor, async (w) => {
    const { o, kr } = await checkInitiativeRefs(w, input.objectiveId, input.keyResultId, input.ownerIds);
    await assertCanPlan(w, o, kr);
    const row = await initiativeRepo.insert(w.tx, w.scope, {
      title: input.title,
      description: input.description ?? "",
      objectiveId: input.objectiveId,
      keyResultId: input.keyResultId ?? null,
      ownerIds: input.ownerIds ?? [],
      state: input.state ?? "planned",
      progress: input.progress ?? null,
      weight: input.weight ?? "1",
      startDate: input.startDate ?? null,
      endDate: input.endDate ?? null,
    });
    if (w.ctx.settings.initiativesCount) w.touch([], { objective: [row.objectiveId] });
    const view = presentInitiative(row);
    await w.audit("initiative.created", "initiative", row.id, null, view);
    return view;
  });
}

export async function updateInitiative(
  svc: Services,
  actor: Actor,
  id: string,
  body: unknown,
  ifMatch?: number,
): Promise<InitiativeView> {
  const input = parseInput(InitiativeUpdateSchema, body);
  input.ownerIds = distinctIds(input.ownerIds);
  return mutate(svc, actor, async (w) => {
    const row = await initiativeRepo.get(w.tx, w.scope, id);
    const current = await checkInitiativeRefs(w, row.objectiveId, row.keyResultId).catch(() => {
      throw AppError.notFound("initiative", id);
    });
    await assertCanPlan(w, current.o, current.kr, row.ownerIds);
    await checkVersion(input.version ?? ifMatch, row, () => presentInitiative(row));
    const objectiveId = input.objectiveId ?? row.objectiveId;
    const target = await checkInitiativeRefs(
      w,
      objectiveId,
      input.keyResultId !== undefined ? input.keyResultId : input.objectiveId ? null : row.keyResultId,
      input.ownerIds,
    );
    if (target.o.id !== current.o.id) await assertCanPlan(w, target.o, target.kr);
    const { version: _v, ...patch } = input;
    const updated = await initiativeRepo.update(w.tx, w.scope, id, patch);
    if (w.ctx.settings.initiativesCount) w.touch([], { objective: [row.objectiveId, updated.objectiveId] });
    const view = presentInitiative(updated);
    await w.audit("initiative.updated", "initiative", id, presentInitiative(row), view);
    return view;
  });
}

export async function deleteInitiative(svc: Services, actor: Actor, id: string): Promise<void> {
  await mutate(svc, actor, async (w) => {
    const row = await initiativeRepo.get(w.tx, w.scope, id);
    const current = await checkInitiativeRefs(w, row.objectiveId, row.keyResultId).catch(() => {
      throw AppError.notFound("initiative", id);
    });
    await assertCanPlan(w, current.o, current.kr, row.ownerIds);
    await initiativeRepo.softDelete(w.tx, w.scope, id, new Date(w.nowMs));
    if (w.ctx.settings.initiativesCount) w.touch([], { objective: [row.objectiveId] });
    await w.audit("initiative.deleted", "initiative", id, presentInitiative(row), null);
  });
}

// ---------------------------------------------------------------- KPIs

function checkRange(min: string | null, max: string | null) {
  if (min !== null && max !== null && Number(max) < Number(min)) {
    throw AppError.validation([`healthyMax: must be at least the lower end of the healthy range (${min})`]);
  }
}

async function checkKpiRefs(
  w: Write,
  input: { teamId?: string | null | undefined; ownerIds?: string[] | undefined; objectiveIds?: string[] | undefined },
) {
  if (input.teamId && !(await teamRepo.find(w.tx, w.scope, input.teamId)))
    throw missingReference("teamId", "team", [input.teamId]);
  await requireUsers(w.tx, w.scope, input.ownerIds, "ownerIds");
  if (input.objectiveIds?.length) {
    const hidden = await w.guard.hidden();
    const found = new Set(
      (await objectiveRepo.listByIds(w.tx, w.scope, input.objectiveIds))
        .map((o) => o.id)
        .filter((id) => !hidden.has(id)),
    );
    const missing = input.objectiveIds.filter((id) => !found.has(id));
    if (missing.length) throw missingReference("objectiveIds", "objective", missing);
  }
}

/** A KPI as the caller may see it: links to objectives they may not see are left out. */
function withoutHidden(k: KpiRow, hidden: ReadonlySet<string>): KpiRow {
  return hidden.size ? { ...k, objectiveIds: k.objectiveIds.filter((id) => !hidden.has(id)) } : k;
}

/** KPIs are changed (and measured) by their owners and admins. */
function assertCanChangeKpi(w: Write, k: KpiRow) {
  if (!canEditOwned(w.guard.viewer, k.ownerIds)) {
    throw forbidden(`You cannot change the KPI "${k.name}": only its owners and admins can.`);
  }
}

/** KPIs, oldest first, each with its latest value: one keyset page, and one value per KPI of the page. */
export async function listKpis(svc: Services, actor: Actor, query: unknown): Promise<Page<KpiView>> {
  const q = parseInput(PageQuerySchema, query, "query");
  return read(svc, actor, ({ ex, scope, guard }) =>
    createdListPage(
      "kpis",
      {},
      q,
      (after, limit) => kpiListQueries.page(ex, scope, after, limit),
      async (rows) => {
        const values = await kpiListQueries.latestValues(
          ex,
          scope,
          rows.map((r) => r.id),
        );
        const latest = new Map(values.map((v) => [v.kpiId, v]));
        const hidden = await guard.hidden();
        return rows.map((r) => {
          const value = latest.get(r.id);
          return presentKpi(withoutHidden(r, hidden), value ? [value] : []);
        });
      },
    ),
  );
}

/** One KPI with its whole value history (oldest first). */
export async function getKpi(svc: Services, actor: Actor, id: string) {
  return read(svc, actor, async ({ ex, scope, guard }) => {
    const k = withoutHidden(await kpiRepo.get(ex, scope, id), await guard.hidden());
    const values = await kpiValueRepo.forKpis(ex, scope, [id]);
    return { ...presentKpi(k, values), values: values.map(presentKpiValue) };
  });
}

export async function createKpi(svc: Services, actor: Actor, body: unknown) {
  const input = parseInput(KpiCreateSchema, body);
  input.ownerIds = distinctIds(input.ownerIds);
  input.objectiveIds = distinctIds(input.objectiveIds);
  checkRange(input.healthyMin ?? null, input.healthyMax ?? null);
  const id = await mutate(svc, actor, async (w) => {
    await checkKpiRefs(w, input);
    const row = await kpiRepo.insert(w.tx, w.scope, {
      name: input.name,
      description: input.description ?? "",
      unit: input.unit ?? "number",
      currency: input.currency ?? null,
      // Without owners, the KPI is its author's to keep up to date.
      ownerIds: input.ownerIds ?? [w.actor.userId],
      teamId: input.teamId ?? null,
      healthyMin: input.healthyMin ?? null,
      healthyMax: input.healthyMax ?? null,
      objectiveIds: input.objectiveIds ?? [],
    });
    await w.audit("kpi.created", "kpi", row.id, null, row);
    return row.id;
  });
  return getKpi(svc, actor, id);
}

export async function updateKpi(svc: Services, actor: Actor, id: string, body: unknown, ifMatch?: number) {
  const input = parseInput(KpiUpdateSchema, body);
  input.ownerIds = distinctIds(input.ownerIds);
  input.objectiveIds = distinctIds(input.objectiveIds);
  await mutate(svc, actor, async (w) => {
    const row = await kpiRepo.get(w.tx, w.scope, id);
    assertCanChangeKpi(w, row);
    await checkVersion(input.version ?? ifMatch, row, async () =>
      presentKpi(withoutHidden(row, await w.guard.hidden()), await kpiValueRepo.forKpis(w.tx, w.scope, [id])),
    );
    checkRange(
      input.healthyMin !== undefined ? input.healthyMin : row.healthyMin,
      input.healthyMax !== undefined ? input.healthyMax : row.healthyMax,
    );
    await checkKpiRefs(w, input);
    const { version: _v, ...patch } = input;
    if (patch.objectiveIds !== undefined) {
      // Links to objectives the caller cannot see are not theirs to drop.
      const hidden = await w.guard.hidden();
      patch.objectiveIds = [...new Set([...patch.objectiveIds, ...row.objectiveIds.filter((o) => hidden.has(o))])];
    }
    const updated = await kpiRepo.update(w.tx, w.scope, id, patch);
    await w.audit("kpi.updated", "kpi", id, row, updated);
  });
  return getKpi(svc, actor, id);
}

export async function deleteKpi(svc: Services, actor: Actor, id: string): Promise<void> {
  await mutate(svc, actor, async (w) => {
    const row = await kpiRepo.get(w.tx, w.scope, id);
    assertCanChangeKpi(w, row);
    await kpiRepo.softDelete(w.tx, w.scope, id, new Date(w.nowMs));
    await w.audit("kpi.deleted", "kpi", id, row, null);
  });
}

/** Records a KPI value (dated now unless `at` is given). */
export async function addKpiValue(svc: Services, actor: Actor, kpiId: string, body: unknown) {
  const input = parseInput(KpiValueCreateSchema, body);
  return mutate(svc, actor, async (w) => {
    assertCanChangeKpi(w, await kpiRepo.get(w.tx, w.scope, kpiId));
    const atMs = input.at ? Date.parse(input.at) : w.nowMs;
    if (atMs > w.nowMs + 60_000) throw AppError.validation(["at: must not be in the future"]);
    const row = await kpiValueRepo.insert(w.tx, w.scope, {
      kpiId,
      value: input.value,
      at: new Date(atMs),
      note: input.note ?? "",
      authorId: w.actor.userId,
    });
    const view = presentKpiValue(row);
    await w.audit("kpi.valueAdded", "kpi", kpiId, null, view);
    return view;
  });
}

/**
 * Records a KPI's past readings in bulk (an OKR file's, the demo's): each dated at its `at`,
 * none in the future; one insert, one audit row per reading. Returns the number recorded.
 */
export async function recordKpiHistory(
  svc: Services,
  actor: Actor,
  kpiId: string,
  values: readonly unknown[],
): Promise<number> {
  const inputs = parseEach(KpiValueCreateSchema, values);
  return mutate(svc, actor, async (w) => {
    assertCanChangeKpi(w, await kpiRepo.get(w.tx, w.scope, kpiId));
    const rows = inputs.map((input, i) => {
      const atMs = input.at ? Date.parse(input.at) : w.nowMs;
      if (atMs > w.nowMs + 60_000) throw AppError.validation([`[${i}].at: must not be in the future`]);
      return { kpiId, value: input.value, at: new Date(atMs), note: input.note ?? "", authorId: w.actor.userId };
    });
    const stored = await kpiValueRepo.insertMany(w.tx, w.scope, rows);
    await w.auditMany(
      stored.map((r) => ({
        action: "kpi.valueAdded",
        objectType: "kpi",
        objectId: kpiId,
        before: null,
        after: presentKpiValue(r),
      })),
    );
    return stored.length;
  });
}
