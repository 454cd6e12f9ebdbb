/**
 * The background jobs (#12): what each does and when, a run for one organisation recorded in
 * `job_runs` with what it did, and the admin's view and "run now". The schedule itself lives
 * in `src/jobs/scheduler.ts` (pg-boss on either database), which calls `runScheduledJob`.
 */
import parser from "cron-parser";
import { grantOrgScope } from "../db/org-scope.js";
import { organizationRepo } from "../db/repositories.js";
import type { JobRunRow } from "../db/rhythm-queries.js";
import { rhythmQueries } from "../db/rhythm-queries.js";
import { AppError } from "../domain/errors.js";
import { type Actor, read, type Services } from "./context.js";
import { runDataSync } from "./data-link.service.js";
import { runDigests } from "./digest.service.js";
import { settingsOf } from "./evaluation.js";
import { deliverEmail } from "./notify.service.js";
import { runReminders } from "./reminders.service.js";
import { runStatusWatch } from "./status-watch.service.js";
import { purgeTrashOf } from "./trash.service.js";
import { deliverWebhooks } from "./webhook-delivery.js";

export interface JobDefinition {
  name: string;
  title: string;
  description: string;
  /** When the scheduler starts it (cron, UTC). Reminders and digests then wait for each organisation's local hour. */
  cron: string;
  /** Does the work for one organisation; the answer says what it did. */
  run(svc: Services, orgId: string, opts: { nowMs: number; force: boolean }): Promise<unknown>;
  /**
   * Whether a run found nothing to do (an empty outbox). Scheduled idle runs in a row are kept
   * as one run, dated by the latest, so the history shows work and the last run stays known.
   */
  idle?: (summary: unknown) => boolean;
}

/** The jobs, by name. (The background recompute after a settings change resumes at start instead.) */
export const JOBS: readonly JobDefinition[] = [
  {
    name: "reminders",
    title: "Check-in reminders",
    description:
      "Reminds each key result's owner when its check-in is due under the team's cadence (one message per person), skips those checked in within the cadence, and tells a manager after too many missed reminders.",
    cron: "5 * * * *",
    run: (svc, orgId, opts) => runReminders(svc, orgId, opts),
  },
  {
    name: "digests",
    title: "Weekly digest",
    description:
      "Once a week, from the reminder hour of the digest weekday: each person's key results that moved, new risks and check-ins due; team leads also get their teams' movers, new risks, who has not checked in and the coach's top findings.",
    cron: "35 * * * *",
    run: (svc, orgId, opts) => runDigests(svc, orgId, opts),
  },
  {
    name: "email-outbox",
    title: "Email delivery",
    description: "Sends notification emails still waiting (after a mail server's hiccup or a restart), each once.",
    cron: "* * * * *",
    run: (svc, orgId) => deliverEmail(svc, orgId),
    idle: (summary) => {
      const s = summary as { sent: number; failed: number };
      return s.sent === 0 && s.failed === 0;
    },
  },
  {
    name: "trash-purge",
    title: "Emptying the trash",
    description: "Erases items that have been in the trash for more than 30 days.",
    cron: "17 */6 * * *",
    run: async (svc, orgId, opts) => ({ erased: await purgeTrashOf(svc, orgId, opts.nowMs) }),
  },
  {
    name: "webhooks",
    title: "Webhook delivery",
    description:
      "Posts webhook deliveries that are due: new ones a restart held back, and retries of failed ones (after 30 s, 2 min, 8 min, 32 min and 128 min; the sixth failure is final).",
    cron: "* * * * *",
    run: (svc, orgId) => deliverWebhooks(svc, orgId),
    idle: (summary) => {
      const s = summary as { sent: number; retrying: number; failed: number };
      return s.sent === 0 && s.retrying === 0 && s.failed === 0;
    },
  },
  {
    name: "data-sync",
    title: "Data-linked key results",
    description:
      "Reads each data-linked key result's source (a JSON or CSV URL) as often as the settings say (hourly unless changed) and records a check-in when its value changed; a source that fails keeps the last good value and shows the error on the key result.",
    cron: "*/15 * * * *",
    run: (svc, orgId, opts) => runDataSync(svc, orgId, opts),
    // A tick with nothing due (most of them, hourly) is not kept.
    idle: (summary) => (summary as { checked: number }).checked === 0,
  },
  {
    name: "status-watch",
    title: "Status changes over time",
    description:
      "Each hour, finds the objectives and key results whose status moved with time alone (the progress expected by now grew, a grace period ended) and sends the status.changed webhook for each; writes announce their own changes.",
    cron: "50 * * * *",
    run: (svc, orgId, opts) => runStatusWatch(svc, orgId, opts),
    // An hour in which nothing moved (or nobody subscribes) is not kept.
    idle: (summary) => (summary as { changed: number }).changed === 0,
  },
];

/** Registers more jobs (the digest) without this module importing them. */
const extra: JobDefinition[] = [];
export function registerJob(job: JobDefinition): void {
  if (!extra.some((j) => j.name === job.name)) extra.push(job);
}

export function jobDefinitions(): JobDefinition[] {
  return [...JOBS, ...extra];
}

function jobNamed(name: string): JobDefinition {
  const job = jobDefinitions().find((j) => j.name === name);
  if (!job) {
    throw new AppError(
      "NOT_FOUND",
      `There is no job named ${JSON.stringify(name)}; the jobs are ${jobDefinitions()
        .map((j) => j.name)
        .join(", ")}.`,
    );
  }
  return job;
}

function presentRun(r: JobRunRow) {
  const job = jobDefinitions().find((j) => j.name === r.name);
  return {
    id: r.id,
    name: r.name,
    trigger: r.trigger === "manual" ? ("manual" as const) : ("schedule" as const),
    startedAt: r.startedAt.toISOString(),
    finishedAt: r.finishedAt ? r.finishedAt.toISOString() : null,
    ok: r.ok,
    summary: r.summary ?? null,
    error: r.error,
    idle: isIdleRun(job, r),
  };
}

/** A finished, successful scheduled run whose answer its job calls idle. */
function isIdleRun(job: JobDefinition | undefined, r: JobRunRow): boolean {
  return !!job?.idle && r.trigger === "schedule" && r.ok === true && r.summary != null && job.idle(r.summary);
}

/**
 * Runs one job for one organisation and records the run (started, then finished with its
 * answer or its error). A failure is recorded and thrown again, so the scheduler retries it.
 */
export async function runJobForOrganization(
  svc: Services,
  name: string,
  orgId: string,
  trigger: "schedule" | "manual",
): Promise<ReturnType<typeof presentRun> | null> {
  const job = jobNamed(name);
  const scope = grantOrgScope(orgId);
  const ex = svc.database.db;
  if (trigger === "schedule" && job.idle) {
    // Recorded when it did something (or failed); idle runs in a row are one record, kept current.
    const startedAt = new Date(svc.now());
    let summary: unknown;
    try {
      summary = await job.run(svc, orgId, { nowMs: svc.now(), force: false });
    } catch (err) {
      const run = await rhythmQueries.startRun(ex, scope, name, trigger, startedAt);
      await rhythmQueries.finishRun(ex, scope, run.id, {
        ok: false,
        summary: null,
        error: err instanceof Error ? err.message : String(err),
        at: new Date(svc.now()),
      });
      throw err;
    }
    if (job.idle(summary)) {
      const [last] = await rhythmQueries.runs(ex, scope, name, 1);
      if (last && isIdleRun(job, last)) {
        return presentRun(
          await rhythmQueries.redateRun(ex, scope, last.id, { startedAt, finishedAt: new Date(svc.now()), summary }),
        );
      }
    }
    const run = await rhythmQueries.startRun(ex, scope, name, trigger, startedAt);
    return presentRun(
      await rhythmQueries.finishRun(ex, scope, run.id, { ok: true, summary, error: null, at: new Date(svc.now()) }),
    );
  }
  // Bookkeeping of the run, outside the organisation's lock: the job's own writes take it.
  const started = await rhythmQueries.startRun(ex, scope, name, trigger, new Date(svc.now()));
  try {
    const summary = await job.run(svc, orgId, { nowMs: svc.now(), force: trigger === "manual" });
    return presentRun(
      await rhythmQueries.finishRun(ex, scope, started.id, { ok: true, summary, error: null, at: new Date(svc.now()) }),
    );
  } catch (err) {
    await rhythmQueries.finishRun(ex, scope, started.id, {
      ok: false,
      summary: null,
      error: err instanceof Error ? err.message : String(err),
      at: new Date(svc.now()),
    });
    throw err;
  }
}

/**
 * A scheduled run: the job for every organisation, each recorded on its own. Runs in a row that
 * did nothing (an outbox already empty) are kept as one, so the history shows work. Throws when
 * any organisation's run failed, after trying them all.
 */
export async function runScheduledJob(svc: Services, name: string, orgIds: readonly string[]): Promise<void> {
  const failures: string[] = [];
  for (const orgId of orgIds) {
    try {
      await runJobForOrganization(svc, name, orgId, "schedule");
    } catch (err) {
      failures.push(`${orgId}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (failures.length > 0)
    throw new Error(`${name} failed for ${failures.length} organisation(s): ${failures.join("; ")}`);
}

/** `POST /jobs/{name}/run` and `okra jobs run`: the job now, for the caller's organisation (admins). */
export async function runJobNow(svc: Services, actor: Actor, name: string) {
  await read(svc, actor, async ({ guard }) => guard.assertAdmin("run a background job"));
  const run = await runJobForOrganization(svc, name, actor.orgId, "manual");
  if (!run) throw new Error("a manual run is always recorded");
  return run;
}

/** The jobs as an admin sees them: what each does, its schedule, its next and last runs, recent failures. */
export async function listJobs(svc: Services, actor: Actor) {
  return read(svc, actor, async ({ ex, scope, guard, nowMs }) => {
    guard.assertAdmin("see the background jobs");
    const org = await organizationRepo.get(ex, scope);
    const tz = settingsOf(org).timeZone;
    const weekAgo = new Date(nowMs - 7 * 86_400_000);
    const items = [];
    for (const job of jobDefinitions()) {
      const [last] = await rhythmQueries.runs(ex, scope, job.name, 1);
      const next = parser
        .parseExpression(job.cron, { currentDate: new Date(nowMs), tz: "UTC" })
        .next()
        .toDate();
      items.push({
        name: job.name,
        title: job.title,
        description: job.description,
        schedule: job.cron,
        timeZone: tz,
        nextRunAt: next.toISOString(),
        lastRun: last ? presentRun(last) : null,
        failuresLastWeek: await rhythmQueries.failuresSince(ex, scope, job.name, weekAgo),
      });
    }
    return { items };
  });
}

/** The latest runs of one job (admins), newest first. */
export async function listJobRuns(svc: Services, actor: Actor, name: string) {
  jobNamed(name);
  return read(svc, actor, async ({ ex, scope, guard }) => {
    guard.assertAdmin("see the background jobs");
    return { items: (await rhythmQueries.runs(ex, scope, name, 50)).map(presentRun) };
  });
}
