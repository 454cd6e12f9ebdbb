/**
 * The embedded database has no autovacuum, so Okra gathers its planner statistics itself
 * (`refreshStatistics` in database.ts): after migrations, then for tables that grew. Without
 * them the planner may read a whole organisation's rows through its index for one row.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../../src/db/database.js";

describe("planner statistics on the embedded database", () => {
  let database: Database;
  const query = async <T>(text: string) => (await database.executeSql(text)).rows as T[];

  beforeAll(async () => {
    database = await openDatabase({ dataDir: "memory://" });
    await database.migrate();
  }, 60_000);
  afterAll(() => database?.close());

  it("analyzes every table after migrations, and nothing again until a table grows", async () => {
    const never = await query<{ relname: string }>(
      `select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where c.relkind = 'r' and n.nspname = 'public' and c.reltuples < 0`,
    );
    expect(never).toEqual([]);
    expect(await database.refreshStatistics!()).toEqual([]);
  });

  it("analyzes a table once it has grown, and the planner then knows its size", async () => {
    const [org] = await query<{ id: string }>("insert into organizations (name) values ('Stats Ltd') returning id");
    await database.executeSql(
      `insert into teams (org_id, name) select '${org!.id}', 'Team ' || g from generate_series(1, 3000) g`,
    );
    expect(await database.refreshStatistics!()).toContain("teams");
    const [teams] = await query<{ reltuples: number }>("select reltuples from pg_class where relname = 'teams'");
    expect(Number(teams!.reltuples)).toBe(3000);
    // Until it grows by a fifth again, it is left alone.
    expect(await database.refreshStatistics!()).not.toContain("teams");
  });
});
