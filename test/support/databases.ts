/**
 * The databases the suites run on: embedded PGlite always, and a PostgreSQL server when
 * OKRA_TEST_DATABASE_URL is set (`npm run test:pg` starts a throwaway cluster and sets it).
 * Each test file gets its own fresh, migrated database.
 */

import { randomBytes } from "node:crypto";
import fs from "node:fs";
import pg from "pg";
import { type Database, openDatabase } from "../../src/db/database.js";

export type DatabaseKind = "pglite" | "postgres";

/**
 * The kind to run on in this process: the runner runs the suites once on PGlite and, with
 * OKRA_TEST_DATABASE_URL set, once more on the PostgreSQL server.
 */
export const DATABASE_KINDS: DatabaseKind[] = process.env.OKRA_TEST_DATABASE_URL ? ["postgres"] : ["pglite"];

/** Opens a fresh, migrated database of this kind; `close()` also drops a server database. */
export async function openTestDatabase(kind: DatabaseKind): Promise<Database> {
  if (kind === "pglite") {
    const template = process.env.OKRA_PGLITE_TEMPLATE;
    if (template && fs.existsSync(template)) {
      const db = await openDatabase({ loadDataDir: new Blob([fs.readFileSync(template)]) });
      await db.migrate();
      return db;
    }
    const db = await openDatabase({});
    await db.migrate();
    return db;
  }
  const adminUrl = process.env.OKRA_TEST_DATABASE_URL;
  if (!adminUrl) throw new Error("OKRA_TEST_DATABASE_URL is not set");
  const name = `okra_t_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = await openDatabase({ databaseUrl: url.toString(), poolSize: 4 });
  await db.migrate();
  return {
    ...db,
    close: async () => {
      await db.close();
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}
