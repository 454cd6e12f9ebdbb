/**
 * Cursor pagination over an ordered list: the cursor is an opaque token naming the
 * last item of the previous page, so pages stay stable while items are added.
 */
import { AppError } from "../domain/errors.js";

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export const DEFAULT_LIMIT = 100;

function encode(id: string): string {
  return Buffer.from(id, "utf8").toString("base64url");
}

function decode(cursor: string): string {
  const id = Buffer.from(cursor, "base64url").toString("utf8");
  if (!id || encode(id) !== cursor) {
    throw AppError.validation([
      "cursor: is not a cursor this API gave out; pass nextCursor from the previous page unchanged",
    ]);
  }
  return id;
}

/**
 * One page of `items` (already in their final order) after the item `cursor` names.
 * An unknown cursor (its item was deleted) restarts after nothing rather than failing.
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
    start = i >= 0 ? i + 1 : 0;
  }
  const slice = items.slice(start, start + limit);
  const last = slice.at(-1);
  const more = start + limit < items.length;
  return { items: slice, nextCursor: more && last ? encode(last.id) : null };
}

/** Cursor for keyset pages computed elsewhere. */
export const encodeCursor = encode;
export const decodeCursor = decode;
