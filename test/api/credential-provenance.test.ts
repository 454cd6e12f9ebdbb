/**
 * A way in that someone else could have made never carries more rank than theirs. An admin who
 * holds a member's invitation link, or points the member's email at their own mailbox and resets
 * the password, chooses that password and may mint tokens in the session it opens; once an owner
 * promotes the member beyond admin, the password is forgotten and everything it opened ends. A
 * promotion the setter's rank covers keeps it, and so does a password only the person could have
 * chosen. When the setter falls below the person, the same happens.
 */
import { and, asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents } from "../../src/db/schema.js";
import { createTokenForEmail } from "../../src/services/auth.service.js";
import { type ApiHarness, startApi } from "../support/api.js";
import { DATABASE_KINDS } from "../support/databases.js";
import { startSmtp, type TestSmtp } from "../support/smtp.js";

describe.each(DATABASE_KINDS)("where a password came from, on %s", (kind) => {
  let api: ApiHarness;
  let smtp: TestSmtp;
  let n = 0;
  const as = (token: string, method: string, url: string, body?: unknown) =>
    api.call(method, url, body, { authorization: `Bearer ${token}` });

  /** A new person added by the owner (or with `by`'s token), and a token of their own when asked. */
  async function person(role: string, by?: string) {
    const email = `p${++n}-${role}@provenance.test`;
    const body = { name: `P${n} ${role}`, email, role, invite: false };
    const created = by ? await as(by, "POST", "/users", body) : await api.call("POST", "/users", body);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return { id: created.body.id as string, email };
  }
  const tokenOf = async (email: string) => (await createTokenForEmail(api.database, email)).token;
  const setRole = async (id: string, role: string) =>
    expect((await api.call("PATCH", `/users/${id}`, { role })).status).toBe(200);

  /** A browser's sign-in from an emailed link or a password: its cookie and CSRF token. */
  const sessionOf = (res: { statusCode: number; headers: Record<string, unknown>; json: () => unknown }) => {
    expect(res.statusCode).toBe(200);
    const set = res.headers["set-cookie"];
    const line = (Array.isArray(set) ? set : [set]).find((c) => String(c).startsWith("okra_session="));
    return { cookie: String(line).split(";")[0]!, csrf: (res.json() as { csrfToken: string }).csrfToken };
  };
  const inBrowser = async (s: { cookie: string; csrf: string }, method: string, url: string, body?: unknown) => {
    const r = await api.app.inject({
      method: method as "GET",
      url: `/api/v1${url}`,
      headers: { cookie: s.cookie, ...(method !== "GET" && { "x-csrf-token": s.csrf }) },
      ...(body !== undefined && { payload: body as object }),
    });
    return { status: r.statusCode, body: r.body ? r.json() : null };
  };
  const post = (url: string, payload: object) => api.app.inject({ method: "POST", url: `/api/v1${url}`, payload });
  const login = (email: string, password: string) => post("/auth/login", { email, password });
  const linkToken = (text: string) => /#token=([\w-]+)/.exec(text)?.[1] ?? "";

  /** An admin's invitation for `member`, accepted by whoever holds it with `password`: the session it opens. */
  async function acceptedInvitation(
    adminToken: string | null,
    member: { id: string; email: string },
    password: string,
  ) {
    const url = `/users/${member.id}/invite`;
    const invite = adminToken ? await as(adminToken, "POST", url) : await api.call("POST", url);
    expect(invite.status).toBe(201);
    const mail = await smtp.waitFor(member.email);
    return sessionOf(await post("/auth/accept-invitation", { token: linkToken(mail.text), password }));
  }

  const audits = async (userId: string) =>
    api.database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.objectId, userId), eq(auditEvents.action, "user.credentialsRevoked")))
      .orderBy(asc(auditEvents.id));

  beforeAll(async () => {
    smtp = await startSmtp();
    api = await startApi(kind, Date.UTC(2026, 1, 15, 12), { mailer: smtp.mailer });
  });
  afterAll(async () => {
    await api?.close();
    await smtp?.close();
  });

  it("forgets a password an admin's invitation set once the person becomes an owner, with the session and tokens it opened", async () => {
    const admin = await person("admin");
    const adminToken = await tokenOf(admin.email);
    const member = await person("member", adminToken);
    const password = "the admin chose this passphrase";
    const session = await acceptedInvitation(adminToken, member, password);
    const minted = await inBrowser(session, "POST", "/tokens", { name: "made in that session" });
    expect(minted.status).toBe(201);

    // An admin vouches for an admin: a promotion to admin keeps all of it.
    await setRole(member.id, "admin");
    expect((await inBrowser(session, "GET", "/me")).status).toBe(200);
    expect((await as(minted.body.token, "GET", "/me")).status).toBe(200);
    expect((await login(member.email, password)).statusCode).toBe(200);

    // Beyond the admin's rank, nothing the admin could have made works any more.
    await setRole(member.id, "owner");
    expect((await as(minted.body.token, "GET", "/me")).status).toBe(401);
    expect((await inBrowser(session, "GET", "/me")).status).toBe(401);
    expect((await login(member.email, password)).statusCode).toBe(401);
    expect((await as(minted.body.token, "POST", "/scim-tokens", { name: "owner power" })).status).toBe(401);
    const [revoked] = (await audits(member.id)).slice(-1);
    expect(revoked?.after).toMatchObject({ reason: "role changed", passwordCleared: true });
    expect((revoked!.after as { tokenIds: string[] }).tokenIds).toContain(minted.body.id);

    // The person sets a new password from a reset link sent to the email the promoting owner saw.
    const invitationMail = await smtp.waitFor(member.email);
    smtp.inbox.splice(smtp.inbox.indexOf(invitationMail), 1);
    expect((await post("/auth/forgot-password", { email: member.email })).statusCode).toBe(202);
    const mail = await smtp.waitFor(member.email);
    expect(mail.subject).toMatch(/reset/i);
    const reset = await post("/auth/reset-password", { token: linkToken(mail.text), password: "only the owner knows" });
    expect(reset.statusCode).toBe(200);
    expect((await login(member.email, "only the owner knows")).json()).toMatchObject({ user: { role: "owner" } });
  });

  it("ends what an admin opened by pointing a member's email at their own mailbox, even with the email put back", async () => {
    const admin = await person("admin");
    const adminToken = await tokenOf(admin.email);
    const member = await person("member");
    const mailbox = `attacker${n}@provenance.test`;
    expect((await as(adminToken, "PATCH", `/users/${member.id}`, { email: mailbox })).status).toBe(200);
    expect((await post("/auth/forgot-password", { email: mailbox })).statusCode).toBe(202);
    const mail = await smtp.waitFor(mailbox);
    const password = "chosen from the admin's mailbox";
    const session = sessionOf(await post("/auth/reset-password", { token: linkToken(mail.text), password }));
    const minted = await inBrowser(session, "POST", "/tokens", { name: "kept for later" });
    expect(minted.status).toBe(201);
    expect((await as(adminToken, "PATCH", `/users/${member.id}`, { email: member.email })).status).toBe(200);
    expect((await as(minted.body.token, "GET", "/me")).status).toBe(200);

    await setRole(member.id, "owner");
    expect((await as(minted.body.token, "GET", "/me")).status).toBe(401);
    expect((await login(member.email, password)).statusCode).toBe(401);
  });

  it("keeps a password only the person, or someone of their rank, could have chosen", async () => {
    // The owner's invitation: an owner vouches for an owner.
    const invited = await person("member");
    await acceptedInvitation(null, invited, "chosen through the owner's link");
    await setRole(invited.id, "owner");
    expect((await login(invited.email, "chosen through the owner's link")).statusCode).toBe(200);

    // The owner added the person, so the owner set the email their reset link went to.
    const resetter = await person("member");
    expect((await post("/auth/forgot-password", { email: resetter.email })).statusCode).toBe(202);
    const mail = await smtp.waitFor(resetter.email);
    const session = sessionOf(
      await post("/auth/reset-password", { token: linkToken(mail.text), password: "a password of my very own" }),
    );
    const own = await inBrowser(session, "POST", "/tokens", { name: "mine" });
    await setRole(resetter.id, "owner");
    expect((await login(resetter.email, "a password of my very own")).statusCode).toBe(200);
    expect((await as(own.body.token, "GET", "/me")).status).toBe(200);
    expect(
      (await audits(resetter.id)).filter((a) => (a.after as { passwordCleared?: boolean }).passwordCleared),
    ).toEqual([]);
  });

  it("forgets the passwords an admin's links set for people who outrank them once that admin is demoted, not when deactivated", async () => {
    const admin = await person("admin");
    const adminToken = await tokenOf(admin.email);
    const member = await person("member", adminToken);
    const session = await acceptedInvitation(adminToken, member, "set through the admin's link");
    await setRole(member.id, "admin");
    expect((await inBrowser(session, "GET", "/me")).status).toBe(200);

    await setRole(admin.id, "member");
    expect((await inBrowser(session, "GET", "/me")).status).toBe(401);
    expect((await login(member.email, "set through the admin's link")).statusCode).toBe(401);
    const [revoked] = (await audits(member.id)).slice(-1);
    expect(revoked?.after).toMatchObject({ passwordCleared: true, setBy: admin.id });

    // A deactivated admin keeps their rank on record: the people they invited keep their passwords.
    const other = await person("admin");
    const otherToken = await tokenOf(other.email);
    const invitee = await person("member", otherToken);
    await acceptedInvitation(otherToken, invitee, "set through a departed admin's link");
    expect((await api.call("DELETE", `/users/${other.id}`)).status).toBe(204);
    expect((await login(invitee.email, "set through a departed admin's link")).statusCode).toBe(200);
    // And a reset link to the email that admin set still sets a password.
    smtp.inbox.splice(0, smtp.inbox.length);
    expect((await post("/auth/forgot-password", { email: invitee.email })).statusCode).toBe(202);
    const mail = await smtp.waitFor(invitee.email);
    const reset = await post("/auth/reset-password", { token: linkToken(mail.text), password: "my own after all" });
    expect(reset.statusCode, reset.body).toBe(200);
  });
});
