/**
 * The two database adapters behind one type: embedded PGlite (a data directory on
 * disk, or in memory) and a PostgreSQL server (DATABASE_URL). Same schema, same
 * migrations, same queries.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import type { ExtractTablesWithRelations } from "drizzle-orm";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import { migrate as migratePg } from "drizzle-orm/node-postgres/migrator";
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import pg from "pg";
import { acquireDirectoryLock, type DirectoryLock } from "./directory-lock.js";
import { type ListenHandlers, type Listening, type ListenOptions, listenOn, notifyAll } from "./notify-bus.js";
import * as schema from "./schema.js";

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Either the database or a transaction on it: repositories accept both. */
export type Executor = Db | Tx;

export const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "migrations");

export interface Database {
  db: Db;
  kind: "pglite" | "postgres";
  /** Where the data lives, for messages (a directory, "memory", or the server URL without password). */
  location: string;
  migrate(): Promise<void>;
  /** Checks the database answers (health check). */
  ping(): Promise<void>;
  /**
   * Runs raw SQL for the job library (pg-boss): with values, one parameterised statement; without,
   * a script of one or more statements (its migrations and locked blocks). Rows of the last one.
   */
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[]; rowCount?: number | null }>;
  /**
   * Embedded only: gathers the planner's statistics of the tables that have none or have grown
   * by a fifth since (`refreshStatistics`); answers their names. Runs after migrations and every
   * ten minutes while the database is open.
   */
  refreshStatistics?(): Promise<string[]>;
  /** Embedded only: a compressed copy of the data directory (tests start from a migrated template). */
  dump?(): Promise<Blob>;
  /**
   * PostgreSQL server only: hears the notifications sent on `channel` by every process using
   * this database, over a connection of its own that is opened again when it drops
   * (`notify-bus.ts`). Closing the database closes it too.
   */
  listen?(channel: string, handlers: ListenHandlers, options?: ListenOptions): Listening;
  /** PostgreSQL server only: sends these payloads on `channel`, in order, in one statement (after a commit). */
  notify?(channel: string, payloads: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** PostgreSQL server URL; when set, the embedded database is not used. */
  databaseUrl?: string | undefined;
  /** Embedded data directory; `memory://` or undefined with `memory: true` for an in-memory database. */
  dataDir?: string | undefined;
  /** A dump made by `dumpDataDir()` to start from (tests load a migrated template). */
  loadDataDir?: Blob | undefined;
  /** Connection pool size for the server adapter. */
  poolSize?: number | undefined;
}

/** Opens the database the options name. Throws a DatabaseOpenError with a plain message when it cannot. */
export async function openDatabase(options: OpenOptions): Promise<Database> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options.poolSize ?? 10);
  return openPglite(options.dataDir, options.loadDataDir);
}

export class DatabaseOpenError extends Error {}

async function openPglite(dataDir: string | undefined, loadDataDir: Blob | undefined): Promise<Database> {
  const inMemory = !dataDir || dataDir.startsWith("memory://");
  let lock: DirectoryLock | null = null;
  if (!inMemory) {
    fs.mkdirSync(dataDir, { recursive: true });
    // PGlite does not lock its directory: a second process would silently lose writes.
    lock = acquireDirectoryLock(dataDir);
  }
  let client: PGlite;
  try {
    client = await PGlite.create(inMemory ? undefined : path.join(dataDir, "pgdata"), {
      ...(loadDataDir ? { loadDataDir } : {}),
      // Trigram indexes for text search (migration 0006).
      extensions: { pg_trgm },
    });
  } catch (err) {
    lock?.release();
    throw new DatabaseOpenError(`Could not open the embedded database in ${dataDir ?? "memory"}: ${String(err)}`);
  }
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  const opened = client;
  const refresh = () => refreshStatistics(opened);
  const timer = setInterval(() => {
    // A failure here (the database closing) costs only fresher statistics.
    if (!opened.closed) void refresh().catch(() => {});
  }, STATISTICS_EVERY_MS);
  timer.unref();
  return {
    db,
    kind: "pglite",
    location: inMemory ? "memory" : path.resolve(dataDir),
    migrate: async () => {
      await migratePglite(db as never, { migrationsFolder: MIGRATIONS_DIR });
      await refresh();
    },
    refreshStatistics: refresh,
    ping: async () => {
      await client.query("select 1");
    },
    executeSql: async (text, values) => {
      if (values && values.length > 0) {
        const r = await client.query(text, values as never[]);
        return { rows: r.rows, rowCount: r.affectedRows ?? null };
      }
      const results = await client.exec(text);
      const last = results.at(-1);
      return { rows: last?.rows ?? [], rowCount: last?.affectedRows ?? null };
    },
    dump: () => client.dumpDataDir("gzip"),
    close: async () => {
      clearInterval(timer);
      try {
        if (!client.closed) await client.close();
      } finally {
        lock?.release();
      }
    },
  };
}

/** How often an open embedded database looks for tables whose statistics are missing or stale. */
const STATISTICS_EVERY_MS = 10 * 60_000;

/**
 * The embedded database has no autovacuum (PGlite runs PostgreSQL single-user), so nothing
 * else gathers the planner's statistics. Without them every table looks nearly empty and the
 * planner may reach a row through an index on the organisation rather than its primary key,
 * reading all of an organisation's rows for one: a cost that grows with the organisation. This
 * analyzes the application's tables never analyzed, and those whose files grew by a fifth
 * since (and past 64 kB), much as autovacuum's threshold of a share of the rows changed would;
 * it answers their names.
 */
async function refreshStatistics(client: PGlite): Promise<string[]> {
  const stale = await client.query<{ name: string }>(
    `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind = 'r' and n.nspname = 'public'
        and (c.reltuples < 0 or pg_relation_size(c.oid) > greatest(c.relpages, 8) * current_setting('block_size')::int * 1.2)
      order by c.relname`,
  );
  const names = stale.rows.map((r) => r.name);
  for (const name of names) await client.exec(`analyze "${name.replaceAll('"', '""')}"`);
  return names;
}

async function openPostgres(url: string, poolSize: number): Promise<Database> {
  // numeric (1700) stays a string so decimals are exact; int8 (20) becomes a number for counts.
  const types = {
    getTypeParser: (oid: number, format?: "text" | "binary") =>
      oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format),
  };
  // JIT off for Okra's connections: its statements are short, and compiling one costs more than
  // running it. The planner asks for JIT on cost estimates alone, which a JSON input's guessed
  // row count inflates (10 ms of compilation for a 0.3 ms lookup, measured). A connection URL
  // with its own `options` parameter keeps those instead.
  const pool = new pg.Pool({ connectionString: url, max: poolSize, types, options: "-c jit=off" });
  // A connection the server ends (a restart, a failover, an administrator) must not end the
  // process: pg reports it on the idle client and on the pool, where nothing else listens. The
  // pool drops that client and opens another on demand; a query in flight still gets its error.
  pool.on("connect", (client) => client.on("error", () => {}));
  pool.on("error", (err) => {
    process.emitWarning(`PostgreSQL closed a pooled connection: ${err.message}`, { code: "OKRA_PG_CONNECTION" });
  });
  try {
    const c = await pool.connect();
    c.release();
  } catch (err) {
    await pool.end().catch(() => {});
    throw new DatabaseOpenError(`Could not connect to PostgreSQL at ${redactUrl(url)}: ${(err as Error).message}`);
  }
  const db = drizzlePg(pool, { schema }) as unknown as Db;
  const listeners = new Set<Listening>();
  return {
    db,
    kind: "postgres",
    location: redactUrl(url),
    migrate: () => migratePg(db as never, { migrationsFolder: MIGRATIONS_DIR }),
    ping: async () => {
      await pool.query("select 1");
    },
    executeSql: async (text, values) => {
      const r = (await pool.query(text, values && values.length > 0 ? values : undefined)) as
        | pg.QueryResult
        | pg.QueryResult[];
      const last = Array.isArray(r) ? r.at(-1) : r;
      return { rows: last?.rows ?? [], rowCount: last?.rowCount ?? null };
    },
    listen: (channel, handlers, options) => {
      const listening = listenOn({ connectionString: url }, channel, handlers, options);
      const tracked: Listening = {
        ready: listening.ready,
        close: async () => {
          listeners.delete(tracked);
          await listening.close();
        },
      };
      listeners.add(tracked);
      return tracked;
    },
    notify: (channel, payloads) => notifyAll(pool, channel, payloads),
    close: async () => {
      // A listener left open would keep its connection, and the process, alive.
      await Promise.all([...listeners].map((l) => l.close()));
      await pool.end();
    },
  };
}

/** The URL with any password replaced, safe to print. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparseable DATABASE_URL)";
  }
}
