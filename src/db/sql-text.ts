/**
 * Statements written as SQL text, for the few a hot path sends many of: a check-in opens its
 * write with five (the organisation's lock, its chain's locks, the chain's key results, their
 * children, the organisation and its periods). On a PostgreSQL server they go out as one
 * message (`runStatements`), one round trip instead of five, each statement still with a
 * snapshot of its own, so the reads after a lock see what the lock waited for.
 *
 * One message holding several statements is PostgreSQL's simple query protocol, which takes
 * no parameters: values are written into the text. Only ids go in, and only as checked uuid
 * literals (`uuidLiteral`); anything else is a programming error. The texts are built from
 * the schema's own column lists (`Shape`), and rows are read back through the columns' own
 * decoders, as drizzle's query builder would.
 */
import { getTableColumns, sql, type Table } from "drizzle-orm";
import type { Executor } from "./database.js";
import { isId } from "./table-repository.js";

/** A uuid as a SQL literal; throws for anything that is not one (nothing else is written into text). */
export function uuidLiteral(id: string): string {
  if (!isId(id)) throw new Error(`not a uuid, not written into SQL text: ${JSON.stringify(id)}`);
  return `'${id}'::uuid`;
}

/** Uuids as a list for `in (…)`; `null::uuid` (matching nothing) when there are none. */
export function uuidList(ids: readonly string[]): string {
  return ids.length ? ids.map(uuidLiteral).join(", ") : "null::uuid";
}

/** Uuids as a SQL array (`= any(…)`). */
export function uuidArray(ids: readonly string[]): string {
  return ids.length ? `array[${ids.map(uuidLiteral).join(", ")}]` : "'{}'::uuid[]";
}

/** A row as the driver answers it, by column name. */
export type Raw = Record<string, unknown>;

/** A table's columns as a select list under a table alias, and the rows read back from it. */
export interface Shape<Row> {
  /** `alias."col" as "prefixcol", …` for every column of the shape. */
  list(alias: string, prefix: string): string;
  /** The row under `prefix` in a raw result row; null when its id is null (an outer join that found none). */
  read(raw: Raw, prefix: string): Row | null;
}

export function shapeOf<T extends Table>(table: T): Shape<T["$inferSelect"]>;
/** Only these columns of the table: a narrower row, for reads that need no more of it. */
export function shapeOf<T extends Table, K extends keyof T["$inferSelect"] & string>(
  table: T,
  keys: readonly K[],
): Shape<Pick<T["$inferSelect"], K>>;
export function shapeOf(table: Table, keys?: readonly string[]): Shape<Raw> {
  const all = Object.entries(getTableColumns(table)).map(([key, column]) => ({ key, column }));
  const columns = keys ? keys.map((key) => all.find((c) => c.key === key)!) : all;
  if (columns.some((c) => c === undefined)) throw new Error(`no such column in ${keys}`);
  const lists = new Map<string, string>();
  return {
    list(alias, prefix) {
      const k = `${alias}\u0000${prefix}`;
      let text = lists.get(k);
      if (text === undefined) {
        text = columns.map(({ column }) => `${alias}."${column.name}" as "${prefix}${column.name}"`).join(", ");
        lists.set(k, text);
      }
      return text;
    },
    read(raw, prefix) {
      if (raw[`${prefix}id`] === null || raw[`${prefix}id`] === undefined) return null;
      const row: Raw = {};
      for (const { key, column } of columns) {
        const v = raw[prefix + column.name];
        row[key] = v === null || v === undefined ? null : column.mapFromDriverValue(v);
      }
      return row;
    },
  };
}

/**
 * Runs statements written as text in order and answers each one's rows. `oneTrip` (a PostgreSQL
 * server): all in one message, one round trip; otherwise (the embedded database, in process)
 * one after the other. Either way each statement sees what the ones before it did and waited for.
 */
export async function runStatements(ex: Executor, oneTrip: boolean, statements: readonly string[]): Promise<Raw[][]> {
  if (!oneTrip || statements.length === 1) {
    const out: Raw[][] = [];
    for (const text of statements) out.push(rowsOf(await ex.execute(sql.raw(text))));
    return out;
  }
  const result: unknown = await ex.execute(sql.raw(statements.join(";\n")));
  const results = Array.isArray(result) ? result : [result];
  if (results.length !== statements.length) {
    throw new Error(`sent ${statements.length} statements, got ${results.length} results`);
  }
  return results.map(rowsOf);
}

function rowsOf(result: unknown): Raw[] {
  return ((result as { rows?: Raw[] }).rows ?? []) as Raw[];
}
