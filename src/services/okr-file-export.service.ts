/**
 * OKRs as code, out: a period's objectives (the organisation's, or one team's) as an OKR file
 * (`domain/okr-file.ts`) that `applyOkrFile` takes back unchanged. Objects without a ref are
 * written with their id as ref, which apply matches the same way, so export → apply is a no-op.
 */
import { inArray } from "drizzle-orm";
import type { Executor } from "../db/database.js";
import type { OrgScope } from "../db/org-scope.js";
import {
  type AlignmentRow,
  checkInRepo,
  graphQueries,
  type InitiativeRow,
  type KeyResultRow,
  type KpiRow,
  type KpiValueRow,
  keyResultRepo,
  kpiRepo,
  kpiValueRepo,
  type ObjectiveRow,
  objectiveRepo,
  type PeriodRow,
  periodRepo,
  type TeamRow,
  teamQueries,
  teamRepo,
  type UserRow,
  userRepo,
} from "../db/repositories.js";
import { checkIns as checkInsTable } from "../db/schema.js";
import { AppError } from "../domain/errors.js";
import {
  type AlignmentRef,
  type InitiativeFile,
  type KeyResultFile,
  type KpiFile,
  type ObjectiveFile,
  OKR_FILE_VERSION,
  type OkrFile,
} from "../domain/okr-file.js";
import type { Level } from "../domain/types.js";
import { type Actor, read, type Services } from "./context.js";
import { groupBy } from "./evaluation.js";

/** A row's ref in a file: its own, else its id. */
export function refOf(row: { ref: string | null; id: string }): string {
  return row.ref ?? row.id;
}

/** A stored decimal as a file value: a number when it survives as one exactly, else the string. */
export function decimalOut(v: string): number | string {
  const n = Number(v);
  return String(n) === trimDecimal(v) ? n : trimDecimal(v);
}

/** `"12.500"` → `"12.5"`, `"3.0"` → `"3"`: the same number written one way. */
export function trimDecimal(v: string): string {
  const s = v.trim();
  if (!s.includes(".") || /[eE]/.test(s)) return s;
  return s.replace(/0+$/, "").replace(/\.$/, "");
}

/** The period a name (or id) stands for: 404 when none, 400 when several share it. */
export function pickPeriod(all: readonly PeriodRow[], name: string, path = "period"): PeriodRow {
  const found = all.filter((p) => p.name === name || p.id === name);
  if (found.length === 1) return found[0]!;
  if (found.length === 0) {
    throw new AppError("NOT_FOUND", `${path}: no period is named "${name}"`, [
      `${path}: no period is named "${name}"; the periods are ${all.map((p) => p.name).join(", ") || "none yet"}`,
    ]);
  }
  throw AppError.validation([`${path}: ${found.length} periods are named "${name}"; rename one of them`]);
}

/** The period that holds `nowMs`, a quarter before a longer one. */
function currentPeriod(all: readonly PeriodRow[], nowMs: number): PeriodRow | null {
  const today = new Date(nowMs).toISOString().slice(0, 10);
  const holding = all.filter((p) => p.startDate <= today && today <= p.endDate);
  holding.sort((a, b) => (a.endDate < b.endDate ? -1 : 1) || (a.startDate > b.startDate ? -1 : 1));
  return holding[0] ?? null;
}

/** What `exportOkrFile` covers. */
export interface ExportOptions {
  /** A period's name (or id); default: the current quarter, else the current period. */
  period?: string | undefined;
  /** A team's name (or id): only its objectives, and the team alone in `teams`. */
  team?: string | undefined;
  /** Each key result's check-ins too (the file grows with the history). */
  checkIns?: boolean | undefined;
}

/**
 * The OKR file of a period's objectives that the caller may see — all of them, or one team's —
 * with their key results, initiatives and alignments, the teams they name and the periods
 * they use. NOT_FOUND for an unknown period or team.
 */
export async function exportOkrFile(svc: Services, actor: Actor, options: ExportOptions = {}): Promise<OkrFile> {
  return read(svc, actor, async ({ ex, scope, nowMs, guard }) => {
    const allPeriods = await periodRepo.list(ex, scope);
    const period = options.period ? pickPeriod(allPeriods, options.period) : currentPeriod(allPeriods, nowMs);
    if (!period) throw AppError.validation(["period: no period holds today; name one with --period"]);
    const allTeams = await teamRepo.list(ex, scope);
    let team: TeamRow | undefined;
    if (options.team !== undefined) {
      team = allTeams.find((t) => t.name === options.team || t.id === options.team);
      if (!team) throw new AppError("NOT_FOUND", `team: no team is named "${options.team}"`);
    }
    const sees = await guard.seer();
    const objectives = (await graphQueries.objectivesOfPeriod(ex, scope, period.id, team?.id)).filter((o) => sees(o));
    objectives.sort((a, b) => levelRank(a.level) - levelRank(b.level) || +a.createdAt - +b.createdAt);
    const ids = objectives.map((o) => o.id);
    const krs = await graphQueries.keyResultsOf(ex, scope, ids);
    const initiatives = await graphQueries.initiativesOf(ex, scope, ids);
    const edges = (
      await graphQueries.alignmentsAt(ex, scope, "child", { objective: ids, keyResult: krs.map((k) => k.id) })
    ).filter((e) => e.state !== "pending");
    // Parents outside the file are named by their ref too; a hidden one is left out.
    const parentObjs = await objectiveRepo.listByIds(
      ex,
      scope,
      edges.filter((e) => e.parentType === "objective").map((e) => e.parentId),
    );
    const parentKrs = await keyResultRepo.listByIds(
      ex,
      scope,
      edges.filter((e) => e.parentType === "keyResult").map((e) => e.parentId),
    );
    const ownerOfKr = new Map(
      (
        await objectiveRepo.listByIds(
          ex,
          scope,
          parentKrs.map((k) => k.objectiveId),
        )
      ).map((o) => [o.id, o]),
    );
    const parentRef = new Map<string, string>();
    for (const o of parentObjs) if (sees(o)) parentRef.set(o.id, refOf(o));
    for (const k of parentKrs) {
      const o = ownerOfKr.get(k.objectiveId);
      if (o && sees(o)) parentRef.set(k.id, refOf(k));
    }
    const people = await emailsById(ex, scope);
    const emails = (ids: readonly string[]) => ids.map((id) => people.get(id) ?? id);
    const teamName = new Map(allTeams.map((t) => [t.id, t.name]));
    const periodName = new Map(allPeriods.map((p) => [p.id, p.name]));
    const alignedTo = (childId: string): AlignmentRef[] | undefined => {
      const out = edges
        .filter((e) => e.childId === childId && parentRef.has(e.parentId))
        .sort((a, b) => +a.createdAt - +b.createdAt || (a.id < b.id ? -1 : 1))
        .map((e) => alignmentOut(e, parentRef.get(e.parentId)!));
      return out.length ? out : undefined;
    };
    const checkIns = options.checkIns ? await checkInsOf(ex, scope, krs, emails) : new Map();

    const file: OkrFile = { version: OKR_FILE_VERSION, period: period.name };
    if (team) file.team = team.name;
    const usedPeriods = new Set(objectives.map((o) => o.periodId));
    file.periods = allPeriods
      .filter((p) => usedPeriods.has(p.id) || p.id === period.id)
      .map((p) => ({
        name: p.name,
        kind: p.kind as "year" | "quarter" | "custom",
        start: p.startDate,
        end: p.endDate,
        ...(p.parentId && periodName.has(p.parentId) && { parent: periodName.get(p.parentId)! }),
        ...(p.closedAt && { closed: p.closedAt.toISOString() }),
      }));
    const shownTeams = team ? [team] : parentsFirst(allTeams);
    const members = await teamQueries.members(
      ex,
      scope,
      shownTeams.map((t) => t.id),
    );
    if (shownTeams.length) {
      file.teams = shownTeams.map((t) => ({
        name: t.name,
        ...(t.parentId && teamName.has(t.parentId) && { parent: teamName.get(t.parentId)! }),
        ...(t.description && { description: t.description }),
        ...teamPeople(
          members.filter((m) => m.teamId === t.id),
          people,
        ),
      }));
    }
    file.objectives = objectives.map((o): ObjectiveFile => {
      const own = krs
        .filter((k) => k.objectiveId === o.id)
        .sort((a, b) => a.position - b.position || +a.createdAt - +b.createdAt);
      const work = initiatives.filter((i) => i.objectiveId === o.id);
      return {
        ref: refOf(o),
        title: o.title,
        ...(o.description && { description: o.description }),
        level: o.level as Level,
        ...(o.teamId && teamName.has(o.teamId) && { team: teamName.get(o.teamId)! }),
        ...(o.periodId !== period.id && { period: periodName.get(o.periodId) ?? o.periodId }),
        ...(o.ownerIds.length && { owners: emails(o.ownerIds) }),
        ...(o.visibility !== "public" && { visibility: "private" as const }),
        ...(o.committed && { committed: true }),
        ...(o.state !== "active" && { state: o.state as "draft" | "closed" }),
        ...(o.state === "closed" && { closing: closingOut(o, emails) }),
        ...optional("alignedTo", alignedTo(o.id)),
        ...(own.length && { keyResults: own.map((k) => keyResultOut(k, emails, alignedTo(k.id), checkIns.get(k.id))) }),
        ...(work.length && { initiatives: work.map((i) => initiativeOut(i, own, emails)) }),
      };
    });
    const kpis = (await kpiRepo.list(ex, scope)).filter((k) => !team || k.teamId === team.id);
    if (kpis.length) file.kpis = await kpisOut(ex, scope, kpis, { sees, emails, teamName, values: !!options.checkIns });
    return file;
  });
}

/** How a closed objective was closed, as a file says it (apply records it only when it closes one). */
function closingOut(o: ObjectiveRow, emails: (ids: readonly string[]) => string[]): ObjectiveFile["closing"] {
  const c = (o.closing ?? {}) as {
    closedAt?: string;
    closedBy?: string;
    note?: string;
    learnings?: string;
    next?: string;
  };
  return {
    ...(c.closedAt && { at: c.closedAt }),
    ...(c.closedBy && { by: emails([c.closedBy])[0]! }),
    ...(o.score !== null && { score: o.score }),
    ...(c.note && { note: c.note }),
    ...(c.learnings && { learnings: c.learnings }),
    ...(c.next && { next: c.next }),
  };
}

/** KPIs with the objectives they inform (by ref; hidden ones left out) and, when asked, their readings. */
async function kpisOut(
  ex: Executor,
  scope: OrgScope,
  kpis: readonly KpiRow[],
  o: {
    sees: (row: ObjectiveRow) => boolean;
    emails: (ids: readonly string[]) => string[];
    teamName: ReadonlyMap<string, string>;
    values: boolean;
  },
): Promise<KpiFile[]> {
  const linked = await objectiveRepo.listByIds(
    ex,
    scope,
    kpis.flatMap((k) => k.objectiveIds),
  );
  const refs = new Map(linked.filter(o.sees).map((x) => [x.id, refOf(x)]));
  const readings = o.values
    ? groupBy(
        await kpiValueRepo.forKpis(
          ex,
          scope,
          kpis.map((k) => k.id),
        ),
        (v) => v.kpiId,
      )
    : new Map<string, KpiValueRow[]>();
  return kpis.map((k) => {
    const objectives = k.objectiveIds.map((id) => refs.get(id)).filter((r): r is string => r !== undefined);
    const values = (readings.get(k.id) ?? []).map((v) => ({
      at: v.at.toISOString(),
      value: decimalOut(v.value),
      ...(v.note && { note: v.note }),
    }));
    return {
      name: k.name,
      ...(k.description && { description: k.description }),
      ...(k.unit !== "number" && { unit: k.unit as "percent" | "currency" }),
      ...(k.currency && { currency: k.currency }),
      ...(k.healthyMin !== null && { healthyMin: decimalOut(k.healthyMin) }),
      ...(k.healthyMax !== null && { healthyMax: decimalOut(k.healthyMax) }),
      ...(k.ownerIds.length && { owners: o.emails(k.ownerIds) }),
      ...(k.teamId && o.teamName.has(k.teamId) && { team: o.teamName.get(k.teamId)! }),
      ...(objectives.length && { objectives }),
      ...(values.length && { values }),
    };
  });
}

function optional<K extends string, V>(key: K, v: V | undefined): { [P in K]?: V } {
  return (v === undefined ? {} : { [key]: v }) as { [P in K]?: V };
}

/** Teams with each parent before its children (so a file creates them in order), else by name. */
function parentsFirst(teams: readonly TeamRow[]): TeamRow[] {
  const out: TeamRow[] = [];
  const placed = new Set<string>();
  const byName = [...teams].sort((a, b) => a.name.localeCompare(b.name));
  const visit = (t: TeamRow, seen: Set<string>) => {
    if (placed.has(t.id) || seen.has(t.id)) return;
    seen.add(t.id);
    const parent = t.parentId ? teams.find((x) => x.id === t.parentId) : undefined;
    if (parent) visit(parent, seen);
    placed.add(t.id);
    out.push(t);
  };
  for (const t of byName) visit(t, new Set());
  return out;
}

function levelRank(level: string): number {
  return level === "organization" ? 0 : level === "team" ? 1 : 2;
}

function alignmentOut(e: AlignmentRow, ref: string): AlignmentRef {
  const weight = Number(e.weight);
  if (weight === 1 && e.contributes) return ref;
  return { ref, ...(weight !== 1 && { weight }), ...(!e.contributes && { contributes: false }) };
}

function teamPeople(
  rows: readonly { userId: string; role: string }[],
  people: ReadonlyMap<string, string>,
): { owners?: string[]; members?: string[] } {
  const of = (role: string) =>
    rows
      .filter((m) => (role === "owner" ? m.role === "owner" : m.role !== "owner"))
      .map((m) => people.get(m.userId))
      .filter((e): e is string => e !== undefined)
      .sort();
  const owners = of("owner");
  const members = of("member");
  return { ...(owners.length && { owners }), ...(members.length && { members }) };
}

function keyResultOut(
  k: KeyResultRow,
  emails: (ids: readonly string[]) => string[],
  alignedTo: AlignmentRef[] | undefined,
  checkIns: KeyResultFile["checkIns"],
): KeyResultFile {
  const weight = Number(k.weight);
  return {
    ref: refOf(k),
    title: k.title,
    ...(k.description && { description: k.description }),
    type: k.type as KeyResultFile["type"],
    ...(k.unit !== "number" && { unit: k.unit as "percent" | "currency" }),
    ...(k.currency && { currency: k.currency }),
    ...(k.start !== null && { start: decimalOut(k.start) }),
    ...(k.target !== null && { target: decimalOut(k.target) }),
    ...(k.ownerIds.length && { owners: emails(k.ownerIds) }),
    ...(k.delegateIds.length && { delegates: emails(k.delegateIds) }),
    ...(weight !== 1 && { weight }),
    ...(k.startDate && { startDate: k.startDate }),
    ...(k.endDate && { endDate: k.endDate }),
    ...(Array.isArray(k.plan) &&
      k.plan.length > 0 && {
        plan: (k.plan as { date: string; value: string }[]).map((p) => ({ date: p.date, value: decimalOut(p.value) })),
      }),
    ...(k.progressMode === "rollup" && { rollup: k.rollup as "mean" | "sum" | "proportional" }),
    ...(!k.baselineConfirmed && { baselineConfirmed: false }),
    ...optional("alignedTo", alignedTo),
    ...optional("checkIns", checkIns?.length ? checkIns : undefined),
  };
}

function initiativeOut(
  i: InitiativeRow,
  krs: readonly KeyResultRow[],
  emails: (ids: readonly string[]) => string[],
): InitiativeFile {
  const weight = Number(i.weight);
  const kr = i.keyResultId ? krs.find((k) => k.id === i.keyResultId) : undefined;
  return {
    ref: refOf(i),
    title: i.title,
    ...(i.description && { description: i.description }),
    ...(i.ownerIds.length && { owners: emails(i.ownerIds) }),
    ...(i.state !== "planned" && { state: i.state as InitiativeFile["state"] }),
    ...(i.progress !== null && { progress: i.progress }),
    ...(weight !== 1 && { weight }),
    ...(kr && { keyResult: refOf(kr) }),
    ...(i.startDate && { startDate: i.startDate }),
    ...(i.endDate && { endDate: i.endDate }),
  };
}

/** Every person's email by id (owners, delegates, authors and team members are named by email). */
async function emailsById(ex: Executor, scope: OrgScope): Promise<Map<string, string>> {
  const users: UserRow[] = await userRepo.list(ex, scope);
  return new Map(users.map((u) => [u.id, u.email]));
}

async function checkInsOf(
  ex: Executor,
  scope: OrgScope,
  krs: readonly KeyResultRow[],
  emails: (ids: readonly string[]) => string[],
): Promise<Map<string, NonNullable<KeyResultFile["checkIns"]>>> {
  const out = new Map<string, NonNullable<KeyResultFile["checkIns"]>>();
  const ids = krs.map((k) => k.id);
  if (!ids.length) return out;
  const rows = await checkInRepo.list(ex, scope, inArray(checkInsTable.keyResultId, ids));
  rows.sort((a, b) => +a.at - +b.at);
  for (const c of rows) {
    const list = out.get(c.keyResultId) ?? [];
    list.push({
      at: c.at.toISOString(),
      ...(c.value !== null && { value: decimalOut(c.value) }),
      ...(c.achieved !== null && { achieved: c.achieved }),
      ...(c.status && { status: c.status as "notStarted" | "onTrack" | "behind" | "atRisk" }),
      ...(c.confidence !== null && { confidence: c.confidence }),
      ...(c.note && { note: c.note }),
      ...(c.authorId && { by: emails([c.authorId])[0]! }),
    });
    out.set(c.keyResultId, list);
  }
  return out;
}
