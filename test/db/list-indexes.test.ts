/**
 * Text search runs on trigram indexes (migration 0006) on both databases: pg_trgm is there,
 * the indexes exist, and the queries the lists send can be answered from them. With
 * sequential scans turned off the plan must name the index (a query shape the index cannot
 * serve would still scan); the organisation's own index narrows the rest.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/database.js";
import { DATABASE_KINDS, openTestDatabase } from "../support/databases.js";

describe.each(DATABASE_KINDS)("search and filter indexes on %s", (kind) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
  });
  afterAll(() => database?.close());

  const rows = async <T>(query: ReturnType<typeof sql>) =>
    (await database.db.execute(query)) as unknown as { rows: T[] };

  it("has pg_trgm and a trigram index on every searched column", async () => {
    const ext = await rows<{ extname: string }>(sql`select extname from pg_extension where extname = 'pg_trgm'`);
    expect(ext.rows).toHaveLength(1);
    const idx = await rows<{ indexname: string }>(
      sql`select indexname from pg_indexes where indexname like '%_trgm_idx' order by indexname`,
    );
    expect(idx.rows.map((r) => r.indexname)).toEqual([
      "key_results_title_trgm_idx",
      "objectives_description_trgm_idx",
      "objectives_title_trgm_idx",
      "teams_name_trgm_idx",
      "users_email_trgm_idx",
      "users_name_trgm_idx",
    ]);
  });

  it("answers a contains-search from the index", async () => {
    const plan = await database.db.transaction(async (tx) => {
      await tx.execute(sql`set local enable_seqscan = off`);
      const explain = (await tx.execute(
        sql`explain select id from objectives where (title ilike ${"%pipeline%"} or description ilike ${"%pipeline%"})`,
      )) as unknown as { rows: Record<string, string>[] };
      const people = (await tx.execute(
        sql`explain select id from users where (name ilike ${"%olga%"} or email ilike ${"%olga%"})`,
      )) as unknown as { rows: Record<string, string>[] };
      return [...explain.rows, ...people.rows].map((r) => Object.values(r)[0]).join("\n");
    });
    expect(plan).toContain("objectives_title_trgm_idx");
    expect(plan).toContain("objectives_description_trgm_idx");
    expect(plan).toContain("users_name_trgm_idx");
    expect(plan).toContain("users_email_trgm_idx");
  });

  it("answers a team's, a person's and the private objectives from their own indexes (migration 0007)", async () => {
    // An organisation of 5,000 objectives over 250 teams and 1,000 owners, 10 of them private, and
    // another organisation as large: the planner picks by statistics, so they must be realistic.
    const org = "00000000-0000-4000-8000-000000000001";
    const period = "00000000-0000-4000-8000-0000000000aa";
    const uuid = (n: string) => sql.raw(`('00000000-0000-4000-8000-' || lpad(to_hex(${n}), 12, '0'))::uuid`);
    await database.db.execute(sql`
      insert into objectives (org_id, title, level, team_id, owner_ids, period_id, visibility)
      select case when g % 2 = 0 then ${org}::uuid else gen_random_uuid() end, 'Objective ' || g, 'team',
        ${uuid("1000 + g % 250")}, array[${uuid("5000 + g % 1000")}], ${period}::uuid,
        case when g % 1000 = 0 then 'private' else 'public' end
      from generate_series(1, 10000) g`);
    await database.db.execute(sql`analyze objectives`);
    const explain = async (q: ReturnType<typeof sql>) =>
      ((await database.db.execute(sql`explain ${q}`)) as unknown as { rows: Record<string, string>[] }).rows
        .map((r) => Object.values(r)[0])
        .join("\n");
    const team = sql.raw("'00000000-0000-4000-8000-0000000003f2'::uuid");
    const owner = sql.raw("'00000000-0000-4000-8000-00000000138a'::uuid");
    expect(
      await explain(
        sql`select id from objectives where org_id = ${org} and team_id = ${team} and period_id = ${period} and deleted_at is null`,
      ),
    ).toContain("objectives_team_idx");
    expect(
      await explain(
        sql`select id from objectives where org_id = ${org} and owner_ids @> array[${owner}] and deleted_at is null`,
      ),
    ).toContain("objectives_owners_idx");
    expect(
      await explain(
        sql`select id from objectives where org_id = ${org} and visibility = 'private' and deleted_at is null`,
      ),
    ).toContain("objectives_private_idx");
  });

  it("reads a period's objectives by title from its own index, without sorting the period (migration 0014)", async () => {
    const org = "00000000-0000-4000-8000-000000000002";
    const period = "00000000-0000-4000-8000-0000000000bb";
    await database.db.execute(sql`
      insert into objectives (org_id, title, level, period_id)
      select ${org}::uuid, 'Objective ' || g, 'organization', ${period}::uuid from generate_series(1, 5000) g`);
    await database.db.execute(sql`analyze objectives`);
    for (const dir of [sql``, sql` desc`]) {
      const plan = (
        (await database.db.execute(
          sql`explain select id from objectives where org_id = ${org} and period_id = ${period} and deleted_at is null and (title, id) > (${"Objective 2"}::text, ${period}::uuid) order by title${dir}, id${dir} limit 3`,
        )) as unknown as { rows: Record<string, string>[] }
      ).rows
        .map((r) => Object.values(r)[0])
        .join("\n");
      expect(plan).toContain("objectives_title_idx");
      expect(plan).not.toMatch(/Sort/);
    }
  });
});
