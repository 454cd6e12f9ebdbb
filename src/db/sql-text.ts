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
 * decoders, as drizzle's query builder would. The opening's reads are also prepared once per
 * connection and run by name (`ensurePrepared`, `executeText`), with their arguments written as
 * the same checked literals.
 *
 * The hot path's writes go through the driver's own named statements instead (`runNamed`,
 * `runBuilt`): one statement each, every value a parameter (arrays included), so user text
 * never enters the SQL, and a text that never varies is parsed and planned once per
 * connection. Their answers are not read, so a transaction may hold them back to go out with
 * its next statement (`holdingWrites`): a check-in's insert and figures go with its commit.
 */
import { createHash } from "node:crypto";
import { fillPlaceholders, getTableColumns, type Query, type SQL, sql, type Table } from "drizzle-orm";
import { PgDialect, type PgSession } from "drizzle-orm/pg-core";
import pg from "pg";
import type { Db, Executor } from "./database.js";

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True when `id` has the shape of our ids; anything else names no object. */
export function isId(id: unknown): id is string {
  return typeof id === "string" && UUID_RE.test(id);
}

/** A uuid as a SQL literal; throws for anything that is not one (nothing else is written into text). */
export function uuidLiteral(id: string): string {
  if (!isId(id)) throw new Error(`not a uuid, not written into SQL text: ${JSON.stringify(id)}`);
  return `'${id}'::uuid`;
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
  return results.map((r) => rowsOf(r));
}

/** The rows of a driver's answer (both drivers answer `{ rows }`). */
export function rowsOf<T = Raw>(result: unknown): T[] {
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

/**
 * A statement prepared on a connection (`PREPARE`) and then run by name (`EXECUTE`), so that
 * the database plans it once per connection instead of on every run: planning the check-in's
 * opening took more of the server's time than running it. Its name is drawn from its text, so
 * a changed text is another statement.
 */
export interface PreparedText {
  name: string;
  /** The `prepare` statement. */
  prepare: string;
}

/** `text` with parameters `$1…` of these types (`uuid, uuid[]`), to prepare. */
export function preparedText(types: string, text: string): PreparedText {
  const name = `okra_${createHash("sha256").update(`${types}\u0000${text}`).digest("hex").slice(0, 24)}`;
  return { name, prepare: `prepare ${name}(${types}) as ${text}` };
}

/** Has the statements after it in the transaction planned generically, once per prepared statement. */
export const GENERIC_PLANS = "set local plan_cache_mode = force_generic_plan";
/** Gives the rest of the transaction the plan mode it would have had (see `GENERIC_PLANS`). */
export const DEFAULT_PLANS = "set local plan_cache_mode to default";

/** Runs a prepared statement with these arguments (SQL literals, such as `uuidLiteral`'s). */
export function executeText(statement: PreparedText, args: readonly string[]): string {
  return `execute ${statement.name}(${args.join(", ")})`;
}

/**
 * The statements prepared on each connection, as far as this process knows. A pg client is one
 * server connection for its whole life, and an embedded database has one connection: either is
 * the key.
 */
const preparedOn = new WeakMap<object, Set<string>>();

/**
 * The connection `ex` runs on, to prepare statements on: the transaction's server connection,
 * or `embedded` (the embedded database's one connection, which its transactions do not name);
 * null for an executor holding no one connection (a pool).
 */
function connectionOf(ex: Executor, embedded: object | undefined): object | null {
  if (embedded) return embedded;
  const client = (ex as { session?: { client?: object } }).session?.client;
  return client instanceof pg.Client ? realConnection(client) : null;
}

/**
 * Prepares the statements not yet prepared on `ex`'s connection (see `connectionOf`), and
 * answers whether they can be run by name there: false for an executor holding no one connection.
 *
 * A connection's prepared statements are looked up (`pg_prepared_statements`) the first time
 * this process uses it, and again after a failure: `PREPARE` is not undone by a rollback, so a
 * failed message may leave some prepared that this process did not see succeed.
 */
export async function ensurePrepared(
  ex: Executor,
  statements: readonly PreparedText[],
  embedded?: object,
): Promise<boolean> {
  const connection = connectionOf(ex, embedded);
  if (!connection) return false;
  let names = preparedOn.get(connection);
  if (!names) {
    const rows = rowsOf(
      await ex.execute(sql.raw("select name from pg_prepared_statements where left(name, 5) = 'okra_'")),
    );
    names = new Set(rows.map((r) => String(r.name)));
  }
  const missing = statements.filter((p) => !names.has(p.name));
  if (missing.length) {
    // Unknown until they are all prepared: a failure here makes the next use look again.
    preparedOn.delete(connection);
    // A server takes them in one message; the embedded database one statement per call.
    for (const text of embedded ? missing.map((p) => p.prepare) : [missing.map((p) => p.prepare).join(";\n")]) {
      await ex.execute(sql.raw(text));
    }
    for (const p of missing) names.add(p.name);
  }
  preparedOn.set(connection, names);
  return true;
}

/** Forgets what is prepared on `ex`'s connection (after an error): it is looked up again on the next use. */
export function forgetPrepared(ex: Executor, embedded?: object): void {
  const connection = connectionOf(ex, embedded);
  if (connection) preparedOn.delete(connection);
}

/**
 * `build` once per database (a query built once and prepared by name, say): the same answer for
 * every later call with that database, built again for another.
 */
export function memoPerDb<T>(build: (db: Db) => T): (db: Db) => T {
  const built = new WeakMap<Db, T>();
  return (db) => {
    let value = built.get(db);
    if (value === undefined) {
      value = build(db);
      built.set(db, value);
    }
    return value;
  };
}

/** Protocol-level statement names by text: `okra-` and a hash (never a name `PREPARE` could give). */
const namesByText = new Map<string, string>();
/**
 * Past this many texts, statements run unnamed: a text that varies by mistake then costs a
 * plan per run, not a connection's memory.
 */
const MAX_NAMED = 200;

/**
 * Runs a write whose answer is not read (a check-in's insert, its figures and audit rows) as a
 * statement the driver prepares by name on each connection the first time it runs there, and
 * afterwards only binds and executes: the server neither parses nor plans it again. Every
 * distinct text stays prepared on every connection for its life, so a text that varies with
 * its input must go through `execute` instead (see `MAX_NAMED`).
 *
 * On a transaction that holds its writes (`holdingWrites`) it goes out with the transaction's
 * next statement instead: its failure then fails that statement.
 */
export async function runNamed(ex: Executor, query: SQL): Promise<void> {
  const built = (ex as unknown as { dialect: PgDialect }).dialect.sqlToQuery(query);
  let name = namesByText.get(built.sql);
  if (name === undefined && namesByText.size < MAX_NAMED) {
    name = statementName(built.sql);
    namesByText.set(built.sql, name);
  }
  await sendWrite(ex, built, name, {});
}

const statementName = (text: string) => `okra-${createHash("sha256").update(text).digest("hex").slice(0, 24)}`;

async function sendWrite(ex: Executor, query: Query, name: string | undefined, values: Record<string, unknown>) {
  const held = heldOn(ex);
  if (held) {
    held.push({ config: { name, text: query.sql }, values: fillPlaceholders(query.params, values) });
    return;
  }
  const { session } = ex as unknown as { session: PgSession };
  await session.prepareQuery(query, undefined, name, false).execute(values);
}

/** A statement built once, its values left as placeholders (`sql.placeholder`), run by name (`runBuilt`). */
export interface BuiltStatement {
  name: string;
  query: Query;
}

/**
 * Builds a statement once for the life of the process: the hottest writes (a check-in's insert)
 * then skip building their text on every run as well as the server's parsing and planning.
 * Placeholders take their values as the driver sends them (ISO text for a time).
 */
export function buildStatement(statement: SQL): BuiltStatement {
  const query = new PgDialect().sqlToQuery(statement);
  return { name: statementName(query.sql), query };
}

/** Runs a built write by name with its placeholders' values (as `runNamed` does, held when its transaction holds writes). */
export function runBuilt(ex: Executor, statement: BuiltStatement, values: Record<string, unknown>): Promise<void> {
  return sendWrite(ex, statement.query, statement.name, values);
}

/** A write held back on a connection, as node-postgres takes it. */
interface HeldWrite {
  config: { name: string | undefined; text: string };
  values: unknown[];
}

/** The proxied connection's real one (`holdingWrites`), and the writes it holds. */
const REAL = Symbol("okra.realConnection");
const HELD = Symbol("okra.heldWrites");

/** The writes held on `ex`'s connection, when it holds writes (`holdingWrites`). */
function heldOn(ex: Executor): HeldWrite[] | undefined {
  const client = (ex as { session?: { client?: Record<symbol, unknown> } }).session?.client;
  return client?.[HELD] as HeldWrite[] | undefined;
}

/** The real connection behind a proxied one (`holdingWrites`), or the connection itself. */
function realConnection<T extends object>(client: T): T {
  return ((client as Record<symbol, unknown>)[REAL] as T | undefined) ?? client;
}

/**
 * A transaction's connection that holds back the writes whose answers it does not read
 * (`runNamed`, `runBuilt`) and sends them with its next statement, whatever that is, in order
 * and in one round trip (node-postgres's pipelining: each still a statement of its own, on the
 * server in the order sent). A check-in's insert and its figures with its audit rows so go out
 * with its commit: what holds the chain's row locks is one trip shorter by each, and nothing
 * reads in between what they wrote. When a held write fails, the statement it went with fails
 * with that write's error (a commit then only answers that it rolled back). `drop` forgets what
 * is held, when the transaction rolls back.
 */
export function holdingWrites(client: pg.PoolClient): { client: pg.PoolClient; drop(): void } {
  const held: HeldWrite[] = [];
  const query = (config: unknown, values?: unknown, callback?: unknown) => {
    if (!held.length) return client.query(config as string, values as unknown[], callback as () => void);
    if (
      typeof values === "function" ||
      callback !== undefined ||
      typeof (config as { submit?: unknown }).submit === "function"
    ) {
      throw new Error("a statement sent after held writes must be a plain query answered by a promise");
    }
    return pipelined(client, [...held.splice(0), { config, values: values as unknown[] | undefined }]);
  };
  const proxy = new Proxy(client, {
    get(target, prop) {
      if (prop === "query") return query;
      if (prop === HELD) return held;
      if (prop === REAL) return target;
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { client: proxy, drop: () => void held.splice(0) };
}

/** Sends these queries one after another without waiting, in one write; answers the last one's result. */
async function pipelined(
  client: pg.PoolClient,
  queries: readonly { config: unknown; values?: unknown[] | undefined }[],
) {
  const pipelining = client as unknown as {
    pipeline: boolean;
    connection?: { stream?: { cork?(): void; uncork?(): void } };
  };
  const stream = pipelining.connection?.stream;
  const sent: Promise<unknown>[] = [];
  let settled: PromiseSettledResult<unknown>[];
  pipelining.pipeline = true;
  try {
    // One write for all of them: each query corks its own messages, inside this.
    stream?.cork?.();
    try {
      for (const q of queries) sent.push(client.query(q.config as pg.QueryConfig, q.values));
    } finally {
      stream?.uncork?.();
    }
  } finally {
    settled = await Promise.allSettled(sent);
    // Every answer is in: the connection takes one query at a time again.
    pipelining.pipeline = false;
  }
  const failed = settled.find((s) => s.status === "rejected");
  if (failed) throw failed.reason;
  return (settled.at(-1) as PromiseFulfilledResult<unknown>).value;
}
