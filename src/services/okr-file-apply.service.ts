/**
 * OKRs as code, in: brings the organisation to what an OKR file says, through the ordinary
 * use cases (the same validation, permissions, audit and roll-ups as the API), all of it in
 * one transaction. `planOkrFile` runs the same write as a rehearsal and rolls it back, so the
 * diff it shows is exactly what applying does.
 *
 * What a file changes: objects are matched by ref (a ref that is an object's id matches that
 * object while it has no ref of its own); fields the format knows are set to the file's value
 * (an absent field means its default); alignments of the file's objectives and key results
 * become exactly the listed ones; check-ins are added when missing, never changed. Nothing is
 * deleted unless `prune` is given: then objects with a ref, in the file's periods (and team),
 * that the file no longer lists are deleted (to the trash).
 */
import { eq, inArray } from "drizzle-orm";
import {
  type AlignmentRow,
  checkInRepo,
  graphQueries,
  type InitiativeRow,
  initiativeRepo,
  type KeyResultRow,
  keyResultRepo,
  kpiRepo,
  kpiValueRepo,
  type ObjectiveRow,
  objectiveRepo,
  organizationRepo,
  type PeriodRow,
  periodRepo,
  type TeamRow,
  teamQueries,
  teamRepo,
  userQueries,
} from "../db/repositories.js";
import {
  checkIns as checkInsTable,
  initiatives as initiativesTable,
  keyResults as keyResultsTable,
  kpis as kpisTable,
  objectives as objectivesTable,
} from "../db/schema.js";
import { isId } from "../db/table-repository.js";
import { AppError } from "../domain/errors.js";
import {
  alignmentOf,
  type InitiativeFile,
  type KeyResultFile,
  type KpiFile,
  nameOf,
  type ObjectiveFile,
  type OkrFile,
  periodDatesOfName,
  resolvePeriodName,
} from "../domain/okr-file.js";
import { localDate } from "../domain/periods.js";
import { createAlignment, deleteAlignment, updateAlignment } from "./alignment.service.js";
import { type HistoryCheckIn, recordCheckInHistory } from "./check-in.service.js";
import {
  type Actor,
  type DomainEvent,
  joinedServices,
  mutate,
  namingPath,
  RehearsalDone,
  type Services,
  type Transaction,
  type Write,
} from "./context.js";
import { groupBy, loadOrgContext } from "./evaluation.js";
import {
  createInitiative,
  createKpi,
  deleteInitiative,
  recordKpiHistory,
  updateInitiative,
  updateKpi,
} from "./initiative.service.js";
import { closeObjective } from "./lifecycle.service.js";
import {
  createKeyResult,
  createObjective,
  deleteKeyResult,
  deleteObjective,
  updateKeyResult,
  updateObjective,
} from "./okr.service.js";
import { pickPeriod, refOf, trimDecimal } from "./okr-file-export.service.js";
import { createTeam, createUser, updateTeam } from "./people.service.js";
import { createPeriod } from "./period.service.js";
import { closePeriod } from "./period-close.service.js";
import { normaliseDecimal } from "./schemas.js";

/** One change a file makes, in the order it is made. */
export interface FileChange {
  action: "create" | "update" | "delete";
  objectType:
    | "period"
    | "person"
    | "team"
    | "objective"
    | "keyResult"
    | "initiative"
    | "alignment"
    | "checkIns"
    | "kpi"
    | "kpiValues";
  /** The ref, name or email it is known by in the file. */
  name: string;
  /** Field by field for an update: what it was and what it becomes, as text. */
  fields?: { field: string; from: string; to: string }[];
  /** More words: a title, a count. */
  note?: string;
}

/** What applying (or planning) a file did. */
export interface ApplyResult {
  changes: FileChange[];
  applied: boolean;
}

/** What `applyOkrFile` may do besides creating and updating. */
export interface ApplyOptions {
  /** Delete objects with a ref in the file's scope that the file no longer lists. */
  prune?: boolean | undefined;
  /** Change nothing when the organisation already holds an objective (the demo's rule). */
  onlyIntoEmpty?: boolean | undefined;
  /**
   * The audit trail (an objective's activity) records the file's history as its people made it,
   * at its times — a new objective's creation by its first owner at `created`, each check-in by
   * its author at its `at`, a closing by its `by` at its `at` — rather than as the caller's doing
   * now. For seeded history no one recorded, applied into an empty organisation (the demo);
   * never for a person's import.
   */
  asAuthored?: boolean | undefined;
}

/** Who a change is recorded as and when, when that is not the caller now (`ApplyOptions.asAuthored`). */
interface AuditStamp {
  actorId: string | null;
  at: Date;
}

/** `t` whose audit records carry `stampOf()` (when it answers one) unless they name their own. */
function stampingAudit(t: Transaction, stampOf: () => AuditStamp | undefined): Transaction {
  const auditMany: Transaction["auditMany"] = (entries) => {
    const stamp = stampOf();
    if (!stamp) return t.auditMany(entries);
    return t.auditMany(
      entries.map((e) => ({
        ...e,
        actorId: e.actorId === undefined ? stamp.actorId : e.actorId,
        at: e.at ?? stamp.at,
      })),
    );
  };
  return {
    ...t,
    auditMany,
    audit: (action, objectType, objectId, before, after) =>
      auditMany([{ action, objectType, objectId, before, after }]),
  };
}

/**
 * Applies an OKR file in one transaction: creates, updates (field by field) and, with `prune`,
 * deletes, through the ordinary use cases. A problem anywhere rolls everything back and is
 * thrown with its place in the file (`objectives[1].keyResults[0].target: …`). Applying a
 * file that matches the organisation changes and writes nothing.
 */
export async function applyOkrFile(
  svc: Services,
  actor: Actor,
  file: OkrFile,
  options: ApplyOptions = {},
): Promise<ApplyResult> {
  const events: DomainEvent[] = [];
  const changes = await mutate(svc, actor, (w) => run(joinedServices(svc, w, events), w, actor, file, options));
  for (const e of events) svc.emit(e);
  return { changes, applied: changes.length > 0 };
}

/** The changes applying `file` would make, found by rehearsing the write and rolling it back. */
export async function planOkrFile(
  svc: Services,
  actor: Actor,
  file: OkrFile,
  options: ApplyOptions = {},
): Promise<FileChange[]> {
  let found: FileChange[] = [];
  try {
    await mutate(svc, actor, (w) => run(joinedServices(svc, w, []), w, actor, file, options), {
      rehearsal: {
        async before() {},
        async after(_t, out) {
          found = out as FileChange[];
        },
      },
    });
  } catch (err) {
    if (!(err instanceof RehearsalDone)) throw err;
  }
  return found;
}

const text = (v: unknown): string =>
  v === null || v === undefined
    ? "(none)"
    : Array.isArray(v)
      ? v.join(", ") || "(none)"
      : typeof v === "object"
        ? JSON.stringify(v)
        : String(v);

/** The fields of `want` that differ from `have`, compared as text. */
function diff(
  have: Record<string, unknown>,
  want: Record<string, unknown>,
  shown: (k: string, v: unknown) => string = (_k, v) => text(v),
) {
  const fields: { field: string; from: string; to: string }[] = [];
  const patch: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(want)) {
    if (JSON.stringify(canon(have[k])) !== JSON.stringify(canon(v))) {
      patch[k] = v;
      fields.push({ field: k, from: shown(k, have[k]), to: shown(k, v) });
    }
  }
  return { fields, patch };
}

function canon(v: unknown): unknown {
  if (v === undefined) return null;
  return v;
}

const dec = (v: number | string | undefined | null): string | null =>
  v === undefined || v === null ? null : trimDecimal(normaliseDecimal(v));
const storedDec = (v: string | null): string | null => (v === null ? null : trimDecimal(v));
/** A file's date (read as noon UTC) or instant, in epoch ms. */
const instantMs = (v: string): number => Date.parse(v.length === 10 ? `${v}T12:00:00.000Z` : v);

async function run(
  services: Services,
  w: Write,
  actor: Actor,
  file: OkrFile,
  options: ApplyOptions,
): Promise<FileChange[]> {
  const changes: FileChange[] = [];
  const tx = w.tx;
  const scope = w.scope;
  // With `asAuthored`, what the use cases audit while `stamp` is set is recorded as it says.
  let stamp: AuditStamp | undefined;
  const enclosing = (t: Transaction): Transaction => (options.asAuthored ? stampingAudit(t, () => stamp) : t);
  let inner: Services = { ...services, enclosing: enclosing(w) };
  /** After a period is created or closed: the use cases then see the organisation as it is. */
  const refresh = async () => {
    const org = await organizationRepo.get(tx, scope);
    inner = { ...inner, enclosing: enclosing({ ...w, org, ctx: await loadOrgContext(tx, scope, org) }) };
  };
  /** Runs `fn` with its audit records stamped `as` (with `asAuthored`). */
  const recordedAs = async <T>(as: AuditStamp | undefined, fn: () => Promise<T>): Promise<T> => {
    stamp = as;
    try {
      return await fn();
    } finally {
      stamp = undefined;
    }
  };
  if (options.onlyIntoEmpty && (await graphQueries.hasObjectives(tx, scope))) return changes;

  // People by email, created when the file lists them and they are missing.
  const userIds = new Map<string, string>();
  const personId = async (email: string, path: string): Promise<string> => {
    const known = userIds.get(email.toLowerCase());
    if (known) return known;
    const row = await userQueries.findByEmail(tx, scope, email);
    if (!row) {
      throw AppError.validation([
        `${path}: nobody in this organisation has the email ${email}; add the person in Okra or under people: in the file`,
      ]);
    }
    userIds.set(email.toLowerCase(), row.id);
    return row.id;
  };
  const peopleIds = (emails: readonly string[] | undefined, path: string) =>
    Promise.all((emails ?? []).map((e, i) => personId(e, `${path}[${i}]`)));
  for (const [i, p] of (file.people ?? []).entries()) {
    if (await userQueries.findByEmail(tx, scope, p.email)) continue;
    const managerId = p.manager ? await personId(p.manager, `people[${i}].manager`) : null;
    const view = await namingPath(`people[${i}]`, () =>
      createUser(inner, actor, { name: p.name, email: p.email, role: p.role ?? "member", managerId, invite: false }),
    );
    userIds.set(p.email.toLowerCase(), view.id);
    changes.push({ action: "create", objectType: "person", name: p.email, note: p.name });
  }

  // Periods by name: those listed in the file, and conventional names ("Q1 2026") on first use.
  // Relative names ("this quarter") stand for the conventional name of the organisation's today.
  const today = localDate(w.nowMs, w.ctx.settings.timeZone);
  const periodName = (n: string | number) => resolvePeriodName(nameOf(n), today);
  let periods = await periodRepo.list(tx, scope);
  const ensurePeriod = async (
    name: string,
    path: string,
    def?: { kind?: string | undefined; start?: string | undefined; end?: string | undefined; parent?: string },
  ) => {
    const found = periods.filter((p) => p.name === name || p.id === name);
    if (found.length) return pickPeriod(periods, name, path);
    const named = periodDatesOfName(name);
    const span = def?.start && def.end ? { start: def.start, end: def.end } : named;
    const dates = span && {
      ...span,
      kind:
        def?.kind ??
        (/^\d{4}$/.test(name) ? "year" : named && (/^Q/i.test(name) || /Q\d$/i.test(name)) ? "quarter" : "custom"),
    };
    // A name that stands for dates ("2026", "this quarter") finds the period with those dates
    // under another name ("FY 2026").
    const sameDates =
      dates && !def?.start
        ? periods.filter((p) => p.startDate === dates.start && p.endDate === dates.end && p.kind === dates.kind)
        : [];
    if (sameDates.length === 1) return sameDates[0]!;
    if (!dates) {
      throw AppError.validation([
        `${path}: no period is named "${name}"; create it in Okra or list it under periods: with its dates`,
      ]);
    }
    const parentId = def?.parent ? (await ensurePeriod(def.parent, `${path}.parent`)).id : null;
    await namingPath(path, () =>
      createPeriod(inner, actor, { name, kind: dates.kind, startDate: dates.start, endDate: dates.end, parentId }),
    );
    changes.push({ action: "create", objectType: "period", name, note: `${dates.start} to ${dates.end}` });
    periods = await periodRepo.list(tx, scope);
    await refresh();
    return pickPeriod(periods, name, path);
  };
  const periodsToClose: { row: PeriodRow; atMs: number; path: string }[] = [];
  for (const [i, p] of (file.periods ?? []).entries()) {
    const row = await ensurePeriod(periodName(p.name), `periods[${i}]`, {
      kind: p.kind,
      start: p.start,
      end: p.end,
      ...(p.parent !== undefined && { parent: periodName(p.parent) }),
    });
    if (p.closed !== undefined && row.closedAt === null) {
      periodsToClose.push({ row, atMs: p.closed === true ? w.nowMs : instantMs(p.closed), path: `periods[${i}]` });
    }
    if (p.start !== undefined && (row.startDate !== p.start || row.endDate !== p.end)) {
      throw AppError.validation([
        `periods[${i}]: the period "${row.name}" runs ${row.startDate} to ${row.endDate} in Okra; change its dates there or in the file`,
      ]);
    }
  }

  // Teams by name: created, or given the file's parent, description and (when listed) people.
  let teams = await teamRepo.list(tx, scope);
  const teamByName = (name: string, path: string): TeamRow => {
    const t = teams.find((x) => x.name === name || x.id === name);
    if (!t)
      throw AppError.validation([
        `${path}: no team is named "${name}"; create it in Okra or list it under teams: in the file`,
      ]);
    return t;
  };
  for (const [i, t] of (file.teams ?? []).entries()) {
    const path = `teams[${i}]`;
    const name = nameOf(t.name);
    const parentId =
      t.parent === undefined || t.parent === null ? null : teamByName(nameOf(t.parent), `${path}.parent`).id;
    const owners = t.owners ? await peopleIds(t.owners, `${path}.owners`) : undefined;
    const members = t.members ? await peopleIds(t.members, `${path}.members`) : undefined;
    const row = teams.find((x) => x.name === name);
    if (!row) {
      await namingPath(path, () =>
        createTeam(inner, actor, {
          name,
          description: t.description ?? "",
          parentId,
          ...(owners && { ownerIds: owners }),
          ...(members && { memberIds: members }),
        }),
      );
      changes.push({ action: "create", objectType: "team", name });
    } else {
      const now = await teamQueries.members(tx, scope, [row.id]);
      const have = {
        parentId: row.parentId,
        description: row.description,
        ...(owners && {
          ownerIds: now
            .filter((m) => m.role === "owner")
            .map((m) => m.userId)
            .sort(),
        }),
        ...(members && {
          memberIds: now
            .filter((m) => m.role !== "owner")
            .map((m) => m.userId)
            .sort(),
        }),
      };
      const want = {
        parentId,
        description: t.description ?? "",
        ...(owners && { ownerIds: [...owners].sort() }),
        ...(members && { memberIds: [...members].sort() }),
      };
      const d = diff(have, want, (k, v) => (k === "parentId" ? text(teams.find((x) => x.id === v)?.name) : text(v)));
      if (d.fields.length) {
        await namingPath(path, () => updateTeam(inner, actor, row.id, d.patch));
        changes.push({ action: "update", objectType: "team", name, fields: d.fields });
      }
    }
    teams = await teamRepo.list(tx, scope);
  }

  // Objectives, their key results and initiatives.
  const fileObjectives = file.objectives ?? [];
  const objectiveIds = new Map<string, string>();
  const krIds = new Map<string, string>();
  // The file's own objects, found by their refs up front: a few statements rather than one each.
  type Repo<R> = {
    list: (ex: typeof tx, s: typeof scope, where: ReturnType<typeof eq>) => Promise<R[]>;
    find: (ex: typeof tx, s: typeof scope, id: string) => Promise<R | null>;
    listByIds: (ex: typeof tx, s: typeof scope, ids: readonly string[]) => Promise<R[]>;
  };
  const known = new Map<unknown, Map<string, { id: string; ref: string | null } | null>>();
  const prefetch = async <R extends { id: string; ref: string | null }>(
    repo: Repo<R>,
    column: Parameters<typeof eq>[0],
    refs: readonly string[],
  ) => {
    const found = new Map<string, R | null>(refs.map((r) => [r, null]));
    for (let i = 0; i < refs.length; i += 1000) {
      const part = refs.slice(i, i + 1000);
      for (const row of await repo.list(tx, scope, inArray(column, part))) found.set(row.ref!, row);
      for (const row of await repo.listByIds(tx, scope, part.filter(isId))) {
        if (row.ref === null && found.get(row.id) === null) found.set(row.id, row);
      }
    }
    known.set(repo, found);
  };
  const fileObjs = file.objectives ?? [];
  await prefetch<ObjectiveRow>(
    objectiveRepo,
    objectivesTable.ref,
    fileObjs.map((o) => o.ref),
  );
  await prefetch<KeyResultRow>(
    keyResultRepo,
    keyResultsTable.ref,
    fileObjs.flatMap((o) => (o.keyResults ?? []).map((k) => k.ref)),
  );
  await prefetch<InitiativeRow>(
    initiativeRepo,
    initiativesTable.ref,
    fileObjs.flatMap((o) => (o.initiatives ?? []).map((n) => n.ref)),
  );
  const byRef = async <R extends { id: string; ref: string | null }>(
    repo: Repo<R>,
    column: Parameters<typeof eq>[0],
    ref: string,
  ): Promise<R | null> => {
    const fetched = known.get(repo);
    if (fetched?.has(ref)) {
      // Once: a later look-up of the same ref (after apply created or changed it) asks the database.
      const row = fetched.get(ref) as R | null;
      fetched.delete(ref);
      return row;
    }
    const [row] = await repo.list(tx, scope, eq(column, ref));
    if (row) return row;
    const byId = await repo.find(tx, scope, ref);
    return byId && byId.ref === null ? byId : null;
  };
  const setRef = async (kind: "objective" | "keyResult" | "initiative", id: string, ref: string, path: string) => {
    const repo = kind === "objective" ? objectiveRepo : kind === "keyResult" ? keyResultRepo : initiativeRepo;
    await namingPath(path, async () => {
      try {
        await repo.update(tx, scope, id, { ref }, { bumpVersion: false });
      } catch (err) {
        if (err instanceof AppError && err.code === "ALREADY_EXISTS") {
          throw AppError.validation([
            `ref: "${ref}" belongs to another object (perhaps one in the trash); choose another ref`,
          ]);
        }
        throw err;
      }
    });
  };
  const scopePeriods = new Set<string>();
  /** With `asAuthored`: who set up each objective (by ref) and when; its alignments were made then too. */
  const setUps = new Map<string, AuditStamp>();
  const toClose: { id: string; o: ObjectiveFile; path: string }[] = [];
  for (const [i, o] of fileObjectives.entries()) {
    const path = `objectives[${i}]`;
    const period = await ensurePeriod(periodName((o.period ?? file.period)!), `${path}.period`);
    scopePeriods.add(period.id);
    // Set up by its first owner when the file says (with `asAuthored`).
    const setUp =
      options.asAuthored && o.created !== undefined
        ? {
            actorId: o.owners?.[0] ? await personId(o.owners[0], `${path}.owners[0]`) : actor.userId,
            at: new Date(instantMs(o.created)),
          }
        : undefined;
    if (setUp) setUps.set(o.ref, setUp);
    const createdKrs: string[] = [];
    const createdWork: string[] = [];
    const { objectiveId, created } = await recordedAs(setUp, async () => {
      const { id: objectiveId, created } = await applyObjective(o, path, period);
      objectiveIds.set(o.ref, objectiveId);
      for (const [j, k] of (o.keyResults ?? []).entries()) {
        const kr = await applyKeyResult(k, j, `${path}.keyResults[${j}]`, objectiveId, created);
        krIds.set(k.ref, kr.id);
        if (kr.created) createdKrs.push(kr.id);
      }
      for (const [j, n] of (o.initiatives ?? []).entries()) {
        if (await applyInitiative(n, `${path}.initiatives[${j}]`, objectiveId)) createdWork.push(n.ref);
      }
      return { objectiveId, created };
    });
    if (created && o.created !== undefined) {
      // History: the objective and what came with it were set when the file says.
      const createdAt = new Date(instantMs(o.created));
      await objectiveRepo.update(tx, scope, objectiveId, { createdAt }, { bumpVersion: false });
      await keyResultRepo.updateMany(tx, scope, createdKrs, { createdAt });
      const work = await initiativeRepo.list(tx, scope, eq(initiativesTable.objectiveId, objectiveId));
      await initiativeRepo.updateMany(
        tx,
        scope,
        work.filter((n) => n.ref !== null && createdWork.includes(n.ref)).map((n) => n.id),
        { createdAt },
      );
      // What is new gets a grace period from its creation: the figures are computed again.
      w.touch(createdKrs, { objective: [objectiveId] });
    }
    if (options.prune) await pruneChildren(o, path, objectiveId);
  }
  if (file.period !== undefined) scopePeriods.add((await ensurePeriod(periodName(file.period), "period")).id);

  // Alignments: each listed child ends up with exactly the parents it lists.
  for (const [i, o] of fileObjectives.entries()) {
    await recordedAs(setUps.get(o.ref), async () => {
      await applyAlignments(
        "objective",
        objectiveIds.get(o.ref)!,
        o.alignedTo ?? [],
        `objectives[${i}].alignedTo`,
        o.ref,
      );
      for (const [j, k] of (o.keyResults ?? []).entries()) {
        await applyAlignments(
          "keyResult",
          krIds.get(k.ref)!,
          k.alignedTo ?? [],
          `objectives[${i}].keyResults[${j}].alignedTo`,
          k.ref,
        );
      }
    });
  }

  // Check-ins: added when the key result has none at that moment; all of them at once (one
  // insert, the figures computed once).
  const histories: {
    keyResultId: string;
    history: (HistoryCheckIn & { index: number })[];
    ref: string;
    path: string;
  }[] = [];
  const withCheckIns = fileObjectives.flatMap((o) => (o.keyResults ?? []).filter((k) => k.checkIns?.length));
  const recorded = groupBy(
    withCheckIns.length
      ? await checkInRepo.list(
          tx,
          scope,
          inArray(
            checkInsTable.keyResultId,
            withCheckIns.map((k) => krIds.get(k.ref)!),
          ),
        )
      : [],
    (c) => c.keyResultId,
  );
  for (const [i, o] of fileObjectives.entries()) {
    for (const [j, k] of (o.keyResults ?? []).entries()) {
      if (!k.checkIns?.length) continue;
      const id = krIds.get(k.ref)!;
      const have = new Set((recorded.get(id) ?? []).map((c) => c.at.getTime()));
      const history: (HistoryCheckIn & { index: number })[] = [];
      for (const [m, c] of k.checkIns.entries()) {
        const atIso = new Date(instantMs(c.at)).toISOString();
        if (have.has(Date.parse(atIso))) continue;
        have.add(Date.parse(atIso));
        const path = `objectives[${i}].keyResults[${j}].checkIns[${m}]`;
        const authorId = c.by ? await byWhom(c.by, `${path}.by`, "record check-ins") : actor.userId;
        history.push({
          body: {
            at: atIso,
            ...(c.value !== undefined && { value: c.value }),
            ...(c.achieved !== undefined && { achieved: c.achieved }),
            ...(c.status !== undefined && { status: c.status }),
            ...(c.confidence !== undefined && { confidence: c.confidence }),
            ...(c.note !== undefined && { note: c.note }),
          },
          authorId,
          index: m,
        });
      }
      if (history.length) {
        histories.push({ keyResultId: id, history, ref: k.ref, path: `objectives[${i}].keyResults[${j}].checkIns` });
      }
    }
  }
  if (histories.length) {
    try {
      await recordCheckInHistory(inner, actor, histories, { asAuthored: options.asAuthored });
    } catch (err) {
      // "[2][5].value: …" names the third key result with new history; say where it is in the file.
      if (err instanceof AppError && Array.isArray(err.details)) {
        const details = (err.details as string[]).map((d) =>
          d.replace(/^\[(\d+)\]\[(\d+)\]/, (_m, k, c) => {
            const h = histories[Number(k)]!;
            return `${h.path}[${h.history[Number(c)]!.index}]`;
          }),
        );
        throw new AppError(err.code, details.join("; "), details);
      }
      throw err;
    }
    for (const h of histories) {
      const n = h.history.length;
      changes.push({
        action: "create",
        objectType: "checkIns",
        name: h.ref,
        note: `${n} check-in${n === 1 ? "" : "s"}`,
      });
    }
  }

  // Closings, after the history they score: objectives the file says are closed, then periods.
  if (toClose.length || periodsToClose.length) await w.settle();
  for (const { id, o, path } of toClose) {
    const c = o.closing ?? {};
    const authorId = c.by ? await byWhom(c.by, `${path}.closing.by`, "close objectives") : actor.userId;
    const atMs = c.at === undefined ? w.nowMs : instantMs(c.at);
    await recordedAs({ actorId: authorId, at: new Date(atMs) }, () =>
      namingPath(`${path}.closing`, () =>
        closeObjective(
          inner,
          { ...actor, userId: authorId },
          id,
          {
            ...(c.score !== undefined && { score: c.score }),
            ...(c.note !== undefined && { note: c.note }),
            ...(c.learnings !== undefined && { learnings: c.learnings }),
            ...(c.next !== undefined && { next: c.next }),
          },
          { atMs },
        ),
      ),
    );
    changes.push({
      action: "update",
      objectType: "objective",
      name: o.ref,
      fields: [{ field: "state", from: "open", to: "closed" }],
    });
  }
  for (const p of periodsToClose) {
    await recordedAs({ actorId: actor.userId, at: new Date(p.atMs) }, () =>
      namingPath(p.path, () => closePeriod(inner, actor, p.row.id, {}, { atMs: p.atMs })),
    );
    await refresh();
    changes.push({
      action: "update",
      objectType: "period",
      name: p.row.name,
      fields: [{ field: "closed", from: "no", to: new Date(p.atMs).toISOString() }],
    });
  }

  for (const [i, k] of (file.kpis ?? []).entries()) await applyKpi(k, `kpis[${i}]`);

  // Pruning objectives: those with a ref in the file's periods (and team) the file no longer lists.
  if (options.prune) {
    const team = file.team !== undefined ? teamByName(nameOf(file.team), "team") : undefined;
    const listed = new Set(objectiveIds.values());
    for (const periodId of scopePeriods) {
      for (const o of await graphQueries.objectivesOfPeriod(tx, scope, periodId, team?.id)) {
        if (o.ref === null || listed.has(o.id)) continue;
        await namingPath(`objective ${o.ref}`, () => deleteObjective(inner, actor, o.id));
        changes.push({ action: "delete", objectType: "objective", name: o.ref, note: o.title });
      }
    }
  }
  if (changes.length) {
    await w.audit("okrFile.applied", "organization", actor.orgId, null, {
      changes: changes.map(({ action, objectType, name }) => ({ action, objectType, name })),
    });
  }
  return changes;

  async function applyObjective(
    o: ObjectiveFile,
    path: string,
    period: PeriodRow,
  ): Promise<{ id: string; created: boolean }> {
    const want = {
      title: o.title,
      description: o.description ?? "",
      level: o.level,
      teamId: o.team === undefined ? null : teamByName(nameOf(o.team), `${path}.team`).id,
      ownerIds: await peopleIds(o.owners, `${path}.owners`),
      periodId: period.id,
      committed: o.committed ?? false,
      visibility: o.visibility ?? "public",
    };
    const state = o.state ?? "active";
    const row = await byRef<ObjectiveRow>(objectiveRepo, objectivesTable.ref, o.ref);
    if (!row) {
      // A closed one is created open and closed once its history is in.
      const view = await namingPath(path, () =>
        createObjective(
          inner,
          actor,
          { ...want, state: state === "closed" ? "active" : state },
          { closesAfter: state === "closed" },
        ),
      );
      await setRef("objective", view.id, o.ref, path);
      changes.push({ action: "create", objectType: "objective", name: o.ref, note: o.title });
      if (state === "closed") toClose.push({ id: view.id, o, path });
      return { id: view.id, created: true };
    }
    if (row.state === "closed" && state !== "closed") {
      throw AppError.validation([
        `${path}.state: "${row.title}" is closed in Okra; reopen it there (its score is kept in the history), or write state: closed`,
      ]);
    }
    if (state === "closed" && row.state !== "closed") toClose.push({ id: row.id, o, path });
    const d = diff(
      { ...pick(row, Object.keys(want)), ...(state !== "closed" && { state: row.state }) },
      { ...want, ...(state !== "closed" && { state }) },
      (k, v) => shown(k, v),
    );
    if (d.fields.length) {
      await namingPath(path, () =>
        updateObjective(inner, actor, row.id, d.patch, undefined, { closesAfter: state === "closed" }),
      );
      changes.push({ action: "update", objectType: "objective", name: o.ref, fields: d.fields });
    }
    return { id: row.id, created: false };
  }

  async function applyKeyResult(
    k: KeyResultFile,
    position: number,
    path: string,
    objectiveId: string,
    /** Its objective was created just now, with the file's key results in order. */
    newObjective: boolean,
  ): Promise<{ id: string; created: boolean }> {
    const want = {
      title: k.title,
      description: k.description ?? "",
      type: k.type,
      unit: k.unit ?? "number",
      currency: k.currency ?? null,
      start: dec(k.start),
      target: dec(k.target),
      ownerIds: await peopleIds(k.owners, `${path}.owners`),
      delegateIds: await peopleIds(k.delegates, `${path}.delegates`),
      weight: dec(k.weight ?? 1),
      startDate: k.startDate ?? null,
      endDate: k.endDate ?? null,
      plan: k.plan?.length ? k.plan.map((p) => ({ date: p.date, value: dec(p.value)! })) : null,
      progressMode: k.rollup ? "rollup" : "manual",
      ...(k.rollup && { rollup: k.rollup }),
      baselineConfirmed: k.baselineConfirmed ?? true,
    };
    const row = await byRef<KeyResultRow>(keyResultRepo, keyResultsTable.ref, k.ref);
    if (!row) {
      const view = await namingPath(path, () => createKeyResult(inner, actor, objectiveId, want));
      await setRef("keyResult", view.id, k.ref, path);
      // A new key result comes last; the file may place it before others.
      if (!newObjective && (await indexAmongSiblings(objectiveId, view.id)) !== position) {
        await namingPath(path, () => updateKeyResult(inner, actor, view.id, { position }));
      }
      changes.push({ action: "create", objectType: "keyResult", name: k.ref, note: k.title });
      return { id: view.id, created: true };
    }
    if (row.objectiveId !== objectiveId) {
      throw AppError.validation([
        `${path}.ref: "${k.ref}" is a key result of another objective; key results do not move between objectives, so give this one a new ref`,
      ]);
    }
    const have = {
      ...pick(row, Object.keys(want)),
      start: storedDec(row.start),
      target: storedDec(row.target),
      weight: storedDec(row.weight),
      plan:
        Array.isArray(row.plan) && row.plan.length
          ? (row.plan as { date: string; value: string }[]).map((p) => ({ date: p.date, value: storedDec(p.value) }))
          : null,
    };
    const d = diff(have, want, (f, v) => shown(f, v));
    // Order, not the stored numbers (deletions leave gaps), says whether it moved.
    const index = await indexAmongSiblings(objectiveId, row.id);
    const moved = index !== position;
    if (d.fields.length || moved) {
      await namingPath(path, () => updateKeyResult(inner, actor, row.id, { ...d.patch, ...(moved && { position }) }));
      const fields = moved
        ? [...d.fields, { field: "position", from: String(index + 1), to: String(position + 1) }]
        : d.fields;
      changes.push({ action: "update", objectType: "keyResult", name: k.ref, fields });
    }
    return { id: row.id, created: false };
  }

  async function indexAmongSiblings(objectiveId: string, id: string): Promise<number> {
    const siblings = await graphQueries.keyResultsOf(tx, scope, [objectiveId]);
    siblings.sort((a, b) => a.position - b.position || +a.createdAt - +b.createdAt);
    return siblings.findIndex((k) => k.id === id);
  }

  /** Creates or updates an initiative; true when it created it. */
  async function applyInitiative(n: InitiativeFile, path: string, objectiveId: string): Promise<boolean> {
    const want = {
      objectiveId,
      title: n.title,
      description: n.description ?? "",
      ownerIds: await peopleIds(n.owners, `${path}.owners`),
      state: n.state ?? "planned",
      progress: n.progress ?? null,
      weight: dec(n.weight ?? 1),
      keyResultId: n.keyResult === undefined ? null : krIds.get(n.keyResult)!,
      startDate: n.startDate ?? null,
      endDate: n.endDate ?? null,
    };
    const row = await byRef<InitiativeRow>(initiativeRepo, initiativesTable.ref, n.ref);
    if (!row) {
      const view = await namingPath(path, () => createInitiative(inner, actor, want));
      await setRef("initiative", view.id, n.ref, path);
      changes.push({ action: "create", objectType: "initiative", name: n.ref, note: n.title });
      return true;
    }
    const d = diff({ ...pick(row, Object.keys(want)), weight: storedDec(row.weight) }, want, (f, v) => shown(f, v));
    if (d.fields.length) {
      await namingPath(path, () => updateInitiative(inner, actor, row.id, d.patch));
      changes.push({ action: "update", objectType: "initiative", name: n.ref, fields: d.fields });
    }
    return false;
  }

  /** A KPI by name: created or updated field by field, and its readings added when missing. */
  async function applyKpi(k: KpiFile, path: string): Promise<void> {
    const objectiveIdsOf = async (refs: readonly string[]) => {
      const out: string[] = [];
      for (const [i, ref] of refs.entries()) {
        const id = objectiveIds.get(ref) ?? (await byRef<ObjectiveRow>(objectiveRepo, objectivesTable.ref, ref))?.id;
        if (!id) throw AppError.validation([`${path}.objectives[${i}]: no objective has the ref "${ref}"`]);
        out.push(id);
      }
      return out;
    };
    const want = {
      name: k.name,
      description: k.description ?? "",
      unit: k.unit ?? "number",
      currency: k.currency ?? null,
      healthyMin: dec(k.healthyMin),
      healthyMax: dec(k.healthyMax),
      ownerIds: await peopleIds(k.owners, `${path}.owners`),
      teamId: k.team === undefined ? null : teamByName(nameOf(k.team), `${path}.team`).id,
      objectiveIds: await objectiveIdsOf(k.objectives ?? []),
    };
    const [row] = await kpiRepo.list(tx, scope, eq(kpisTable.name, k.name));
    let id: string;
    if (!row) {
      id = (await namingPath(path, () => createKpi(inner, actor, want))).id;
      changes.push({ action: "create", objectType: "kpi", name: k.name });
    } else {
      id = row.id;
      const have = {
        ...pick(row, Object.keys(want)),
        healthyMin: row.healthyMin === null ? null : storedDec(row.healthyMin),
        healthyMax: row.healthyMax === null ? null : storedDec(row.healthyMax),
      };
      const d = diff(have, want, (f, v) => shown(f, v));
      if (d.fields.length) {
        await namingPath(path, () => updateKpi(inner, actor, id, d.patch));
        changes.push({ action: "update", objectType: "kpi", name: k.name, fields: d.fields });
      }
    }
    const have = new Set((await kpiValueRepo.forKpis(tx, scope, [id])).map((v) => v.at.getTime()));
    const values = (k.values ?? [])
      .map((v) => ({ ...v, at: new Date(instantMs(v.at)).toISOString() }))
      .filter((v) => !have.has(Date.parse(v.at)) && have.add(Date.parse(v.at)))
      .map((v) => ({ at: v.at, value: dec(v.value), ...(v.note !== undefined && { note: v.note }) }));
    if (values.length) {
      const added = await namingPath(`${path}.values`, () => recordKpiHistory(inner, actor, id, values));
      changes.push({
        action: "create",
        objectType: "kpiValues",
        name: k.name,
        note: `${added} reading${added === 1 ? "" : "s"}`,
      });
    }
  }

  /** A person named as the author of history: the caller, or anyone when the caller is an admin. */
  async function byWhom(email: string, path: string, what: string): Promise<string> {
    const id = await personId(email, path);
    if (id !== actor.userId && actor.role !== "owner" && actor.role !== "admin") {
      throw AppError.validation([
        `${path}: only admins may ${what} in someone else's name; leave by out or give your own email`,
      ]);
    }
    return id;
  }

  async function pruneChildren(o: ObjectiveFile, path: string, objectiveId: string): Promise<void> {
    const keep = new Set((o.keyResults ?? []).map((k) => k.ref));
    for (const k of await graphQueries.keyResultsOf(tx, scope, [objectiveId])) {
      if (k.ref === null || keep.has(k.ref)) continue;
      await namingPath(`${path}.keyResults`, () => deleteKeyResult(inner, actor, k.id));
      changes.push({ action: "delete", objectType: "keyResult", name: k.ref, note: k.title });
    }
    const keepWork = new Set((o.initiatives ?? []).map((n) => n.ref));
    for (const n of await initiativeRepo.list(tx, scope, eq(initiativesTable.objectiveId, objectiveId))) {
      if (n.ref === null || keepWork.has(n.ref)) continue;
      await namingPath(`${path}.initiatives`, () => deleteInitiative(inner, actor, n.id));
      changes.push({ action: "delete", objectType: "initiative", name: n.ref, note: n.title });
    }
  }

  /** The parent a ref names: an objective or key result of the file, else of the organisation. */
  async function parentOf(ref: string, path: string): Promise<{ type: "objective" | "keyResult"; id: string }> {
    const inFileObjective = objectiveIds.get(ref);
    if (inFileObjective) return { type: "objective", id: inFileObjective };
    const inFileKr = krIds.get(ref);
    if (inFileKr) return { type: "keyResult", id: inFileKr };
    const o = await byRef<ObjectiveRow>(objectiveRepo, objectivesTable.ref, ref);
    const k = await byRef<KeyResultRow>(keyResultRepo, keyResultsTable.ref, ref);
    if (o && k)
      throw AppError.validation([`${path}: "${ref}" names both an objective and a key result; rename one of them`]);
    if (o) return { type: "objective", id: o.id };
    if (k) return { type: "keyResult", id: k.id };
    throw AppError.validation([`${path}: no objective or key result has the ref "${ref}"`]);
  }

  async function applyAlignments(
    childType: "objective" | "keyResult",
    childId: string,
    list: NonNullable<ObjectiveFile["alignedTo"]>,
    path: string,
    childRef: string,
  ): Promise<void> {
    const existing: AlignmentRow[] = await graphQueries.alignmentsAt(tx, scope, "child", {
      objective: childType === "objective" ? [childId] : [],
      keyResult: childType === "keyResult" ? [childId] : [],
    });
    const wanted = new Set<string>();
    for (const [i, a] of list.entries()) {
      const { ref, weight, contributes } = alignmentOf(a);
      const parent = await parentOf(ref, `${path}[${i}]`);
      wanted.add(`${parent.type}:${parent.id}`);
      const row = existing.find((e) => e.parentType === parent.type && e.parentId === parent.id);
      const name = `${childRef} → ${ref}`;
      if (!row) {
        await namingPath(`${path}[${i}]`, () =>
          createAlignment(inner, actor, {
            childType,
            childId,
            parentType: parent.type,
            parentId: parent.id,
            weight,
            contributes,
          }),
        );
        changes.push({ action: "create", objectType: "alignment", name });
      } else if (row.state !== "pending") {
        const d = diff({ weight: Number(row.weight), contributes: row.contributes }, { weight, contributes });
        if (d.fields.length) {
          await namingPath(`${path}[${i}]`, () => updateAlignment(inner, actor, row.id, d.patch));
          changes.push({ action: "update", objectType: "alignment", name, fields: d.fields });
        }
      }
    }
    for (const e of existing) {
      if (wanted.has(`${e.parentType}:${e.parentId}`)) continue;
      await namingPath(path, () => deleteAlignment(inner, actor, e.id));
      changes.push({
        action: "delete",
        objectType: "alignment",
        name: `${childRef} → ${await refById(e.parentType, e.parentId)}`,
      });
    }
  }

  async function refById(type: string, id: string): Promise<string> {
    const row =
      type === "objective" ? await objectiveRepo.find(tx, scope, id) : await keyResultRepo.find(tx, scope, id);
    return row ? refOf(row) : id;
  }

  function shown(field: string, v: unknown): string {
    if (field === "periodId") return text(periods.find((p) => p.id === v)?.name ?? v);
    if (field === "teamId") return text(teams.find((t) => t.id === v)?.name ?? v);
    if (field === "keyResultId") return text([...krIds.entries()].find(([, id]) => id === v)?.[0] ?? v);
    if ((field === "ownerIds" || field === "delegateIds") && Array.isArray(v)) {
      const emails = new Map([...userIds.entries()].map(([e, id]) => [id, e]));
      return text(v.map((id) => emails.get(String(id)) ?? id));
    }
    return text(v);
  }
}

function pick<T extends object>(row: T, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = (row as Record<string, unknown>)[k];
  return out;
}

const OBJECT_WORDS: Record<FileChange["objectType"], string> = {
  period: "period",
  person: "person",
  team: "team",
  objective: "objective",
  keyResult: "key result",
  initiative: "initiative",
  alignment: "alignment",
  checkIns: "check-ins of key result",
  kpi: "KPI",
  kpiValues: "readings of KPI",
};

/** A change in words, one line per change and one more per changed field. */
export function describeChange(c: FileChange): string {
  const sign = c.action === "create" ? "+" : c.action === "delete" ? "-" : "~";
  const verb = c.objectType === "checkIns" || c.objectType === "kpiValues" ? "add" : c.action;
  const head = `${sign} ${verb} ${OBJECT_WORDS[c.objectType]} ${c.name}${c.note ? ` (${c.note})` : ""}`;
  const fields = (c.fields ?? []).map((f) => `    ${f.field}: ${f.from} → ${f.to}`);
  return [head, ...fields].join("\n");
}
