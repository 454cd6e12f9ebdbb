/**
 * Browser accounts end to end over HTTP: invitations and password resets delivered by a
 * real SMTP server, argon2id passwords, session cookies and their flags, CSRF on
 * cookie-authenticated writes, idle and absolute expiry, sign-out (one and everywhere),
 * lockout after repeated failures, the per-address rate limit, and logs without secrets.
 */
import { Writable } from "node:stream";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inTransaction } from "../../src/db/repositories.js";
import { users } from "../../src/db/schema.js";
import { LOCKOUT } from "../../src/services/account.service.js";
import { ADMIN_TOKEN, type ApiHarness, startApi } from "../support/api.js";
import { DATABASE_KINDS } from "../support/databases.js";
import { startSmtp, type TestSmtp } from "../support/smtp.js";

const HOUR = 3_600_000;
const POLICY = { idleMs: 2 * HOUR, maxMs: 10 * HOUR };

interface Browser {
  cookie: string | null;
  csrf: string | null;
}

describe.each(DATABASE_KINDS)("browser accounts on %s", (kind) => {
  let api: ApiHarness;
  let smtp: TestSmtp;
  const logLines: string[] = [];

  beforeAll(async () => {
    smtp = await startSmtp();
    api = await startApi(kind, Date.UTC(2026, 1, 15, 12), {
      mailer: smtp.mailer,
      publicUrl: "https://okr.test",
      sessionPolicy: POLICY,
      loginRateLimit: 1000,
      logger: {
        level: "trace",
        stream: new Writable({
          write(chunk, _enc, done) {
            logLines.push(String(chunk));
            done();
          },
        }),
      },
    });
  });
  afterAll(async () => {
    await api?.close();
    await smtp?.close();
  });

  /** A request as a browser: the session cookie, and the CSRF token on writes when known. */
  const send = async (b: Browser, method: string, url: string, body?: unknown, csrf = true) => {
    const res = await api.app.inject({
      method: method as never,
      url: `/api/v1${url}`,
      headers: csrf && b.csrf && method !== "GET" ? { "x-csrf-token": b.csrf } : {},
      ...(b.cookie ? { cookies: { okra_session: b.cookie } } : {}),
      ...(body !== undefined ? { payload: body as never } : {}),
    });
    const set = res.cookies.find((c) => c.name === "okra_session");
    if (set) b.cookie = set.value || null;
    const json = res.body && String(res.headers["content-type"]).includes("json") ? res.json() : null;
    if (json?.csrfToken) b.csrf = json.csrfToken;
    return { status: res.statusCode, body: json, cookies: res.cookies, headers: res.headers };
  };
  const fresh = (): Browser => ({ cookie: null, csrf: null });
  const tokenIn = (text: string) => /#token=([A-Za-z0-9_-]+)/.exec(text)?.[1] ?? "";

  it("invites by email: the link sets a password once and signs in with a secure session cookie", async () => {
    const created = await api.call("POST", "/users", { name: "Ines Invited", email: "ines@okr.test" });
    expect(created.status).toBe(201);
    expect(created.body.invitation).toEqual({ email: "ines@okr.test", sent: true });
    const mail = await smtp.waitFor("ines@okr.test");
    expect(mail.subject).toContain("invited");
    expect(mail.text).toContain("https://okr.test/accept-invitation#token=");
    const token = tokenIn(mail.text);

    const b = fresh();
    // A password that is too short is refused, and the link still works afterwards.
    const weak = await send(b, "POST", "/auth/accept-invitation", { token, password: "short" });
    expect(weak.status).toBe(400);
    expect(weak.body.error.details).toEqual(["password: must be at least 10 characters long"]);
    const sameAsEmail = await send(b, "POST", "/auth/accept-invitation", { token, password: "ines@okr.test" });
    expect(sameAsEmail.status).toBe(400);
    const ok = await send(b, "POST", "/auth/accept-invitation", { token, password: "correct horse battery" });
    expect(ok.status).toBe(200);
    const cookie = ok.cookies.find((c) => c.name === "okra_session")!;
    expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: "Strict", path: "/" });
    expect(cookie.maxAge).toBe(POLICY.maxMs / 1000);
    const me = await send(b, "GET", "/me");
    expect(me.body).toMatchObject({ authMethod: "session", hasPassword: true, user: { email: "ines@okr.test" } });
    expect(me.body.csrfToken).toBe(b.csrf);
    // The link works once.
    expect(
      (await send(fresh(), "POST", "/auth/accept-invitation", { token, password: "another good one" })).status,
    ).toBe(401);
    // Only an argon2id hash is stored.
    const [row] = await api.database.db.select().from(users).where(eq(users.email, "ines@okr.test"));
    expect(row?.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(row?.passwordHash).not.toContain("correct horse");
  });

  it("hands the link to the admin when no mail is configured", async () => {
    const bare = await startApi(kind);
    try {
      const r = await bare.call("POST", "/users", { name: "No Mail", email: "nomail@okr.test" });
      expect(r.body.invitation.sent).toBe(false);
      expect(r.body.invitation.url).toMatch(/\/accept-invitation#token=/);
      const silent = await bare.call("POST", "/users", { name: "Quiet", email: "quiet@okr.test", invite: false });
      expect(silent.body.invitation).toBeUndefined();
    } finally {
      await bare.close();
    }
  });

  it("signs in with a password; a wrong password and an unknown email answer alike", async () => {
    const wrong = await send(fresh(), "POST", "/auth/login", { email: "ines@okr.test", password: "not the one!" });
    const unknown = await send(fresh(), "POST", "/auth/login", { email: "nobody@okr.test", password: "whatever12" });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.error.message).toBe(unknown.body.error.message);
    const b = fresh();
    const ok = await send(b, "POST", "/auth/login", { email: "INES@okr.test", password: "correct horse battery" });
    expect(ok.status).toBe(200);
    expect(ok.body.user.email).toBe("ines@okr.test");
    expect((await send(b, "GET", "/objectives")).status).toBe(200);
    const missing = await send(fresh(), "POST", "/auth/login", { email: "ines@okr.test" });
    expect(missing.status).toBe(400);
    expect(missing.body.error.details).toEqual(["password: is required"]);
  });

  it("requires the session's CSRF token on cookie-authenticated writes (API tokens need none)", async () => {
    const b = fresh();
    await send(b, "POST", "/auth/login", { email: "ines@okr.test", password: "correct horse battery" });
    const without = await send(b, "POST", "/tokens", { name: "x" }, false);
    expect(without.status).toBe(403);
    expect(without.body.error.message).toMatch(/CSRF/);
    const forged = await api.app.inject({
      method: "POST",
      url: "/api/v1/tokens",
      cookies: { okra_session: b.cookie! },
      headers: { "x-csrf-token": "forged" },
      payload: { name: "x" },
    });
    expect(forged.statusCode).toBe(403);
    expect((await send(b, "POST", "/tokens", { name: "with csrf", scope: "read" })).status).toBe(201);
    expect((await api.call("POST", "/tokens", { name: "bearer needs none" })).status).toBe(201);
  });

  it("ends sessions when idle too long and, in any case, after the maximum lifetime", async () => {
    const start = api.clock.now;
    try {
      const idle = fresh();
      await send(idle, "POST", "/auth/login", { email: "ines@okr.test", password: "correct horse battery" });
      api.clock.now = start + POLICY.idleMs - 60_000;
      expect((await send(idle, "GET", "/me")).status).toBe(200);
      api.clock.now += POLICY.idleMs + 1;
      expect((await send(idle, "GET", "/me")).status).toBe(401);

      const busy = fresh();
      const opened = api.clock.now;
      await send(busy, "POST", "/auth/login", { email: "ines@okr.test", password: "correct horse battery" });
      for (let t = opened + HOUR; t < opened + POLICY.maxMs; t += HOUR) {
        api.clock.now = t;
        expect((await send(busy, "GET", "/me")).status).toBe(200);
      }
      api.clock.now = opened + POLICY.maxMs;
      const ended = await send(busy, "GET", "/me");
      expect(ended.status).toBe(401);
      expect(ended.body.error.message).toMatch(/Sign in again/);
    } finally {
      api.clock.now = start;
    }
  });

  it("signs out one session, or everywhere", async () => {
    const a = fresh();
    const b = fresh();
    await send(a, "POST", "/auth/login", { email: "ines@okr.test", password: "correct horse battery" });
    await send(b, "POST", "/auth/login", { email: "ines@okr.test", password: "correct horse battery" });
    const sessions = await send(a, "GET", "/sessions");
    expect(sessions.body.items.filter((s: { current: boolean }) => s.current)).toHaveLength(1);
    expect(sessions.body.items.length).toBeGreaterThanOrEqual(2);

    const saved = a.cookie;
    // A forged sign-out (no CSRF token) does nothing.
    expect((await send(a, "POST", "/auth/logout", undefined, false)).status).toBe(403);
    expect((await send(a, "GET", "/me")).status).toBe(200);
    const out = await send(a, "POST", "/auth/logout");
    expect(out.status).toBe(204);
    expect(out.cookies.find((c) => c.name === "okra_session")?.value).toBe("");
    expect((await send({ cookie: saved, csrf: null }, "GET", "/me")).status).toBe(401);
    expect((await send(b, "GET", "/me")).status).toBe(200);

    const c = fresh();
    await send(c, "POST", "/auth/login", { email: "ines@okr.test", password: "correct horse battery" });
    expect((await send(c, "POST", "/auth/sign-out-everywhere")).status).toBe(204);
    expect((await send(b, "GET", "/me")).status).toBe(401);
    expect((await send(c, "GET", "/me")).status).toBe(401);
  });

  it("records signing out and ending a session in the audit trail: the session and its method, no secrets", async () => {
    const a = fresh();
    const b = fresh();
    await send(a, "POST", "/auth/login", { email: "ines@okr.test", password: "correct horse battery" });
    await send(b, "POST", "/auth/login", { email: "ines@okr.test", password: "correct horse battery" });
    const mine = (await send(a, "GET", "/sessions")).body.items as { id: string; current: boolean }[];
    const current = mine.find((x) => x.current)!.id;
    const other = mine.find((x) => !x.current)!.id;
    const ines = (await send(a, "GET", "/me")).body.user.id;
    const trail = async (action: string) =>
      (await api.call("GET", `/audit?action=${action}&limit=500`)).body.items as Record<string, unknown>[];

    expect((await send(a, "DELETE", `/sessions/${other}`)).status).toBe(204);
    expect((await send(b, "GET", "/me")).status).toBe(401);
    const revoked = (await trail("session.revoked")).filter((e) => e.objectId === other);
    expect(revoked).toEqual([
      expect.objectContaining({ actorId: ines, objectType: "session", before: null, after: { method: "password" } }),
    ]);
    // Ending it again finds nothing, and records nothing.
    expect((await send(a, "DELETE", `/sessions/${other}`)).status).toBe(404);
    expect((await trail("session.revoked")).filter((e) => e.objectId === other)).toHaveLength(1);

    const cookie = a.cookie!;
    const csrf = a.csrf!;
    expect((await send(a, "POST", "/auth/logout")).status).toBe(204);
    const ended = (await trail("session.ended")).filter((e) => e.objectId === current);
    expect(ended).toEqual([
      expect.objectContaining({ actorId: ines, objectType: "session", before: null, after: { method: "password" } }),
    ]);
    const recorded = JSON.stringify([...revoked, ...ended]);
    expect(recorded).not.toContain(cookie);
    expect(recorded).not.toContain(csrf);
  });

  it("answers a forgotten-password request at once, before the link is issued (no timing difference)", async () => {
    const before = smtp.inbox.length;
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let locked = () => {};
    const isLocked = new Promise<void>((resolve) => {
      locked = resolve;
    });
    // Hold the links' table: issuing a link now waits until the gate opens.
    const holder = inTransaction(api.database.db, async (tx) => {
      await tx.execute(sql`lock table email_tokens in exclusive mode`);
      locked();
      await gate;
    });
    await isLocked;
    const answer = send(fresh(), "POST", "/auth/forgot-password", { email: "ines@okr.test" });
    const first = await Promise.race([
      answer,
      new Promise<"waited for the link">((resolve) => setTimeout(() => resolve("waited for the link"), 2_000)),
    ]);
    release();
    await holder;
    await answer;
    expect(first).toMatchObject({ status: 202, body: { accepted: true, canEmail: true } });
    // The link still goes out once the table is free.
    for (let waited = 0; smtp.inbox.length === before && waited < 10_000; waited += 25) {
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(smtp.inbox.slice(before).map((m) => m.to)).toEqual(["ines@okr.test"]);
  });

  it("changes a password with the current one; other sessions end, this one stays", async () => {
    const here = fresh();
    const there = fresh();
    await send(here, "POST", "/auth/login", { email: "ines@okr.test", password: "correct horse battery" });
    await send(there, "POST", "/auth/login", { email: "ines@okr.test", password: "correct horse battery" });
    const bad = await send(here, "POST", "/me/password", {
      currentPassword: "nope",
      newPassword: "a brand new secret",
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual(["currentPassword: is not your current password"]);
    const ok = await send(here, "POST", "/me/password", {
      currentPassword: "correct horse battery",
      newPassword: "a brand new secret",
    });
    expect(ok.status).toBe(204);
    expect((await send(here, "GET", "/me")).status).toBe(200);
    expect((await send(there, "GET", "/me")).status).toBe(401);
    expect(
      (await send(fresh(), "POST", "/auth/login", { email: "ines@okr.test", password: "a brand new secret" })).status,
    ).toBe(200);
  });

  it("resets a forgotten password by email without telling whether an account exists", async () => {
    const before = smtp.inbox.length;
    const unknown = await send(fresh(), "POST", "/auth/forgot-password", { email: "ghost@okr.test" });
    const known = await send(fresh(), "POST", "/auth/forgot-password", { email: "ines@okr.test" });
    expect(unknown.status).toBe(202);
    expect(known.status).toBe(202);
    expect(known.body).toEqual(unknown.body);
    const old = fresh();
    await send(old, "POST", "/auth/login", { email: "ines@okr.test", password: "a brand new secret" });
    // The reset email goes out in the background (waiting for it would reveal the account).
    for (let waited = 0; smtp.inbox.length === before && waited < 10_000; waited += 25) {
      await new Promise((r) => setTimeout(r, 25));
    }
    await new Promise((r) => setTimeout(r, 200));
    const mails = smtp.inbox.slice(before);
    expect(mails.map((m) => m.to)).toEqual(["ines@okr.test"]);
    expect(mails[0]?.text).toContain("https://okr.test/reset-password#token=");
    const token = tokenIn(mails[0]?.text ?? "");

    const b = fresh();
    expect((await send(b, "POST", "/auth/reset-password", { token, password: "reset and renewed" })).status).toBe(200);
    expect((await send(b, "GET", "/me")).status).toBe(200);
    expect((await send(old, "GET", "/me")).status).toBe(401);
    expect(
      (await send(fresh(), "POST", "/auth/login", { email: "ines@okr.test", password: "a brand new secret" })).status,
    ).toBe(401);
    expect((await send(fresh(), "POST", "/auth/reset-password", { token, password: "once more please" })).status).toBe(
      401,
    );
  });

  it(`locks an account for 15 minutes after ${LOCKOUT.maxFailures} failed sign-ins, without revealing it`, async () => {
    await api.call("POST", "/users", { name: "Luke Locked", email: "luke@okr.test" });
    const link = tokenIn((await smtp.waitFor("luke@okr.test")).text);
    await send(fresh(), "POST", "/auth/accept-invitation", { token: link, password: "lukes real password" });
    // Parallel guesses are counted one by one in the database: none slips past the limit.
    const guesses = await Promise.all(
      Array.from({ length: LOCKOUT.maxFailures * 2 }, (_, i) =>
        send(fresh(), "POST", "/auth/login", { email: "luke@okr.test", password: `guess number ${i}` }),
      ),
    );
    expect(guesses.every((r) => r.status === 401)).toBe(true);
    const locked = await send(fresh(), "POST", "/auth/login", {
      email: "luke@okr.test",
      password: "lukes real password",
    });
    const unknown = await send(fresh(), "POST", "/auth/login", {
      email: "nobody@okr.test",
      password: "lukes real password",
    });
    // A locked account answers exactly like a wrong password or an unknown email.
    expect(locked.status).toBe(401);
    expect(locked.body).toEqual(unknown.body);
    const audit = await api.call("GET", "/audit?objectType=user&limit=500");
    expect(audit.body.items.some((e: { action: string }) => e.action === "user.lockedOut")).toBe(true);
    const start = api.clock.now;
    api.clock.now = start + LOCKOUT.lockMs + 1000;
    try {
      const after = await send(fresh(), "POST", "/auth/login", {
        email: "luke@okr.test",
        password: "lukes real password",
      });
      expect(after.status).toBe(200);
    } finally {
      api.clock.now = start;
    }
  });

  it("stops a deactivated person's sessions at once", async () => {
    const b = fresh();
    await send(b, "POST", "/auth/login", { email: "ines@okr.test", password: "reset and renewed" });
    const ines = (await send(b, "GET", "/me")).body.user.id;
    expect((await api.call("PATCH", `/users/${ines}`, { active: false })).status).toBe(200);
    expect((await send(b, "GET", "/me")).status).toBe(401);
    expect(
      (await send(fresh(), "POST", "/auth/login", { email: "ines@okr.test", password: "reset and renewed" })).status,
    ).toBe(401);
  });

  it("never writes passwords, tokens, cookies or link secrets to the log", () => {
    const log = logLines.join("");
    expect(log.length).toBeGreaterThan(1000);
    expect(log).toContain("/api/v1/auth/login");
    for (const secret of [
      "correct horse battery",
      "a brand new secret",
      "reset and renewed",
      "lukes real password",
      ADMIN_TOKEN,
      "okra_s_",
      "x-csrf-token",
      "#token=",
    ]) {
      expect(log, secret).not.toContain(secret);
    }
    for (const m of smtp.inbox) expect(log).not.toContain(tokenIn(m.text));
  });
});

describe.each(DATABASE_KINDS)("sign-in rate limit on %s", (kind) => {
  it("answers 429 RATE_LIMITED with Retry-After once an address exceeds the limit", async () => {
    const api = await startApi(kind, undefined, { loginRateLimit: 3 });
    try {
      const attempt = () =>
        api.app.inject({
          method: "POST",
          url: "/api/v1/auth/login",
          payload: { email: "admin@example.com", password: "wrong password" },
        });
      for (let i = 0; i < 3; i++) expect((await attempt()).statusCode).toBe(401);
      const limited = await attempt();
      expect(limited.statusCode).toBe(429);
      expect(limited.json().error.code).toBe("RATE_LIMITED");
      expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);
      // Other routes are not limited.
      expect((await api.call("GET", "/me")).status).toBe(200);
    } finally {
      await api.close();
    }
  });
});
