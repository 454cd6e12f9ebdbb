/**
 * Check-ins: dated updates of one key result. Append-only history: an edit or a delete
 * keeps the earlier version as a revision. Each write recomputes the roll-ups.
 */
import { randomUUID } from "node:crypto";
import {
  type CheckInRecord,
  type CheckInRow,
  checkInQueries,
  checkInRepo,
  type KeyResultRow,
  keyResultRepo,
  type ObjectiveRow,
  objectiveRepo,
} from "../db/repositories.js";
import { AppError } from "../domain/errors.js";
import { forbidden } from "./access.js";
import {
  type Actor,
  checkVersion,
  mutate,
  read,
  type Services,
  type Transaction,
  type Write,
  type WriteOptions,
} from "./context.js";
import { keyResultSpan, objectiveSpan } from "./evaluation.js";
import { notifyFollowers } from "./follow.service.js";
import { assertOpen } from "./okr.service.js";
import { decodeCursor, encodeCursor, type Page } from "./pagination.js";
import { assertPeriodOpen } from "./period-guard.js";
import { presentCheckIn } from "./presenters.js";
import {
  CheckInCreateSchema,
  CheckInUpdateSchema,
  InstantSchema,
  PageQuerySchema,
  parseEach,
  parseInput,
} from "./schemas.js";

export type CheckInView = ReturnType<typeof presentCheckIn>;

/** How far in the future a check-in may be dated (clock skew between client and server). */
const FUTURE_TOLERANCE_MS = 60_000;

/**
 * The key result to check in on, if it is open and `authorize` lets the caller, with the
 * earliest instant a check-in on it may be dated: its start (its own or its objective's
 * period's) less the organisation's `checkInGraceDays`.
 */
async function openKeyResult(
  w: Transaction,
  id: string,
  authorize: (kr: KeyResultRow, o: ObjectiveRow) => Promise<void>,
): Promise<{ kr: KeyResultRow; earliestMs: number | null }> {
  // Under a chain lock the key result and its objective were just read, locked: no second read.
  const kr = w.locked?.keyResults.find((k) => k.id === id) ?? (await keyResultRepo.get(w.tx, w.scope, id));
  const o =
    w.locked?.objectives.find((x) => x.id === kr.objectiveId) ??
    (await objectiveRepo.get(w.tx, w.scope, kr.objectiveId));
  return openedBy(w, kr, o, authorize);
}

/** `kr` once `authorize` let the caller and it is open, with the earliest instant a check-in on it may be dated. */
async function openedBy(
  w: Transaction,
  kr: KeyResultRow,
  o: ObjectiveRow,
  authorize: (kr: KeyResultRow, o: ObjectiveRow) => Promise<void>,
): Promise<{ kr: KeyResultRow; earliestMs: number | null }> {
  await authorize(kr, o);
  // Every way a check-in arrives or changes (by hand, a token, a data source, an import, an edit)
  // passes here; the period first, as reopening the objective alone is refused while it is closed.
  assertPeriodOpen(w.ctx.periods.get(o.periodId), `the key result "${kr.title}" takes no check-ins or changes to them`);
  assertOpen(o, "checked in on");
  if (kr.closed) throw new AppError("CLOSED", `The key result "${kr.title}" is closed; reopen its objective first.`);
  const span = keyResultSpan(kr, objectiveSpan(o, w.ctx), w.ctx);
  return { kr, earliestMs: span ? span.startMs - w.ctx.settings.checkInGraceDays * DAY_MS : null };
}

/** Who may check in (owners, delegates, admins), or, for a key result's own token, edit it. */
const mayCheckIn = (w: Write, purpose: "checkIn" | "token") => (kr: KeyResultRow, o: ObjectiveRow) =>
  // A key result's own token acts for its creator while they may still edit the key result.
  purpose === "token" ? w.guard.assertCanEditKeyResult(kr, o) : w.guard.assertCanCheckIn(kr, o);
/** Who may change a check-in's key result's check-ins (the author rule is checked apart): those who see it. */
const maySee = (w: Write, checkInId: string) => (_kr: KeyResultRow, o: ObjectiveRow) =>
  w.guard.assertVisible(o, "check-in", checkInId);

const DAY_MS = 86_400_000;

function checkValues(
  { kr, earliestMs }: { kr: KeyResultRow; earliestMs: number | null },
  c: { value: string | null; achieved: boolean | null; atMs: number },
  nowMs: number,
): void {
  const problems: string[] = [];
  if (kr.progressMode === "rollup") {
    problems.push(
      `keyResultId: "${kr.title}" takes its progress from the items aligned to it; check in on those, or set progressOverride on it`,
    );
  } else if (kr.type === "milestone") {
    if (c.achieved === null) problems.push("achieved: is required for a milestone key result (true or false)");
  } else if (c.value === null) {
    problems.push("value: is required (the key result's new value)");
  }
  if (c.atMs > nowMs + FUTURE_TOLERANCE_MS) {
    problems.push("at: must not be in the future; a check-in records a value as it stands now or stood earlier");
  }
  if (earliestMs !== null && c.atMs < earliestMs) {
    problems.push(
      `at: must be on or after ${new Date(earliestMs).toISOString()}, the key result's start less the organisation's check-in grace (checkInGraceDays in settings); date it within the key result's period, or change its start date`,
    );
  }
  if (problems.length) throw AppError.validation(problems);
}

/** A check-in's value in words for a notice: "55 %", "1200 EUR", "achieved". */
function checkInValueText(kr: KeyResultRow, value: string | null, achieved: boolean | null): string {
  if (achieved !== null && value === null) return achieved ? "achieved" : "not achieved yet";
  if (kr.unit === "percent") return `${value} %`;
  if (kr.unit === "currency" && kr.currency) return `${value} ${kr.currency}`;
  return `${value}`;
}

const CheckInListQuery = PageQuerySchema.extend({ asOf: InstantSchema.optional() });

/** A key result's check-ins, newest first (up to `asOf` when given). */
export async function listCheckIns(
  svc: Services,
  actor: Actor,
  keyResultId: string,
  query: unknown,
): Promise<Page<CheckInView>> {
  const q = parseInput(CheckInListQuery, query, "query");
  return read(svc, actor, async ({ ex, scope, guard }) => {
    const kr = await keyResultRepo.get(ex, scope, keyResultId);
    await guard.assertVisible(await objectiveRepo.get(ex, scope, kr.objectiveId), "key result", keyResultId);
    let after: { at: Date; id: string } | null = null;
    if (q.cursor) {
      const [atIso, id] = decodeCursor(q.cursor).split("|");
      if (!atIso || !id || Number.isNaN(Date.parse(atIso))) {
        throw AppError.validation(["cursor: is not a cursor this API gave out; pass nextCursor unchanged"]);
      }
      after = { at: new Date(atIso), id };
    }
    if (q.asOf) {
      const asOf = new Date(q.asOf);
      // Everything dated at or before asOf: (at, id) < (asOf, the largest uuid).
      if (!after || after.at > asOf) after = { at: asOf, id: "ffffffff-ffff-ffff-ffff-ffffffffffff" };
    }
    const limit = q.limit ?? 100;
    const rows = await checkInQueries.page(ex, scope, keyResultId, limit + 1, after);
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return {
      items: items.map(presentCheckIn),
      nextCursor: rows.length > limit && last ? encodeCursor(`${last.at.toISOString()}|${last.id}`) : null,
    };
  });
}

/** How a check-in arrived when not by its author's own hand: a key result's check-in token. */
export interface CheckInMeans {
  keyResultToken: { id: string; name: string };
}

/**
 * Records a check-in on a key result by the caller (its owners, delegates, admins), or, with
 * `means`, by a key result's own token acting for its creator (who must still be able to edit
 * the key result; the audit trail names the token). Throws VALIDATION for a value that does
 * not fit the key result, CLOSED for a closed one, FORBIDDEN / NOT_FOUND for a caller who may
 * not.
 */
export async function createCheckIn(
  svc: Services,
  actor: Actor,
  keyResultId: string,
  body: unknown,
  means?: CheckInMeans,
): Promise<CheckInView> {
  const input = parseInput(CheckInCreateSchema, body);
  return mutate(
    svc,
    actor,
    async (w) => {
      const open = await openKeyResult(w, keyResultId, mayCheckIn(w, means ? "token" : "checkIn"));
      const atMs = input.at ? Date.parse(input.at) : w.nowMs;
      const value = input.value ?? null;
      const achieved = input.achieved ?? null;
      checkValues(open, { value, achieved, atMs }, w.nowMs);
      // The history its figures come from and the followers its notice goes to, read under the chain's locks.
      const basis = w.checkInBasis ?? (await checkInQueries.basisFor(w.tx, w.scope, keyResultId));
      const row: CheckInRow = {
        id: randomUUID(),
        orgId: w.scope.orgId,
        keyResultId,
        value,
        achieved,
        status: input.status ?? null,
        confidence: input.confidence ?? null,
        note: input.note ?? "",
        authorId: w.actor.userId,
        at: new Date(atMs),
        version: 1,
        createdAt: new Date(w.nowMs),
        updatedAt: new Date(w.nowMs),
        deletedAt: null,
      };
      await checkInQueries.insert(w.tx, w.scope, row);
      w.touch([keyResultId], {}, new Map([[keyResultId, historyWith(basis.history, row)]]));
      const view = presentCheckIn(row);
      await w.audit("checkIn.created", "checkIn", row.id, null, means ? { ...view, via: means } : view);
      await notifyFollowers(
        svc,
        w,
        w.actor.userId,
        open.kr.objectiveId,
        {
          title: `New check-in on "${open.kr.title}": ${checkInValueText(open.kr, value, achieved)}`,
          ...(row.note && { body: row.note }),
          link: `/key-results/${keyResultId}`,
          objectType: "checkIn",
          objectId: row.id,
        },
        basis.followers,
      );
      return view;
    },
    { figuresOf: [keyResultId], checkIn: true },
  );
}

/** A key result's history with a new check-in in its place (`checkInOrder`: date, then recording, then id). */
function historyWith(history: readonly CheckInRecord[], added: CheckInRecord): CheckInRecord[] {
  return [...history, added].sort(
    (a, b) =>
      a.at.getTime() - b.at.getTime() ||
      a.createdAt.getTime() - b.createdAt.getTime() ||
      // uuids compare as their lowercase text.
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

/** One check-in of a recorded history: `createCheckIn`'s body (with its `at`) and who made it. */
export interface HistoryCheckIn {
  body: Record<string, unknown>;
  /** The author (default: the caller); only an admin records check-ins in others' names. */
  authorId?: string | undefined;
}

/**
 * Records past check-ins of key results in bulk (an OKR file's history, the demo): each is
 * checked as `createCheckIn` checks it and stamped as made at its `at`; one insert per
 * thousand, one audit row per check-in, the figures recomputed once. Followers are not told
 * about the past. A problem names its item (`[2][5].value: …`: the third key result's sixth
 * check-in). Returns the number recorded per key result.
 *
 * The audit trail (and so an objective's activity) names the caller, now, for each: they
 * recorded it. With `asAuthored` (seeded history no one recorded: the demo) it names each
 * check-in's author at its own time instead, oldest first.
 */
export async function recordCheckInHistory(
  svc: Services,
  actor: Actor,
  items: readonly { keyResultId: string; history: readonly HistoryCheckIn[] }[],
  options: { asAuthored?: boolean | undefined } = {},
): Promise<number[]> {
  const parsed = items.map((item, i) => {
    try {
      return parseEach(
        CheckInCreateSchema,
        item.history.map((h) => h.body),
      );
    } catch (err) {
      throw prefixed(err, `[${i}]`);
    }
  });
  const others = items.some((item) => item.history.some((h) => h.authorId && h.authorId !== actor.userId));
  if (others && actor.role !== "owner" && actor.role !== "admin") {
    throw forbidden("Only admins may record check-ins in someone else's name.");
  }
  const ids = [...new Set(items.map((i) => i.keyResultId))];
  return mutate(
    svc,
    actor,
    async (w) => {
      const krs = new Map((await keyResultRepo.listByIds(w.tx, w.scope, ids)).map((k) => [k.id, k]));
      const objectives = new Map(
        (
          await objectiveRepo.listByIds(
            w.tx,
            w.scope,
            [...krs.values()].map((k) => k.objectiveId),
          )
        ).map((o) => [o.id, o]),
      );
      const rows: Parameters<typeof checkInRepo.insertMany>[2][number][] = [];
      for (const [i, item] of items.entries()) {
        const kr = krs.get(item.keyResultId);
        const o = kr && objectives.get(kr.objectiveId);
        if (!kr || !o) throw new AppError("NOT_FOUND", `[${i}]: no key result has the id ${item.keyResultId}`);
        const open = await openedBy(w, kr, o, mayCheckIn(w, "checkIn"));
        for (const [j, input] of parsed[i]!.entries()) {
          const atMs = input.at ? Date.parse(input.at) : w.nowMs;
          const value = input.value ?? null;
          const achieved = input.achieved ?? null;
          try {
            checkValues(open, { value, achieved, atMs }, w.nowMs);
          } catch (err) {
            throw prefixed(err, `[${i}][${j}]`);
          }
          const at = new Date(atMs);
          rows.push({
            keyResultId: kr.id,
            value,
            achieved,
            status: input.status ?? null,
            confidence: input.confidence ?? null,
            note: input.note ?? "",
            authorId: item.history[j]!.authorId ?? w.actor.userId,
            at,
            createdAt: at,
            updatedAt: at,
          });
        }
      }
      const stored = await checkInRepo.insertMany(w.tx, w.scope, rows);
      w.touch(ids);
      const audited = stored.map((r) => ({
        action: "checkIn.created",
        objectType: "checkIn",
        objectId: r.id,
        before: null,
        after: presentCheckIn(r),
        ...(options.asAuthored && { actorId: r.authorId, at: r.at }),
      }));
      // Seeded history reads in time order, as it would have been recorded.
      if (options.asAuthored) audited.sort((a, b) => a.after.at.localeCompare(b.after.at));
      await w.auditMany(audited);
      return items.map((item) => item.history.length);
    },
    { figuresOf: ids },
  );
}

/** A validation problem with its place in a list put in front (`[2]` + `.value: …`). */
function prefixed(err: unknown, place: string): unknown {
  if (err instanceof AppError && err.code === "VALIDATION" && Array.isArray(err.details)) {
    return AppError.validation((err.details as string[]).map((d) => `${place}${d.startsWith("[") ? "" : "."}${d}`));
  }
  return err;
}

/**
 * Records a check-in no person made — the value a key result's data source answered — inside
 * a write opened with `figuresOf: [keyResultId]` and no actor. The same rules as a person's
 * check-in (an open key result checked in by hand, dated now); no author, and the audit trail
 * says where the value came from (`via`). Followers are not told: a source may move hourly.
 * Throws VALIDATION, CLOSED or NOT_FOUND like `createCheckIn`.
 */
export async function recordSourcedCheckIn(
  t: Transaction,
  keyResultId: string,
  value: string,
  note: string,
  via: Record<string, unknown>,
): Promise<CheckInView> {
  const open = await openKeyResult(t, keyResultId, async () => {});
  checkValues(open, { value, achieved: null, atMs: t.nowMs }, t.nowMs);
  const row = await checkInRepo.insert(t.tx, t.scope, {
    keyResultId,
    value,
    achieved: null,
    status: null,
    confidence: null,
    note,
    authorId: null,
    at: new Date(t.nowMs),
    createdAt: new Date(t.nowMs),
    updatedAt: new Date(t.nowMs),
  });
  t.touch([keyResultId]);
  const view = presentCheckIn(row);
  await t.audit("checkIn.created", "checkIn", row.id, null, { ...view, via });
  return view;
}

/**
 * How a write of an existing check-in locks: by its key result's chain (a check-in never
 * moves to another key result), or the whole organisation when there is no such check-in
 * (the write then answers 404).
 */
async function lockFor(svc: Services, actor: Actor, checkInId: string): Promise<WriteOptions> {
  const row = await checkInRepo.find(svc.database.db, actor.scope, checkInId);
  return row ? { figuresOf: [row.keyResultId] } : {};
}

/** A check-in the caller may change: its author's, or any for admins (others: 403, hidden: 404). */
async function liveCheckIn(w: Write, id: string): Promise<CheckInRow> {
  const row = await checkInRepo.get(w.tx, w.scope, id);
  const kr = await keyResultRepo.get(w.tx, w.scope, row.keyResultId);
  await w.guard.assertVisible(await objectiveRepo.get(w.tx, w.scope, kr.objectiveId), "check-in", id);
  if (row.authorId !== w.actor.userId && !w.guard.isAdmin) {
    throw forbidden("Only the author of a check-in (or an admin) can change or delete it; add a new check-in instead.");
  }
  return row;
}

export async function updateCheckIn(
  svc: Services,
  actor: Actor,
  id: string,
  body: unknown,
  ifMatch?: number,
): Promise<CheckInView> {
  const input = parseInput(CheckInUpdateSchema, body);
  return mutate(
    svc,
    actor,
    async (w) => {
      const row = await liveCheckIn(w, id);
      await checkVersion(input.version ?? ifMatch, row, () => presentCheckIn(row));
      const open = await openKeyResult(w, row.keyResultId, maySee(w, id));
      // An edit that keeps the date is not refused for it (the key result's start may have moved since).
      const atMs = input.at ? Date.parse(input.at) : row.at.getTime();
      const value = input.value !== undefined ? input.value : row.value;
      const achieved = input.achieved !== undefined ? input.achieved : row.achieved;
      checkValues(input.at ? open : { ...open, earliestMs: null }, { value, achieved, atMs }, w.nowMs);
      await checkInQueries.addRevision(w.tx, w.scope, row, "edit", w.actor.userId);
      const { version: _v, at: _at, ...patch } = input;
      const updated = await checkInRepo.update(w.tx, w.scope, id, { ...patch, at: new Date(atMs) });
      w.touch([row.keyResultId]);
      const view = presentCheckIn(updated);
      await w.audit("checkIn.updated", "checkIn", id, presentCheckIn(row), view);
      return view;
    },
    await lockFor(svc, actor, id),
  );
}

export async function deleteCheckIn(svc: Services, actor: Actor, id: string): Promise<void> {
  await mutate(
    svc,
    actor,
    async (w) => {
      const row = await liveCheckIn(w, id);
      await openKeyResult(w, row.keyResultId, maySee(w, id));
      await checkInQueries.addRevision(w.tx, w.scope, row, "delete", w.actor.userId);
      await checkInRepo.softDelete(w.tx, w.scope, id, new Date(w.nowMs));
      w.touch([row.keyResultId]);
      await w.audit("checkIn.deleted", "checkIn", id, presentCheckIn(row), null);
    },
    await lockFor(svc, actor, id),
  );
}
