/**
 * `okra jobs list` and `okra jobs run <name>`: the background jobs, on the database directly
 * (the server machine; sends mail when OKRA_SMTP_URL is set) or through a running server's API
 * (`--url`, token in OKRA_TOKEN). A run prints what it did: for reminders, who was reminded of
 * which key results, who was skipped and why, and who was escalated to their manager.
 */
import type { Database } from "../db/database.js";
import { createSmtpMailer } from "../integrations/mail.js";
import type { Actor, Services } from "../services/context.js";
import { listJobs, runJobNow } from "../services/jobs.service.js";
import type { ReminderSummary } from "../services/reminders.service.js";
import type { Config } from "./config.js";

type WithDatabase = <T>(fn: (db: Database, config: Config) => Promise<T>) => Promise<T>;
type AdminActor = (db: Database, email?: string) => Promise<Actor>;
type Api = (url: string, method: string, path: string, body?: unknown) => Promise<unknown>;

function services(database: Database, config: Config): Services {
  return {
    database,
    now: Date.now,
    emit: () => {},
    publicUrl: config.publicUrl,
    mailer: config.smtpUrl ? createSmtpMailer({ url: config.smtpUrl, from: config.mailFrom }) : undefined,
  };
}

interface RunView {
  name: string;
  ok: boolean | null;
  summary: unknown;
  error: string | null;
}

function printReminders(s: ReminderSummary): void {
  console.log(`Reminders for ${s.today}:`);
  if (s.reminded.length === 0) console.log("  nobody was reminded");
  for (const r of s.reminded) {
    console.log(`  reminded ${r.name} (${r.channel === "email" ? "by email and in the app" : "in the app"}):`);
    for (const k of r.keyResults) console.log(`    - ${k.title} (due ${k.dueDate})`);
  }
  for (const e of s.escalated) {
    console.log(`  told ${e.managerName} that ${e.name} missed check-ins on:`);
    for (const k of e.keyResults) console.log(`    - ${k.title} (${k.missed} reminders)`);
  }
  if (s.skipped.length > 0) console.log("  skipped:");
  for (const k of s.skipped) console.log(`    - ${k.title}${k.name ? ` (${k.name})` : ""}: ${k.reason}`);
  if (s.counts.skipped > s.skipped.length) console.log(`    … and ${s.counts.skipped - s.skipped.length} more`);
  console.log(
    `  ${s.counts.considered} key results looked at: ${s.counts.due} due, ${s.counts.reminded} reminded, ${s.counts.skipped} skipped, ${s.counts.notDue} not due yet.`,
  );
}

function printRun(run: RunView, json: boolean): void {
  if (json) {
    console.log(JSON.stringify(run, null, 2));
    return;
  }
  if (!run.ok) {
    console.log(`${run.name} failed: ${run.error ?? "unknown error"}`);
    return;
  }
  if (run.name === "reminders") printReminders(run.summary as ReminderSummary);
  else console.log(`${run.name}: ${JSON.stringify(run.summary)}`);
}

export async function runJobsRun(
  name: string,
  o: { url?: string; json?: boolean; as?: string },
  withDatabase: WithDatabase,
  adminActor: AdminActor,
  api: Api,
): Promise<void> {
  const url = o.url ?? process.env.OKRA_URL;
  if (url) {
    printRun((await api(url, "POST", `/jobs/${encodeURIComponent(name)}/run`)) as RunView, Boolean(o.json));
    return;
  }
  await withDatabase(async (db, config) => {
    const actor = await adminActor(db, o.as);
    printRun(await runJobNow(services(db, config), actor, name), Boolean(o.json));
  });
}

export async function runJobsList(
  o: { url?: string },
  withDatabase: WithDatabase,
  adminActor: AdminActor,
  api: Api,
): Promise<void> {
  const url = o.url ?? process.env.OKRA_URL;
  const answer = (
    url
      ? await api(url, "GET", "/jobs")
      : await withDatabase(async (db, config) => listJobs(services(db, config), await adminActor(db)))
  ) as Awaited<ReturnType<typeof listJobs>>;
  for (const j of answer.items) {
    const last = j.lastRun ? `${j.lastRun.startedAt} (${j.lastRun.ok ? "ok" : "failed"})` : "never";
    console.log(
      `${j.name.padEnd(14)} ${j.title}. Next: ${j.nextRunAt}; last: ${last}; failures this week: ${j.failuresLastWeek}.`,
    );
  }
}
