/**
 * The weekly digest (#12): one per person and week, with what moved, new risks and check-ins
 * due; a team lead's with the team's movers, who has not checked in and the coach's top
 * findings, never naming what the lead may not see; skips with reasons; the email through a
 * real SMTP server with its own one-click unsubscribe link.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokenForEmail } from "../../src/services/auth.service.js";
import type { Services } from "../../src/services/context.js";
import { type DigestSummary, runDigests } from "../../src/services/digest.service.js";
import { type ApiHarness, factories, orgIdOf, startApi } from "../support/api.js";
import { startReceiver } from "../support/chat-receiver.js";
import { DATABASE_KINDS } from "../support/databases.js";
import { startSmtp, type TestSmtp } from "../support/smtp.js";
import { recordStatements } from "../support/statements.js";

const at = (iso: string) => Date.parse(iso);
/** Monday 23 February 2026, 10:00 UTC: the digest weekday (Monday) after the hour (9). */
const DIGEST_DAY = at("2026-02-23T10:00:00Z");

describe.each(DATABASE_KINDS)("the weekly digest on %s", (kind) => {
  let api: ApiHarness;
  let smtp: TestSmtp;
  let svc: Services;
  let orgId: string;
  let periodId: string;
  const ids: Record<string, string> = {};
  const tokens: Record<string, string> = {};
  const kr: Record<string, string> = {};
  const team: Record<string, string> = {};
  const email = (who: string) => `${who}@digest.example`;
  const as = (who: string, method: string, url: string, body?: unknown) =>
    api.call(method, url, body, { authorization: `Bearer ${tokens[who]}` });
  /** The digest notices a person has in the app, newest first. */
  const digestsOf = async (who: string) =>
    (
      (await as(who, "GET", "/notifications?limit=50")).body.items as { kind: string; items: { text: string }[] }[]
    ).filter((n) => n.kind === "digest");
  const run = (nowMs: number, force = false) => runDigests(svc, orgId, { nowMs, force });
  const sentTo = (s: DigestSummary, who: string) => s.sent.find((x) => x.userId === ids[who]);
  const skippedOf = (s: DigestSummary, who: string) => s.skipped.find((x) => x.userId === ids[who])?.reason;

  beforeAll(async () => {
    smtp = await startSmtp();
    api = await startApi(kind, at("2026-02-01T12:00:00Z"), {
      mailer: smtp.mailer,
      publicUrl: "https://okr.test",
      allowPrivateUrls: true,
    });
    svc = {
      database: api.database,
      now: () => api.clock.now,
      emit: () => {},
      mailer: smtp.mailer,
      publicUrl: "https://okr.test",
      allowPrivateUrls: true,
    };
    const f = factories(api);
    orgId = await orgIdOf(api);
    periodId = (await f.period()).id;
    for (const who of ["lead", "dev", "slow", "infra", "secret", "quiet", "off"]) {
      ids[who] = (
        await api.call("POST", "/users", { name: `Person ${who}`, email: email(who), invite: false })
      ).body.id;
      tokens[who] = (await createTokenForEmail(api.database, email(who))).token;
    }
    team.platform = (await f.team({ name: "Platform", ownerIds: [ids.lead], memberIds: [ids.dev, ids.slow] })).id;
    // A team under Platform that the lead does not own: its private objectives are hidden from the lead.
    team.infra = (
      await f.team({
        name: "Infra",
        parentId: team.platform,
        memberIds: [ids.infra, ids.secret],
        ownerIds: [ids.infra],
      })
    ).id;

    const platformObjective = await f.objective(periodId, {
      title: "Make the platform fast",
      level: "team",
      teamId: team.platform,
      ownerIds: [ids.dev],
    });
    kr.latency = (await f.keyResult(platformObjective.id, { title: "Cut p95 latency", ownerIds: [ids.dev] })).id;
    kr.adoption = (await f.keyResult(platformObjective.id, { title: "Grow adoption", ownerIds: [ids.dev] })).id;
    kr.docs = (await f.keyResult(platformObjective.id, { title: "Ship docs pages", ownerIds: [ids.slow] })).id;
    const infraObjective = await f.objective(periodId, {
      title: "Keep infra boring",
      level: "team",
      teamId: team.infra,
      ownerIds: [ids.infra],
    });
    kr.uptime = (await f.keyResult(infraObjective.id, { title: "Raise uptime", ownerIds: [ids.infra] })).id;
    const secretObjective = await f.objective(periodId, {
      title: "Hush project",
      level: "team",
      teamId: team.infra,
      ownerIds: [ids.secret],
      visibility: "private",
    });
    kr.secretMoved = (await f.keyResult(secretObjective.id, { title: "Secret revenue", ownerIds: [ids.secret] })).id;
    kr.secretDue = (await f.keyResult(secretObjective.id, { title: "Secret churn", ownerIds: [ids.secret] })).id;
    // Dev owns a key result of that private objective without being one who may see it.
    await f.keyResult(secretObjective.id, { title: "Secret latency budget", ownerIds: [ids.dev] });
    // Quiet and off have key results due too: only their preferences keep the digest away.
    const otherObjective = await f.objective(periodId, {
      title: "Tidy the backlog",
      level: "team",
      teamId: team.platform,
      ownerIds: [ids.quiet, ids.off],
    });
    await f.keyResult(otherObjective.id, { title: "Close stale tickets", ownerIds: [ids.quiet, ids.off] });
    // Without an owner: the coach's error, found after its warnings, must lead the lead's top three.
    await f.objective(periodId, { title: "Nobody's goal", level: "team", teamId: team.platform, ownerIds: [] });

    for (const id of [kr.latency, kr.docs, kr.uptime, kr.secretMoved, kr.secretDue]) {
      await f.checkIn(id as string, { value: 10 });
    }
    // On track a week ago (60 % by 1 February), at risk since Friday's check-in.
    await f.checkIn(kr.adoption as string, { value: 60 });
    api.clock.now = at("2026-02-20T12:00:00Z");
    await f.checkIn(kr.latency as string, { value: 60 });
    await f.checkIn(kr.adoption as string, { value: 5 });
    await f.checkIn(kr.secretMoved as string, { value: 70 });

    expect((await as("quiet", "PATCH", "/me/notification-preferences", { quietDays: [1] })).status).toBe(200);
    expect((await as("off", "PATCH", "/me/notification-preferences", { digest: false })).status).toBe(200);
    api.clock.now = DIGEST_DAY;
  });
  afterAll(async () => {
    await api?.close();
    await smtp?.close();
  });

  it("waits for the digest weekday and hour unless forced", async () => {
    const sunday = await run(at("2026-02-22T12:00:00Z"));
    expect(sunday.notYet).toMatch(/Sunday.*Mondays.*2026-02-23/);
    expect(sunday.sent).toEqual([]);
    const early = await run(at("2026-02-23T08:00:00Z"));
    expect(early.weekOf).toBe("2026-02-23");
    expect(early.notYet).toMatch(/from 09:00/);
    expect(early.sent).toEqual([]);
    expect(await digestsOf("dev")).toEqual([]);
  });

  it("sends a person one digest with what moved, and skips digest off and quiet days with reasons", async () => {
    const first = await run(DIGEST_DAY);
    expect(first.notYet).toBeUndefined();
    expect(first.weekOf).toBe("2026-02-23");
    expect(sentTo(first, "dev")).toMatchObject({ channel: "email", sections: ["What moved this week", "New risks"] });
    expect(skippedOf(first, "off")).toBe("digest off");
    expect(skippedOf(first, "quiet")).toBe("quiet day (Monday)");
    expect(sentTo(first, "off")).toBeUndefined();
    expect(sentTo(first, "quiet")).toBeUndefined();

    const [digest, ...more] = await digestsOf("dev");
    expect(more).toEqual([]);
    const moved = digest?.items.find((i) => i.text === "Cut p95 latency") as unknown as {
      detail: string;
      link: string;
    };
    expect(moved.detail).toMatch(/^10 % → 60 %/);
    expect(moved.link).toBe(`/key-results/${kr.latency}`);
    const risks = digest?.items.filter((i) => (i as unknown as { detail: string }).detail.startsWith("now ")) ?? [];
    expect(risks).toEqual([
      {
        text: "Grow adoption",
        link: `/key-results/${kr.adoption}`,
        detail: "now at risk (a week ago on track) · Make the platform fast",
      },
    ]);
    expect(JSON.stringify(digest)).not.toMatch(/Secret|Hush/);
    expect(await digestsOf("off")).toEqual([]);
    expect(await digestsOf("quiet")).toEqual([]);

    // Slow's key result had no check-in since last Monday: due, and nothing moved.
    expect(sentTo(first, "slow")?.sections).toEqual(expect.arrayContaining(["Check-ins due"]));
    expect(sentTo(first, "slow")?.sections).not.toContain("What moved this week");
  });

  it("sends nothing more the same week, even when forced a day later", async () => {
    const again = await run(DIGEST_DAY + 60_000);
    expect(again.sent).toEqual([]);
    expect(skippedOf(again, "dev")).toBe("already sent this week");
    const forced = await run(at("2026-02-24T10:00:00Z"), true);
    expect(forced.weekOf).toBe("2026-02-23");
    // Only quiet, whose quiet day was Monday, gets this week's on Tuesday.
    expect(forced.sent.map((s) => s.userId)).toEqual([ids.quiet]);
    expect(skippedOf(forced, "lead")).toBe("already sent this week");
    expect(await digestsOf("dev")).toHaveLength(1);
  });

  it("gives the team lead who has not checked in and the coach's top findings, never a hidden objective", async () => {
    const [digest] = await digestsOf("lead");
    const items = (digest?.items ?? []) as { text: string; detail: string | null; link: string | null }[];
    const texts = items.map((i) => `${i.text} ${i.detail ?? ""}`).join("\n");
    // Who has not checked in: slow (Platform) and infra (the team under it), not dev (checked in on Friday).
    expect(items.find((i) => i.text === "Person slow")?.detail).toBe("1 key result due: Ship docs pages");
    expect(items.find((i) => i.text === "Person infra")?.detail).toBe("1 key result due: Raise uptime");
    expect(items.find((i) => i.text === "Person dev")).toBeUndefined();
    // The private objective of Infra is not the lead's to see: neither its movers nor its people.
    expect(texts).not.toMatch(/Secret|Hush|Person secret/);
    // The team's movers, as the dashboard shows them to the lead.
    expect(items.find((i) => i.text === "Cut p95 latency")?.detail).toMatch(/^10 % → 60 % · Person dev$/);

    // The coach's top three for Platform's objectives, worst first, as GET /coach gives them to the lead.
    const coach = (await as("lead", "GET", `/coach?periodId=${periodId}&teamId=${team.platform}`)).body.items as {
      message: string;
      severity: string;
    }[];
    expect(coach.length).toBeGreaterThan(0);
    const rank = { error: 0, warn: 1, info: 2 } as Record<string, number>;
    const top = [...coach].sort((a, b) => (rank[a.severity] ?? 3) - (rank[b.severity] ?? 3)).slice(0, 3);
    expect(top[0]?.severity).toBe("error");
    const findings = items.filter((i) => i.detail?.startsWith("coach: "));
    expect(findings.map((i) => i.text)).toEqual(top.map((f) => f.message));

    // By email, each part under its own heading.
    const mail = await smtp.waitFor(email("lead"));
    const headings = [...mail.html.matchAll(/<h3[^>]*>([^<]*)<\/h3>/g)].map((m) => m[1]);
    expect(headings).toEqual([
      "Platform: what moved",
      "Platform: new risks",
      "Platform: who has not checked in",
      "Platform: the coach&#39;s top findings",
    ]);
    const text = mail.text;
    expect(text.indexOf("\nPlatform: who has not checked in\n")).toBeLessThan(text.indexOf("\n- Person slow"));
    expect(text.indexOf("\n- Person slow")).toBeLessThan(text.indexOf("\nPlatform: the coach's top findings\n"));
  });

  it("names a hidden objective's people to someone who may see it", async () => {
    // infra owns Infra (where the private objective lives): as its lead, infra sees secret's key result due.
    const [digest] = await digestsOf("infra");
    const items = (digest?.items ?? []) as { text: string; detail: string | null }[];
    expect(items.find((i) => i.text === "Person secret")?.detail).toBe("1 key result due: Secret churn");
  });

  it("posts the week's news to the organisation's and a team's own chat channel once, public objectives only", async () => {
    const receiver = await startReceiver();
    try {
      expect((await api.call("PATCH", "/settings", { teamsWebhookUrl: `${receiver.base}/teams/org` })).status).toBe(
        200,
      );
      const platform = await api.call("PATCH", `/teams/${team.platform}`, {
        slackWebhookUrl: `${receiver.base}/slack/platform`,
      });
      expect(platform.status).toBe(200);
      // Wednesday of the same week: the people's digests are all sent, the channels' not yet.
      const summary = await run(at("2026-02-25T10:00:00Z"), true);
      expect(summary.sent).toEqual([]);
      expect(summary.chat).toEqual([
        { kind: "teams", from: "organization", teamId: null, ok: true, error: null },
        { kind: "slack", from: "team", teamId: team.platform, ok: true, error: null },
      ]);
      const slack = receiver.received.find((r) => r.path === "/slack/platform")?.body as {
        text: string;
        blocks: unknown[];
      };
      const slackText = JSON.stringify(slack);
      expect(slack.text).toMatch(/^This week in Platform: what moved \(\d+\), /);
      expect(slackText).toContain("Weekly OKR digest: Platform, week of 2026-02-23");
      expect(slackText).toContain("Platform: what moved");
      expect(slackText).toContain("Cut p95 latency");
      expect(slackText).toContain("Platform: who has not checked in");
      expect(slackText).toContain("Person slow");
      expect(slackText).toContain("https://okr.test/key-results/");
      // A channel's audience is unknown: nothing of the private objective, not even its people.
      expect(slackText).not.toMatch(/Secret|Hush|Person secret/);
      const card = JSON.stringify(receiver.received.find((r) => r.path === "/teams/org")?.body);
      expect(card).toContain("application/vnd.microsoft.card.adaptive");
      expect(card).toContain("what moved");
      expect(card).not.toMatch(/Secret|Hush/);
      // Once per channel and week.
      expect((await run(at("2026-02-26T10:00:00Z"), true)).chat).toEqual([]);
      expect(receiver.received).toHaveLength(2);
    } finally {
      await api.call("PATCH", "/settings", { teamsWebhookUrl: null });
      await api.call("PATCH", `/teams/${team.platform}`, { slackWebhookUrl: null });
      await receiver.close();
    }
  });

  it("emails the digest with HTML and text parts and a link that stops the digest only", async () => {
    // Dev also gets emails of check-ins on objectives they follow: wait for the digest itself.
    const until = Date.now() + 5000;
    let mail = smtp.inbox.find((m) => m.to === email("dev") && m.subject.startsWith("Your weekly OKR digest"));
    while (!mail && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 25));
      mail = smtp.inbox.find((m) => m.to === email("dev") && m.subject.startsWith("Your weekly OKR digest"));
    }
    if (!mail) throw new Error(`no digest reached dev (inbox: ${smtp.inbox.map((m) => m.subject)})`);
    expect(mail.subject).toBe("Your weekly OKR digest, week of 2026-02-23");
    expect(mail.text).toContain("What moved this week\n");
    expect(mail.text).toContain("- Cut p95 latency (10 % → 60 %");
    expect(mail.text).toContain(`https://okr.test/key-results/${kr.latency}`);
    expect(mail.html).toMatch(/<h3[^>]*>What moved this week<\/h3>/);
    expect(mail.html).toContain(`href="https://okr.test/key-results/${kr.latency}"`);
    expect(mail.text).toContain("Stop the weekly digest: https://okr.test/unsubscribe?token=");

    const url = /Stop the weekly digest: (\S+)/.exec(mail.text)?.[1] ?? "";
    expect(mail.listUnsubscribe).toBe(`<${url}>`);
    const token = new URL(url).searchParams.get("token");
    const res = await api.app.inject({ method: "POST", url: "/api/v1/auth/unsubscribe", payload: { token } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ unsubscribed: "digest", preferences: { channel: "email", digest: false } });
    expect((await as("dev", "GET", "/me/notification-preferences")).body).toMatchObject({ digest: false });

    const nextWeek = await run(at("2026-03-02T10:00:00Z"));
    expect(nextWeek.weekOf).toBe("2026-03-02");
    expect(skippedOf(nextWeek, "dev")).toBe("digest off");
    expect(sentTo(nextWeek, "slow")).toBeDefined();
  });

  it("sends each digest once when two runs overlap (as two instances would)", async () => {
    const monday = at("2026-03-09T10:00:00Z");
    const both = await Promise.all([run(monday), run(monday)]);
    const slowGot = both.filter((s) => sentTo(s, "slow"));
    expect(slowGot).toHaveLength(1);
    expect(both.map((s) => skippedOf(s, "slow")).filter(Boolean)).toEqual(["already sent this week"]);
    expect((await digestsOf("slow")).length).toBe(3);
  });

  it("reads no more check-ins when the organisation has more of them", async () => {
    const checkInRows = async (nowMs: number) => {
      let summary: DigestSummary | undefined;
      const log = await recordStatements(api, async () => {
        summary = await run(nowMs, true);
      });
      return {
        sent: summary?.sent.length,
        rows: log.filter((s) => /check_ins/.test(s.sql)).reduce((n, s) => n + s.rows, 0),
        statements: log.length,
      };
    };
    // Dev checks in each week: the week's movers read their own check-ins.
    api.clock.now = at("2026-03-13T12:00:00Z");
    await api.call("POST", `/key-results/${kr.latency}/check-ins`, { value: 65 });
    const before = await checkInRows(at("2026-03-16T10:00:00Z"));
    api.clock.now = at("2026-03-20T12:00:00Z");
    await api.call("POST", `/key-results/${kr.latency}/check-ins`, { value: 70 });
    api.clock.now = at("2026-03-20T13:00:00Z");
    // 120 more check-ins on a key result of an objective that did not move, all older than the week
    // the next digest looks at. (The lead's dashboard replays the objectives that moved, with the
    // check-ins of all their key results: that cost is the dashboard's, per objective.)
    for (let i = 0; i < 120; i++) {
      await api.call("POST", `/key-results/${kr.uptime}/check-ins`, {
        value: 10 + (i % 5),
        at: new Date(at("2026-01-02T00:00:00Z") + i * 12 * 3_600_000).toISOString(),
      });
    }
    const after = await checkInRows(at("2026-03-23T10:00:00Z"));
    expect(before.rows).toBeGreaterThan(0);
    expect(after.sent).toBe(before.sent);
    // On a PostgreSQL server the recorder misses statements of pooled clients it wrapped in an
    // earlier recording (the writes' transactions), so only PGlite counts every statement.
    if (kind === "pglite") expect(after.statements).toBe(before.statements);
    // One more of dev's own, none of the 120.
    expect(after.rows).toBeLessThanOrEqual(before.rows + 1);
  });
});
