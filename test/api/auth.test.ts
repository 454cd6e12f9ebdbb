/**
 * Credentials and isolation over the API: bearer parsing, read-only tokens, deactivated
 * accounts, and a second organisation on the same server that sees nothing of the first.
 */
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { grantOrgScope } from "../../src/db/org-scope.js";
import { organizationRepo, tokenRepo, userRepo } from "../../src/db/repositories.js";
import { apiTokens } from "../../src/db/schema.js";
import { authenticate, createTokenForEmail, hashToken } from "../../src/services/auth.service.js";
import { type ApiHarness, factories, startApi } from "../support/api.js";
import { DATABASE_KINDS } from "../support/databases.js";

describe.each(DATABASE_KINDS)("auth and isolation on %s", (kind) => {
  let api: ApiHarness;
  let f: ReturnType<typeof factories>;
  const as = (token: string, method: string, url: string, body?: unknown) =>
    api.call(method, url, body, { authorization: `Bearer ${token}` });
  beforeAll(async () => {
    api = await startApi(kind);
    f = factories(api);
  });
  afterAll(() => api.close());

  it("rejects malformed Authorization headers", async () => {
    for (const header of ["Basic abc", "Bearer", "Token okra_x"]) {
      const r = await api.app.inject({ method: "GET", url: "/api/v1/periods", headers: { authorization: header } });
      expect(r.statusCode).toBe(401);
      expect(r.json().error.code).toBe("UNAUTHENTICATED");
    }
  });

  it("lets a read-only token read but answers 403 FORBIDDEN to its writes", async () => {
    const { token } = await createTokenForEmail(api.database, "admin@example.com", {
      name: "dashboard",
      scope: "read",
    });
    expect((await as(token, "GET", "/periods")).status).toBe(200);
    const w = await as(token, "POST", "/periods", {
      name: "Q",
      kind: "quarter",
      startDate: "2026-01-01",
      endDate: "2026-03-31",
    });
    expect(w.status).toBe(403);
    expect(w.body.error.code).toBe("FORBIDDEN");
  });

  it("stops a deactivated person's tokens", async () => {
    const u = await f.user({ name: "Temp", email: "temp@example.com" });
    const { token } = await createTokenForEmail(api.database, "temp@example.com");
    expect((await as(token, "GET", "/periods")).status).toBe(200);
    await api.call("PATCH", `/users/${u.id}`, { active: false });
    expect((await as(token, "GET", "/periods")).status).toBe(401);
  });

  it("keeps a second organisation fully apart: everything of the first reads as not found", async () => {
    const period = await f.period();
    const o = await f.objective(period.id);
    const kr = await f.keyResult(o.id);
    const org = await organizationRepo.insert(api.database.db, "Other Co");
    const scope = grantOrgScope(org.id);
    const user = await userRepo.insert(api.database.db, scope, {
      name: "Eve",
      email: "eve@other.example",
      role: "owner",
    });
    const token = "okra_other_org_token_0123456789";
    await tokenRepo.insert(api.database.db, scope, {
      userId: user.id,
      name: "t",
      tokenHash: hashToken(token),
      scope: "write",
    });

    expect((await as(token, "GET", "/periods")).body.items).toEqual([]);
    expect((await as(token, "GET", "/objectives")).body.items).toEqual([]);
    expect((await as(token, "GET", `/objectives/${o.id}`)).status).toBe(404);
    expect((await as(token, "GET", `/key-results/${kr.id}`)).status).toBe(404);
    expect((await as(token, "PATCH", `/objectives/${o.id}`, { title: "mine now" })).status).toBe(404);
    expect((await as(token, "POST", `/key-results/${kr.id}/check-ins`, { value: 1 })).status).toBe(404);
    expect((await as(token, "DELETE", `/objectives/${o.id}`)).status).toBe(404);
    expect((await as(token, "GET", `/tree?periodId=${period.id}`)).status).toBe(404);
    // Referencing the first organisation's period from the second is refused too.
    expect(
      (await as(token, "POST", "/objectives", { title: "x", level: "organization", periodId: period.id })).status,
    ).toBe(404);
    expect((await api.call("GET", `/objectives/${o.id}`)).body.title).toBe(o.title);
    // Its own world works as usual.
    const own = await as(token, "POST", "/periods", {
      name: "Q1",
      kind: "quarter",
      startDate: "2026-01-01",
      endDate: "2026-03-31",
    });
    expect(own.status).toBe(201);
    expect((await api.call("GET", `/periods/${own.body.id}`)).status).toBe(404);
  });
});

describe.each(DATABASE_KINDS)("one-time sign-in links on %s", (kind) => {
  it("exchanges a code once for a browser session, and refuses reused or expired codes", async () => {
    const { createSignInCode, SIGN_IN_LINK_TTL_MS } = await import("../../src/services/auth.service.js");
    const api = await startApi(kind);
    try {
      const post = (code: unknown) =>
        api.app.inject({ method: "POST", url: "/api/v1/auth/exchange", payload: { code } });
      const { code } = await createSignInCode(api.database, api.clock.now);
      const first = await post(code);
      expect(first.statusCode).toBe(200);
      const cookie = first.cookies.find((c) => c.name === "okra_session");
      expect(cookie?.httpOnly).toBe(true);
      const me = await api.app.inject({ method: "GET", url: "/api/v1/me", cookies: { okra_session: cookie!.value } });
      expect(me.json().user.email).toBe("admin@example.com");
      expect(me.json().csrfToken).toBe(first.json().csrfToken);
      expect((await post(code)).statusCode).toBe(401);
      const late = await createSignInCode(api.database, api.clock.now - SIGN_IN_LINK_TTL_MS - 1);
      expect((await post(late.code)).statusCode).toBe(401);
      expect((await post("")).statusCode).toBe(400);
      expect((await post(undefined)).statusCode).toBe(400);
    } finally {
      await api.close();
    }
  });
});

describe.each(DATABASE_KINDS)("personal API tokens on %s", (kind) => {
  it("issues, lists, scopes and revokes tokens; admins issue for others; nobody else can", async () => {
    const api = await startApi(kind);
    const f = factories(api);
    try {
      const as = (token: string, method: string, url: string, body?: unknown) =>
        api.call(method, url, body, { authorization: `Bearer ${token}` });
      const created = await api.call("POST", "/tokens", { name: "laptop", scope: "read" });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ name: "laptop", scope: "read", token: expect.stringMatching(/^okra_/) });
      const list = (await api.call("GET", "/tokens")).body.items;
      expect(list.map((x: { name: string }) => x.name)).toContain("laptop");
      expect(JSON.stringify(list)).not.toContain(created.body.token);
      expect((await as(created.body.token, "GET", "/periods")).status).toBe(200);
      expect((await as(created.body.token, "POST", "/periods", {})).status).toBe(403);
      expect((await api.call("POST", "/tokens", { name: "", scope: "admin" })).status).toBe(400);

      const member = await f.user({ name: "Mo Member", email: "mo@example.com" });
      const forMember = await api.call("POST", `/users/${member.id}/tokens`, { name: "automation" });
      expect(forMember.status).toBe(201);
      const memberToken = forMember.body.token as string;
      expect((await as(memberToken, "GET", "/me")).body.user.email).toBe("mo@example.com");
      // A member cannot issue tokens for someone else, nor revoke the admin's.
      expect(
        (
          await as(
            memberToken,
            "POST",
            `/users/${member.id === api.token ? "" : (await api.call("GET", "/me")).body.user.id}/tokens`,
            { name: "x" },
          )
        ).status,
      ).toBe(403);
      expect((await as(memberToken, "DELETE", `/tokens/${created.body.id}`)).status).toBe(404);

      expect((await api.call("DELETE", `/tokens/${created.body.id}`)).status).toBe(204);
      expect((await as(created.body.token, "GET", "/periods")).status).toBe(401);
      expect((await api.call("DELETE", `/tokens/${created.body.id}`)).status).toBe(404);
      expect((await api.call("DELETE", "/tokens/not-an-id")).status).toBe(404);
      expect((await api.call("POST", "/users/not-an-id/tokens", { name: "x" })).status).toBe(404);
    } finally {
      await api.close();
    }
  });

  it("records a token's last use, writing at most once a minute", async () => {
    const api = await startApi(kind);
    try {
      const created = await api.call("POST", "/tokens", { name: "busy script", scope: "read" });
      const lastUsed = async () => {
        const listed = (await api.call("GET", "/tokens")).body.items.find(
          (t: { id: string }) => t.id === created.body.id,
        );
        return listed.lastUsedAt as string | null;
      };
      const updatedAt = async () =>
        (await api.database.db.select().from(apiTokens).where(eq(apiTokens.id, created.body.id)))[0]?.lastUsedAt;
      expect(await lastUsed()).toBeNull();
      const t0 = Date.UTC(2026, 2, 1, 9);
      const actor = await authenticate(api.database, created.body.token, t0);
      expect(actor.access).toBe("read");
      expect(await lastUsed()).toBe(new Date(t0).toISOString());
      // A busy token does not write on every request…
      await authenticate(api.database, created.body.token, t0 + 59_000);
      expect((await updatedAt())?.getTime()).toBe(t0);
      // …but once the stored use is a minute old.
      await authenticate(api.database, created.body.token, t0 + 60_000);
      expect(await lastUsed()).toBe(new Date(t0 + 60_000).toISOString());
      // Without a clock nothing is written; a revoked token is refused and not touched.
      await authenticate(api.database, created.body.token);
      expect((await updatedAt())?.getTime()).toBe(t0 + 60_000);
      // A request over HTTP stamps it with the app's clock.
      api.clock.now = t0 + 120_000;
      expect((await api.call("GET", "/me", undefined, { authorization: `Bearer ${created.body.token}` })).status).toBe(
        200,
      );
      expect(await lastUsed()).toBe(new Date(t0 + 120_000).toISOString());
      expect((await api.call("DELETE", `/tokens/${created.body.id}`)).status).toBe(204);
      await expect(authenticate(api.database, created.body.token, t0 + 3_600_000)).rejects.toMatchObject({
        code: "UNAUTHENTICATED",
      });
      expect((await updatedAt())?.getTime()).toBe(t0 + 120_000);
    } finally {
      await api.close();
    }
  });
});

describe.each(DATABASE_KINDS)("organisations on %s", (kind) => {
  it("lets the instance administrator create an isolated organisation, and nobody else", async () => {
    const api = await startApi(kind);
    const f = factories(api);
    try {
      const period = await f.period();
      const res = await api.call("POST", "/organizations", {
        name: "Second Co",
        owner: { name: "Olga Owner", email: "olga@second.example" },
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        organization: { name: "Second Co" },
        owner: { email: "olga@second.example", role: "owner" },
      });
      const other = res.body.ownerToken as string;
      const me = await api.call("GET", "/me", undefined, { authorization: `Bearer ${other}` });
      expect(me.body.organization.name).toBe("Second Co");
      expect(
        (await api.call("GET", `/periods/${period.id}`, undefined, { authorization: `Bearer ${other}` })).status,
      ).toBe(404);
      expect(
        (
          await api.call(
            "POST",
            "/organizations",
            { name: "Third", owner: { name: "T", email: "t@x.example" } },
            { authorization: `Bearer ${other}` },
          )
        ).status,
      ).toBe(403);
      expect((await api.call("POST", "/organizations", { name: "", owner: { email: "nope" } })).status).toBe(400);
    } finally {
      await api.close();
    }
  });

  it("starts the new organisation's audit trail with its creation and its owner's account", async () => {
    const api = await startApi(kind);
    try {
      const res = await api.call("POST", "/organizations", {
        name: "Audited Co",
        owner: { name: "Ava Owner", email: "ava@audited.example" },
      });
      expect(res.status).toBe(201);
      const instanceAdmin = (await api.call("GET", "/me")).body.user.id;
      const trail = await api.call("GET", "/audit?order=asc", undefined, {
        authorization: `Bearer ${res.body.ownerToken}`,
      });
      expect(trail.status).toBe(200);
      expect(trail.body.items.map((e: { action: string; objectId: string }) => [e.action, e.objectId])).toEqual([
        ["organization.created", res.body.organization.id],
        ["user.created", res.body.owner.id],
      ]);
      expect(trail.body.items[0]).toMatchObject({
        actorId: instanceAdmin,
        objectType: "organization",
        before: null,
        after: { id: res.body.organization.id, name: "Audited Co" },
      });
      expect(trail.body.items[1]).toMatchObject({
        actorId: instanceAdmin,
        objectType: "user",
        before: null,
        after: { email: "ava@audited.example", role: "owner", active: true },
      });
      // The first organisation's trail does not get them.
      const mine = await api.call("GET", "/audit?limit=500");
      expect(mine.body.items.some((e: { action: string }) => e.action === "organization.created")).toBe(false);
    } finally {
      await api.close();
    }
  });
});

describe.each(DATABASE_KINDS)("forgotten password without a mail server on %s", (kind) => {
  it("says at once that no email can be sent, the same for a known and an unknown address", async () => {
    const api = await startApi(kind);
    try {
      const ask = (email: string) =>
        api.app.inject({ method: "POST", url: "/api/v1/auth/forgot-password", payload: { email } });
      const known = await ask("admin@example.com");
      const unknown = await ask("nobody@example.com");
      expect(known.statusCode).toBe(202);
      expect(known.json()).toEqual({ accepted: true, canEmail: false });
      expect(unknown.json()).toEqual(known.json());
    } finally {
      await api.close();
    }
  });
});
