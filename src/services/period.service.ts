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
import { objectives, periods } from "../db/schema.js";
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

/** A name as the uniqueness rule compares it: trimmed, case-insensitive. */
const nameKey = (name: string) => name.trim().toLocaleLowerCase();

/**
 * ALREADY_EXISTS (naming the other period and its dates) when another period of the
 * organisation already has `name`; two periods of one name cannot be told apart in any picker.
 */
async function checkNameFree(ex: Executor, scope: OrgScope, name: string, exceptId: string | null): Promise<void> {
  const key = nameKey(name);
  const other = (await periodRepo.list(ex, scope)).find((p) => p.id !== exceptId && nameKey(p.name) === key);
  if (other) throw nameTaken(other);
}

function nameTaken(other: { name: string; startDate: string; endDate: string }): AppError {
  const said = `a period named "${other.name}" (${other.startDate} to ${other.endDate}) already exists; choose another name`;
  return new AppError("ALREADY_EXISTS", `A${said.slice(1)}.`, [`name: ${said}`]);
}

/**
 * VALIDATION when a period would not lie within its parent's dates, or (for a period that has
 * sub-periods) when its new dates would leave one of them outside. A change never moves other
 * periods' dates: the person changes the sub-periods first, or the parent's dates, explicitly.
 */
async function checkNesting(
  ex: Executor,
  scope: OrgScope,
  p: { id: string | null; startDate: string; endDate: string; parentId: string | null },
): Promise<void> {
  const problems: string[] = [];
  const parent = p.parentId ? await periodRepo.find(ex, scope, p.parentId) : null;
  if (parent && (p.startDate < parent.startDate || p.endDate > parent.endDate)) {
    const field = p.startDate < parent.startDate ? "startDate" : "endDate";
    problems.push(
      `${field}: a sub-period must lie within its parent "${parent.name}" (${parent.startDate} to ${parent.endDate}); change the dates or choose another parent`,
    );
  }
  if (p.id) {
    const outside = (await periodRepo.list(ex, scope, eq(periods.parentId, p.id))).filter(
      (c) => c.startDate < p.startDate || c.endDate > p.endDate,
    );
    if (outside.length) {
      const field = outside.some((c) => c.startDate < p.startDate) ? "startDate" : "endDate";
      const names = outside.map((c) => `"${c.name}" (${c.startDate} to ${c.endDate})`).join(", ");
      problems.push(
        `${field}: the sub-${outside.length === 1 ? "period" : "periods"} ${names} would fall outside these dates; change ${outside.length === 1 ? "its" : "their"} dates first or choose dates that cover ${outside.length === 1 ? "it" : "them"}`,
      );
    }
  }
  if (problems.length) throw AppError.validation(problems);
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

/**
 * Creates a period. ALREADY_EXISTS when its name is taken (trimmed, case-insensitive);
 * VALIDATION when its dates are out of order or leave its parent's.
 */
export async function createPeriod(svc: Services, actor: Actor, body: unknown): Promise<PeriodView> {
  const input = parseInput(PeriodCreateSchema, body);
  checkDates(input.startDate, input.endDate);
  return mutate(svc, actor, async (w) => {
    await checkParent(w.tx, w.scope, null, input.parentId);
    await checkNameFree(w.tx, w.scope, input.name, null);
    await checkNesting(w.tx, w.scope, { id: null, ...input, parentId: input.parentId ?? null });
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

/**
 * Changes a period's name, dates or parent. ALREADY_EXISTS for a taken name; VALIDATION when it
 * would leave its parent's dates or leave one of its sub-periods outside its own.
 */
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
    if (patch.name !== undefined && nameKey(patch.name) !== nameKey(row.name))
      await checkNameFree(w.tx, w.scope, patch.name, id);
    const next = {
      id,
      startDate: patch.startDate ?? row.startDate,
      endDate: patch.endDate ?? row.endDate,
      parentId: patch.parentId === undefined ? row.parentId : patch.parentId,
    };
    if (next.startDate !== row.startDate || next.endDate !== row.endDate || next.parentId !== row.parentId)
      await checkNesting(w.tx, w.scope, next);
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
 * the organisation already has a year with those dates, or a period with one of the five names.
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
    const taken = new Map((await periodRepo.list(w.tx, w.scope)).map((p) => [nameKey(p.name), p]));
    const clash = [plan.year, ...plan.quarters].map((p) => taken.get(nameKey(p.name))).find((p) => p);
    if (clash) throw nameTaken(clash);
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
