/**
 * The trash: deleted objectives, key results, check-ins, initiatives, KPIs, teams and
 * periods stay restorable by admins for 30 days, then are erased for good. Restoring an
 * objective brings back what was deleted with it (key results, initiatives, alignments).
 */
import { z } from "zod";
import { TRASH_TYPES } from "../contract/index.js";
import type { Database } from "../db/database.js";
import { instanceQueries } from "../db/instance-queries.js";
import { grantOrgScope } from "../db/org-scope.js";
import {
  type AuditRow,
  alignmentRepo,
  auditRepo,
  checkInRepo,
  initiativeRepo,
  type KeyResultRow,
  keyResultRepo,
  kpiRepo,
  objectiveRepo,
  periodRepo,
  purgeQueries,
  teamQueries,
  teamRepo,
  userRepo,
} from "../db/repositories.js";
import { type AlignmentEdge, wouldCreateCycle } from "../domain/alignment.js";
import { AppError } from "../domain/errors.js";
import { aboveParent, alreadyAligned } from "./alignment.service.js";
import { type Actor, mutate, read, type Services, type Write, writeTransaction } from "./context.js";
import { parentObjective } from "./okr.service.js";
import { parseInput } from "./schemas.js";

export const TRASH_DAYS = 30;
export const TRASH_MS = TRASH_DAYS * 86_400_000;

/** What the trash holds (the contract names them). */
export { TRASH_TYPES };
export type TrashType = (typeof TRASH_TYPES)[number];

const REPOS = {
  objective: objectiveRepo,
  keyResult: keyResultRepo,
  checkIn: checkInRepo,
  initiative: initiativeRepo,
  kpi: kpiRepo,
  team: teamRepo,
  period: periodRepo,
} as const;

export interface TrashItem {
  type: TrashType;
  id: string;
  title: string;
  deletedAt: string;
  /** When it leaves the trash for good. */
  purgeAt: string;
  deletedBy: { id: string; name: string } | null;
  /** The objective it belongs to (key results, check-ins, initiatives). */
  objectiveId: string | null;
}

const TrashQuery = z.object({ type: z.enum(TRASH_TYPES).optional() });

function titleOf(type: TrashType, row: Record<string, unknown>): string {
  if (type === "checkIn") {
    const v = row.value ?? (row.achieved === true ? "achieved" : row.achieved === false ? "not achieved" : "");
    return `Check-in ${String(v)}${row.note ? ` — ${String(row.note).slice(0, 80)}` : ""}`;
  }
  return String(row.title ?? row.name ?? "");
}

/** What is in the trash, newest deletion first; key results and initiatives deleted with their objective come back with it. */
export async function listTrash(svc: Services, actor: Actor, query: unknown) {
  const q = parseInput(TrashQuery, query, "query");
  return read(svc, actor, async ({ ex, scope, nowMs }) => {
    const since = new Date(nowMs - TRASH_MS);
    const items: TrashItem[] = [];
    for (const type of q.type ? [q.type] : TRASH_TYPES) {
      const rows = (await REPOS[type].listDeleted(ex, scope, since)) as Record<string, unknown>[];
      if (!rows.length) continue;
      // Each item's deletion (who and when), newest first: one query per type.
      const deletions = new Map<string, AuditRow>();
      const events = await auditRepo.list(ex, scope, {
        objectIds: rows.map((r) => r.id as string),
        action: `${type}.deleted`,
        order: "desc",
        limit: 100_000,
      });
      for (const e of events) if (!deletions.has(e.objectId)) deletions.set(e.objectId, e);
      const objectiveOfKr =
        type === "checkIn"
          ? new Map(
              [
                ...(await keyResultRepo.listByIds(
                  ex,
                  scope,
                  rows.map((r) => r.keyResultId as string),
                )),
                ...(await keyResultRepo.listDeleted(ex, scope, new Date(0))),
              ].map((k) => [k.id, k.objectiveId]),
            )
          : null;
      for (const row of rows) {
        const id = row.id as string;
        const deletion = deletions.get(id);
        // No deletion of its own: it went with its objective and returns with it.
        if (!deletion && (type === "keyResult" || type === "initiative")) continue;
        const deletedAt = row.deletedAt as Date;
        items.push({
          type,
          id,
          title: titleOf(type, row),
          deletedAt: deletedAt.toISOString(),
          purgeAt: new Date(deletedAt.getTime() + TRASH_MS).toISOString(),
          deletedBy: deletion?.actorId ? { id: deletion.actorId, name: deletion.actorId } : null,
          objectiveId: objectiveOfKr
            ? (objectiveOfKr.get(row.keyResultId as string) ?? null)
            : ((row.objectiveId as string | undefined) ?? null),
        });
      }
    }
    items.sort((a, b) => b.deletedAt.localeCompare(a.deletedAt) || a.id.localeCompare(b.id));
    // The names of those who deleted what is shown, and no one else's.
    const deleters = [...new Set(items.flatMap((i) => (i.deletedBy ? [i.deletedBy.id] : [])))];
    const names = new Map((await userRepo.listByIds(ex, scope, deleters)).map((u) => [u.id, u.name]));
    for (const i of items) if (i.deletedBy) i.deletedBy.name = names.get(i.deletedBy.id) ?? i.deletedBy.id;
    return { items, nextCursor: null };
  });
}

async function findInTrash(w: Write, id: string): Promise<{ type: TrashType; row: Record<string, unknown> }> {
  for (const type of TRASH_TYPES) {
    const row = (await REPOS[type].findDeleted(w.tx, w.scope, id)) as Record<string, unknown> | null;
    if (!row) continue;
    if ((row.deletedAt as Date).getTime() < w.nowMs - TRASH_MS) break;
    return { type, row };
  }
  throw new AppError(
    "NOT_FOUND",
    `Nothing with id ${JSON.stringify(id)} is in the trash (deleted items stay there for ${TRASH_DAYS} days).`,
  );
}

/** Re-creates the alignments a deletion removed, where both ends exist again and no loop or duplicate results. */
async function restoreAlignments(w: Write, edges: unknown): Promise<number> {
  if (!Array.isArray(edges)) return 0;
  let skipped = 0;
  for (const e of edges as (AlignmentEdge & { weight: string; contributes: boolean; state?: string })[]) {
    const childKr = e.childType === "keyResult" ? await keyResultRepo.find(w.tx, w.scope, e.childId) : null;
    // Both ends must be back (a KR counts when its objective is); null when gone.
    const childObjective = await parentObjective(w, e.childType, e.childId);
    const parentObj = await parentObjective(w, e.parentType, e.parentId);
    // The organisation may have since forbidden private objectives under public ones.
    const privacy =
      !w.guard.rules.privateUnderPublic &&
      childObjective?.visibility === "private" &&
      parentObj?.visibility !== "private";
    if (
      !childObjective ||
      !parentObj ||
      (await alreadyAligned(w, e)) ||
      (await loopThrough(w, e, childKr)) ||
      privacy
    ) {
      skipped++;
      continue;
    }
    await alignmentRepo.insert(w.tx, w.scope, {
      childType: e.childType,
      childId: e.childId,
      parentType: e.parentType,
      parentId: e.parentId,
      weight: e.weight ?? "1",
      contributes: e.contributes ?? true,
      state: e.state === "pending" ? "pending" : "active",
    });
  }
  return skipped;
}

/** Whether restoring `e` would close a loop, checked against what lies above its parent. */
async function loopThrough(w: Write, e: AlignmentEdge, childKr: KeyResultRow | null): Promise<boolean> {
  const { edges, krToObjective } = await aboveParent(w, e, childKr);
  return wouldCreateCycle(edges, krToObjective, e);
}

function conflict(message: string): AppError {
  return new AppError("CONFLICT", message);
}

/** Restores an item from the trash (admins), with what was deleted together with it. */
export async function restoreFromTrash(svc: Services, actor: Actor, id: string) {
  return mutate(svc, actor, async (w) => {
    const { type, row } = await findInTrash(w, id);
    const restored: string[] = [id];
    let skippedAlignments = 0;
    const deletion = await auditRepo.latest(w.tx, w.scope, id, `${type}.deleted`);
    const before = (deletion?.before ?? {}) as {
      keyResults?: { id: string }[];
      alignments?: unknown;
      initiativeIds?: string[];
    };
    switch (type) {
      case "objective": {
        if (!(await periodRepo.find(w.tx, w.scope, row.periodId as string))) {
          throw conflict("Its period is in the trash too; restore the period first.");
        }
        await objectiveRepo.restore(w.tx, w.scope, id);
        for (const kr of before.keyResults ?? []) {
          if (await keyResultRepo.findDeleted(w.tx, w.scope, kr.id)) {
            await keyResultRepo.restore(w.tx, w.scope, kr.id);
            restored.push(kr.id);
          }
        }
        for (const i of before.initiativeIds ?? []) {
          if (await initiativeRepo.findDeleted(w.tx, w.scope, i)) {
            await initiativeRepo.restore(w.tx, w.scope, i);
            restored.push(i);
          }
        }
        skippedAlignments = await restoreAlignments(w, before.alignments);
        w.touch(restored, { objective: [id] });
        break;
      }
      case "keyResult":
        if (!(await objectiveRepo.find(w.tx, w.scope, row.objectiveId as string))) {
          throw conflict("Its objective is in the trash; restore the objective instead.");
        }
        await keyResultRepo.restore(w.tx, w.scope, id);
        skippedAlignments = await restoreAlignments(w, before.alignments);
        w.touch([id]);
        break;
      case "checkIn":
        if (!(await keyResultRepo.find(w.tx, w.scope, row.keyResultId as string))) {
          throw conflict("Its key result is in the trash; restore the key result (or its objective) first.");
        }
        await checkInRepo.restore(w.tx, w.scope, id);
        w.touch([row.keyResultId as string]);
        break;
      case "initiative":
        if (!(await objectiveRepo.find(w.tx, w.scope, row.objectiveId as string))) {
          throw conflict("Its objective is in the trash; restore the objective instead.");
        }
        await initiativeRepo.restore(w.tx, w.scope, id);
        if (w.ctx.settings.initiativesCount) w.touch([], { objective: [row.objectiveId as string] });
        break;
      case "team":
      case "period": {
        const parentId = row.parentId as string | null;
        const repo = type === "team" ? teamRepo : periodRepo;
        if (parentId && !(await repo.find(w.tx, w.scope, parentId))) {
          throw conflict(`Its parent ${type} is in the trash; restore that first.`);
        }
        await repo.restore(w.tx, w.scope, id);
        if (type === "period") w.touch();
        if (type === "team") {
          // Its owners and members as they were, for those who are still here.
          const team = before as { ownerIds?: string[]; memberIds?: string[] };
          const here = new Set((await userRepo.list(w.tx, w.scope)).map((u) => u.id));
          const keep = (ids: string[] | undefined) => (ids ?? []).filter((u) => here.has(u));
          await teamQueries.setMembers(w.tx, w.scope, id, keep(team.ownerIds), keep(team.memberIds));
        }
        break;
      }
      case "kpi":
        await kpiRepo.restore(w.tx, w.scope, id);
        break;
    }
    await w.audit(`${type}.restored`, type, id, null, { restored, skippedAlignments });
    return { type, id, restored, skippedAlignments };
  });
}

/**
 * Erases everything deleted more than TRASH_DAYS ago, in every organisation: one write per
 * organisation on the one write path, so a restore running meanwhile is not cut in half.
 * Nothing is audited (what was erased had been audited when it was deleted). Returns how many
 * rows went.
 */
export async function purgeTrash(database: Database, nowMs: number): Promise<number> {
  // A job of the instance: its own clock, and nothing for live listeners to hear.
  const svc: Services = { database, now: () => nowMs, emit: () => {} };
  let n = 0;
  for (const orgId of await instanceQueries.organizationIds(database.db)) n += await purgeTrashOf(svc, orgId, nowMs);
  return n;
}

/** Erases one organisation's items deleted more than TRASH_DAYS ago (the `trash-purge` job). Returns how many rows went. */
export async function purgeTrashOf(svc: Services, orgId: string, nowMs: number): Promise<number> {
  const before = new Date(nowMs - TRASH_MS);
  return writeTransaction(svc, { scope: grantOrgScope(orgId), actorId: null }, async ({ tx, scope }) => {
    let gone = 0;
    for (const type of TRASH_TYPES) gone += await REPOS[type].purgeDeleted(tx, scope, before);
    // Nothing may point at what is gone: check-ins of erased key results, KPI links to erased objectives.
    gone += await purgeQueries.orphanCheckIns(tx, scope);
    await purgeQueries.orphanKpiLinks(tx, scope);
    return gone;
  });
}
