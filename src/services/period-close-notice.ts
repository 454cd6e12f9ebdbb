/**
 * The notice a period close sends: each owner of an objective the close scored hears once, in
 * one notice listing their objectives with their scores and, for one continued elsewhere, the
 * period its copy went to. An owner is told only of objectives (and copies) they may see.
 */
import { inArray } from "drizzle-orm";
import { type ObjectiveRow, objectiveRepo, type PeriodRow, userRepo } from "../db/repositories.js";
import { objectives as objectivesTable } from "../db/schema.js";
import { canSeeObjective, isRole } from "../domain/access.js";
import { loadPeopleGraph } from "./access.js";
import type { Services, Write } from "./context.js";
import { type NoticeInput, type NoticeItem, notify } from "./notify.service.js";

/** How many ids one `in (…)` list carries: a close of thousands of objectives reads its copies in a few statements. */
const CHUNK = 1000;

/**
 * Tells the owners of `closed` (objectives the close of `period` just scored) inside the close's
 * write: a few statements whatever the number of objectives (their copies, the people graph
 * only when something is private, the recipients, one insert). The closer is not told.
 */
export async function notifyPeriodClosed(
  svc: Services,
  w: Write,
  period: PeriodRow,
  closed: readonly ObjectiveRow[],
): Promise<void> {
  if (closed.length === 0) return;
  const copies: ObjectiveRow[] = [];
  const ids = closed.map((o) => o.id);
  for (let i = 0; i < ids.length; i += CHUNK) {
    copies.push(
      ...(await objectiveRepo.list(w.tx, w.scope, inArray(objectivesTable.continuedFrom, ids.slice(i, i + CHUNK)))),
    );
  }
  const copiesOf = new Map<string, ObjectiveRow[]>();
  for (const c of copies) {
    if (c.continuedFrom) copiesOf.set(c.continuedFrom, [...(copiesOf.get(c.continuedFrom) ?? []), c]);
  }
  const mayMiss = [...closed, ...copies].some((o) => o.visibility === "private");
  const owners = [...new Set(closed.flatMap((o) => o.ownerIds))];
  // Private objectives only: who sees them depends on the people graph, read once for everyone.
  const graph = mayMiss ? await loadPeopleGraph(w.tx, w.scope) : null;
  const roles = new Map(
    mayMiss ? (await userRepo.listByIds(w.tx, w.scope, owners)).map((u) => [u.id, u.role] as const) : [],
  );
  const sees = (userId: string, o: ObjectiveRow) => {
    if (o.visibility !== "private" || !graph) return true;
    const role = roles.get(userId) ?? "observer";
    return canSeeObjective(graph, { userId, role: isRole(role) ? role : "observer" }, o);
  };
  const itemsOf = new Map<string, NoticeItem[]>();
  for (const o of closed) {
    for (const userId of o.ownerIds) {
      if (!sees(userId, o)) continue;
      const went = (copiesOf.get(o.id) ?? []).filter((c) => sees(userId, c));
      const where = went.map((c) => w.ctx.periods.get(c.periodId)?.name).filter((n): n is string => !!n);
      const item: NoticeItem = {
        text: `"${o.title}": ${o.score === null ? "not scored" : o.score.toFixed(1)}`,
        link: `/objectives/${o.id}`,
        ...(where.length && { detail: `continued in ${where.join(", ")}` }),
      };
      itemsOf.set(userId, [...(itemsOf.get(userId) ?? []), item]);
    }
  }
  const notices: NoticeInput[] = [...itemsOf].map(([userId, items]) => ({
    userId,
    kind: "change",
    objectType: "period",
    objectId: period.id,
    // The notice lists several objectives: who may see each was settled above, item by item.
    objectiveId: null,
    title:
      items.length === 1
        ? `${period.name} was closed: your objective ${items[0]!.text}`
        : `${period.name} was closed: your ${items.length} objectives were scored`,
    body: items.map((i) => (i.detail ? `${i.text} (${i.detail})` : i.text)).join("; "),
    link: items.length === 1 ? items[0]!.link! : `/?period=${period.id}`,
    items,
  }));
  await notify(svc, w, w.actor.userId, notices);
}
