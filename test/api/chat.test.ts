/**
 * Slack and Microsoft Teams channels end to end: the webhook URLs in the organisation's settings
 * and on teams (shown in clear only to those who may change them, masked in the audit trail,
 * validated), and real posts to a local HTTP receiver standing in for Slack and Teams, whose
 * bodies are checked against the formats those products document (Block Kit; an Adaptive Card
 * in a message). The instance allows private URLs, as one with a relay on its own network would.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { authenticate, createTokenForEmail } from "../../src/services/auth.service.js";
import { ChatDeliveryError, postChat } from "../../src/services/chat.js";
import type { Services } from "../../src/services/context.js";
import { updateSettings } from "../../src/services/view.service.js";
import { ADMIN_TOKEN, type ApiHarness, factories, startApi } from "../support/api.js";
import { startReceiver } from "../support/chat-receiver.js";
import { DATABASE_KINDS } from "../support/databases.js";

const PUBLIC_URL = "http://okra.test";

describe.each(DATABASE_KINDS)("chat channels (%s)", (kind) => {
  let api: ApiHarness;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let svc: Services;
  let memberToken: string;
  let ownerToken: string;
  let teamId: string;
  let subTeamId: string;
  const as = (token: string) => ({ authorization: `Bearer ${token}` });

  beforeAll(async () => {
    receiver = await startReceiver();
    api = await startApi(kind, Date.UTC(2026, 1, 15, 12), { allowPrivateUrls: true, publicUrl: PUBLIC_URL });
    svc = { database: api.database, now: () => api.clock.now, emit: () => {}, allowPrivateUrls: true };
    const f = factories(api);
    const member = await f.user({ name: "Mo Member", email: "mo@chat.example" });
    const owner = await f.user({ name: "Olive Owner", email: "olive@chat.example" });
    teamId = (await f.team({ name: "Platform", ownerIds: [owner.id], memberIds: [member.id] })).id;
    subTeamId = (await f.team({ name: "Platform API", parentId: teamId, ownerIds: [owner.id] })).id;
    memberToken = (await createTokenForEmail(api.database, "mo@chat.example")).token;
    ownerToken = (await createTokenForEmail(api.database, "olive@chat.example")).token;
  }, 60_000);

  afterAll(async () => {
    await api?.close();
    await receiver?.close();
  });

  beforeEach(() => {
    receiver.received.length = 0;
  });

  const setOrg = (body: Record<string, unknown>) => api.call("PATCH", "/settings", body);

  it("keeps the organisation's URLs: admins read them back, others learn only whether they are set", async () => {
    const slack = `${receiver.base}/slack/T000/B000/secret-slack`;
    const teams = `${receiver.base}/teams/workflow?sig=secret-teams`;
    const saved = await setOrg({ slackWebhookUrl: slack, teamsWebhookUrl: teams });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({
      slackWebhookUrl: slack,
      teamsWebhookUrl: teams,
      slackConfigured: true,
      teamsConfigured: true,
    });
    expect((await api.call("GET", "/settings")).body).toMatchObject({ slackWebhookUrl: slack, teamsWebhookUrl: teams });
    const seen = await api.call("GET", "/settings", undefined, as(memberToken));
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({
      slackWebhookUrl: null,
      teamsWebhookUrl: null,
      slackConfigured: true,
      teamsConfigured: true,
    });
    expect(JSON.stringify(seen.body)).not.toContain("secret");
    // Another setting leaves the URLs as they were; null clears one, "" too.
    expect((await setOrg({ cadenceDays: 7 })).body.slackWebhookUrl).toBe(slack);
    const cleared = await setOrg({ teamsWebhookUrl: "" });
    expect(cleared.body).toMatchObject({ slackWebhookUrl: slack, teamsWebhookUrl: null, teamsConfigured: false });
    expect((await setOrg({ teamsWebhookUrl: teams })).body.teamsConfigured).toBe(true);
  });

  it("masks the URLs in the audit trail", async () => {
    const secret = `${receiver.base}/slack/audit-only-secret`;
    await setOrg({ slackWebhookUrl: secret });
    await api.call("PATCH", `/teams/${teamId}`, { teamsWebhookUrl: `${receiver.base}/teams/team-audit-secret` });
    await api.call("PATCH", `/teams/${teamId}`, { teamsWebhookUrl: null });
    const audit = await api.call("GET", "/audit?limit=50");
    expect(audit.status).toBe(200);
    const text = JSON.stringify(audit.body);
    expect(text).not.toContain("audit-only-secret");
    expect(text).not.toContain("team-audit-secret");
    const settingsRow = audit.body.items.find((e: { action: string }) => e.action === "settings.updated");
    expect(settingsRow.after.slackWebhookUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/… \(sha256 [0-9a-f]{8}\)$/);
    const teamRow = audit.body.items.find(
      (e: { action: string; before: { teamsWebhookUrl: string | null } }) =>
        e.action === "team.updated" && e.before.teamsWebhookUrl !== null,
    );
    expect(teamRow.before.teamsWebhookUrl).toMatch(/\(sha256 [0-9a-f]{8}\)$/);
    expect(teamRow.after).toMatchObject({ teamsWebhookUrl: null, teamsConfigured: false });
  });

  it("posts a test message to both channels in their documented formats", async () => {
    await setOrg({ slackWebhookUrl: `${receiver.base}/slack/hook`, teamsWebhookUrl: `${receiver.base}/teams/hook` });
    const r = await api.call("POST", "/settings/chat-test");
    expect(r.status).toBe(200);
    expect(r.body.results).toEqual(
      expect.arrayContaining([
        { kind: "slack", ok: true, from: "organization", teamId: null },
        { kind: "teams", ok: true, from: "organization", teamId: null },
      ]),
    );
    expect(r.body.results).toHaveLength(2);
    const slack = receiver.received.find((x) => x.path === "/slack/hook");
    const teams = receiver.received.find((x) => x.path === "/teams/hook");
    expect(slack?.contentType).toMatch(/^application\/json/);
    expect(slack?.body.text).toEqual(expect.any(String));
    expect(slack?.body.blocks.map((b: { type: string }) => b.type)).toEqual(["header", "section", "actions"]);
    expect(slack?.body.blocks[0].text).toMatchObject({ type: "plain_text", text: "Test message from Okra" });
    expect(slack?.body.blocks[1].text.type).toBe("mrkdwn");
    expect(slack?.body.blocks[2].elements[0]).toMatchObject({ type: "button", url: `${PUBLIC_URL}/` });
    expect(teams?.body.type).toBe("message");
    expect(teams?.body.attachments).toHaveLength(1);
    expect(teams?.body.attachments[0].contentType).toBe("application/vnd.microsoft.card.adaptive");
    const card = teams?.body.attachments[0].content;
    expect(card).toMatchObject({
      $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
      type: "AdaptiveCard",
      version: "1.4",
      actions: [{ type: "Action.OpenUrl", title: "Open Okra", url: `${PUBLIC_URL}/` }],
    });
    expect(card.body[0]).toMatchObject({ type: "TextBlock", text: "Test message from Okra", weight: "Bolder" });
    expect(card.body.every((b: { type: string }) => b.type === "TextBlock")).toBe(true);
  });

  it("says clearly when a receiver refuses the message or cannot be reached, without the URL", async () => {
    await setOrg({
      slackWebhookUrl: `${receiver.base}/refuse/secret-path`,
      teamsWebhookUrl: "http://127.0.0.1:9/teams/secret-path",
    });
    const r = await api.call("POST", "/settings/chat-test");
    expect(r.status).toBe(200);
    const byKind = Object.fromEntries(r.body.results.map((x: { kind: string }) => [x.kind, x]));
    expect(byKind.slack).toMatchObject({ ok: false });
    expect(byKind.slack.error).toBe('Slack refused the message: it answered 500 Internal Server Error — "no_service".');
    expect(byKind.teams.ok).toBe(false);
    expect(byKind.teams.error).toMatch(/^Microsoft Teams could not be reached at the webhook URL/);
    expect(JSON.stringify(r.body)).not.toContain("secret-path");
    // The same, called as the reminder jobs will call it.
    const m = { title: "T", summary: "S", sections: [] };
    const refused = postChat(svc, "slack", `${receiver.base}/refuse`, m);
    await expect(refused).rejects.toBeInstanceOf(ChatDeliveryError);
    await expect(refused).rejects.toMatchObject({ kind: "slack", status: 500 });
    await expect(postChat(svc, "teams", `${receiver.base}/moved`, m)).rejects.toThrow(
      /answered 302 Found \(redirects are not followed: use the final URL\)/,
    );
    await expect(postChat(svc, "teams", `${receiver.base}/teams/direct`, m)).resolves.toBeUndefined();
    // Without private URLs allowed, the guard refuses the local receiver before any request.
    const before = receiver.received.length;
    await expect(postChat({ ...svc, allowPrivateUrls: false }, "slack", `${receiver.base}/slack/x`, m)).rejects.toThrow(
      /could not be reached/,
    );
    expect(receiver.received.length).toBe(before);
  });

  it("answers no results when no channel is set", async () => {
    await setOrg({ slackWebhookUrl: null, teamsWebhookUrl: null });
    expect((await api.call("POST", "/settings/chat-test")).body).toEqual({ results: [] });
    expect(receiver.received).toEqual([]);
  });

  it("refuses bad URLs with 400 and path: message", async () => {
    const bad = async (body: Record<string, unknown>) => {
      const r = await setOrg(body);
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe("VALIDATION");
      return r.body.error.details as string[];
    };
    expect(await bad({ slackWebhookUrl: "ftp://127.0.0.1/x" })).toEqual(["slackWebhookUrl: must start with https://"]);
    expect(await bad({ teamsWebhookUrl: "not a url" })).toEqual([
      "teamsWebhookUrl: must be an absolute URL, such as the one Microsoft Teams shows when you add the webhook",
    ]);
    expect((await bad({ slackWebhookUrl: 42 }))[0]).toMatch(/^slackWebhookUrl: /);
    expect((await bad({ slackWebhookUrl: `https://x.example/${"a".repeat(2000)}` }))[0]).toBe(
      "slackWebhookUrl: must be at most 2,000 characters",
    );
    const team = await api.call("PATCH", `/teams/${teamId}`, { slackWebhookUrl: "https://u:p@127.0.0.1/x" });
    expect(team.status).toBe(400);
    expect(team.body.error.details).toEqual(["slackWebhookUrl: must not contain a user name or password"]);
    // Without private URLs allowed, Slack's must be one of its incoming webhooks, and https.
    const admin = await authenticate(api.database, ADMIN_TOKEN);
    const strict = { ...svc, allowPrivateUrls: false };
    await expect(
      updateSettings(strict, admin, {
        slackWebhookUrl: "https://example.com/hook",
        teamsWebhookUrl: "http://x.example",
      }),
    ).rejects.toMatchObject({
      code: "VALIDATION",
      details: [
        "slackWebhookUrl: must be a Slack incoming-webhook URL, https://hooks.slack.com/services/…",
        "teamsWebhookUrl: must start with https://",
      ],
    });
    const ok = await updateSettings(strict, admin, {
      slackWebhookUrl: "https://hooks.slack.com/services/T0/B0/X",
      teamsWebhookUrl: "https://prod-01.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?sig=x",
    });
    expect(ok).toMatchObject({ slackConfigured: true, teamsConfigured: true });
    await setOrg({ slackWebhookUrl: null, teamsWebhookUrl: null });
  });

  it("keeps a team's URLs: its owners and admins read them, members see only whether they are set", async () => {
    const url = `${receiver.base}/slack/team-secret`;
    const byOwner = await api.call("PATCH", `/teams/${teamId}`, { slackWebhookUrl: url }, as(ownerToken));
    expect(byOwner.status).toBe(200);
    expect(byOwner.body).toMatchObject({ slackWebhookUrl: url, slackConfigured: true, teamsConfigured: false });
    expect((await api.call("GET", `/teams/${teamId}`)).body.slackWebhookUrl).toBe(url);
    expect((await api.call("GET", `/teams/${teamId}`, undefined, as(ownerToken))).body.slackWebhookUrl).toBe(url);
    const member = await api.call("GET", `/teams/${teamId}`, undefined, as(memberToken));
    expect(member.body).toMatchObject({ slackWebhookUrl: null, slackConfigured: true });
    const list = await api.call("GET", "/teams", undefined, as(memberToken));
    expect(JSON.stringify(list.body)).not.toContain("team-secret");
    expect(list.body.items.find((t: { id: string }) => t.id === teamId).slackConfigured).toBe(true);
    const denied = await api.call("PATCH", `/teams/${teamId}`, { slackWebhookUrl: null }, as(memberToken));
    expect(denied.status).toBe(403);
  });

  it("tests where a team's messages go: its own channel, else its parent's, else the organisation's", async () => {
    await api.call("PATCH", `/teams/${teamId}`, { slackWebhookUrl: `${receiver.base}/slack/platform` });
    await setOrg({ teamsWebhookUrl: `${receiver.base}/teams/org` });
    const own = await api.call("POST", `/teams/${teamId}/chat-test`, undefined, as(ownerToken));
    expect(own.status).toBe(200);
    expect(own.body.results).toEqual([{ kind: "slack", ok: true, from: "team", teamId }]);
    const inherited = await api.call("POST", `/teams/${subTeamId}/chat-test`);
    expect(inherited.body.results).toEqual([{ kind: "slack", ok: true, from: "ancestor", teamId }]);
    expect(receiver.received.map((x) => x.path)).toEqual(["/slack/platform", "/slack/platform"]);
    expect(JSON.stringify(receiver.received[1]?.body)).toContain("Platform API");
    await api.call("PATCH", `/teams/${teamId}`, { slackWebhookUrl: null });
    const org = await api.call("POST", `/teams/${subTeamId}/chat-test`);
    expect(org.body.results).toEqual([{ kind: "teams", ok: true, from: "organization", teamId: null }]);
    expect((await api.call("POST", `/teams/${teamId}/chat-test`, undefined, as(memberToken))).status).toBe(403);
    expect((await api.call("POST", "/settings/chat-test", undefined, as(ownerToken))).status).toBe(403);
    expect((await api.call("POST", "/teams/00000000-0000-4000-8000-000000000000/chat-test")).status).toBe(404);
    await setOrg({ teamsWebhookUrl: null });
  });
});
