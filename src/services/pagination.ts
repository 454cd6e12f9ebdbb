/**
 * Cursor pagination. Lists read from SQL use keyset cursors: the cursor carries the list
 * it belongs to (and a fingerprint of its filters) and the sort key of the last item, so
 * the next page is `WHERE (key…, id) > (cursor…) ORDER BY key…, id LIMIT n` and a deleted
 * item does not break paging. A cursor that is not one of this list's → 400, never a
 * silent restart at page 1.
 */
import { createHash } from "node:crypto";
import { isId } from "../db/table-repository.js";
import { AppError } from "../domain/errors.js";

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export const DEFAULT_LIMIT = 100;

const NOT_OURS = "cursor: is not a cursor this API gave out; pass nextCursor from the previous page unchanged";

/** VALIDATION for a cursor this list did not give out (garbage, or another list's or filter's). */
export function badCursor(): AppError {
  return AppError.validation([NOT_OURS]);
}

function encode(id: string): string {
  return Buffer.from(id, "utf8").toString("base64url");
}

function decode(cursor: string): string {
  const id = Buffer.from(cursor, "base64url").toString("utf8");
  if (!id || encode(id) !== cursor) throw badCursor();
  return id;
}

/**
 * One page of `items` (already in their final order) after the item `cursor` names. For
 * lists small enough to hold in memory; a cursor naming no item of the list (garbage, or
 * its item is gone) is VALIDATION, never a restart at page 1.
 */
export function paginate<T extends { id: string }>(
  items: readonly T[],
  limit = DEFAULT_LIMIT,
  cursor?: string,
): Page<T> {
  let start = 0;
  if (cursor) {
    const id = decode(cursor);
    const i = items.findIndex((x) => x.id === id);
    if (i < 0) {
      throw AppError.validation([
        "cursor: names an item that is not in this list (any more); start again without a cursor",
      ]);
    }
    start = i + 1;
  }
  const slice = items.slice(start, start + limit);
  const last = slice.at(-1);
  const more = start + limit < items.length;
  return { items: slice, nextCursor: more && last ? encode(last.id) : null };
}

/** Cursor for keyset pages computed elsewhere (one string key). */
export const encodeCursor = encode;
export const decodeCursor = decode;

// ---------------------------------------------------------------- keyset cursors

/** A part of a sort key as a cursor carries it. */
export type KeyValue = string | number;
type KeyCheck<T> = (v: unknown) => v is T;

/**
 * The name a keyset cursor is bound to: the list and a fingerprint of its filters, so a
 * cursor of another list, or of the same list with other filters, is refused.
 */
export function cursorScope(list: string, filters: Record<string, unknown> = {}): string {
  const defined = Object.entries(filters)
    .filter(([, v]) => v !== undefined && v !== null && v !== "")
    .sort(([a], [b]) => (a < b ? -1 : 1));
  if (!defined.length) return list;
  const hash = createHash("sha256").update(JSON.stringify(defined)).digest("base64url").slice(0, 10);
  return `${list}~${hash}`;
}

/** The cursor naming the position after the item whose sort key is `key`. */
export function encodeKeyset(scope: string, key: readonly KeyValue[]): string {
  return Buffer.from(JSON.stringify([scope, ...key]), "utf8").toString("base64url");
}

/**
 * The sort key a keyset cursor carries; VALIDATION unless it was given out by the list
 * `scope` names and every part passes its check.
 */
export function decodeKeyset<T extends readonly KeyValue[]>(
  cursor: string,
  scope: string,
  checks: { readonly [K in keyof T]: KeyCheck<T[K]> },
): T {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw badCursor();
  }
  if (!Array.isArray(parsed) || parsed.length !== checks.length + 1 || parsed[0] !== scope) throw badCursor();
  const key = parsed.slice(1);
  if (!checks.every((check, i) => check(key[i]))) throw badCursor();
  // Only a cursor that re-encodes to itself: no padding, no trailing bytes.
  if (encodeKeyset(scope, key) !== cursor) throw badCursor();
  return key as unknown as T;
}

/** A page from `limit + 1` rows read in order: the extra row only says there is more. */
export function keysetPage<R, T>(
  rows: readonly R[],
  limit: number,
  scope: string,
  keyOf: (row: R) => readonly KeyValue[],
  present: (row: R) => T,
): Page<T> {
  const shown = rows.slice(0, limit);
  const last = shown.at(-1);
  return {
    items: shown.map(present),
    nextCursor: rows.length > limit && last ? encodeKeyset(scope, keyOf(last)) : null,
  };
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const INSTANT_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** Checks of the parts of a sort key, strict enough that a value reaching SQL is valid there. */
export const keyChecks = {
  id: isId as KeyCheck<string>,
  /** A calendar date, `YYYY-MM-DD`. */
  date: ((v: unknown): v is string =>
    typeof v === "string" &&
    DATE_RE.test(v) &&
    !Number.isNaN(Date.parse(v)) &&
    new Date(Date.parse(v)).toISOString().startsWith(v)) as KeyCheck<string>,
  /** An instant to the microsecond in UTC, as `list-queries` writes it. */
  instant: ((v: unknown): v is string =>
    typeof v === "string" &&
    INSTANT_RE.test(v) &&
    !Number.isNaN(Date.parse(v)) &&
    new Date(Date.parse(v)).toISOString().slice(0, 23) === v.slice(0, 23)) as KeyCheck<string>,
  text: ((v: unknown): v is string => typeof v === "string" && !v.includes("\u0000")) as KeyCheck<string>,
  smallInt: ((v: unknown): v is number => Number.isInteger(v) && Math.abs(v as number) < 1000) as KeyCheck<number>,
  /** A count of things passed over: a whole number, 0 or more. */
  count: ((v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0) as KeyCheck<number>,
  /** A finite number (a stored figure such as progress). */
  number: ((v: unknown): v is number => typeof v === "number" && Number.isFinite(v)) as KeyCheck<number>,
};

type CreatedKey = readonly [createdAt: string, id: string];
const CREATED_KEY = [keyChecks.instant, keyChecks.id] as const;

/** Where a row stands in a list ordered by creation (its instant to the microsecond, then id). */
export interface CreatedPlace {
  createdAt: string;
  id: string;
}

/**
 * One page of a list ordered by creation, read in SQL: the cursor (bound to `list` and its
 * `filters`) is decoded, `load` reads `limit + 1` rows after it, and `present` shows the page's
 * rows. VALIDATION for a cursor this list did not give out.
 */
export async function createdListPage<R, T>(
  list: string,
  filters: Record<string, unknown>,
  q: { limit?: number | undefined; cursor?: string | undefined },
  load: (after: CreatedPlace | null, limit: number) => Promise<{ row: R; position: CreatedPlace }[]>,
  present: (rows: R[]) => T[] | Promise<T[]>,
): Promise<Page<T>> {
  const limit = q.limit ?? DEFAULT_LIMIT;
  const scope = cursorScope(list, filters);
  const key = q.cursor ? decodeKeyset<CreatedKey>(q.cursor, scope, CREATED_KEY) : null;
  const rows = await load(key ? { createdAt: key[0], id: key[1] } : null, limit + 1);
  const shown = rows.slice(0, limit);
  const last = shown.at(-1);
  return {
    items: await present(shown.map((r) => r.row)),
    nextCursor: rows.length > limit && last ? encodeKeyset(scope, [last.position.createdAt, last.position.id]) : null,
  };
}
