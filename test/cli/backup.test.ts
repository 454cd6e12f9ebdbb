/**
 * `okra backup` and `okra restore` (docs/backup.md): the demo workspace, with a webhook, a key
 * result's token and the SSO configuration added, goes to a backup, into a fresh database and
 * back out byte for byte; a non-empty instance, a tampered or truncated file and another
 * schema are refused; a large organisation streams.
 */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateOrg } from "../../bench/generate-org.js";
import { BACKUP_TABLES } from "../../src/db/backup-queries.js";
import type { Database } from "../../src/db/database.js";
import { grantOrgScope } from "../../src/db/org-scope.js";
import * as s from "../../src/db/schema.js";
import type { AppError } from "../../src/domain/errors.js";
import { bootstrap } from "../../src/services/auth.service.js";
import { restoreBackup, writeBackup } from "../../src/services/backup.service.js";
import { loadDemo } from "../../src/services/demo.service.js";
import { DATABASE_KINDS, openTestDatabase } from "../support/databases.js";

/** The newest migration, as the migrations' journal lists it (a new migration moves it on). */
const CURRENT_SCHEMA = (
  JSON.parse(fs.readFileSync(path.join(import.meta.dirname, "../../src/db/migrations/meta/_journal.json"), "utf8")) as {
    entries: { tag: string }[];
  }
).entries.at(-1)!.tag;

const NOW = Date.UTC(2026, 10, 20, 12);
const AT = "2026-11-20T12:00:00.000Z";

/** The backup as one string (the tests compare whole files). */
async function backupText(db: Database, orgId: string): Promise<string> {
  let text = "";
  await writeBackup(
    db,
    orgId,
    {
      write: async (t) => {
        text += t;
      },
    },
    { createdAt: AT },
  );
  return text;
}

async function* linesOf(text: string): AsyncGenerator<string> {
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  yield* lines;
}

async function failure(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    return err as AppError;
  }
  throw new Error("expected the restore to be refused");
}

describe.each(DATABASE_KINDS)("backup and restore on %s", (kind) => {
  let source: Database;
  let orgId: string;
  let original: string;
  const opened: Database[] = [];
  const fresh = async () => {
    const db = await openTestDatabase(kind);
    opened.push(db);
    return db;
  };

  beforeAll(async () => {
    source = await fresh();
    await bootstrap(source, { adminEmail: "admin@example.com", adminName: "Ada Admin" });
    const admin = (await source.db.query.users.findMany({ limit: 1 }))[0]!;
    orgId = admin.orgId;
    const actor = {
      userId: admin.id,
      orgId,
      scope: grantOrgScope(orgId),
      role: "owner",
      access: "write" as const,
      isInstanceAdmin: true,
    };
    expect((await loadDemo(source, actor, NOW)).loaded).toBe(true);
    // What the demo does not make: secrets, arrays of text, a KR's token, exact decimals with a scale.
    const kr = (await source.db.query.keyResults.findMany({ limit: 1 }))[0]!;
    await source.db.insert(s.webhooks).values({
      orgId,
      url: "https://hooks.example.com/okra",
      secret: "whsec_0123456789abcdef",
      events: ["checkIn.created", "objective.closed"],
      createdBy: admin.id,
      description: 'quotes " and \\ and a line\nbreak, ünïcödé',
    });
    await source.db
      .insert(s.keyResultTokens)
      .values({ orgId, keyResultId: kr.id, name: "ci", tokenHash: "h".repeat(64) });
    await source.db.insert(s.ssoConfigs).values({
      orgId,
      issuer: "https://login.example.com",
      clientId: "okra",
      clientSecret: "s3cret",
      allowedDomains: ["example.com", "example.org"],
    });
    await source.db.insert(s.kpiValues).values({
      orgId,
      kpiId: randomUUID(),
      value: "12.500",
      at: new Date(NOW),
    });
    original = await backupText(source, orgId);
  }, 120_000);

  afterAll(async () => {
    for (const db of opened) await db.close();
  });

  it("round-trips the demo workspace byte for byte, and its figures need no correcting", async () => {
    const target = await fresh();
    const report = await restoreBackup(target, linesOf(original), { nowMs: NOW });
    expect(report.organizationId).toBe(orgId);
    expect(report.recompute.rewritten).toEqual({ keyResults: 0, objectives: 0 });
    expect(report.recompute.keyResults).toBeGreaterThanOrEqual(110);
    const again = await backupText(target, orgId);
    expect(again.length).toBe(original.length);
    expect(again === original).toBe(true);

    // Every table is in it, the organisation first; the demo and the extras fill most of them.
    const header = JSON.parse(`${original.split("\n")[0]!.slice(0, -',"tables":{'.length)}}`);
    expect(Object.keys(header.rows)).toEqual(BACKUP_TABLES.map((t) => t.name));
    expect(Object.keys(header.rows)[0]).toBe("organizations");
    expect(Object.keys(header.rows)).not.toContain("instance_secrets");
    for (const t of ["users", "objectives", "key_results", "check_ins", "audit_events", "webhooks", "sso_configs"]) {
      expect(header.rows[t], t).toBeGreaterThan(0);
    }
    // The file is JSON: values as PostgreSQL holds them (decimals with their digits, microseconds).
    const doc = JSON.parse(original);
    expect(doc.tables.webhooks[0].secret).toBe("whsec_0123456789abcdef");
    expect(doc.tables.webhooks[0].events).toEqual(["checkIn.created", "objective.closed"]);
    expect(original).toContain('"value" : 12.500');
    expect(doc.tables.users[0].created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$/);
    expect(doc.tables.check_ins.length).toBe(header.rows.check_ins);
  });

  it("continues the audit trail's numbering after the restored ids", async () => {
    const target = await fresh();
    await restoreBackup(target, linesOf(original), { nowMs: NOW });
    const [row] = await target.db
      .insert(s.auditEvents)
      .values({ orgId, action: "test", objectType: "organization", objectId: orgId })
      .returning();
    const doc = JSON.parse(original);
    const maxId = Math.max(...doc.tables.audit_events.map((e: { id: number }) => e.id));
    expect(row!.id).toBeGreaterThan(maxId);
  });

  it("refuses a non-empty instance unless forced, and never the same organisation twice", async () => {
    const target = await fresh();
    await bootstrap(target, { adminEmail: "someone@example.com", organizationName: "Already here" });
    const refused = await failure(restoreBackup(target, linesOf(original), { nowMs: NOW }));
    expect(refused.code).toBe("CONFLICT");
    expect(refused.message).toContain("This instance is not empty (it holds 1 organisation: Already here)");
    expect(refused.message).toContain("--force");
    // Nothing of the refused restore was written.
    expect((await target.db.query.organizations.findMany()).length).toBe(1);

    const forced = await restoreBackup(target, linesOf(original), { nowMs: NOW, force: true });
    expect(forced.organizationId).toBe(orgId);
    expect((await backupText(target, orgId)) === original).toBe(true);

    const twice = await failure(restoreBackup(target, linesOf(original), { nowMs: NOW, force: true }));
    expect(twice.code).toBe("CONFLICT");
    expect(twice.message).toContain(`The organisation ${orgId} already exists`);
  });

  it("refuses a tampered header, another schema, a row of another organisation and a truncated file", async () => {
    const target = await fresh();
    const lines = original.split("\n");
    const withFirst = (first: string) => [first, ...lines.slice(1)].join("\n");
    const cases: [string, string][] = [
      [withFirst(lines[0]!.replace('"okra-backup"', '"okra-export"')), 'header.format: must be "okra-backup"'],
      [withFirst(lines[0]!.replace('"version":1', '"version":2')), "header.version: must be 1"],
      [
        withFirst(lines[0]!.replace(/"schema":"[^"]+"/, '"schema":"0012_rhythm"')),
        `written by an Okra at schema 0012_rhythm; this one is at ${CURRENT_SCHEMA}. Restore it with the Okra version that wrote it`,
      ],
      [withFirst(lines[0]!.replace(/"check_ins":\d+/, '"check_ins":1')), "table check_ins holds"],
      [withFirst(lines[0]!.replace(',"tables":{', "")), "line 1: expected the backup's header"],
      [original.replace(`"org_id" : "${orgId}"`, `"org_id" : "${randomUUID()}"`), "not to the backup's organisation"],
      [lines.slice(0, Math.floor(lines.length / 2)).join("\n"), "the file ends inside the table"],
    ];
    for (const [text, message] of cases) {
      const err = await failure(restoreBackup(target, linesOf(text), { nowMs: NOW }));
      expect(err.code, message).toBe("VALIDATION");
      expect(err.message).toContain(message);
    }
    // Each was refused as a whole: the instance is still empty.
    expect((await target.db.query.organizations.findMany()).length).toBe(0);
  });

  it("streams a large organisation page by page", async () => {
    const big = await fresh();
    const org = await generateOrg(big, { people: 120, nowMs: NOW, seed: 7 });
    const checkIns = (await big.db.$count(s.checkIns)) as number;
    expect(checkIns).toBeGreaterThan(5_000);
    global.gc?.();
    const before = process.memoryUsage();
    let peakHeap = before.heapUsed;
    let peakRss = before.rss;
    let bytes = 0;
    let writes = 0;
    let largest = 0;
    const result = await writeBackup(
      big,
      org.orgId,
      {
        write: async (t) => {
          bytes += Buffer.byteLength(t);
          writes++;
          largest = Math.max(largest, Buffer.byteLength(t));
          const m = process.memoryUsage();
          peakHeap = Math.max(peakHeap, m.heapUsed);
          peakRss = Math.max(peakRss, m.rss);
        },
      },
      { createdAt: AT },
    );
    expect(result.rows.check_ins).toBe(checkIns);
    expect(result.bytes).toBe(bytes);
    // Written a page at a time: many writes, none larger than a page of rows (never the whole file).
    expect(writes).toBeGreaterThan(checkIns / 1000);
    expect(largest).toBeLessThan(1_500_000);
    console.log(
      `backup of ${checkIns} check-ins (${(bytes / 1e6).toFixed(1)} MB in ${writes} writes of at most ${(largest / 1e3).toFixed(0)} kB) on ${kind}: heap +${((peakHeap - before.heapUsed) / 1e6).toFixed(1)} MB at most, RSS +${((peakRss - before.rss) / 1e6).toFixed(1)} MB`,
    );
  }, 300_000);
});

// Real processes on embedded data directories: once, in the PGlite run (the PostgreSQL run covers the same service code above).
describe.skipIf(DATABASE_KINDS[0] === "postgres")("the okra backup and okra restore commands", () => {
  const run = promisify(execFile);
  const MAIN = path.resolve(import.meta.dirname, "../../src/cli/main.ts");
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "okra-backup-"));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const okra = (dir: string, ...args: string[]) => {
    const env: NodeJS.ProcessEnv = { ...process.env, OKRA_DATA_DIR: path.join(tmp, dir) };
    delete env.DATABASE_URL;
    return run(process.execPath, ["--import", "tsx", MAIN, ...args], { env, maxBuffer: 64 * 1024 * 1024 });
  };

  it("backs up to standard output, warns on standard error, and restores into an empty instance byte for byte", async () => {
    await okra("a", "demo");
    const first = await okra("a", "backup", "--at", AT);
    expect(first.stderr).toContain("the backup holds secrets");
    expect(first.stdout.startsWith('{"format":"okra-backup","version":1,')).toBe(true);
    expect(first.stdout).toContain(`"createdAt":"${AT}"`);
    const file = path.join(tmp, "org.json");
    fs.writeFileSync(file, first.stdout);

    const restored = await okra("b", "restore", file);
    expect(restored.stdout).toMatch(/^Restored .+ \([0-9a-f-]{36}\): \d+ rows in \d+ ms\.$/m);
    expect(restored.stdout).toMatch(/Recomputed \d+ key results and \d+ objectives/);
    const second = await okra("b", "backup", "--at", AT, "--out", path.join(tmp, "again.json"));
    expect(second.stdout).toBe("");
    expect(fs.readFileSync(path.join(tmp, "again.json"), "utf8") === first.stdout).toBe(true);
  }, 300_000);
});
