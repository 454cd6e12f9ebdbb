/**
 * Storage: the embedded data directory lock, exact decimals, organisation isolation in
 * the repositories, migrations and the first-start bootstrap — on every available database.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../../src/db/database.js";
import { DirectoryLockedError } from "../../src/db/directory-lock.js";
import { grantOrgScope } from "../../src/db/org-scope.js";
import { checkInRepo, keyResultRepo, objectiveRepo, organizationRepo, periodRepo } from "../../src/db/repositories.js";
import { authenticate, bootstrap } from "../../src/services/auth.service.js";
import { DATABASE_KINDS, openTestDatabase } from "../support/databases.js";

describe("the embedded data directory", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "okra-lock-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("refuses a second opener at once with a clear message, in this process and another", async () => {
    const db = await openDatabase({ dataDir: dir });
    try {
      await expect(openDatabase({ dataDir: dir })).rejects.toBeInstanceOf(DirectoryLockedError);
      const script = `import { openDatabase } from ${JSON.stringify(path.resolve("src/db/database.ts"))};
        try { await openDatabase({ dataDir: ${JSON.stringify(dir)} }); console.log("opened"); process.exit(0); }
        catch (e) { console.log(e.message); process.exit(3); }`;
      const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
        encoding: "utf8",
      });
      expect(child.status).toBe(3);
      expect(child.stdout).toMatch(/already in use by another Okra process \(pid \d+\)/);
      expect(child.stdout).toMatch(/OKRA_DATA_DIR/);
    } finally {
      await db.close();
    }
    // Released on close: it opens again, and the data survived.
    const again = await openDatabase({ dataDir: dir });
    await again.close();
  });

  it("takes over a lock left by a process that died", async () => {
    fs.writeFileSync(path.join(dir, "okra.lock"), "999999");
    const db = await openDatabase({ dataDir: dir });
    await db.close();
    expect(fs.existsSync(path.join(dir, "okra.lock"))).toBe(false);
  });
});

describe.each(DATABASE_KINDS)("repositories on %s", (kind) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
  });
  afterAll(() => database.close());

  it("runs the migrations again without harm", async () => {
    await database.migrate();
    expect(await organizationRepo.count(database.db)).toBeGreaterThanOrEqual(0);
  });

  it("stores decimals exactly and scopes every query by organisation", async () => {
    const a = grantOrgScope((await organizationRepo.insert(database.db, "A")).id);
    const b = grantOrgScope((await organizationRepo.insert(database.db, "B")).id);
    const period = await periodRepo.insert(database.db, a, {
      name: "Q1",
      kind: "quarter",
      startDate: "2026-01-01",
      endDate: "2026-03-31",
      parentId: null,
    });
    const o = await objectiveRepo.insert(database.db, a, {
      title: "A's goal",
      level: "organization",
      periodId: period.id,
    });
    const kr = await keyResultRepo.insert(database.db, a, {
      objectiveId: o.id,
      title: "Exact",
      type: "increase",
      start: "0.1",
      target: "12345678901234.5678",
    });
    const c = await checkInRepo.insert(database.db, a, {
      keyResultId: kr.id,
      value: "0.30000000000000000001",
      at: new Date(),
    });
    expect((await keyResultRepo.get(database.db, a, kr.id)).target).toBe("12345678901234.5678");
    expect((await checkInRepo.get(database.db, a, c.id)).value).toBe("0.30000000000000000001");
    // Organisation B sees none of A's rows, by id or in lists.
    expect(await objectiveRepo.find(database.db, b, o.id)).toBeNull();
    await expect(keyResultRepo.get(database.db, b, kr.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await objectiveRepo.list(database.db, b)).toEqual([]);
    await expect(objectiveRepo.update(database.db, b, o.id, { title: "hijacked" })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    expect((await objectiveRepo.get(database.db, a, o.id)).title).toBe("A's goal");
    // Malformed ids name nothing.
    expect(await objectiveRepo.find(database.db, a, "'; drop table objectives; --")).toBeNull();
  });

  it("bootstraps once, honours OKRA_BOOTSTRAP_TOKEN, and authenticates tokens", async () => {
    const fresh = await openTestDatabase(kind);
    try {
      const first = await bootstrap(fresh, { bootstrapToken: "automation-secret-0123456789" });
      expect(first).toMatchObject({ created: true, generatedToken: null });
      const second = await bootstrap(fresh, {});
      expect(second.created).toBe(false);
      expect(await organizationRepo.count(fresh.db)).toBe(1);
      const actor = await authenticate(fresh, "automation-secret-0123456789");
      expect(actor.orgId).toBe(first.organizationId);
      await expect(authenticate(fresh, "wrong")).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
      await expect(authenticate(fresh, undefined)).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
      await expect(bootstrap(fresh, { bootstrapToken: "short" })).rejects.toMatchObject({ code: "VALIDATION" });
    } finally {
      await fresh.close();
    }
    const generated = await openTestDatabase(kind);
    try {
      const r = await bootstrap(generated, {});
      expect(r.generatedToken).toMatch(/^okra_[A-Za-z0-9_-]{40,}$/);
      expect((await authenticate(generated, r.generatedToken!)).role).toBe("owner");
    } finally {
      await generated.close();
    }
  });
});

describe.skipIf(!DATABASE_KINDS.includes("postgres"))("a PostgreSQL connection the server ends", () => {
  it("is dropped from the pool without ending the process, and the next query opens another", async () => {
    const database = await openTestDatabase("postgres");
    try {
      const pid = (await database.db.execute(sql`select pg_backend_pid() as pid`)) as unknown as {
        rows: { pid: number }[];
      };
      const warnings: string[] = [];
      const onWarning = (w: Error) => warnings.push(w.message);
      process.on("warning", onWarning);
      const killer = await openTestDatabase("postgres");
      try {
        // The first connection is idle in the pool now: the server ends it, as a restart would.
        await killer.db.execute(sql`select pg_terminate_backend(${pid.rows[0]!.pid})`);
        await new Promise((r) => setTimeout(r, 300));
      } finally {
        process.off("warning", onWarning);
        await killer.close();
      }
      const again = (await database.db.execute(sql`select 1 as one`)) as unknown as { rows: { one: number }[] };
      expect(again.rows[0]!.one).toBe(1);
      expect(warnings.join(" ")).toMatch(/PostgreSQL closed a pooled connection/);
    } finally {
      await database.close();
    }
  });
});
