/**
 * The durable job scheduler (pg-boss on the app's database, embedded or server): a job waits in
 * the database for a worker (it survives a restart), a failing run is retried with backoff and
 * each run is recorded; and with two app instances on one PostgreSQL, reminders go once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/database.js";
import { buildApp } from "../../src/http/app.js";
import { type Scheduler, startScheduler } from "../../src/jobs/scheduler.js";
import { registerJob } from "../../src/services/jobs.service.js";
import { type ApiHarness, factories, startApi } from "../support/api.js";
import { DATABASE_KINDS } from "../support/databases.js";
import { startSmtp, type TestSmtp } from "../support/smtp.js";

const MONDAY_1000 = Date.UTC(2026, 1, 16, 10);

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// A job that fails on its first attempt for each organisation, to see the retry.
const attempts = new Map<string, number>();
registerJob({
  name: "test-flaky",
  title: "Flaky (test)",
  description: "Fails once, then succeeds.",
  cron: "0 0 1 1 *",
  run: async (_svc, orgId) => {
    const n = (attempts.get(orgId) ?? 0) + 1;
    attempts.set(orgId, n);
    if (n === 1) throw new Error("the first attempt fails");
    return { attempt: n };
  },
});

describe.each(DATABASE_KINDS)("durable jobs on %s", (kind) => {
  let api: ApiHarness;
  let smtp: TestSmtp;
  const schedulers: Scheduler[] = [];

  beforeAll(async () => {
    smtp = await startSmtp();
    api = await startApi(kind, MONDAY_1000, { mailer: smtp.mailer, publicUrl: "https://okra.test.example" });
  });
  afterAll(async () => {
    for (const s of schedulers) await s.stop().catch(() => {});
    await api?.close();
    await smtp?.close();
  });

  it("keeps a job enqueued while no worker runs, and runs it once a worker starts", async () => {
    // An instance that only enqueues, then stops: the job waits in the database.
    const producer = await startScheduler(api.app.services, { schedule: false, workers: false });
    expect(await producer.enqueue("trash-purge")).toEqual(expect.any(String));
    await producer.stop();
    const worker = await startScheduler(api.app.services, { schedule: false, pollingIntervalSeconds: 0.5 });
    schedulers.push(worker);
    const run = await until("the purge's run to finish", async () => {
      const jobs = await api.call("GET", "/jobs");
      const last = jobs.body.items.find((j: { name: string }) => j.name === "trash-purge")?.lastRun;
      return last && last.ok !== null ? last : null;
    });
    expect(run).toMatchObject({ trigger: "schedule", ok: true, summary: { erased: 0 } });
  });

  it("records an idle run of the outbox once, kept current by the idle runs after it", async () => {
    const [worker] = schedulers as [Scheduler];
    const lastOutboxRun = async () => {
      const jobs = await api.call("GET", "/jobs");
      return jobs.body.items.find((j: { name: string }) => j.name === "email-outbox")?.lastRun;
    };
    expect(await lastOutboxRun()).toBeNull();
    await worker.enqueue("email-outbox");
    const first = await until("the outbox's run to be recorded", lastOutboxRun);
    expect(first).toMatchObject({ trigger: "schedule", ok: true, idle: true, summary: { sent: 0, failed: 0 } });
    api.clock.now += 60_000;
    await worker.enqueue("email-outbox");
    const second = await until("the next idle run to move the record", async () => {
      const last = await lastOutboxRun();
      return last && last.startedAt !== first.startedAt ? last : null;
    });
    expect(second).toMatchObject({ id: first.id, idle: true, startedAt: new Date(api.clock.now).toISOString() });
    const runs = await api.call("GET", "/jobs/email-outbox/runs");
    expect(runs.body.items).toHaveLength(1);
  });

  it("retries a failed run with backoff and records both runs", async () => {
    const [worker] = schedulers;
    await worker?.stop();
    schedulers.length = 0;
    const retrying = await startScheduler(api.app.services, {
      schedule: false,
      pollingIntervalSeconds: 0.5,
      retryDelaySeconds: 1,
    });
    schedulers.push(retrying);
    await retrying.enqueue("test-flaky");
    const runs = await until("a failed run and a good one", async () => {
      const r = await api.call("GET", "/jobs/test-flaky/runs");
      // A run is listed once it starts (ok null) and settles when it ends: wait for both to end.
      const items = r.body.items as { ok: boolean | null }[];
      return items.length >= 2 && items.every((i) => i.ok !== null) ? items : null;
    });
    // Both runs start at the app's instant (the test's clock stands still), so their listed order
    // is the database's to choose: find each by what it did.
    expect(runs.map((r) => r.ok).sort()).toEqual([false, true]);
    expect(runs.find((r) => r.ok === false)).toMatchObject({ error: "the first attempt fails" });
    expect(runs.find((r) => r.ok === true)).toMatchObject({ summary: { attempt: 2 } });
  });

  it.runIf(kind === "postgres")(
    "sends reminders once when two app instances on one PostgreSQL run the job together",
    async () => {
      const f = factories(api);
      const u = await api.call("POST", "/users", { name: "Pia", email: "pia@jobs.example", invite: false });
      const period = await f.period();
      const o = await f.objective(period.id, { title: "Ship weekly", ownerIds: [u.body.id] });
      await f.keyResult(o.id, { title: "Releases shipped", ownerIds: [u.body.id] });
      // A second app instance on the same database.
      const second = await openDatabase({ databaseUrl: api.database.location, poolSize: 4 });
      const app2 = await buildApp({ database: second, now: () => api.clock.now, mailer: smtp.mailer });
      try {
        const a = schedulers[0] as Scheduler;
        const b = await startScheduler(app2.services, { schedule: false, pollingIntervalSeconds: 0.5 });
        schedulers.push(b);
        // The same slot reaching both instances' queues: two jobs, one per instance.
        await Promise.all([a.enqueue("reminders"), b.enqueue("reminders")]);
        const runs = await until("two reminder runs", async () => {
          const r = await api.call("GET", "/jobs/reminders/runs");
          return r.body.items.filter((x: { ok: boolean | null }) => x.ok !== null).length >= 2 ? r.body.items : null;
        });
        const reminded = runs.flatMap((r: { summary: { reminded: { name: string }[] } }) =>
          r.summary.reminded.map((p) => p.name),
        );
        expect(reminded).toEqual(["Pia"]);
        await smtp.waitFor("pia@jobs.example");
        await new Promise((r) => setTimeout(r, 1500));
        expect(smtp.inbox.filter((m) => m.to === "pia@jobs.example")).toHaveLength(1);
        await b.stop();
      } finally {
        await app2.close();
        await second.close();
      }
    },
  );
});
