/**
 * The durable job scheduler: pg-boss over the app's own database — the PostgreSQL server, or the
 * embedded PGlite through the adapter's `executeSql` — in its schema `okra_jobs`. Each job of
 * `jobDefinitions()` gets a queue, a cron schedule (UTC) and a worker. With several app
 * instances on one PostgreSQL, pg-boss lets one instance enqueue each cron slot and each job is
 * fetched by one worker (`SKIP LOCKED`); the queues are `singleton`, so a slow run is never
 * overlapped by the next. A failed run is retried with exponential backoff (5 times, from
 * 30 s). The jobs themselves record what they sent (reminders per key result and due date,
 * digests per person and week), so a retry or a repeated slot sends nothing twice.
 */
import PgBoss from "pg-boss";
import { instanceQueries } from "../db/instance-queries.js";
import type { Services } from "../services/context.js";
import { jobDefinitions, runScheduledJob } from "../services/jobs.service.js";

export interface Scheduler {
  /** Enqueues a job now (tests, and the same path as a cron slot). */
  enqueue(name: string): Promise<string | null>;
  stop(): Promise<void>;
}

export interface SchedulerOptions {
  /** How often workers look for work, in seconds (pg-boss's minimum is 0.5). */
  pollingIntervalSeconds?: number;
  /** Whether this instance also enqueues cron slots (every instance does by default). */
  schedule?: boolean;
  /** Whether this instance runs jobs (default true). */
  workers?: boolean;
  /** The first retry's delay in seconds (default 30), doubling with each attempt. */
  retryDelaySeconds?: number;
  onError?: (err: unknown) => void;
}

export const JOB_SCHEMA = "okra_jobs";

/** Starts the queues, schedules and workers of every job on the app's database. */
export async function startScheduler(svc: Services, opts: SchedulerOptions = {}): Promise<Scheduler> {
  const boss = new PgBoss({
    db: { executeSql: (text: string, values?: unknown[]) => svc.database.executeSql(text, values) },
    schema: JOB_SCHEMA,
    schedule: opts.schedule ?? true,
    supervise: true,
  } as unknown as PgBoss.ConstructorOptions);
  boss.on("error", (err) => opts.onError?.(err));
  await boss.start();
  const jobs = jobDefinitions();
  for (const job of jobs) {
    const queue = {
      policy: "singleton" as const,
      retryLimit: 5,
      retryDelay: opts.retryDelaySeconds ?? 30,
      retryBackoff: true,
      expireInSeconds: 15 * 60,
    };
    await boss.createQueue(job.name, { name: job.name, ...queue });
    // A queue made by an earlier version keeps its options unless told the current ones.
    await boss.updateQueue(job.name, { name: job.name, ...queue });
    if (opts.schedule ?? true) await boss.schedule(job.name, job.cron, {}, { tz: "UTC" });
    if (opts.workers === false) continue;
    await boss.work(job.name, { pollingIntervalSeconds: opts.pollingIntervalSeconds ?? 2 }, async (batch) => {
      for (const _ of batch) {
        await runScheduledJob(svc, job.name, await instanceQueries.organizationIds(svc.database.db));
      }
    });
  }
  return {
    enqueue: (name) => boss.send(name, {}),
    stop: () => boss.stop({ graceful: true, wait: true, timeout: 10_000 }),
  };
}
