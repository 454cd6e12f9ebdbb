/**
 * Regression tests from the security review of #4: no path lets someone gain more access
 * than their role, reach an owner's account, or move a private objective's figures into a
 * public roll-up.
 */
import { and, eq, isNull } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emailTokens } from "../../src/db/schema.js";
import { createTokenForEmail } from "../../src/services/auth.service.js";
import { type ApiHarness, factories, startApi } from "../support/api.js";
import { DATABASE_KINDS } from "../support/databases.js";

describe.each(DATABASE_KINDS)("no escalation on %s", (kind) => {
  let api: ApiHarness;
  let f: ReturnType<typeof factories>;
  let periodId: string;
  let ownerId: string;
  const ids: Record<string, string> = {};
  const tokens: Record<string, string> = {};
  const as = (who: string, method: string, url: string, body?: unknown) =>
    api.call(method, url, body, { authorization: `Bearer ${tokens[who]}` });

  beforeAll(async () => {
    api = await startApi(kind);
    f = factories(api);
    periodId = (await f.period()).id;
    ownerId = (await api.call("GET", "/me")).body.user.id;
    for (const [who, role] of [
      ["admin", "admin"],
      ["admin2", "admin"],
      ["member", "member"],
      ["other", "member"],
    ] as const) {
      const email = `${who}@esc.example`;
      ids[who] = (await api.call("POST", "/users", { name: who, email, role, invite: false })).body.id;
      tokens[who] = (await createTokenForEmail(api.database, email)).token;
    }
  });
  afterAll(async () => {
    await api?.close();
  });

  it("issues tokens for another account only when it has less access than the caller", async () => {
    const forOwner = await as("admin", "POST", `/users/${ownerId}/tokens`, { name: "x" });
    expect(forOwner.status).toBe(403);
    expect(forOwner.body.error.code).toBe("FORBIDDEN");
    expect((await as("admin", "POST", `/users/${ids.member}/tokens`, { name: "bot" })).status).toBe(201);
    expect((await api.call("POST", `/users/${ids.admin}/tokens`, { name: "bot" })).status).toBe(201);
  });

  /** Unused invitation links of a person (what accept-invitation would take). */
  const openInvitations = async (userId: string) =>
    api.database.db
      .select()
      .from(emailTokens)
      .where(and(eq(emailTokens.userId, userId), eq(emailTokens.purpose, "invite"), isNull(emailTokens.usedAt)));
  const acceptInvitation = (url: string, password: string) =>
    api.app.inject({
      method: "POST",
      url: "/api/v1/auth/accept-invitation",
      payload: { token: /#token=(.+)$/.exec(url)?.[1] ?? "", password },
    });

  it("hands an admin no invitation link for an owner or another admin (it would set their password)", async () => {
    const coOwner = await api.call("POST", "/users", {
      name: "Co Owner",
      email: "co-owner@esc.example",
      role: "owner",
      invite: false,
    });
    for (const target of [ownerId, coOwner.body.id, ids.admin2]) {
      const r = await as("admin", "POST", `/users/${target}/invite`);
      expect(r.status).toBe(403);
      expect(r.body.error.code).toBe("FORBIDDEN");
      expect(r.body.error.message).toMatch(/invite only people with less access than yours/);
      expect(JSON.stringify(r.body)).not.toContain("#token=");
      expect(await openInvitations(target)).toEqual([]);
    }
    // Members and observers remain theirs to invite.
    const forMember = await as("admin", "POST", `/users/${ids.member}/invite`);
    expect(forMember.status).toBe(201);
    expect(forMember.body.url).toMatch(/\/accept-invitation#token=/);
  });

  it("lets an admin invite an admin they have just added, but not again once it has a link", async () => {
    const added = await as("admin", "POST", "/users", {
      name: "New Admin",
      email: "new-admin@esc.example",
      role: "admin",
    });
    expect(added.status).toBe(201);
    expect(added.body.invitation.url).toMatch(/\/accept-invitation#token=/);
    const again = await as("admin", "POST", `/users/${added.body.id}/invite`);
    expect(again.status).toBe(403);
    expect((await openInvitations(added.body.id)).length).toBe(1);
    // An owner may send a fresh one.
    expect((await api.call("POST", `/users/${added.body.id}/invite`)).status).toBe(201);
  });

  it("does not re-invite someone who has a password (409), so nobody can overwrite it", async () => {
    const pia = await api.call("POST", "/users", { name: "Pia Password", email: "pia@esc.example" });
    expect((await acceptInvitation(pia.body.invitation.url, "pia's own password")).statusCode).toBe(200);
    for (const caller of [undefined, tokens.admin]) {
      const headers: Record<string, string> = caller ? { authorization: `Bearer ${caller}` } : {};
      const r = await api.call("POST", `/users/${pia.body.id}/invite`, undefined, headers);
      expect(r.status).toBe(409);
      expect(r.body.error.code).toBe("CONFLICT");
      expect(r.body.error.message).toMatch(/Pia Password already has a password; they can use 'Forgot password'/);
      expect(JSON.stringify(r.body)).not.toContain("#token=");
    }
    expect(await openInvitations(pia.body.id)).toEqual([]);
    const signIn = await api.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { email: "pia@esc.example", password: "pia's own password" },
    });
    expect(signIn.statusCode).toBe(200);
  });

  it("keeps an owner's email out of an admin's reach", async () => {
    const r = await as("admin", "PATCH", `/users/${ownerId}`, { email: "attacker@evil.example" });
    expect(r.status).toBe(403);
    expect((await api.call("GET", `/users/${ownerId}`)).body.email).toBe("admin@example.com");
  });

  it("keeps another admin's email out of an admin's reach (a reset link would follow it)", async () => {
    const r = await as("admin", "PATCH", `/users/${ids.admin2}`, { email: "attacker@evil.example" });
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe("FORBIDDEN");
    expect((await api.call("GET", `/users/${ids.admin2}`)).body.email).toBe("admin2@esc.example");
    // Their own email, and a member's, an admin may change; an owner may change an admin's.
    expect((await as("admin", "PATCH", `/users/${ids.admin}`, { email: "admin.new@esc.example" })).status).toBe(200);
    expect((await as("admin", "PATCH", `/users/${ids.other}`, { email: "other.new@esc.example" })).status).toBe(200);
    expect((await api.call("PATCH", `/users/${ids.admin2}`, { email: "admin2.new@esc.example" })).status).toBe(200);
  });

  it("does not let an admin demote or deactivate another admin (the way round the email rule)", async () => {
    for (const change of [{ role: "member" }, { role: "observer" }, { active: false }]) {
      const r = await as("admin", "PATCH", `/users/${ids.admin2}`, change);
      expect(r.status, JSON.stringify(change)).toBe(403);
      expect(r.body.error.message).toMatch(/only people with less access than yours/);
    }
    expect((await as("admin", "DELETE", `/users/${ids.admin2}`)).status).toBe(403);
    expect((await api.call("GET", `/users/${ids.admin2}`)).body).toMatchObject({ role: "admin", active: true });
    // A member an admin may promote to admin (not to owner); from then on only an owner may demote them.
    expect((await as("admin", "PATCH", `/users/${ids.other}`, { role: "admin" })).status).toBe(200);
    expect((await as("admin", "PATCH", `/users/${ids.other}`, { role: "owner" })).status).toBe(403);
    expect((await as("admin", "PATCH", `/users/${ids.other}`, { role: "member" })).status).toBe(403);
    expect((await api.call("PATCH", `/users/${ids.other}`, { role: "member" })).status).toBe(200);
  });

  it("does not let a member lift their own objective to the organisation's level", async () => {
    const mine = await as("member", "POST", "/objectives", { title: "My own goal", level: "individual", periodId });
    expect(mine.status).toBe(201);
    const lifted = await as("member", "PATCH", `/objectives/${mine.body.id}`, { level: "organization" });
    expect(lifted.status).toBe(403);
    expect((await api.call("GET", `/objectives/${mine.body.id}`)).body.level).toBe("individual");
  });

  it("refuses to make an objective public while a private one aligns under it", async () => {
    const parent = await f.objective(periodId, { title: "Private parent", visibility: "private" });
    const child = await f.objective(periodId, { title: "Private child", visibility: "private" });
    await f.align("objective", child.id, "objective", parent.id);
    const r = await api.call("PATCH", `/objectives/${parent.id}`, { visibility: "public" });
    expect(r.status).toBe(400);
    expect(r.body.error.details[0]).toMatch(/^visibility: The private objective "Private child" aligns under this one/);
  });

  it("keeps a KPI's links to objectives its editor cannot see", async () => {
    const secret = await f.objective(periodId, { title: "Hidden link", visibility: "private" });
    const visible = await f.objective(periodId, { title: "Visible link" });
    const kpi = await api.call("POST", "/kpis", {
      name: "Churn",
      ownerIds: [ids.member],
      objectiveIds: [secret.id, visible.id],
    });
    const seen = await as("member", "GET", `/kpis/${kpi.body.id}`);
    expect(seen.body.objectiveIds).toEqual([visible.id]);
    expect((await as("member", "PATCH", `/kpis/${kpi.body.id}`, { objectiveIds: [] })).status).toBe(200);
    expect((await api.call("GET", `/kpis/${kpi.body.id}`)).body.objectiveIds).toEqual([secret.id]);
  });

  it("voids older invitation links when a new one is issued, and ends sessions when the email changes", async () => {
    const first = await api.call("POST", "/users", { name: "Tia Typo", email: "tia@typo.example" });
    const second = await api.call("POST", `/users/${first.body.id}/invite`);
    const token = (url: string) => /#token=(.+)$/.exec(url)?.[1] ?? "";
    const accept = (link: string) =>
      api.app.inject({
        method: "POST",
        url: "/api/v1/auth/accept-invitation",
        payload: { token: token(link), password: "tia's new password" },
      });
    expect((await accept(first.body.invitation.url)).statusCode).toBe(401);
    const ok = await accept(second.body.url);
    expect(ok.statusCode).toBe(200);
    const cookie = ok.cookies.find((c) => c.name === "okra_session")?.value ?? "";
    const me = () => api.app.inject({ method: "GET", url: "/api/v1/me", cookies: { okra_session: cookie } });
    expect((await me()).statusCode).toBe(200);
    expect((await api.call("PATCH", `/users/${first.body.id}`, { email: "tia@right.example" })).status).toBe(200);
    expect((await me()).statusCode).toBe(401);
  });
});
