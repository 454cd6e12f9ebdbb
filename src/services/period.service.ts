/**
 * Periods: the time boxes OKRs live in (a year, its quarters, custom dates). They nest;
 * changing a period's dates moves every expected-progress line in it, so a change
 * recomputes the stored figures.
 */
import { eq } from "drizzle-orm";
import type { Executor } from "../db/database.js";
import { periodListQueries } from "../db/list-queries.js";
import type { OrgScope } from "../db/org-scope.js";
import { periodQueries } from "../db/period-queries.js";
import { graphQueries, objectiveRepo, periodRepo } from "../db/repositories.js";
import { objectives } from "../db/schema.js";
import { AppError } from "../domain/errors.js";
import { yearWithQuarters } from "../domain/period-calendar.js";
import { type Actor, checkParentLink, checkVersion, mutate, read, type Services } from "./context.js";
import { cursorScope, DEFAULT_LIMIT, decodeKeyset, keyChecks, keysetPage, type Page } from "./pagination.js";
import { presentPeriod } from "./presenters.js";
import {
  PageQuerySchema,
  PeriodCreateSchema,
  PeriodUpdateSchema,
  PeriodYearCreateSchema,
  parseInput,
} from "./schemas.js";

export type PeriodView = ReturnType<typeof presentPeriod>;

function checkDates(start: string, end: string): void {
  if (end < start) {
    throw AppError.validation([
      `endDate: must be on or after startDate (${start}); a period covers whole days from start to end`,
    ]);
  }
}

async function checkParent(ex: Executor, scope: OrgScope, id: string | null, parentId: string | null | undefined) {
  await checkParentLink(
    id,
    parentId,
    (x) => periodRepo.find(ex, scope, x),
    (p) => p.parentId,
    {
      field: "parentId",
      noun: "period",
      loopMessage: "a period cannot be nested inside itself or its own sub-period",
    },
  );
}

type PeriodKey = readonly [startDate: string, endDate: string, name: string, id: string];
const PERIOD_KEY = [keyChecks.date, keyChecks.date, keyChecks.text, keyChecks.id] as const;

/** Lists periods ordered by start date, then length (a year before its first quarter), then name; a keyset page read in SQL. */
export async function listPeriods(svc: Services, actor: Actor, query: unknown): Promise<Page<PeriodView>> {
  const q = parseInput(PageQuerySchema, query, "query");
  const limit = q.limit ?? DEFAULT_LIMIT;
  const scopeName = cursorScope("periods");
  const after = q.cursor ? decodeKeyset<PeriodKey>(q.cursor, scopeName, PERIOD_KEY) : null;
  return read(svc, actor, async ({ ex, scope }) => {
    const rows = await periodListQueries.page(
      ex,
      scope,
      after && { startDate: after[0], endDate: after[1], name: after[2], id: after[3] },
      limit + 1,
    );
    return keysetPage(rows, limit, scopeName, (p) => [p.startDate, p.endDate, p.name, p.id], presentPeriod);
  });
}

/** One period; NOT_FOUND when it is not in the caller's organisation. */
export async function getPeriod(svc: Services, actor: Actor, id: string): Promise<PeriodView> {
  return read(svc, actor, async ({ ex, scope }) => presentPeriod(await periodRepo.get(ex, scope, id)));
}

export async function createPeriod(svc: Services, actor: Actor, body: unknown): Promise<PeriodView> {
  const input = parseInput(PeriodCreateSchema, body);
  checkDates(input.startDate, input.endDate);
  return mutate(svc, actor, async (w) => {
    await checkParent(w.tx, w.scope, null, input.parentId);
    const row = await periodRepo.insert(w.tx, w.scope, {
      name: input.name,
      kind: input.kind,
      startDate: input.startDate,
      endDate: input.endDate,
      parentId: input.parentId ?? null,
    });
    const view = presentPeriod(row);
    await w.audit("period.created", "period", row.id, null, view);
    return view;
  });
}

export async function updatePeriod(
  svc: Services,
  actor: Actor,
  id: string,
  body: unknown,
  ifMatch?: number,
): Promise<PeriodView> {
  const input = parseInput(PeriodUpdateSchema, body);
  return mutate(svc, actor, async (w) => {
    const row = await periodRepo.get(w.tx, w.scope, id);
    await checkVersion(input.version ?? ifMatch, row, () => presentPeriod(row));
    const { version: _v, ...patch } = input;
    checkDates(patch.startDate ?? row.startDate, patch.endDate ?? row.endDate);
    if (patch.parentId !== undefined) await checkParent(w.tx, w.scope, id, patch.parentId);
    const updated = await periodRepo.update(w.tx, w.scope, id, patch);
    const view = presentPeriod(updated);
    await w.audit("period.updated", "period", id, presentPeriod(row), view);
    if (patch.startDate || patch.endDate) {
      // Spans moved: every KR's forecast and first/last figures depend on them.
      w.touch(await keyResultIdsInPeriod(w.tx, w.scope, id));
    }
    return view;
  });
}

async function keyResultIdsInPeriod(ex: Executor, scope: OrgScope, periodId: string): Promise<string[]> {
  const objs = await objectiveRepo.list(ex, scope, eq(objectives.periodId, periodId));
  const krs = await graphQueries.keyResultsOf(
    ex,
    scope,
    objs.map((o) => o.id),
  );
  return krs.map((k) => k.id);
}

/**
 * Creates a year and its four quarters (nested in it) in one transaction. ALREADY_EXISTS when
 * the organisation already has a year with those dates.
 */
export async function createYearWithQuarters(
  svc: Services,
  actor: Actor,
  body: unknown,
): Promise<{ year: PeriodView; quarters: PeriodView[] }> {
  const input = parseInput(PeriodYearCreateSchema, body);
  const plan = yearWithQuarters(input.year, input.startMonth ?? 1, input.name);
  return mutate(svc, actor, async (w) => {
    const same = [...w.ctx.periods.values()].find(
      (p) => p.kind === "year" && p.startDate === plan.year.startDate && p.endDate === plan.year.endDate,
    );
    if (same) {
      throw new AppError(
        "ALREADY_EXISTS",
        `The year "${same.name}" (${same.startDate} to ${same.endDate}) already exists; rename it or add custom periods instead.`,
      );
    }
    const yearRow = await periodRepo.insert(w.tx, w.scope, { ...plan.year, kind: "year", parentId: null });
    const year = presentPeriod(yearRow);
    await w.audit("period.created", "period", yearRow.id, null, year);
    const quarters: PeriodView[] = [];
    for (const q of plan.quarters) {
      const row = await periodRepo.insert(w.tx, w.scope, { ...q, kind: "quarter", parentId: yearRow.id });
      const view = presentPeriod(row);
      await w.audit("period.created", "period", row.id, null, view);
      quarters.push(view);
    }
    return { year, quarters };
  });
}

/** Deletes an empty period; CONFLICT (saying how many objectives it holds) when objectives or sub-periods still use it. */
export async function deletePeriod(svc: Services, actor: Actor, id: string): Promise<void> {
  await mutate(svc, actor, async (w) => {
    const row = await periodRepo.get(w.tx, w.scope, id);
    const held = await periodQueries.objectiveCount(w.tx, w.scope, id);
    if (held) {
      throw new AppError(
        "CONFLICT",
        `The period "${row.name}" still holds ${held} ${held === 1 ? "objective" : "objectives"}; move ${held === 1 ? "it" : "them"} to another period or delete ${held === 1 ? "it" : "them"} before deleting the period.`,
      );
    }
    const children = await periodQueries.childNames(w.tx, w.scope, id);
    if (children.length) {
      throw new AppError(
        "CONFLICT",
        `The period "${row.name}" contains ${children.length === 1 ? "a sub-period" : "sub-periods"} (${children.join(", ")}); delete ${children.length === 1 ? "it" : "them"} first.`,
      );
    }
    await periodRepo.softDelete(w.tx, w.scope, id, new Date(w.nowMs));
    await w.audit("period.deleted", "period", id, presentPeriod(row), null);
  });
}
