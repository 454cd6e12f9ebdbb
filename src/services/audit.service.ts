/**
 * The audit trail: every change with who, when, what, before and after. Admins browse,
 * filter and export it; everyone sees the history of an objective they may see.
 */
import { stringify } from "csv-stringify/sync";
import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Executor } from "../db/database.js";
import type { OrgScope } from "../db/org-scope.js";
import {
  type AuditFilter,
  type AuditRow,
  auditRepo,
  historyQueries,
  initiativeRepo,
  objectiveRepo,
  userRepo,
} from "../db/repositories.js";
import { initiatives as initiativesTable } from "../db/schema.js";
import type { ObjectiveFacts } from "../domain/access.js";
import { AppError } from "../domain/errors.js";
import { neutraliseCell } from "../domain/spreadsheet-cell.js";
import { type AuditNaming, nameAuditPage } from "./audit-names.js";
import { type Actor, type Reader, read, type Services } from "./context.js";
import { maskSourceUrl } from "./data-source.js";
import { decodeCursor, encodeCursor } from "./pagination.js";
import { InstantSchema, parseInput } from "./schemas.js";

export const AuditQuerySchema = z.object({
  objectType: z.string().max(50).optional(),
  objectId: z.string().max(100).optional(),
  actorId: z.string().max(100).optional(),
  action: z.string().max(100).optional(),
  from: InstantSchema.optional(),
  to: InstantSchema.optional(),
  order: z.enum(["asc", "desc"]).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
  cursor: z.string().max(200).optional(),
});

export const AuditExportQuerySchema = AuditQuerySchema.omit({ limit: true, cursor: true }).extend({
  format: z.enum(["csv", "json"]).optional(),
});

export interface AuditEntry extends AuditNaming {
  id: string;
  actorId: string | null;
  actorName: string | null;
  at: string;
  action: string;
  objectType: string;
  objectId: string;
  before: unknown;
  after: unknown;
}

/** Secrets that must never be shown back, even to admins (they are hashes anyway). */
const SECRET_KEYS = new Set(["passwordHash", "tokenHash", "clientSecret", "codeHash", "csrfToken"]);

function scrub(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(scrub);
  if (v && typeof v === "object") {
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>)
        .filter(([k]) => !SECRET_KEYS.has(k))
        .map(([k, x]) => [k, scrub(x)]),
    );
  }
  return v;
}

/**
 * A key result's data source with its URL as `maskSourceUrl` shows it (the query string often
 * holds a key), wherever one appears in a snapshot: for readers of a history who may not edit.
 */
function withSourcesMasked(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withSourcesMasked);
  if (!v || typeof v !== "object") return v;
  return Object.fromEntries(
    Object.entries(v as Record<string, unknown>).map(([k, x]) => {
      if (k === "source" && x && typeof x === "object" && typeof (x as { url?: unknown }).url === "string") {
        return [k, { ...x, url: maskSourceUrl((x as { url: string }).url) }];
      }
      return [k, withSourcesMasked(x)];
    }),
  );
}

/** Drops, from a deletion snapshot, the alignments that touch something the reader may not see. */
function withoutHiddenEdges(v: unknown, hidden: ReadonlySet<string>): unknown {
  if (!hidden.size || !v || typeof v !== "object" || !("alignments" in v)) return v;
  const edges = (v as { alignments: unknown }).alignments;
  if (!Array.isArray(edges)) return v;
  return {
    ...v,
    alignments: edges.filter((e: { childId?: string; parentId?: string }) => {
      return !hidden.has(e.childId ?? "") && !hidden.has(e.parentId ?? "");
    }),
  };
}

/** An alignment's snapshot without the id of an end the reader may not know (`AuditRef.hidden`). */
function withEndsMasked(v: unknown, masked: ReadonlySet<string>): unknown {
  if (!masked.size || !v || typeof v !== "object" || Array.isArray(v)) return v;
  const a = v as { childId?: unknown; parentId?: unknown };
  return {
    ...v,
    ...(typeof a.childId === "string" && masked.has(a.childId) && { childId: null }),
    ...(typeof a.parentId === "string" && masked.has(a.parentId) && { parentId: null }),
  };
}

/** The names of these rows' actors (an export's: the rows are too many to name every object). */
async function actorNames(ex: Executor, scope: OrgScope, rows: readonly AuditRow[]) {
  const actorIds = [...new Set(rows.map((r) => r.actorId).filter((id): id is string => id !== null))];
  return new Map((await userRepo.listByIds(ex, scope, actorIds)).map((u) => [u.id, u.name]));
}

function entryOf(
  r: AuditRow,
  people: ReadonlyMap<string, string>,
  shown: (v: unknown) => unknown,
): Omit<AuditEntry, keyof AuditNaming> {
  return {
    id: String(r.id),
    actorId: r.actorId,
    actorName: r.actorId ? (people.get(r.actorId) ?? null) : null,
    at: r.at.toISOString(),
    action: r.action,
    objectType: r.objectType,
    objectId: r.objectId,
    before: shown(r.before),
    after: shown(r.after),
  };
}

/**
 * A page of rows as the reader sees it, each object named (`nameAuditPage`). `sees`: whether the
 * reader may see a private objective (null for admins, who see them all); `maskSources`: whether
 * data sources' URLs are shown masked (to readers who are not admins).
 */
async function present(
  r: Reader,
  rows: AuditRow[],
  sees: ((o: ObjectiveFacts) => boolean) | null,
  maskSources = false,
): Promise<AuditEntry[]> {
  // The page costs what it shows: one read per kind of object named on it.
  const { names, people, masked } = await nameAuditPage(r.ex, r.scope, r.org, rows, sees);
  return rows.map((row, i) => {
    const shown = (v: unknown) => {
      const ends = row.objectType === "alignment" ? withEndsMasked(v, masked) : v;
      const visible = scrub(withoutHiddenEdges(ends, masked));
      return maskSources ? withSourcesMasked(visible) : visible;
    };
    return { ...entryOf(row, people, shown), ...(names[i] as AuditNaming) };
  });
}

function filterOf(q: z.output<typeof AuditExportQuerySchema>): Omit<AuditFilter, "limit"> {
  if (q.from && q.to && Date.parse(q.to) <= Date.parse(q.from)) {
    throw AppError.validation(["to: must be after from"]);
  }
  return {
    objectType: q.objectType,
    objectId: q.objectId,
    actorId: q.actorId,
    action: q.action,
    from: q.from ? new Date(q.from) : undefined,
    to: q.to ? new Date(q.to) : undefined,
    order: q.order,
  };
}

/** The event id a cursor continues after (event ids are positive integers). */
function auditCursor(cursor: string | undefined): number | undefined {
  if (!cursor) return undefined;
  const id = Number(decodeCursor(cursor));
  if (!Number.isSafeInteger(id) || id < 0) {
    throw AppError.validation(["cursor: is not a cursor this API gave out; pass nextCursor unchanged"]);
  }
  return id;
}

/** The audit trail, filtered (object, person, action or its prefix, time range), oldest first unless `order=desc`. */
export async function listAudit(svc: Services, actor: Actor, query: unknown) {
  const q = parseInput(AuditQuerySchema, query, "query");
  return read(svc, actor, async (r) => {
    const { ex, scope } = r;
    const limit = q.limit ?? 100;
    const afterId = auditCursor(q.cursor);
    const rows = await auditRepo.list(ex, scope, { ...filterOf(q), afterId, limit: limit + 1 });
    // Only admins read the trail (the route's permission): they see every objective.
    const items = await present(r, rows.slice(0, limit), null);
    const last = items.at(-1);
    return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null };
  });
}

/** Most events one export holds (a larger trail is exported in time ranges). */
export const EXPORT_LIMIT = 100_000;

const EXPORT_COLUMNS = ["at", "actor", "actorId", "action", "objectType", "objectId", "before", "after"];

/**
 * The filtered trail as CSV (one row per change, before/after as JSON) or JSON. In the CSV every
 * text cell is quoted and neutralised against formula injection (`neutraliseCell`): quoting keeps
 * a `;` or `,` inside a name from starting a new cell in a spreadsheet that splits on it.
 */
export async function exportAudit(svc: Services, actor: Actor, query: unknown) {
  const q = parseInput(AuditExportQuerySchema, query, "query");
  return read(svc, actor, async ({ ex, scope }) => {
    const events = await auditRepo.list(ex, scope, { ...filterOf(q), limit: EXPORT_LIMIT });
    const people = await actorNames(ex, scope, events);
    const items = events.map((row) => entryOf(row, people, scrub));
    if (q.format === "json") return { contentType: "application/json", body: JSON.stringify(items) };
    const rows = stringify(
      items.map((e) =>
        [
          e.at,
          e.actorName,
          e.actorId,
          e.action,
          e.objectType,
          e.objectId,
          e.before === null ? "" : JSON.stringify(e.before),
          e.after === null ? "" : JSON.stringify(e.after),
        ].map((cell) => neutraliseCell(cell)),
      ),
      { quoted_string: true },
    );
    return { contentType: "text/csv; charset=utf-8", body: `${EXPORT_COLUMNS.join(",")}\n${rows}` };
  });
}

/**
 * An objective's history: the events of the objective, its key results, their check-ins,
 * its initiatives and alignments, newest first — for anyone who may see the objective.
 */
export async function objectiveHistory(svc: Services, actor: Actor, id: string, query: unknown) {
  const q = parseInput(AuditQuerySchema.pick({ limit: true, cursor: true }), query, "query");
  return read(svc, actor, async (r) => {
    const { ex, scope, guard } = r;
    const o = await objectiveRepo.get(ex, scope, id);
    await guard.assertVisible(o);
    const krIds = await historyQueries.keyResultIds(ex, scope, id);
    const checkInIds = await historyQueries.checkInIds(ex, scope, krIds);
    const initiatives = await initiativeRepo.list(ex, scope, eq(initiativesTable.objectiveId, id));
    const mine = [id, ...krIds];
    // Links to objectives this reader may not see stay in the history without the other end's id
    // or title, whether that objective still exists or not (`nameAuditPage` masks them).
    const alignments = await historyQueries.alignmentEvents(ex, scope, mine);
    const limit = q.limit ?? 100;
    const afterId = auditCursor(q.cursor);
    const objectIds = [...mine, ...checkInIds, ...initiatives.map((i) => i.id), ...alignments.map((a) => a.objectId)];
    // By time: seeded history (the demo's) is recorded after the fact, with its own times.
    const rows = await auditRepo.list(ex, scope, { objectIds, order: "desc", byTime: true, afterId, limit: limit + 1 });
    // The history is open to every reader of the objective; the full source URLs only to admins.
    const sees = guard.isAdmin ? null : await guard.seer();
    const items = await present(r, rows.slice(0, limit), sees, !guard.isAdmin);
    const last = items.at(-1);
    return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null };
  });
}
