/**
 * OKRs as code through the real command: `okra lint <file>` (offline: exit 0, 1 on an
 * error-severity finding, 2 when the file does not follow the format) and `okra export --yaml`
 * then `okra apply` on the embedded database ("No changes.").
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/database.js";
import { bootstrap } from "../../src/services/auth.service.js";
import { createKeyResult, createObjective } from "../../src/services/okr.service.js";
import { createPeriod } from "../../src/services/period.service.js";
import { adminActorOf } from "../support/cli-actor.js";

const run = promisify(execFile);
const MAIN = path.resolve(import.meta.dirname, "../../src/cli/main.ts");

/** Runs `okra …` and returns its exit code and output, whatever the code. */
async function okra(args: string[], env: NodeJS.ProcessEnv = process.env) {
  try {
    const { stdout, stderr } = await run(process.execPath, ["--import", "tsx", MAIN, ...args], { env });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const GOOD = `version: 1
period: Q3 2026
objectives:
  - ref: love
    title: Customers get value in their first week
    level: organization
    owners: [maya@example.com]
    keyResults:
      - ref: ttv
        title: Median days to first dashboard
        type: decrease
        start: 12
        target: 3
        owners: [grace@example.com]
      - ref: nrr
        title: Net revenue retention
        type: increase
        start: 104
        target: 115
        owners: [maya@example.com]
`;

describe("okra lint <file>", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "okra-lint-"));
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };
  // No database anywhere: lint must not need one.
  const env = { ...process.env, OKRA_DATA_DIR: path.join(dir, "no-such-dir"), DATABASE_URL: "" };
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("exits 0 on a good file and opens no database", async () => {
    const r = await okra(["lint", write("good.yaml", GOOD)], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("0 finding(s): 0 error, 0 warning, 0 info.");
    expect(fs.existsSync(path.join(dir, "no-such-dir"))).toBe(false);
  });

  it("exits 1 on an error-severity finding, with the line it is on", async () => {
    const file = write("no-target.yaml", GOOD.replace("        target: 115\n", ""));
    const r = await okra(["lint", file], env);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${file}:15: error kr-measurable`);
  });

  it("exits 2 when the file does not follow the format, each problem with its line", async () => {
    const file = write("bad.yaml", GOOD.replace("type: increase", "type: more"));
    const r = await okra(["lint", file], env);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(`${file}:17: objectives[0].keyResults[1].type: Invalid option`);
  });
});

describe("okra export --yaml, then okra apply", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "okra-apply-"));
  const env: NodeJS.ProcessEnv = { ...process.env, OKRA_DATA_DIR: dir };
  delete env.DATABASE_URL;

  beforeAll(async () => {
    const database = await openDatabase({ dataDir: dir });
    await database.migrate();
    await bootstrap(database, { adminEmail: "admin@example.com", bootstrapToken: "okra_cli_test_token_0123456789" });
    const svc = { database, now: Date.now, emit: () => {} };
    const actor = await adminActorOf(database);
    const year = new Date().getUTCFullYear();
    const period = await createPeriod(svc, actor, {
      name: `${year}`,
      kind: "year",
      startDate: `${year}-01-01`,
      endDate: `${year}-12-31`,
    });
    const o = await createObjective(svc, actor, {
      title: "Grow",
      level: "organization",
      periodId: period.id,
      ownerIds: [actor.userId],
    });
    await createKeyResult(svc, actor, o.id, { title: "Customers", type: "increase", start: 10, target: 20 });
    await database.close();
  }, 60_000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("prints No changes for the file it exported, and applies an edit after --yes", async () => {
    const file = path.join(dir, "okrs.yaml");
    const exported = await okra(["export", "--yaml", "-o", file], env);
    expect(exported.code).toBe(0);
    const text = fs.readFileSync(file, "utf8");
    expect(text).toContain("title: Grow");
    const same = await okra(["apply", file], env);
    expect(same.stdout).toContain("No changes.");
    fs.writeFileSync(file, text.replace("target: 20", "target: 25"));
    const edited = await okra(["apply", "--yes", file], env);
    expect(edited.code).toBe(0);
    expect(edited.stdout).toContain("target: 20 → 25");
    expect(edited.stdout).toContain("Applied 1 change.");
  }, 240_000);
});
