/**
 * Check-in reminders and escalation (#12, okr-method §7), end to end on a real database and a
 * real SMTP server: who is reminded of what (one message per person, a link per key result),
 * who is skipped and why, once per due date, the manager told after missed reminders, the
 * one-click unsubscribe, and the jobs' routes.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokenForEmail } from "../../src/services/auth.service.js";
import { runJobForOrganization } from "../../src/services/jobs.service.js";
import { type ApiHarness, factories, orgIdOf, servicesOf, startApi } from "../support/api.js";
import { startReceiver } from "../support/chat-receiver.js";
import { DATABASE_KINDS } from "../support/databases.js";
import { startSmtp, type TestSmtp } from "../support/smtp.js";

const PUBLIC_URL = "https://okra.test.example";
// Monday 16 February 2026; Q1 2026 starts on Thursday 1 January, so weekly Monday occasions are
// 5 Jan, 12 Jan … 9 Feb, 16 Feb.
const MONDAY_0800 = Date.UTC(2026, 1, 16, 8);
const MONDAY_1000 = Date.UTC(2026, 1, 16, 10);
const WEEK = 7 * 86_400_000;

/** The reminder emails that arrived (followers also get emails of check-ins, not counted here). */
const reminderMails = (smtp: TestSmtp) => smtp.inbox.filter((m) => m.subject.startsWith("Check-in due"));

/**
 * Waits until the email outbox is empty (emails leave after the commit, without being awaited)
 * and then until no mail has arrived for 300 ms.
 */
async function settled(smtp: TestSmtp, api: ApiHarness): Promise<void> {
  const until = Date.now() + 20_000;
  for (;;) {
    const r = await api.database.db.execute(
      sql`select count(*)::int as n from notifications where email_state in ('pending', 'sending')`,
    );
    const rows = ((r as unknown as { rows?: { n: number }[] }).rows ?? r) as { n: number }[];
    if ((rows[0]?.n ?? 0) === 0 || Date.now() > until) break;
    await new Promise((done) => setTimeout(done, 50));
  }
  let seen = -1;
  while (seen !== smtp.inbox.length) {
    seen = smtp.inbox.length;
    await new Promise((done) => setTimeout(done, 300));
  }
}

describe.each(DATABASE_KINDS)("check-in reminders on %s", (kind) => {
  let api: ApiHarness;
  let smtp: TestSmtp;
  let f: ReturnType<typeof factories>;
  const people: Record<string, { id: string; email: string; token: string }> = {};
  const kr: Record<string, string> = {};
  const as = (who: string, method: string, url: string, body?: unknown) =>
    api.call(method, url, body, { authorization: `Bearer ${people[who]?.token}` });

  beforeAll(async () => {
    smtp = await startSmtp();
    api = await startApi(kind, Date.UTC(2026, 0, 20, 12), {
      mailer: smtp.mailer,
      publicUrl: PUBLIC_URL,
      allowPrivateUrls: true,
    });
    f = factories(api);
    for (const [name, role] of [
      ["Mo", "member"],
      ["Rita", "member"],
      ["Sam", "member"],
    ] as const) {
      const email = `${name.toLowerCase()}@rem.example`;
      const managerId = name === "Rita" ? people.Mo?.id : undefined;
      const u = await api.call("POST", "/users", { name, email, role, invite: false, ...(managerId && { managerId }) });
      expect(u.status).toBe(201);
      people[name] = { id: u.body.id, email, token: (await createTokenForEmail(api.database, email)).token };
    }
    const period = await f.period();
    const o = await f.objective(period.id, { title: "Grow the community", ownerIds: [people.Rita?.id] });
    kr.a = (await f.keyResult(o.id, { title: "Meetups held", ownerIds: [people.Rita?.id] })).id;
    kr.b = (await f.keyResult(o.id, { title: "Forum posts answered", ownerIds: [people.Rita?.id] })).id;
    kr.c = (await f.keyResult(o.id, { title: "Newsletter readers", ownerIds: [people.Sam?.id] })).id;
    // Sam keeps Mondays quiet.
    expect((await as("Sam", "PATCH", "/me/notification-preferences", { quietDays: [1] })).status).toBe(200);
    expect((await api.call("PATCH", "/settings", { escalateAfterMissed: 2 })).status).toBe(200);
    // B was checked in on Tuesday 10 February: within the week before Monday the 16th.
    api.clock.now = Date.UTC(2026, 1, 10, 12);
    await f.checkIn(kr.b as string, { value: 20 });
  });
  afterAll(async () => {
    await api?.close();
    await smtp?.close();
  });

  it("waits for the organisation's reminder hour when scheduled", async () => {
    api.clock.now = MONDAY_0800;
    const run = await runJobForOrganization(servicesOf(api), "reminders", await orgIdOf(api), "schedule");
    expect(run?.summary).toMatchObject({ notYet: "Reminders go out from 09:00 (UTC).", reminded: [] });
    expect(smtp.inbox).toHaveLength(0);
  });

  it("reminds each owner once, lists their due key results with links, and says who was skipped and why", async () => {
    api.clock.now = MONDAY_1000;
    const r = await api.call("POST", "/jobs/reminders/run");
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ name: "reminders", trigger: "manual", ok: true, error: null });
    const s = r.body.summary;
    expect(s.today).toBe("2026-02-16");
    expect(s.reminded).toEqual([
      {
        userId: people.Rita?.id,
        name: "Rita",
        channel: "email",
        keyResults: [{ id: kr.a, title: "Meetups held", dueDate: "2026-02-16" }],
      },
    ]);
    const reasons = Object.fromEntries(s.skipped.map((k: { title: string; reason: string }) => [k.title, k.reason]));
    expect(reasons["Forum posts answered"]).toBe("checked in within the cadence (every Monday), on 2026-02-10");
    expect(reasons["Newsletter readers"]).toBe("2026-02-16 is one of Sam's quiet days");

    await settled(smtp, api);
    const mail = reminderMails(smtp).find((m) => m.to === people.Rita?.email);
    if (!mail) throw new Error("no reminder email reached Rita");
    expect(mail.subject).toBe("Check-in due: 1 key result");
    expect(mail.text).toContain("Meetups held");
    expect(mail.text).toContain(`${PUBLIC_URL}/key-results/${kr.a}?checkIn=1`);
    expect(mail.html).toContain(`href="${PUBLIC_URL}/key-results/${kr.a}?checkIn=1"`);
    expect(mail.html).toContain("Grow the community");
    expect(mail.headers.get("list-unsubscribe-post")).toBe("List-Unsubscribe=One-Click");
    expect(mail.headers.get("list-unsubscribe")).toMatch(new RegExp(`^<${PUBLIC_URL}/unsubscribe\\?token=`));
    expect(reminderMails(smtp).map((m) => m.to)).toEqual([people.Rita?.email]);

    // In the app too, with the same links.
    const centre = await as("Rita", "GET", "/notifications");
    expect(centre.status).toBe(200);
    // The reminder, and the notice that B was checked in (Rita owns its objective, so she follows it).
    expect(centre.body.unread).toBe(2);
    expect(centre.body.items.map((n: { kind: string }) => n.kind)).toEqual(["reminder", "change"]);
    expect(centre.body.items[0]).toMatchObject({ kind: "reminder", link: "/?due=1", readAt: null });
    expect(centre.body.items[0].items[0]).toMatchObject({
      text: "Meetups held",
      link: `/key-results/${kr.a}?checkIn=1`,
    });
  });

  it("sends nothing twice for the same due date", async () => {
    api.clock.now = MONDAY_1000 + 3_600_000;
    const r = await api.call("POST", "/jobs/reminders/run");
    expect(r.body.summary.reminded).toEqual([]);
    expect(r.body.summary.skipped.find((k: { keyResultId: string }) => k.keyResultId === kr.a)?.reason).toBe(
      "already reminded of the check-in due 2026-02-16",
    );
    await settled(smtp, api);
    expect(reminderMails(smtp)).toHaveLength(1);
  });

  it("tells the manager after the set number of missed reminders, once per streak", async () => {
    api.clock.now = MONDAY_1000 + WEEK;
    const second = await api.call("POST", "/jobs/reminders/run");
    expect(second.body.summary.reminded.map((p: { name: string }) => p.name)).toEqual(["Rita"]);
    expect(second.body.summary.escalated).toEqual([
      {
        managerId: people.Mo?.id,
        managerName: "Mo",
        userId: people.Rita?.id,
        name: "Rita",
        keyResults: [{ id: kr.a, title: "Meetups held", missed: 2 }],
      },
    ]);
    const toMo = await as("Mo", "GET", "/notifications");
    expect(toMo.body.items[0]).toMatchObject({
      kind: "escalation",
      title: "Rita has missed check-ins on 1 key result",
    });
    const mail = await smtp.waitFor(people.Mo?.email as string);
    expect(mail.text).toContain("Meetups held");

    api.clock.now = MONDAY_1000 + 2 * WEEK;
    const third = await api.call("POST", "/jobs/reminders/run");
    expect(third.body.summary.reminded.map((p: { name: string }) => p.name)).toContain("Rita");
    // A's streak was escalated already; B's own streak (no check-in since the 10th) reaches two now.
    const escalatedKrs = third.body.summary.escalated.flatMap((e: { keyResults: { id: string }[] }) =>
      e.keyResults.map((k) => k.id),
    );
    expect(escalatedKrs).toEqual([kr.b]);
  });

  it("stops once the key result is checked in within the cadence", async () => {
    api.clock.now = MONDAY_1000 + 2 * WEEK + 3_600_000;
    expect((await as("Rita", "POST", `/key-results/${kr.a}/check-ins`, { value: 1 })).status).toBe(201);
    api.clock.now = MONDAY_1000 + 3 * WEEK - 86_400_000;
    const r = await api.call("POST", "/jobs/reminders/run");
    expect(
      r.body.summary.reminded.flatMap((p: { keyResults: { id: string }[] }) => p.keyResults.map((k) => k.id)),
    ).not.toContain(kr.a);
  });

  it("unsubscribes in one click: the next reminder reaches the app only", async () => {
    const mail = await smtp.waitFor(people.Rita?.email as string);
    const token = decodeURIComponent((/unsubscribe\?token=([^>\s"]+)/.exec(mail.text) ?? [])[1] ?? "");
    // A mail client's one-click POST (RFC 8058): form-encoded, the token in the query.
    const oneClick = await api.app.inject({
      method: "POST",
      url: `/api/v1/auth/unsubscribe?token=${encodeURIComponent(token)}`,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: "List-Unsubscribe=One-Click",
    });
    expect(oneClick.statusCode).toBe(200);
    expect(oneClick.json()).toMatchObject({ unsubscribed: "email", preferences: { channel: "inApp" } });
    expect((await as("Rita", "GET", "/me/notification-preferences")).body.channel).toBe("inApp");
    const tampered = await api.app.inject({
      method: "POST",
      url: "/api/v1/auth/unsubscribe",
      payload: { token: `${token.slice(0, -2)}xx` },
    });
    expect(tampered.statusCode).toBe(400);

    await settled(smtp, api);
    const before = smtp.inbox.length;
    api.clock.now = MONDAY_1000 + 4 * WEEK;
    const r = await api.call("POST", "/jobs/reminders/run");
    const rita = r.body.summary.reminded.find((p: { name: string }) => p.name === "Rita");
    expect(rita?.channel).toBe("inApp");
    await settled(smtp, api);
    expect(smtp.inbox.slice(before).map((m) => m.to)).not.toContain(people.Rita?.email);
  });

  it("tells the team's chat channel who has check-ins due, once per day, public objectives only", async () => {
    const receiver = await startReceiver();
    try {
      const set = await api.call("PATCH", "/settings", { teamsWebhookUrl: `${receiver.base}/teams/hook` });
      expect(set.status).toBe(200);
      api.clock.now = MONDAY_1000 + 5 * WEEK;
      const r = await api.call("POST", "/jobs/reminders/run");
      expect(r.body.summary.chat).toEqual([
        { kind: "teams", from: "organization", teamId: null, ok: true, error: null },
      ]);
      expect(receiver.received).toHaveLength(1);
      const card = JSON.stringify(receiver.received[0]?.body);
      expect(card).toContain("application/vnd.microsoft.card.adaptive");
      expect(card).toContain("Rita");
      expect(card).toContain("Meetups held");
      const again = await api.call("POST", "/jobs/reminders/run");
      expect(again.body.summary.chat).toEqual([]);
      expect(receiver.received).toHaveLength(1);
    } finally {
      await api.call("PATCH", "/settings", { teamsWebhookUrl: null });
      await receiver.close();
    }
  });

  it("lists the jobs for admins only, and refuses an unknown job", async () => {
    const list = await api.call("GET", "/jobs");
    expect(list.status).toBe(200);
    const reminders = list.body.items.find((j: { name: string }) => j.name === "reminders");
    expect(reminders.lastRun).toMatchObject({ name: "reminders", ok: true, trigger: "manual" });
    expect(Date.parse(reminders.nextRunAt)).toBeGreaterThan(api.clock.now);
    expect((await as("Rita", "GET", "/jobs")).status).toBe(403);
    expect((await as("Rita", "POST", "/jobs/reminders/run")).status).toBe(403);
    const unknown = await api.call("POST", "/jobs/remind-everyone/run");
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toContain("the jobs are reminders");
    const runs = await api.call("GET", "/jobs/reminders/runs");
    expect(runs.body.items.length).toBeGreaterThanOrEqual(5);
  });

  it("keeps a team's own cadence, refuses a malformed one, and follows it for reminders", async () => {
    const team = await f.team({ name: "Fortnightly", cadence: { kind: "weekly", everyWeeks: 2, weekday: 3 } });
    expect(team.cadence).toEqual({ kind: "weekly", everyWeeks: 2, weekday: 3 });
    const bad = await api.call("PATCH", `/teams/${team.id}`, {
      cadence: { kind: "weekly", everyWeeks: 4, weekday: 3 },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.join(" ")).toContain("must be 1, 2 or 3 (weeks)");
    const off = await api.call("PATCH", `/teams/${team.id}`, { cadence: null });
    expect(off.body.cadence).toBeNull();
    const settings = await api.call("PATCH", "/settings", { cadence: { kind: "monthly", weekday: 8 } });
    expect(settings.status).toBe(400);
    expect(settings.body.error.details.join(" ")).toContain("ISO weekday");
  });
});
