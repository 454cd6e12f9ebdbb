/**
 * On a PostgreSQL server, Okra's connections run with JIT off: its statements are short, and the
 * planner would otherwise compile some of them (10 ms) on inflated cost estimates alone. Runs
 * with OKRA_TEST_DATABASE_URL set (the embedded database has no JIT).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/database.js";
import { DATABASE_KINDS, openTestDatabase } from "../support/databases.js";

describe.each(DATABASE_KINDS.filter((k) => k === "postgres"))("JIT on %s", (kind) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
  }, 60_000);
  afterAll(() => database?.close());

  it("is off on every pooled connection", async () => {
    const shown = await Promise.all(
      Array.from({ length: 4 }, async () => (await database.executeSql("show jit")).rows as { jit: string }[]),
    );
    expect(shown.map((rows) => rows[0]?.jit)).toEqual(["off", "off", "off", "off"]);
  });
});

if (!DATABASE_KINDS.includes("postgres")) {
  describe("JIT on a PostgreSQL server", () => {
    it.skip("needs PostgreSQL (set OKRA_TEST_DATABASE_URL, or run npm run test:pg)", () => {});
  });
}
