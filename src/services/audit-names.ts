/**
 * Names for a page of audit rows: each row's object in words (a title or a name, not an id) and
 * the other objects it is about (an alignment's two ends, a check-in's key result, the account a
 * token or session is for). Costs one batched read per kind of object named on the page.
 *
 * A reader who may not see a private objective (deleted or not) gets neither its id nor its
 * title, nor its key results': the reference says only that it is hidden, and the snapshots of
 * the row lose that id too. For such a reader an end that no longer exists at all (erased from
 * the trash) loses its id as well, since its visibility can no longer be checked.
 */

import { auditNameQueries } from "../db/audit-name-queries.js";
import type { Executor } from "../db/database.js";
import type { OrgScope } from "../db/org-scope.js";
import type { AuditRow } from "../db/repositories.js";
import type { ObjectiveFacts } from "../domain/access.js";

/** Another object an audit row is about. */
export interface AuditRef {
  role: "child" | "parent" | "keyResult" | "objective" | "account";
  type: string;
  /** Null when hidden from the reader, or erased and the reader may not see every objective. */
  id: string | null;
  /** Its title or name now; null when deleted, erased or hidden. */
  name: string | null;
  deleted: boolean;
  /** A private objective (or its key result) the reader may not see. */
  hidden: boolean;
}

export interface AuditNaming {
  /** The object's title or name now; for a deleted one the name the row recorded; else null. */
  objectName: string | null;
  /** The object no longer exists (in the trash, erased, or never kept). */
  objectDeleted: boolean;
  related: AuditRef[];
}

export interface NamedPage {
  /** The names of each row, in the order of the rows. */
  names: AuditNaming[];
  /** The people named on the page (actors and accounts), by id. */
  people: ReadonlyMap<string, string>;
  /** Objective and key result ids whose ids this reader must not get. */
  masked: ReadonlySet<string>;
}

type Snapshot = Record<string, unknown>;

const asSnapshot = (v: unknown): Snapshot | null =>
  v && typeof v === "object" && !Array.isArray(v) ? (v as Snapshot) : null;
const str = (v: unknown): string | null => (typeof v === "string" && v ? v : null);

/** The name a row recorded for its object (the newest snapshot's title or name). */
function recordedName(r: AuditRow): string | null {
  for (const v of [r.after, r.before]) {
    const s = asSnapshot(v);
    const name = s && (str(s.title) ?? str(s.name));
    if (name) return name;
  }
  return null;
}

/** An alignment's two ends as a snapshot holds them. */
function endsOf(v: unknown): { role: "child" | "parent"; type: string; id: string }[] {
  const s = asSnapshot(v);
  if (!s) return [];
  const out: { role: "child" | "parent"; type: string; id: string }[] = [];
  for (const role of ["child", "parent"] as const) {
    const id = str(s[`${role}Id`]);
    if (id) out.push({ role, type: str(s[`${role}Type`]) ?? "objective", id });
  }
  return out;
}

/** The edges listed in a snapshot (a deleted objective's or key result's `alignments`). */
function listedEdges(v: unknown): unknown[] {
  const s = asSnapshot(v);
  return s && Array.isArray(s.alignments) ? s.alignments : [];
}

/**
 * Names this page of rows for a reader. `sees`: whether the reader may see a private objective
 * (null: they see every objective, as admins do). `org`: the organisation, named by itself.
 */
export async function nameAuditPage(
  ex: Executor,
  scope: OrgScope,
  org: { id: string; name: string },
  rows: readonly AuditRow[],
  sees: ((o: ObjectiveFacts) => boolean) | null,
): Promise<NamedPage> {
  const of = (type: string) => rows.filter((r) => r.objectType === type).map((r) => r.objectId);
  const snaps = (r: AuditRow) => [r.after, r.before].map(asSnapshot).filter((s): s is Snapshot => s !== null);

  // The rows that point at other rows first: check-ins, comments and sessions.
  const checkIns = new Map((await auditNameQueries.checkIns(ex, scope, of("checkIn"))).map((c) => [c.id, c]));
  const comments = new Map((await auditNameQueries.comments(ex, scope, of("comment"))).map((c) => [c.id, c]));
  const sessions = new Map((await auditNameQueries.sessions(ex, scope, of("session"))).map((c) => [c.id, c]));

  const keyResultIds = new Set(of("keyResult"));
  const objectiveIds = new Set([...of("objective"), ...of("follow")]);
  const userIds = new Set(of("user"));
  const addEnd = (type: string | null, id: unknown) => {
    if (typeof id !== "string") return;
    // An edge that does not say its ends' types may point at either.
    if (type !== "objective") keyResultIds.add(id);
    if (type !== "keyResult") objectiveIds.add(id);
  };
  for (const r of rows) {
    if (r.actorId) userIds.add(r.actorId);
    for (const s of snaps(r)) {
      if (r.objectType === "alignment") for (const e of endsOf(s)) addEnd(e.type, e.id);
      for (const edge of listedEdges(s))
        for (const e of endsOf(edge)) addEnd(str(asSnapshot(edge)?.[`${e.role}Type`]), e.id);
      if (r.objectType === "checkIn" || r.objectType === "keyResultToken") addEnd("keyResult", s.keyResultId);
      if (r.objectType === "comment") addEnd("objective", s.objectiveId);
      if (r.objectType === "token" && typeof s.userId === "string") userIds.add(s.userId);
    }
  }
  for (const c of checkIns.values()) keyResultIds.add(c.keyResultId);
  for (const c of comments.values()) objectiveIds.add(c.objectiveId);
  for (const x of sessions.values()) userIds.add(x.userId);

  const keyResults = new Map((await auditNameQueries.keyResults(ex, scope, keyResultIds)).map((k) => [k.id, k]));
  for (const k of keyResults.values()) objectiveIds.add(k.objectiveId);
  const objectives = new Map((await auditNameQueries.objectives(ex, scope, objectiveIds)).map((o) => [o.id, o]));
  const people = new Map((await auditNameQueries.users(ex, scope, userIds)).map((u) => [u.id, u.name]));
  const named = new Map<string, Map<string, { name: string; deletedAt: Date | null }>>();
  for (const [type, load] of [
    ["team", auditNameQueries.teams],
    ["period", auditNameQueries.periods],
    ["kpi", auditNameQueries.kpis],
    ["initiative", auditNameQueries.initiatives],
  ] as const) {
    const ids = of(type);
    if (ids.length) named.set(type, new Map((await load(ex, scope, ids)).map((x) => [x.id, x])));
  }

  const objectiveHidden = (id: string) => {
    const o = objectives.get(id);
    return !!o && sees !== null && o.visibility === "private" && !sees(o);
  };
  /** What the reader may know of an objective or key result: hidden, gone, or its row. */
  const node = (type: string, id: string) => {
    if (type === "keyResult") {
      const k = keyResults.get(id);
      if (!k) return { state: "gone" as const };
      const o = objectives.get(k.objectiveId);
      if (objectiveHidden(k.objectiveId)) return { state: "hidden" as const };
      // A key result whose objective was erased: its visibility can no longer be checked.
      if (!o && sees !== null) return { state: "gone" as const };
      return { state: "known" as const, name: k.name, deleted: k.deletedAt !== null || !!o?.deletedAt };
    }
    const o = objectives.get(id);
    if (!o) return { state: "gone" as const };
    if (objectiveHidden(id)) return { state: "hidden" as const };
    return { state: "known" as const, name: o.name, deleted: o.deletedAt !== null };
  };
  const masked = new Set<string>();
  const ref = (role: AuditRef["role"], type: string, id: string): AuditRef => {
    if (type === "user") {
      const name = people.get(id) ?? null;
      return { role, type, id, name, deleted: name === null, hidden: false };
    }
    const n = node(type, id);
    if (n.state === "hidden") {
      masked.add(id);
      return { role, type, id: null, name: null, deleted: false, hidden: true };
    }
    if (n.state === "gone") {
      if (sees !== null) masked.add(id);
      return { role, type, id: sees === null ? id : null, name: null, deleted: true, hidden: false };
    }
    return { role, type, id, name: n.deleted ? null : n.name, deleted: n.deleted, hidden: false };
  };

  const names = rows.map((r): AuditNaming => {
    const latest = asSnapshot(r.after) ?? asSnapshot(r.before);
    const related: AuditRef[] = [];
    const live = (name: string | null, deleted: boolean): AuditNaming => ({
      objectName: deleted ? recordedName(r) : name,
      objectDeleted: deleted,
      related,
    });
    switch (r.objectType) {
      case "objective":
      case "keyResult":
      case "follow": {
        const n = node(r.objectType === "follow" ? "objective" : r.objectType, r.objectId);
        if (n.state === "hidden") return { objectName: null, objectDeleted: false, related };
        return live(n.state === "known" ? n.name : null, n.state !== "known" || n.deleted);
      }
      case "alignment":
        for (const e of endsOf(latest)) related.push(ref(e.role, e.type, e.id));
        return { objectName: null, objectDeleted: false, related };
      case "checkIn": {
        const c = checkIns.get(r.objectId);
        const kr = c?.keyResultId ?? str(latest?.keyResultId);
        if (kr) related.push(ref("keyResult", "keyResult", kr));
        return { objectName: null, objectDeleted: !c || c.deletedAt !== null, related };
      }
      case "keyResultToken": {
        const kr = str(latest?.keyResultId);
        if (kr) related.push(ref("keyResult", "keyResult", kr));
        return { objectName: recordedName(r), objectDeleted: false, related };
      }
      case "token": {
        const account = str(latest?.userId);
        if (account) related.push(ref("account", "user", account));
        return { objectName: recordedName(r), objectDeleted: false, related };
      }
      case "session": {
        const account = sessions.get(r.objectId)?.userId;
        if (account) related.push(ref("account", "user", account));
        return { objectName: null, objectDeleted: false, related };
      }
      case "comment": {
        const c = comments.get(r.objectId);
        const objective = c?.objectiveId ?? str(latest?.objectiveId);
        if (objective) related.push(ref("objective", "objective", objective));
        return { objectName: null, objectDeleted: !c || c.deletedAt !== null, related };
      }
      case "user": {
        const name = people.get(r.objectId);
        return live(name ?? null, name === undefined);
      }
      case "organization":
        return r.objectId === org.id ? live(org.name, false) : live(null, true);
      default: {
        const table = named.get(r.objectType);
        if (!table) return { objectName: recordedName(r), objectDeleted: false, related };
        const x = table.get(r.objectId);
        return live(x?.name ?? null, !x || x.deletedAt !== null);
      }
    }
  });
  // Edges listed in snapshots: their hidden ends are masked too (see `withoutHiddenEdges`).
  for (const r of rows) {
    for (const s of snaps(r)) {
      for (const edge of listedEdges(s)) {
        const e = asSnapshot(edge);
        for (const end of endsOf(edge)) {
          const state = node(str(e?.[`${end.role}Type`]) ?? "objective", end.id).state;
          if (state === "hidden" || (state === "gone" && sees !== null)) masked.add(end.id);
        }
      }
    }
  }
  return { names, people, masked };
}
