/**
 * The one-time sign-in link: `okra serve` prints it on the first start only (or when asked
 * with --signin-link), and `okra signin-link [--email E]` makes one at the public URL — on
 * the embedded database only while the server is stopped, which the command says.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runSignInLink, serveBanner, signInLinkLine } from "../../src/cli/commands.js";
import { type Config, loadConfig } from "../../src/cli/config.js";
import { type Database, openDatabase } from "../../src/db/database.js";
import { users } from "../../src/db/schema.js";
import { bootstrap, consumeSignInCode } from "../../src/services/auth.service.js";
import type { Services } from "../../src/services/context.js";
import { DATABASE_KINDS, openTestDatabase } from "../support/databases.js";

/** What the service functions take: this database, the real clock, no live listeners. */
const cli = (database: Database): Services => ({ database, now: () => Date.now(), emit: () => {} });

const run = promisify(execFile);
const MAIN = path.resolve(import.meta.dirname, "../../src/cli/main.ts");
const LINK = /^Sign in as (\S+): (https?:\/\/\S+)\/sign-in#code=([A-Za-z0-9_-]+) {2}\(one-time, valid 30 minutes\)$/;

describe("what okra serve prints", () => {
  const base = {
    url: "http://localhost:3000",
    startedMs: 1234.4,
    database: { kind: "pglite" as const, location: "/srv/okra/data" },
  };
  const link = { email: "admin@example.com", code: "abc_DEF-123" };

  it("prints the link on the first start, with the admin's token", () => {
    const out = serveBanner({
      ...base,
      boot: { created: true, adminEmail: "admin@example.com", generatedToken: "okra_t0ken" },
      link,
    });
    expect(out).toContain(
      "  Sign in as admin@example.com: http://localhost:3000/sign-in#code=abc_DEF-123  (one-time, valid 30 minutes)",
    );
    expect(out).toContain("Admin API token (shown once, keep it safe): okra_t0ken");
    expect(out).toContain("(started in 1234 ms)");
  });

  it("prints no link on a later start, but how to get one", () => {
    const boot = { created: false, adminEmail: "admin@example.com", generatedToken: null };
    const embedded = serveBanner({ ...base, boot, link: null });
    expect(embedded).not.toContain("sign-in#code=");
    expect(embedded).not.toContain("the link above");
    expect(embedded).toContain("npm start -- --signin-link");
    expect(embedded).toContain("npx okra signin-link [--email E]` while the server is stopped");
    expect(embedded).toContain("npx okra token create --email admin@example.com");
    const server = serveBanner({
      ...base,
      database: { kind: "postgres", location: "postgres://db/okra" },
      boot,
      link: null,
    });
    expect(server).toContain("A one-time sign-in link: `npx okra signin-link [--email E]`.");
    expect(server).not.toContain("while the server is stopped");
    // Asked for with --signin-link.
    const asked = serveBanner({ ...base, boot, link });
    expect(asked).toContain("/sign-in#code=abc_DEF-123");
    expect(asked).toContain("Sign in with your password or the link above.");
  });
});

describe.each(DATABASE_KINDS)("okra signin-link on %s", (kind) => {
  let database: Database;
  const config = { ...loadConfig({}), publicUrl: "https://okr.example.com" } satisfies Config;
  const withDatabase = <T>(fn: (db: Database, c: Config) => Promise<T>) => fn(database, config);

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    await bootstrap(database, { adminEmail: "admin@example.com", bootstrapToken: "okra_cli_test_token_0123456789" });
  });
  afterAll(() => database?.close());

  const printed = async (o: { email?: string }) => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    try {
      await runSignInLink(o, withDatabase);
      expect(log).toHaveBeenCalledTimes(1);
      return String(log.mock.calls[0]?.[0]);
    } finally {
      log.mockRestore();
    }
  };

  it("prints a working one-time link for the instance administrator at the public URL", async () => {
    const line = await printed({});
    const [, email, url, code] = LINK.exec(line) ?? [];
    expect(email).toBe("admin@example.com");
    expect(url).toBe("https://okr.example.com");
    expect(line).toBe(signInLinkLine("https://okr.example.com/", { email: "admin@example.com", code: code ?? "" }));
    await expect(consumeSignInCode(cli(database), code)).resolves.toMatchObject({ userId: expect.any(String) });
    // Once.
    await expect(consumeSignInCode(cli(database), code)).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
  });

  it("makes one for the account named by --email, and says when there is none", async () => {
    const [admin] = await database.db.select().from(users).where(eq(users.email, "admin@example.com"));
    await database.db.insert(users).values({ orgId: admin!.orgId, name: "Mia Member", email: "mia@example.com" });
    const line = await printed({ email: "mia@example.com" });
    const [, email, , code] = LINK.exec(line) ?? [];
    expect(email).toBe("mia@example.com");
    const [mia] = await database.db.select().from(users).where(eq(users.email, "mia@example.com"));
    await expect(consumeSignInCode(cli(database), code)).resolves.toEqual({ userId: mia!.id, orgId: admin!.orgId });
    await expect(printed({ email: "nobody@example.com" })).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: "No active account has the email nobody@example.com.",
    });
  });
});

describe.runIf(DATABASE_KINDS.includes("pglite"))("the okra command on the embedded database", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "okra-signin-link-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const okra = async (args: string[]) => {
    const env: NodeJS.ProcessEnv = { ...process.env, OKRA_DATA_DIR: dir, OKRA_PUBLIC_URL: "https://okr.example.com" };
    delete env.DATABASE_URL;
    try {
      const { stdout, stderr } = await run(process.execPath, ["--import", "tsx", MAIN, ...args], { env });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };

  it("prints a link while the server is stopped", async () => {
    const db = await openDatabase({ dataDir: dir });
    await db.migrate();
    await bootstrap(db, { adminEmail: "owner@example.com", bootstrapToken: "okra_cli_test_token_0123456789" });
    await db.close();
    const out = await okra(["signin-link"]);
    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    const [, email, url, code] = LINK.exec(out.stdout.trim()) ?? [];
    expect([email, url]).toEqual(["owner@example.com", "https://okr.example.com"]);
    const again = await openDatabase({ dataDir: dir });
    try {
      await expect(consumeSignInCode(cli(again), code)).resolves.toMatchObject({ userId: expect.any(String) });
    } finally {
      await again.close();
    }
  }, 60_000);

  it("refuses while another process (the server) holds the embedded database, saying what to do", async () => {
    // This test process stands in for the running server.
    fs.writeFileSync(path.join(dir, "okra.lock"), String(process.pid));
    try {
      const out = await okra(["signin-link", "--email", "owner@example.com"]);
      expect(out.code).toBe(1);
      expect(out.stdout).toBe("");
      expect(out.stderr).toContain(
        `okra: The embedded database in ${dir} is open in another Okra process (pid ${process.pid})`,
      );
      expect(out.stderr).toContain("Stop the server, run `npx okra signin-link` and start it again");
      expect(out.stderr).toContain("`npm start -- --signin-link`");
      expect(out.stderr).not.toMatch(/sign-in#code=/);
    } finally {
      fs.rmSync(path.join(dir, "okra.lock"), { force: true });
    }
  }, 60_000);
});
