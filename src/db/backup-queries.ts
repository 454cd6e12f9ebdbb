/**
 * The SQL of `okra backup` and `okra restore`: which tables hold an organisation (every table of
 * `schema.ts` with an `org_id` column, and the organisation's own row), reading one of them a
 * page at a time in primary-key order with each row as PostgreSQL's own JSON text, and writing
 * rows back in chunks with `json_populate_recordset`, so that values go from database to file and
 * back without passing through JavaScript numbers or dates (exact decimals, microseconds).
 */
import fs from "node:fs";
import path from "node:path";
import { getTableColumns, is, type SQL, sql } from "drizzle-orm";
import { getTableConfig, PgTable } from "drizzle-orm/pg-core";
import { type Executor, MIGRATIONS_DIR } from "./database.js";
import * as schema from "./schema.js";
import { rowsOf } from "./sql-text.js";

/** One table of a backup: its SQL name, its columns in schema order and its primary key. */
export interface BackupTable {
  name: string;
  /** Column names (SQL) in the order `schema.ts` declares them: the keys of each row, in order. */
  columns: string[];
  /** The primary key's columns: rows are written in this order, and paged by it. */
  key: string[];
  /** The SQL type of each primary-key column (a cursor's text is cast to it); text keys compare byte-wise. */
  keyTypes: string[];
  /** A serial primary key whose sequence must be moved past the restored ids. */
  serial: string | null;
  /** The column naming the organisation: `org_id`, or `id` for the organisations table. */
  orgColumn: string;
}

/**
 * Tables derived from the others and rebuilt from them (the title tokens, which a restore's
 * inserts queue again and `okra recompute` rebuilds): not backed up.
 */
const DERIVED_TABLES: ReadonlySet<PgTable> = new Set([schema.objectiveTitleTokens, schema.objectiveTitlePending]);

// json_build_object takes at most 100 arguments: a name and a value per column.
const MAX_COLUMNS = 50;

function describe(table: PgTable): BackupTable | null {
  const config = getTableConfig(table);
  const columns = Object.values(getTableColumns(table));
  const names = columns.map((c) => c.name);
  const isOrganizations = table === schema.organizations;
  if (!isOrganizations && !names.includes("org_id")) return null;
  if (DERIVED_TABLES.has(table)) return null;
  const key = config.primaryKeys[0]?.columns.map((c) => c.name) ?? columns.filter((c) => c.primary).map((c) => c.name);
  if (key.length === 0) throw new Error(`backup: table ${config.name} has no primary key to order its rows by`);
  if (names.length > MAX_COLUMNS) throw new Error(`backup: table ${config.name} has more than ${MAX_COLUMNS} columns`);
  const keyTypes = key.map((k) => {
    const type = columns.find((c) => c.name === k)?.getSQLType() ?? "text";
    return type === "bigserial" ? "bigint" : type === "serial" ? "integer" : type;
  });
  const serial = columns.find((c) => c.primary && /Serial/.test(c.columnType))?.name ?? null;
  return { name: config.name, columns: names, key, keyTypes, serial, orgColumn: isOrganizations ? "id" : "org_id" };
}

/**
 * The tables a backup holds, in the fixed order it writes them: the organisation first, then the
 * others by SQL name. Tables of the instance (`instance_secrets`) and derived tables are left out.
 */
export const BACKUP_TABLES: readonly BackupTable[] = (() => {
  const tables = Object.values(schema)
    .filter((t) => is(t, PgTable))
    .map((t) => describe(t as PgTable))
    .filter((t): t is BackupTable => t !== null);
  const byName = (a: BackupTable, b: BackupTable) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  return [
    ...tables.filter((t) => t.name === "organizations"),
    ...tables.filter((t) => t.name !== "organizations").sort(byName),
  ];
})();

/** The tag of the newest migration this code runs (the schema a backup is written in). */
export function latestMigrationTag(): string {
  const journal = JSON.parse(fs.readFileSync(path.join(MIGRATIONS_DIR, "meta", "_journal.json"), "utf8")) as {
    entries: { idx: number; tag: string }[];
  };
  const last = [...journal.entries].sort((a, b) => a.idx - b.idx).at(-1);
  if (!last) throw new Error("backup: the migrations journal lists no migration");
  return last.tag;
}

const ident = (name: string): SQL => sql`${sql.identifier(name)}`;
const list = (names: readonly string[], each: (n: string) => SQL) =>
  sql.join(
    names.map((n) => each(n)),
    sql`, `,
  );
// Text keys compare byte-wise: the database's collation (C, en_US…) must not change the order.
const keyExpr = (t: BackupTable, i: number) => {
  const name = ident(t.key[i] as string);
  return t.keyTypes[i] === "text" ? sql`${name} collate "C"` : name;
};

/** One page of rows: each row's JSON text, and its key as text to continue after. */
export interface BackupPage {
  rows: { json: string; key: string[] }[];
}

export const backupQueries = {
  /**
   * Makes the transaction a read-only snapshot (repeatable read) with times written in UTC, so
   * that every page of a backup sees the same moment and the same org writes the same text.
   * Must be the transaction's first statement.
   */
  async beginSnapshot(ex: Executor): Promise<void> {
    await ex.execute(sql`set transaction isolation level repeatable read, read only`);
    await ex.execute(sql`set local time zone 'UTC'`);
  },

  /** How many rows of `table` belong to the organisation. */
  async count(ex: Executor, table: BackupTable, orgId: string): Promise<number> {
    const r = await ex.execute(
      sql`select count(*)::int as n from ${ident(table.name)} where ${ident(table.orgColumn)} = ${orgId}`,
    );
    return Number(rowsOf<{ n: number }>(r)[0]?.n);
  },

  /**
   * The organisation's rows of `table` after the key `after` (null: from the start), at most
   * `limit`, in key order. Each row is PostgreSQL's JSON of it (`json_build_object`: keys in column
   * order, decimals with their digits, times in ISO 8601 with microseconds, jsonb as it is stored).
   */
  async page(
    ex: Executor,
    table: BackupTable,
    orgId: string,
    after: readonly string[] | null,
    limit: number,
  ): Promise<BackupPage> {
    const body = list(table.columns, (c) => sql`${sql.raw(`'${c}'`)}, ${ident(c)}`);
    const keyText = sql.join(
      table.key.map((k, i) => sql`${ident(k)}::text as ${ident(`k${i}`)}`),
      sql`, `,
    );
    const keyOrder = sql.join(
      table.key.map((_, i) => keyExpr(table, i)),
      sql`, `,
    );
    // The key compared as a row: (a, b) > ($1, $2) continues after the last row of the page before.
    const afterCond = after
      ? sql`and (${keyOrder}) > (${sql.join(
          after.map((v, i) =>
            table.keyTypes[i] === "text"
              ? sql`${v}::text collate "C"`
              : sql`${v}::${sql.raw(table.keyTypes[i] as string)}`,
          ),
          sql`, `,
        )})`
      : sql``;
    const r = await ex.execute(
      sql`select json_build_object(${body})::text as row, ${keyText}
          from ${ident(table.name)} where ${ident(table.orgColumn)} = ${orgId} ${afterCond}
          order by ${keyOrder} limit ${limit}`,
    );
    const rows = rowsOf<Record<string, string>>(r);
    return {
      rows: rows.map((x) => ({ json: x.row as string, key: table.key.map((_, i) => x[`k${i}`] as string) })),
    };
  },

  /**
   * Inserts rows (each the JSON text a backup holds) into `table` in one statement: PostgreSQL
   * reads every value from the JSON itself, into the column's type.
   */
  async insertRows(ex: Executor, table: BackupTable, rowsJson: readonly string[]): Promise<void> {
    if (rowsJson.length === 0) return;
    const cols = list(table.columns, (c) => ident(c));
    await ex.execute(
      sql`insert into ${ident(table.name)} (${cols})
          select ${cols} from json_populate_recordset(null::${ident(table.name)}, ${`[${rowsJson.join(",")}]`}::json)`,
    );
  },

  /** Moves a serial key's sequence past every id in the table, so new rows get fresh ids. */
  async advanceSequence(ex: Executor, table: BackupTable): Promise<void> {
    if (!table.serial) return;
    // unscoped: a sequence serves every organisation of the instance, so it must pass all their ids
    await ex.execute(
      sql`select setval(pg_get_serial_sequence(${table.name}, ${table.serial}),
            greatest((select max(${ident(table.serial)}) from ${ident(table.name)}), 1))`,
    );
  },

  /** How many organisations the instance holds. */
  async organizationCount(ex: Executor): Promise<number> {
    // unscoped: a restore asks whether the instance is empty
    const r = await ex.execute(sql`select count(*)::int as n from organizations`);
    return Number(rowsOf<{ n: number }>(r)[0]?.n);
  },

  /** The organisations, id and name, oldest first (to choose the one to back up). */
  async organizations(ex: Executor): Promise<{ id: string; name: string }[]> {
    // unscoped: the command line chooses the organisation by id or name
    const r = await ex.execute(sql`select id::text as id, name from organizations order by created_at, id`);
    return rowsOf<{ id: string; name: string }>(r);
  },
};
