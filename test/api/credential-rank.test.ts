/**
 * Issue #9, privilege: a credential never acts with more rank than its issuer had, and every
 * path that changes a person (API, SCIM, HRIS import) goes through one rule. Each scenario is
 * one the outside probe used: promote after issue, demote via import, SCIM against a peer
 * admin, and a revoked bootstrap token at the next start.
 */
import { and, asc, eq, isNull } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, emailTokens, users } from "../../src/db/schema.js";
import { bootstrap, createTokenForEmail } from "../../src/services/auth.service.js";
import { ADMIN_TOKEN, type ApiHarness, startApi } from "../support/api.js";
import { DATABASE_KINDS } from "../support/databases.js";
import { startSmtp, type TestSmtp } from "../support/smtp.js";

describe.each(DATABASE_KINDS)("credentials and rank on %s", (kind) => {
  let api: ApiHarness;
  let smtp: TestSmtp;
  let ownerId: string;
  let n = 0;
  const as = (token: string, method: string, url: string, body?: unknown) =>
    api.call(method, url, body, { authorization: `Bearer ${token}` });

  /** A new person with a role and their own token. */
  async function person(role: string) {
    const email = `p${++n}-${role}@rank.test`;
    const created = await api.call("POST", "/users", { name: `P${n} ${role}`, email, role, invite: false });
    expect(created.status).toBe(201);
    return { id: created.body.id as string, email, token: (await createTokenForEmail(api.database, email)).token };
  }
  const setRole = async (id: string, role: string) => {
    const r = await api.call("PATCH", `/users/${id}`, { role });
    expect(r.status).toBe(200);
  };
  const audits = async (userId: string, action: string) =>
    api.database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.objectId, userId), eq(auditEvents.action, action)))
      // In the order they were written (a bigserial), whatever order the database finds them in.
      .orderBy(asc(auditEvents.id));
  const acceptInvitation = (url: string, password: string) =>
    api.app.inject({
      method: "POST",
      url: "/api/v1/auth/accept-invitation",
      payload: { token: /#token=(.+)$/.exec(url)?.[1] ?? "", password },
    });

  beforeAll(async () => {
    api = await startApi(kind);
    ownerId = (await api.call("GET", "/me")).body.user.id;
    smtp = await startSmtp();
  });
  afterAll(async () => {
    await api?.close();
    await smtp?.close();
  });

  it("promote after issue: an admin's token for a member stops when the member is promoted, and the trail says so", async () => {
    const admin = await person("admin");
    const member = await person("member");
    const issued = await as(admin.token, "POST", `/users/${member.id}/tokens`, { name: "bot" });
    expect(issued.status).toBe(201);
    expect(issued.body.createdBy).toBe(admin.id);
    expect((await as(issued.body.token, "GET", "/me")).status).toBe(200);
    // The member's own token is theirs: it survives the promotion.
    await setRole(member.id, "owner");
    const after = await as(issued.body.token, "GET", "/me");
    expect(after.status).toBe(401);
    expect((await as(member.token, "GET", "/me")).status).toBe(200);
    const [revoked] = await audits(member.id, "user.credentialsRevoked");
    expect(revoked?.after).toMatchObject({ reason: "role changed", tokenIds: [issued.body.id] });
  });

  it("checks rank on use: a token whose issuer no longer outranks its account stops, without any revocation", async () => {
    const admin = await person("admin");
    const member = await person("member");
    const issued = await as(admin.token, "POST", `/users/${member.id}/tokens`, { name: "bot" });
    expect((await as(issued.body.token, "GET", "/me")).status).toBe(200);
    // A change written behind the services' back (a restore, a manual fix): the check still holds.
    await api.database.db.update(users).set({ role: "admin" }).where(eq(users.id, member.id));
    const used = await as(issued.body.token, "GET", "/me");
    expect(used.status).toBe(401);
    expect(used.body.error.message).toMatch(/no longer has more access than its account/);
    // The issuer's demotion stops it too.
    const member2 = await person("member");
    const issued2 = await as(admin.token, "POST", `/users/${member2.id}/tokens`, { name: "bot" });
    expect((await as(issued2.body.token, "GET", "/me")).status).toBe(200);
    await setRole(admin.id, "member");
    expect((await as(issued2.body.token, "GET", "/me")).status).toBe(401);
  });

  it("keeps what is made with someone else's token bound to that issuer: a new token, and no password", async () => {
    const admin = await person("admin");
    const member = await person("member");
    const issued = await as(admin.token, "POST", `/users/${member.id}/tokens`, { name: "bot" });
    const minted = await as(issued.body.token, "POST", "/tokens", { name: "escape" });
    expect(minted.status).toBe(201);
    expect(minted.body.createdBy).toBe(admin.id);
    const password = await as(issued.body.token, "POST", "/me/password", { newPassword: "a long enough passphrase" });
    expect(password.status).toBe(403);
    expect(password.body.error.message).toMatch(/cannot set the account's password/);
    await setRole(member.id, "owner");
    expect((await as(minted.body.token, "GET", "/me")).status).toBe(401);
  });

  it("revokes what an issuer made once they lose rank, so it stays revoked when they regain it", async () => {
    const admin = await person("admin");
    const member = await person("member");
    const issued = await as(admin.token, "POST", `/users/${member.id}/tokens`, { name: "bot" });
    expect((await api.call("DELETE", `/users/${admin.id}`)).status).toBe(204);
    expect((await as(issued.body.token, "GET", "/me")).status).toBe(401);
    expect((await api.call("PATCH", `/users/${admin.id}`, { active: true })).status).toBe(200);
    expect((await as(issued.body.token, "GET", "/me")).status).toBe(401);
    const [trail] = await audits(admin.id, "user.credentialsRevoked");
    expect(trail?.after).toMatchObject({ reason: "deactivated", issuedTokenIds: [issued.body.id] });
  });

  it("promote after issue: an admin's invitation link for a member no longer sets the password once they are an owner", async () => {
    const admin = await person("admin");
    const created = await as(admin.token, "POST", "/users", {
      name: "Newcomer",
      email: `new${++n}@rank.test`,
      role: "member",
    });
    expect(created.status).toBe(201);
    const url = created.body.invitation.url as string;
    expect(url).toContain("#token=");
    await setRole(created.body.id, "owner");
    const accepted = await acceptInvitation(url, "a long enough passphrase");
    expect(accepted.statusCode).toBe(401);
    const open = await api.database.db
      .select()
      .from(emailTokens)
      .where(and(eq(emailTokens.userId, created.body.id), isNull(emailTokens.usedAt)));
    expect(open).toEqual([]);
  });

  it("checks an invitation's issuer on use: the link of an admin since demoted does not work", async () => {
    const admin = await person("admin");
    const created = await as(admin.token, "POST", "/users", { name: "Later", email: `later${++n}@rank.test` });
    // Written behind the services' back, so nothing revoked the link: the check on use still holds.
    await api.database.db.update(users).set({ role: "member" }).where(eq(users.id, admin.id));
    const accepted = await acceptInvitation(created.body.invitation.url, "a long enough passphrase");
    expect(accepted.statusCode).toBe(401);
    expect(accepted.json().error.message).toMatch(/no longer has more access/);
    // Demoted through the API, the admin's open invitations are voided at once.
    const admin2 = await person("admin");
    const created2 = await as(admin2.token, "POST", "/users", { name: "Later2", email: `later${++n}@rank.test` });
    await setRole(admin2.id, "member");
    expect((await acceptInvitation(created2.body.invitation.url, "a long enough passphrase")).statusCode).toBe(401);
    expect((await audits(admin2.id, "user.credentialsRevoked"))[0]?.after).toMatchObject({ issuedLinks: 1 });
  });

  it("voids others' tokens and links on an email change and on deactivation", async () => {
    const admin = await person("admin");
    const member = await person("member");
    const issued = await as(admin.token, "POST", `/users/${member.id}/tokens`, { name: "bot" });
    const r = await as(admin.token, "PATCH", `/users/${member.id}`, { email: `moved${++n}@rank.test` });
    expect(r.status).toBe(200);
    expect((await as(issued.body.token, "GET", "/me")).status).toBe(401);
    expect((await as(member.token, "GET", "/me")).status).toBe(200);
    expect((await audits(member.id, "user.credentialsRevoked"))[0]?.after).toMatchObject({ reason: "email changed" });
    const own = await as(member.token, "GET", "/tokens");
    expect(own.status).toBe(200);
    expect((await as(admin.token, "DELETE", `/users/${member.id}`)).status).toBe(204);
    expect((await as(member.token, "GET", "/me")).status).toBe(401);
    const trail = (await audits(member.id, "user.credentialsRevoked")).map((e) => e.after as { reason: string });
    expect(trail.map((a) => a.reason)).toEqual(["email changed", "deactivated"]);
  });

  it("only owners revoke the instance administrator's tokens", async () => {
    const admin = await person("admin");
    const mine = (await api.call("GET", "/tokens")).body.items as { id: string }[];
    expect(mine.length).toBeGreaterThan(0);
    const denied = await as(admin.token, "DELETE", `/tokens/${mine[0]!.id}`);
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toMatch(/Only organisation owners/);
    expect((await api.call("GET", "/me")).status).toBe(200);
  });

  it("demote via import: an admin's HRIS file cannot demote a peer admin; an owner's can, and it revokes what others issued", async () => {
    const admin = await person("admin");
    const peer = await person("admin");
    const header = "User Email,User Name,Teams,Manager Email,Is Org Admin";
    const file = [header, `${peer.email},Peer Admin,,,FALSE`].join("\n");
    const byAdmin = await as(admin.token, "POST", "/imports/people", { usersCsv: file });
    expect(byAdmin.status).toBe(200);
    expect(JSON.stringify(byAdmin.body.problems)).toMatch(/stays admin/);
    expect((await api.call("GET", `/users/${peer.id}`)).body.role).toBe("admin");
    // An owner issues a bot token for the peer admin, then imports the same file.
    const bot = await api.call("POST", `/users/${peer.id}/tokens`, { name: "bot" });
    expect(bot.status).toBe(201);
    const byOwner = await api.call("POST", "/imports/people", { usersCsv: file });
    expect(byOwner.status).toBe(200);
    expect((await api.call("GET", `/users/${peer.id}`)).body.role).toBe("member");
    expect((await as(bot.body.token, "GET", "/me")).status).toBe(401);
    expect((await as(peer.token, "GET", "/me")).status).toBe(200);
  });

  it("SCIM against a peer admin: SCIM tokens are owners', act with their rank, and stop when the owner is demoted", async () => {
    const admin = await person("admin");
    const refused = await as(admin.token, "POST", "/scim-tokens", { name: "okta" });
    expect(refused.status).toBe(403);
    const coOwner = await person("owner");
    const scim = await as(coOwner.token, "POST", "/scim-tokens", { name: "okta" });
    expect(scim.status).toBe(201);
    const scimCall = (method: string, path: string, body?: unknown) =>
      api.app.inject({
        method: method as never,
        url: `/scim/v2${path}`,
        headers: { authorization: `Bearer ${scim.body.token}`, "content-type": "application/scim+json" },
        ...(body ? { payload: JSON.stringify(body) } : {}),
      });
    // The owner's rank reaches an admin: their email changes, and tokens others issued for them stop.
    const target = await person("admin");
    const bot = await api.call("POST", `/users/${target.id}/tokens`, { name: "bot" });
    const patched = await scimCall("PATCH", `/Users/${target.id}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "replace", path: "userName", value: `renamed${++n}@rank.test` }],
    });
    expect(patched.statusCode).toBe(200);
    expect((await as(bot.body.token, "GET", "/me")).status).toBe(401);
    // …but not the instance administrator, whom no other owner outranks.
    const onInstanceAdmin = await scimCall("PATCH", `/Users/${ownerId}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "replace", path: "active", value: false }],
    });
    expect(onInstanceAdmin.statusCode).toBeGreaterThanOrEqual(400);
    expect((await api.call("GET", "/me")).status).toBe(200);
    // Once its owner is an admin, the token no longer works at all.
    await setRole(coOwner.id, "admin");
    const after = await scimCall("GET", "/Users");
    expect(after.statusCode).toBe(401);
    expect(after.body).toMatch(/no longer an active organisation owner/);
  });

  it("re-sends a still-valid reset link instead of minting a new one, at most three times per link", async () => {
    const mailed = await startApi(kind, Date.UTC(2026, 1, 15, 12), { mailer: smtp.mailer });
    try {
      const email = "resetme@rank.test";
      await mailed.call("POST", "/users", { name: "Resetme", email, invite: false });
      const before = smtp.inbox.filter((m) => m.to === email).length;
      for (let i = 0; i < 5; i++) {
        const r = await mailed.app.inject({ method: "POST", url: "/api/v1/auth/forgot-password", payload: { email } });
        expect(r.statusCode).toBe(202);
        // Each request's mail is sent in the background; wait for it before the next one.
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      for (let waited = 0; smtp.inbox.filter((m) => m.to === email).length < before + 3 && waited < 10_000; ) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        waited += 50;
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
      const mails = smtp.inbox.filter((m) => m.to === email).slice(before);
      expect(mails).toHaveLength(3);
      const links = mails.map((m) => /#token=([\w-]+)/.exec(m.text)?.[1]);
      expect(new Set(links).size).toBe(1);
      const reset = await mailed.app.inject({
        method: "POST",
        url: "/api/v1/auth/reset-password",
        payload: { token: links[0], password: "a long enough passphrase" },
      });
      expect(reset.statusCode).toBe(200);
    } finally {
      await mailed.close();
    }
  });

  it("replaces a reset link made before links were re-sendable (an upgrade) instead of re-sending a dead one", async () => {
    const mailed = await startApi(kind, Date.UTC(2026, 1, 15, 12), { mailer: smtp.mailer });
    try {
      const email = "upgraded@rank.test";
      const user = (await mailed.call("POST", "/users", { name: "Upgraded", email, invite: false })).body;
      const [row] = await mailed.database.db.select().from(users).where(eq(users.id, user.id));
      await mailed.database.db.insert(emailTokens).values({
        orgId: row!.orgId,
        userId: user.id,
        purpose: "reset",
        tokenHash: "0".repeat(64),
        expiresAt: new Date(mailed.clock.now + 30 * 60_000),
        createdAt: new Date(mailed.clock.now),
      });
      const r = await mailed.app.inject({ method: "POST", url: "/api/v1/auth/forgot-password", payload: { email } });
      expect(r.statusCode).toBe(202);
      const mail = await smtp.waitFor(email);
      const token = /#token=([\w-]+)/.exec(mail.text)?.[1];
      const reset = await mailed.app.inject({
        method: "POST",
        url: "/api/v1/auth/reset-password",
        payload: { token, password: "a long enough passphrase" },
      });
      expect(reset.statusCode).toBe(200);
    } finally {
      await mailed.close();
    }
  });

  it("refuses common passwords, whatever their length", async () => {
    const created = await api.call("POST", "/users", { name: "Common", email: `common${++n}@rank.test` });
    const r = await acceptInvitation(created.body.invitation.url, "password123");
    expect(r.statusCode).toBe(400);
    expect(r.json().error.message).toMatch(/most common passwords/);
    const ok = await acceptInvitation(created.body.invitation.url, "correct horse battery staple");
    expect(ok.statusCode).toBe(200);
  });

  it("starts with a revoked bootstrap token: it stays revoked and the start says so", async () => {
    const tokens = (await api.call("GET", "/tokens")).body.items as { id: string; name: string }[];
    const boot = tokens.find((t) => t.name === "bootstrap");
    expect(boot).toBeDefined();
    // Another token of the instance administrator's, to go on working with.
    const spare = await api.call("POST", "/tokens", { name: "spare" });
    expect((await api.call("DELETE", `/tokens/${boot!.id}`)).status).toBe(204);
    const again = await bootstrap(api.database, { bootstrapToken: ADMIN_TOKEN });
    expect(again).toMatchObject({ created: false, bootstrapTokenRevoked: true });
    expect((await as(ADMIN_TOKEN, "GET", "/me")).status).toBe(401);
    expect((await as(spare.body.token, "GET", "/me")).status).toBe(200);
  });
});
