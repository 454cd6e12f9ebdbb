/**
 * The `okra` command: serve, migrate, demo, token create, signin-link, import (OKRs, people), checkin, lint,
 * export --yaml, apply, backup, restore, jobs.
 */
import { readFileSync } from "node:fs";
import { Command, CommanderError, Option } from "commander";
import { type Database, DatabaseOpenError, openDatabase } from "../db/database.js";
import { DirectoryLockedError } from "../db/directory-lock.js";
import { grantOrgScope } from "../db/org-scope.js";
import { AppError } from "../domain/errors.js";
import { buildApp } from "../http/app.js";
import { createSmtpMailer } from "../integrations/mail.js";
import { startScheduler } from "../jobs/scheduler.js";
import { bootstrap, createSignInCode, createTokenForEmail } from "../services/auth.service.js";
import type { Actor } from "../services/context.js";
import { loadDemo } from "../services/demo.service.js";
import { importPeople } from "../services/hris-import.service.js";
import { recomputeAll, resumeRecomputes } from "../services/recompute.service.js";
import { catchUpTitleIndexes } from "../services/title-twins.js";
import { runBackup, runRestore } from "./backup-command.js";
import { api, runCheckIn, runLint, runSignInLink, serveBanner } from "./commands.js";
import { type Config, ConfigError, loadConfig } from "./config.js";
import { runImportOkrs } from "./import-command.js";
import { runJobsList, runJobsRun } from "./jobs-command.js";
import { runApply, runExport, runLintFile } from "./okr-file-command.js";
import { ensureWebBuild } from "./web-build.js";

async function open(config: Config): Promise<Database> {
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  await database.migrate();
  return database;
}

async function withDatabase<T>(fn: (db: Database, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const database = await open(config);
  try {
    return await fn(database, config);
  } finally {
    await database.close();
  }
}

/** The first admin's actor, for commands run on the server itself. */
export async function adminActor(database: Database, email?: string): Promise<Actor> {
  const users = await database.db.query.users.findMany({
    where: (u, { eq, and }) => (email ? eq(u.email, email) : and(eq(u.isInstanceAdmin, true), eq(u.active, true))),
    limit: 1,
  });
  const user = users[0];
  if (!user) {
    throw new AppError(
      "NOT_FOUND",
      email
        ? `No account has the email ${email}.`
        : "The database has no admin yet; run `okra serve` once to create one.",
    );
  }
  return {
    userId: user.id,
    orgId: user.orgId,
    scope: grantOrgScope(user.orgId),
    role: user.role,
    access: "write",
    isInstanceAdmin: user.isInstanceAdmin,
  };
}

async function serve(opts: { demo?: boolean; port?: string; signinLink?: boolean }) {
  const started = performance.now();
  const config = loadConfig(opts.port ? { ...process.env, PORT: opts.port } : process.env);
  const database = await open(config);
  const boot = await bootstrap(database, {
    organizationName: config.organizationName,
    adminEmail: config.adminEmail,
    bootstrapToken: config.bootstrapToken,
  });
  if (boot.bootstrapTokenRevoked) {
    console.warn(
      "OKRA_BOOTSTRAP_TOKEN was revoked in Okra, so it no longer signs in: set it to a new value (16+ characters) or remove it, and restart.",
    );
  }
  if (opts.demo || config.demo) {
    const actor = await adminActor(database);
    const result = await loadDemo(database, actor, Date.now());
    console.log(result.loaded ? `Demo workspace loaded: ${result.summary}.` : `Demo not loaded: ${result.summary}.`);
    // What the demo wrote gets its planner statistics now, not at the next round (embedded).
    if (result.loaded) await database.refreshStatistics?.();
  }
  const webDir = await ensureWebBuild((line) => console.log(line));
  const app = await buildApp({
    database,
    logger: { level: config.logLevel },
    webDir,
    publicUrl: config.publicUrl,
    allowPrivateUrls: config.allowPrivateUrls,
    mailer: config.smtpUrl ? createSmtpMailer({ url: config.smtpUrl, from: config.mailFrom }) : undefined,
    secureCookies: config.secureCookies,
    sessionPolicy: { idleMs: config.sessionIdleHours * 3_600_000, maxMs: config.sessionMaxDays * 86_400_000 },
    loginRateLimit: config.loginRateLimit,
    backgroundRecomputeAbove: config.backgroundRecomputeAbove,
    tls: config.tls,
    trustProxy: config.trustProxy,
  });
  // Background jobs (reminders, email delivery, the trash's 30 days): durable, on the app's database.
  const scheduler = await startScheduler(app.services, {
    onError: (err) => app.log.error({ err }, "background job error"),
  });
  // The coach's title index catches up with what an upgrade or a bulk load queued.
  void catchUpTitleIndexes(database.db).catch((err) => app.log.error({ err }, "could not build the title index"));
  // A settings change's background recompute that a stop interrupted goes on.
  void resumeRecomputes({ database, now: Date.now, emit: () => {} }).catch((err) =>
    app.log.error({ err }, "could not resume recomputing stored figures"),
  );
  const shutdown = async (signal: string) => {
    console.log(`\n${signal} received: stopping Okra…`);
    await scheduler.stop().catch(() => {});
    await app.close();
    await database.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
  const address = await app.listen({ port: config.port, host: config.host });
  // Fastify names the address http:// whatever server it runs; with a certificate it is https.
  const url = address
    .replace("0.0.0.0", "localhost")
    .replace("[::]", "localhost")
    .replace(/^http:/, config.tls ? "https:" : "http:");
  // The one-time link only on the first start, or when asked: logs and terminals keep it otherwise.
  const link = boot.created || opts.signinLink ? await createSignInCode(database, Date.now()).catch(() => null) : null;
  console.log(serveBanner({ url, startedMs: performance.now() - started, database, boot, link }));
}

function program(): Command {
  const cmd = new Command("okra")
    .description("Okra: self-hosted OKRs — objectives, key results, check-ins, alignment and roll-up.")
    .showHelpAfterError("(run with --help for usage)")
    .addHelpText(
      "after",
      "\nEnvironment: PORT (3000), HOST, OKRA_DATA_DIR (./data), DATABASE_URL (use a PostgreSQL server),\n" +
        "OKRA_BOOTSTRAP_TOKEN, OKRA_ADMIN_EMAIL, OKRA_ORG_NAME, OKRA_DEMO=1, LOG_LEVEL, OKRA_PUBLIC_URL,\n" +
        "OKRA_ALLOW_PRIVATE_URLS=true (SSO discovery may reach loopback and private addresses).",
    );
  cmd
    .command("serve")
    .description("run the server (migrates the database, creates the admin on first start)")
    .option("--demo", "load the demo workspace if the database holds no objectives yet")
    .option("-p, --port <port>", "port to listen on (default: PORT or 3000)")
    .option("--signin-link", "print a one-time sign-in link for the admin (the first start always does)")
    .action(serve);
  cmd
    .command("signin-link")
    .description(
      "print a one-time sign-in link (30 minutes) at OKRA_PUBLIC_URL; on the embedded database, with the server stopped",
    )
    .option("--email <email>", "the account to sign in as (default: the instance administrator)")
    .action((o: { email?: string }) => runSignInLink(o, withDatabase));
  cmd
    .command("migrate")
    .description("apply database migrations and exit")
    .action(() =>
      withDatabase(async (db) => {
        console.log(
          `Migrations applied (${db.kind === "pglite" ? `embedded database in ${db.location}` : db.location}).`,
        );
      }),
    );
  cmd
    .command("demo")
    .description("fill the workspace with a realistic demo company (only when it holds no objectives)")
    .action(() =>
      withDatabase(async (db, config) => {
        await bootstrap(db, {
          organizationName: config.organizationName,
          adminEmail: config.adminEmail,
          bootstrapToken: config.bootstrapToken,
        });
        const result = await loadDemo(db, await adminActor(db), Date.now());
        console.log(
          result.loaded ? `Demo workspace loaded: ${result.summary}.` : `Demo not loaded: ${result.summary}.`,
        );
      }),
    );
  const token = cmd.command("token").description("manage API tokens");
  token
    .command("create")
    .description("issue a new API token for an account (printed once)")
    .requiredOption("--email <email>", "the account's email")
    .option("--name <name>", "a name to recognise the token by", "cli")
    .addOption(new Option("--scope <scope>", "what the token may do").choices(["read", "write"]).default("write"))
    .action((o: { email: string; name: string; scope: "read" | "write" }) =>
      withDatabase(async (db) => {
        const t = await createTokenForEmail(db, o.email, { name: o.name, scope: o.scope });
        console.log(t.token);
      }),
    );
  const importCmd = cmd
    .command("import")
    .description(
      "import OKRs from a spreadsheet (CSV or XLSX: Okra's template or Viva Goals' shapes), or people with `import people`",
    )
    .argument("[file]", "the spreadsheet (.csv or .xlsx)")
    .option("--dry-run", "check every row and say what would happen, without writing")
    .option("--create-missing", "create the people (by email), teams and periods the file names that Okra lacks")
    .action((file: string | undefined, o: { dryRun?: boolean; createMissing?: boolean }) => {
      if (!file) {
        importCmd.help();
        return;
      }
      return withDatabase(async (db) => runImportOkrs(db, await adminActor(db), file, o));
    });
  importCmd
    .command("people")
    .description("import people and teams from HRIS CSV files as Viva Goals used them (one transaction)")
    .option("--users <file>", "users CSV: User Email, User Name, Teams, Manager Email, Is Org Admin")
    .option("--teams <file>", "teams CSV: Team name, Team Owner, Parent Team")
    .option("--dry-run", "validate and count without writing")
    .action((o: { users?: string; teams?: string; dryRun?: boolean }) =>
      withDatabase(async (db) => {
        const actor = await adminActor(db);
        const svc = { database: db, now: Date.now, emit: () => {} };
        const s = await importPeople(svc, actor, {
          ...(o.users ? { usersCsv: readFileSync(o.users, "utf8") } : {}),
          ...(o.teams ? { teamsCsv: readFileSync(o.teams, "utf8") } : {}),
          dryRun: Boolean(o.dryRun),
        });
        const count = (c: { created: number; updated: number; unchanged: number }) =>
          `${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged`;
        console.log(
          `${s.dryRun ? "Dry run (nothing written): " : ""}people ${count(s.people)}; teams ${count(s.teams)}`,
        );
        for (const p of s.problems) console.log(`  ${p}`);
      }),
    );
  cmd
    .command("checkin")
    .description("check in a new value on a key result")
    .argument("<key-result-id>", "the key result's id")
    .argument("<value>", "the new value (for a milestone: achieved | not-achieved)")
    .option("--note <note>", "what happened since the last check-in")
    .option("--confidence <n>", "confidence 1-10")
    .option("--status <status>", 'manual status: "on track" | behind | "at risk" | "not started"')
    .option("--as <email>", "check in as this account (default: the admin)")
    .option(
      "--url <url>",
      "talk to a running server instead of opening the database (env OKRA_URL; token in OKRA_TOKEN)",
    )
    .action((id: string, value: string, o) => runCheckIn(id, value, o, withDatabase, adminActor));
  cmd
    .command("recompute")
    .description(
      "rebuild every stored figure from objectives, key results, alignments and check-ins (after a restore, a bulk load or a migration)",
    )
    .action(() =>
      withDatabase(async (db) => {
        for (const r of await recomputeAll(db, Date.now())) {
          const changed = r.rewritten.keyResults + r.rewritten.objectives;
          console.log(
            `${r.name}: ${r.keyResults} key results and ${r.objectives} objectives recomputed; ${changed === 0 ? "every stored figure was already right" : `${r.rewritten.keyResults} key results and ${r.rewritten.objectives} objectives corrected`}.`,
          );
        }
      }),
    );
  cmd
    .command("lint")
    .description(
      "print the coach's findings; exits 1 when any error-severity finding exists. With a file: lint that OKR file offline (no server, no database; exit 2 when it does not follow the format)",
    )
    .argument("[file]", "an OKR file (YAML, docs/okrs-as-code.md) to lint on its own")
    .option("--period <id-or-name>", "the period to check (default: the current quarter, else the current period)")
    .option("--json", "print the findings as JSON")
    .option(
      "--url <url>",
      "talk to a running server instead of opening the database (env OKRA_URL; token in OKRA_TOKEN)",
    )
    .action((file: string | undefined, o) => (file ? runLintFile(file, o) : runLint(o, withDatabase, adminActor)));
  // OKRs as code (#13): export, apply.
  cmd
    .command("export")
    .description("print a period's OKRs (the organisation's, or one team's) as an OKR file")
    .option("--yaml", "as YAML in the OKRs-as-code format (docs/okrs-as-code.md)")
    .option("--period <name>", "the period (default: the current quarter, else the current period)")
    .option("--team <name>", "only this team's objectives")
    .option("--check-ins", "include each key result's check-ins")
    .option("-o, --output <file>", "write to this file instead of printing")
    .option("--as <email>", "export what this account may see (default: the instance administrator)")
    .action((o) => runExport(o, withDatabase, adminActor));
  cmd
    .command("apply")
    .description(
      "bring the workspace to what an OKR file says: shows the changes, asks, then applies them in one transaction",
    )
    .argument("<file>", "the OKR file (YAML)")
    .option("-y, --yes", "apply without asking")
    .option("--prune", "also delete objects with a ref in the file's periods (and team) that the file no longer lists")
    .option("--as <email>", "apply as this account (default: the instance administrator)")
    .action((file: string, o) => runApply(file, o, withDatabase, adminActor));
  cmd
    .command("backup")
    .description("write one organisation's complete data as JSON to standard output (docs/backup.md)")
    .option("--org <id-or-name>", "the organisation (default: the only one)")
    .option("--at <iso>", "the time written in the header (default: now); fix it to compare backups byte for byte")
    .option("--out <file>", "write to this file (mode 600) instead of standard output")
    .action((o: { org?: string; at?: string; out?: string }) => runBackup(o, withDatabase));
  cmd
    .command("restore")
    .description("restore a backup with the same ids into an empty instance, then recompute its figures")
    .argument("<file>", "a file written by okra backup")
    .option("--force", "restore beside the organisations already in the instance (never over one with the same id)")
    .action((file: string, o: { force?: boolean }) => runRestore(file, o, withDatabase));
  const jobs = cmd.command("jobs").description("the background jobs: reminders, email delivery, emptying the trash");
  jobs
    .command("list")
    .description("each job with its schedule, next and last run")
    .option("--url <url>", "talk to a running server (env OKRA_URL; token in OKRA_TOKEN)")
    .action((o: { url?: string }) => runJobsList(o, withDatabase, adminActor, api));
  jobs
    .command("run")
    .description("run a job now for the organisation and print what it did")
    .argument("<name>", "reminders, digests, email-outbox, trash-purge, webhooks, data-sync, status-watch")
    .option("--json", "print the run as JSON")
    .option("--as <email>", "run as this admin (default: the instance administrator)")
    .option("--url <url>", "talk to a running server (env OKRA_URL; token in OKRA_TOKEN)")
    .action((name: string, o: { url?: string; json?: boolean; as?: string }) =>
      runJobsRun(name, o, withDatabase, adminActor, api),
    );
  return cmd;
}

function explain(err: unknown): string {
  if (err instanceof AppError) {
    const details = Array.isArray(err.details) ? `\n  ${(err.details as string[]).join("\n  ")}` : "";
    return `${err.message}${details && !err.message.includes(String((err.details as string[])[0])) ? details : ""}`;
  }
  if (err instanceof DirectoryLockedError || err instanceof DatabaseOpenError || err instanceof ConfigError)
    return err.message;
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

program()
  .exitOverride()
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    if (err instanceof CommanderError) process.exit(err.exitCode);
    console.error(`okra: ${explain(err)}`);
    process.exit(err instanceof AppError && err.code === "VALIDATION" ? 2 : 1);
  });
