/**
 * SCIM 2.0 provisioning over HTTP, with the request bodies Okta and Microsoft Entra ID send:
 * people created, updated and deactivated, groups mapped to teams, the SCIM error format,
 * SCIM tokens (issue, list, revoke) and the wall between organisations. Effects are checked
 * through the normal API as well.
 */
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/database.js";
import { grantOrgScope } from "../../src/db/org-scope.js";
import { auditRepo } from "../../src/db/repositories.js";
import { scimTokens } from "../../src/db/schema.js";
import { buildApp } from "../../src/http/app.js";
import { authenticate, bootstrap, createTokenForEmail, hashToken } from "../../src/services/auth.service.js";
import type { Actor, Services } from "../../src/services/context.js";
import { createScimToken, listScimTokens, revokeScimToken } from "../../src/services/scim.service.js";
import { ADMIN_TOKEN } from "../support/api.js";
import { DATABASE_KINDS, openTestDatabase } from "../support/databases.js";

const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const ERROR = "urn:ietf:params:scim:api:messages:2.0:Error";
const LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse";

// Request bodies as Okta's SCIM 2.0 integration sends them (developer.okta.com, "Okta and SCIM Version 2.0").
const okta = {
  createUser: (email: string) => ({
    schemas: [USER],
    userName: email,
    name: { givenName: "Test", familyName: "User" },
    emails: [{ primary: true, value: email, type: "work" }],
    displayName: "Test User",
    locale: "en-US",
    externalId: "00ujl29u0le5T6Aj10h7",
    groups: [],
    password: "1mz050nq",
    active: true,
  }),
  deactivate: { schemas: [PATCH_OP], Operations: [{ op: "replace", value: { active: false } }] },
  reactivate: { schemas: [PATCH_OP], Operations: [{ op: "replace", value: { active: true } }] },
  createGroup: (name: string) => ({ schemas: [GROUP], displayName: name, members: [] }),
  renameGroup: (id: string, name: string) => ({
    schemas: [PATCH_OP],
    Operations: [{ op: "replace", value: { id, displayName: name } }],
  }),
  addMembers: (...ids: string[]) => ({
    schemas: [PATCH_OP],
    Operations: [{ op: "add", path: "members", value: ids.map((value) => ({ value, display: value })) }],
  }),
  removeMember: (id: string) => ({
    schemas: [PATCH_OP],
    Operations: [{ op: "remove", path: `members[value eq "${id}"]` }],
  }),
};

// Request bodies as Microsoft Entra ID's provisioning service sends them (learn.microsoft.com,
// "Develop and plan provisioning for a SCIM endpoint": capitalised ops, filtered paths).
const entra = {
  createUser: (email: string, managerId: string) => ({
    schemas: [USER, ENTERPRISE],
    externalId: "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
    userName: email,
    active: true,
    emails: [{ primary: true, type: "work", value: email }],
    meta: { resourceType: "User" },
    name: { formatted: "Grace Hopper", familyName: "Hopper", givenName: "Grace" },
    roles: [],
    [ENTERPRISE]: { department: "Engineering", manager: { value: managerId } },
    "urn:ietf:params:scim:schemas:extension:custom:2.0:User": { employeeNumber: "99887766" },
  }),
  updateUser: (email: string) => ({
    schemas: [PATCH_OP],
    Operations: [
      { op: "Replace", path: 'emails[type eq "work"].value', value: email },
      { op: "Replace", path: "name.familyName", value: "Murray Hopper" },
      { op: "Replace", path: "title", value: "Rear Admiral" },
    ],
  }),
  setManager: (id: string) => ({
    schemas: [PATCH_OP],
    Operations: [{ op: "Add", path: `${ENTERPRISE}:manager`, value: id }],
  }),
  removeManager: { schemas: [PATCH_OP], Operations: [{ op: "Remove", path: `${ENTERPRISE}:manager` }] },
  disable: { schemas: [PATCH_OP], Operations: [{ op: "Replace", path: "active", value: "False" }] },
  createGroup: (name: string) => ({
    schemas: [GROUP, "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
    externalId: "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
    displayName: name,
    meta: { resourceType: "Group" },
  }),
  addMember: (id: string) => ({
    schemas: [PATCH_OP],
    Operations: [{ op: "Add", path: "members", value: [{ $ref: null, value: id }] }],
  }),
  removeMember: (id: string) => ({
    schemas: [PATCH_OP],
    Operations: [{ op: "Remove", path: "members", value: [{ $ref: null, value: id }] }],
  }),
  renameGroup: (name: string) => ({
    schemas: [PATCH_OP],
    Operations: [{ op: "Replace", path: "displayName", value: name }],
  }),
};

// biome-ignore lint/suspicious/noExplicitAny: response bodies are arbitrary JSON; each test asserts what it reads
type Body = any;
interface Res {
  status: number;
  body: Body;
  headers: Record<string, unknown>;
}

describe.each(DATABASE_KINDS)("SCIM 2.0 provisioning on %s", (kind) => {
  let database: Database;
  let app: FastifyInstance;
  let svc: Services;
  let admin: Actor;
  let scimToken: string;
  const clock = { now: Date.UTC(2026, 1, 15, 12) };

  const inject = async (method: string, url: string, token: string | null, body?: unknown, headers = {}) => {
    const res = await app.inject({
      method: method as never,
      url,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { "content-type": "application/scim+json" } : {}),
        ...headers,
      },
      ...(body !== undefined ? { payload: typeof body === "string" ? body : JSON.stringify(body) } : {}),
    });
    return {
      status: res.statusCode,
      body: res.body ? res.json() : null,
      headers: res.headers as Record<string, unknown>,
    } as Res;
  };
  /** A SCIM request with the organisation's SCIM token. */
  const scim = (method: string, path: string, body?: unknown, token: string | null = scimToken, headers = {}) =>
    inject(method, `/scim/v2${path}`, token, body, headers);
  /** A normal API request as the bootstrap admin. */
  const api = (method: string, path: string, body?: unknown, token = ADMIN_TOKEN) =>
    app
      .inject({
        method: method as never,
        url: `/api/v1${path}`,
        headers: { authorization: `Bearer ${token}` },
        ...(body !== undefined ? { payload: body as never } : {}),
      })
      .then((r) => ({ status: r.statusCode, body: r.body ? r.json() : null }) as Res);
  const expectScimError = (r: Res, status: number, scimType?: string) => {
    expect(r.status).toBe(status);
    expect(String(r.headers["content-type"])).toContain("application/scim+json");
    expect(r.body.schemas).toEqual([ERROR]);
    expect(r.body.status).toBe(String(status));
    if (scimType) expect(r.body.scimType).toBe(scimType);
    expect(typeof r.body.detail).toBe("string");
    expect(r.body.detail.length).toBeGreaterThan(10);
  };
  const createUser = async (email: string, extra: Record<string, unknown> = {}) => {
    const r = await scim("POST", "/Users", { ...okta.createUser(email), externalId: email, ...extra });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body;
  };

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    await bootstrap(database, {
      bootstrapToken: ADMIN_TOKEN,
      adminEmail: "admin@example.com",
      adminName: "Ada Admin",
    });
    app = await buildApp({ database, now: () => clock.now });
    svc = { database, now: () => clock.now, emit: () => {} };
    admin = await authenticate(database, ADMIN_TOKEN);
    scimToken = (await createScimToken(svc, admin, { name: "Okta" })).token;
  });
  afterAll(async () => {
    await app?.close();
    await database?.close();
  });

  describe("tokens", () => {
    it("issues okra_scim_ secrets once, stores only their SHA-256 hash, lists them without secrets", async () => {
      const created = await createScimToken(svc, admin, { name: "Entra ID" });
      expect(created.token).toMatch(/^okra_scim_[A-Za-z0-9_-]{40,}$/);
      const rows = await database.db.select().from(scimTokens);
      const row = rows.find((r) => r.id === created.id)!;
      expect(row.tokenHash).toBe(hashToken(created.token));
      expect(JSON.stringify(rows)).not.toContain(created.token);
      const list = await listScimTokens(svc, admin);
      expect(list.items.map((t) => t.name)).toContain("Entra ID");
      expect(JSON.stringify(list)).not.toContain("okra_scim_");
      expect((await scim("GET", "/ServiceProviderConfig", undefined, created.token)).status).toBe(200);
      await revokeScimToken(svc, admin, created.id);
      expectScimError(await scim("GET", "/Users", undefined, created.token), 401);
      expect((await listScimTokens(svc, admin)).items.map((t) => t.id)).not.toContain(created.id);
    });

    it("manages tokens over the API: admins only, 201 with the secret, 204 on revoke, 404 for unknown ids", async () => {
      const r = await api("POST", "/scim-tokens", { name: "via API" });
      expect(r.status).toBe(201);
      expect(r.body.token).toMatch(/^okra_scim_/);
      const list = await api("GET", "/scim-tokens");
      expect(list.status).toBe(200);
      expect(list.body.items.find((t: Body) => t.id === r.body.id)).toEqual({
        id: r.body.id,
        name: "via API",
        createdAt: expect.any(String),
        lastUsedAt: null,
      });
      expect(JSON.stringify(list.body)).not.toContain(r.body.token);
      expect((await scim("GET", "/Users?count=1", undefined, r.body.token)).status).toBe(200);
      expect((await api("GET", "/scim-tokens")).body.items.find((t: Body) => t.id === r.body.id).lastUsedAt).toBe(
        new Date(clock.now).toISOString(),
      );
      expect((await api("POST", "/scim-tokens", { name: "" })).status).toBe(400);
      expect((await api("DELETE", `/scim-tokens/${r.body.id}`)).status).toBe(204);
      expect((await api("DELETE", `/scim-tokens/${r.body.id}`)).status).toBe(404);
      expect((await api("DELETE", "/scim-tokens/not-a-uuid")).status).toBe(404);
      expectScimError(await scim("GET", "/Users", undefined, r.body.token), 401);

      // A member may not manage SCIM tokens.
      await api("POST", "/users", { name: "Mo Member", email: "mo@example.com" });
      const { token } = await createTokenForEmail(database, "mo@example.com");
      expect((await api("GET", "/scim-tokens", undefined, token)).status).toBe(403);
      expect((await api("POST", "/scim-tokens", { name: "x" }, token)).status).toBe(403);
      const member = await authenticate(database, token);
      await expect(createScimToken(svc, member, { name: "x" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    });

    it("answers 401 in the SCIM format to missing, malformed, unknown and API tokens", async () => {
      for (const headers of [{}, { authorization: "Basic abc" }, { authorization: "Bearer" }]) {
        const r = await inject("GET", "/scim/v2/Users", null, undefined, headers);
        expectScimError(r, 401);
        expect(r.headers["www-authenticate"]).toContain("Bearer");
      }
      expectScimError(await scim("GET", "/Users", undefined, "okra_scim_unknown"), 401);
      // An API token is not a SCIM token, and a SCIM token is not an API token.
      expectScimError(await scim("GET", "/Users", undefined, ADMIN_TOKEN), 401);
      expect((await api("GET", "/me", undefined, scimToken)).status).toBe(401);
    });
  });

  describe("discovery", () => {
    it("serves ServiceProviderConfig, ResourceTypes and Schemas as application/scim+json", async () => {
      const config = await scim("GET", "/ServiceProviderConfig");
      expect(config.status).toBe(200);
      expect(String(config.headers["content-type"])).toContain("application/scim+json");
      expect(config.body.patch.supported).toBe(true);
      expect(config.body.filter).toEqual({ supported: true, maxResults: 200 });
      expect(config.body.authenticationSchemes[0].type).toBe("oauthbearertoken");

      const types = await scim("GET", "/ResourceTypes");
      expect(types.body.schemas).toEqual([LIST]);
      expect(types.body.Resources.map((r: Body) => r.endpoint)).toEqual(["/Users", "/Groups"]);
      expect((await scim("GET", "/ResourceTypes/Group")).body.schema).toBe(GROUP);

      const schemas = await scim("GET", "/Schemas");
      expect(schemas.body.Resources.map((s: Body) => s.id)).toEqual([USER, ENTERPRISE, GROUP]);
      const user = await scim("GET", `/Schemas/${USER}`);
      const userName = user.body.attributes.find((a: Body) => a.name === "userName");
      expect(userName).toMatchObject({ required: true, uniqueness: "server", type: "string" });
      expectScimError(await scim("GET", "/Schemas/urn:nope"), 404);
      // The SCIM endpoints are in the API's OpenAPI document too.
      const openapi = await api("GET", "/openapi.json");
      expect(Object.keys(openapi.body.paths)).toContain("/scim/v2/Users/{id}");
      expectScimError(await scim("GET", "/Nope"), 404);
    });
  });

  describe("users from Okta", () => {
    it("creates, finds, updates with PUT, deactivates and reactivates a person", async () => {
      const email = "test.user@okta.local";
      const none = await scim(
        "GET",
        `/Users?filter=${encodeURIComponent(`userName eq "${email}"`)}&startIndex=1&count=100`,
      );
      expect(none.status).toBe(200);
      expect(none.body).toEqual({ schemas: [LIST], totalResults: 0, itemsPerPage: 0, startIndex: 1, Resources: [] });

      const created = await scim("POST", "/Users", okta.createUser(email));
      expect(created.status).toBe(201);
      const id = created.body.id;
      expect(created.body).toMatchObject({
        schemas: [USER, ENTERPRISE],
        userName: email,
        externalId: "00ujl29u0le5T6Aj10h7",
        displayName: "Test User",
        name: { givenName: "Test", familyName: "User", formatted: "Test User" },
        emails: [{ value: email, type: "work", primary: true }],
        active: true,
        groups: [],
        meta: {
          resourceType: "User",
          location: `http://localhost:3000/scim/v2/Users/${id}`,
          version: 'W/"1"',
        },
      });
      expect(created.body.password).toBeUndefined();
      expect(created.headers.location).toBe(created.body.meta.location);
      expect(created.headers.etag).toBe('W/"1"');

      // Okta looks people up by userName before creating them (case-insensitively).
      const found = await scim("GET", `/Users?filter=${encodeURIComponent(`userName eq "TEST.user@okta.local"`)}`);
      expect(found.body.totalResults).toBe(1);
      expect(found.body.Resources[0].id).toBe(id);
      const dup = await scim("POST", "/Users", okta.createUser(email.toUpperCase()));
      expectScimError(dup, 409, "uniqueness");
      expect(dup.body.detail).toContain(email.toUpperCase());

      const person = await api("GET", `/users/${id}`);
      expect(person.body).toMatchObject({ name: "Test User", email, role: "member", active: true });

      const put = await scim("PUT", `/Users/${id}`, {
        ...okta.createUser(email),
        id,
        name: { givenName: "Another", familyName: "User" },
        displayName: "Another User",
      });
      expect(put.status).toBe(200);
      expect(put.body.name.formatted).toBe("Another User");
      expect(put.body.meta.version).toBe('W/"2"');
      expect((await api("GET", `/users/${id}`)).body.name).toBe("Another User");

      // Their API token stops working when Okta deactivates them.
      const { token } = await createTokenForEmail(database, email);
      expect((await api("GET", "/me", undefined, token)).status).toBe(200);
      const off = await scim("PATCH", `/Users/${id}`, okta.deactivate);
      expect(off.status).toBe(200);
      expect(off.body.active).toBe(false);
      expect((await api("GET", `/users/${id}`)).body.active).toBe(false);
      expect((await api("GET", "/me", undefined, token)).status).toBe(401);

      const on = await scim("PATCH", `/Users/${id}`, okta.reactivate);
      expect(on.body.active).toBe(true);
      expect((await api("GET", `/users/${id}`)).body.active).toBe(true);
      // Revoked stays revoked: reactivation does not bring old tokens back.
      expect((await api("GET", "/me", undefined, token)).status).toBe(401);

      const audit = await api("GET", `/audit?objectType=user&objectId=${id}`);
      expect(audit.body.items.map((e: Body) => e.action)).toEqual([
        "user.created",
        "user.updated",
        "user.deactivated",
        "user.credentialsRevoked",
        "user.updated",
      ]);
      for (const e of audit.body.items) {
        expect(e.actorId).toBeNull();
        expect(e.after.via).toBe("scim");
      }
    });

    it("answers a PATCH that changes nothing without a new version", async () => {
      const u = await createUser("idempotent@example.com");
      const r = await scim("PATCH", `/Users/${u.id}`, okta.reactivate);
      expect(r.status).toBe(200);
      expect(r.body.meta.version).toBe(u.meta.version);
    });
  });

  describe("users from Entra ID", () => {
    it("creates with the enterprise extension, filters by externalId and work email, patches with filtered paths", async () => {
      const adminId = admin.userId;
      const email = "grace@contoso.com";
      const created = await scim("POST", "/Users", entra.createUser(email, adminId));
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const id = created.body.id;
      expect(created.body.displayName).toBe("Grace Hopper");
      expect(created.body[ENTERPRISE].manager.value).toBe(adminId);
      expect((await api("GET", `/users/${id}`)).body).toMatchObject({ name: "Grace Hopper", managerId: adminId });

      const byExternal = await scim(
        "GET",
        `/Users?filter=${encodeURIComponent('externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"')}`,
      );
      expect(byExternal.body.Resources.map((r: Body) => r.id)).toEqual([id]);
      // externalId is case-exact.
      const wrongCase = await scim(
        "GET",
        `/Users?filter=${encodeURIComponent('externalId eq "0A21F0F2-8D2A-4F8E-BF98-7363C4AED4EF"')}`,
      );
      expect(wrongCase.body.totalResults).toBe(0);
      const byEmail = await scim(
        "GET",
        `/Users?filter=${encodeURIComponent(`emails[type eq "work"].value eq "${email}"`)}`,
      );
      expect(byEmail.body.Resources.map((r: Body) => r.id)).toEqual([id]);

      const patched = await scim("PATCH", `/Users/${id}`, entra.updateUser("grace.hopper@contoso.com"));
      expect(patched.status, JSON.stringify(patched.body)).toBe(200);
      expect(patched.body.userName).toBe("grace.hopper@contoso.com");
      expect(patched.body.name.formatted).toBe("Grace Murray Hopper");
      expect((await api("GET", `/users/${id}`)).body).toMatchObject({
        name: "Grace Murray Hopper",
        email: "grace.hopper@contoso.com",
      });

      const noManager = await scim("PATCH", `/Users/${id}`, entra.removeManager);
      expect(noManager.body[ENTERPRISE]).toEqual({});
      expect((await api("GET", `/users/${id}`)).body.managerId).toBeNull();
      const other = await createUser("manager@contoso.com");
      await scim("PATCH", `/Users/${id}`, entra.setManager(other.id));
      expect((await api("GET", `/users/${id}`)).body.managerId).toBe(other.id);
      // The legacy list form, and an id that names nobody (the manager is not provisioned yet: no manager).
      await scim("PATCH", `/Users/${id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: "Replace", path: `${ENTERPRISE}:manager`, value: [{ $ref: null, value: adminId }] }],
      });
      expect((await api("GET", `/users/${id}`)).body.managerId).toBe(adminId);
      await scim("PATCH", `/Users/${id}`, entra.setManager("00000000-0000-4000-8000-000000000000"));
      expect((await api("GET", `/users/${id}`)).body.managerId).toBeNull();
      // A reporting loop is refused.
      await scim("PATCH", `/Users/${other.id}`, entra.setManager(id));
      await scim("PATCH", `/Users/${id}`, entra.setManager(other.id)).then((r) =>
        expectScimError(r, 400, "invalidValue"),
      );

      const disabled = await scim("PATCH", `/Users/${id}`, entra.disable);
      expect(disabled.body.active).toBe(false);
      expect((await api("GET", `/users/${id}`)).body.active).toBe(false);
    });

    it("applies a path-less Replace whose keys are paths, and ignores attributes Okra does not keep", async () => {
      const u = await createUser("pathless@contoso.com");
      const r = await scim("PATCH", `/Users/${u.id}`, {
        schemas: [PATCH_OP],
        Operations: [
          {
            op: "Replace",
            value: {
              "name.givenName": "Katherine",
              "name.familyName": "Johnson",
              'emails[type eq "work"].value': "katherine@contoso.com",
              phoneNumbers: [{ type: "work", value: "+1 555 0100" }],
              [ENTERPRISE]: { department: "Flight Research", manager: { value: admin.userId } },
            },
          },
        ],
      });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect((await api("GET", `/users/${u.id}`)).body).toMatchObject({
        name: "Katherine Johnson",
        email: "katherine@contoso.com",
        managerId: admin.userId,
      });
    });

    it("takes a newly added primary email as the person's address (one primary value at a time)", async () => {
      const u = await createUser("old-address@contoso.com");
      const r = await scim("PATCH", `/Users/${u.id}`, {
        schemas: [PATCH_OP],
        Operations: [
          { op: "add", path: "emails", value: [{ value: "new-address@contoso.com", type: "work", primary: true }] },
        ],
      });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.userName).toBe("new-address@contoso.com");
      expect(r.body.emails).toEqual([{ value: "new-address@contoso.com", type: "work", primary: true }]);
      expect((await api("GET", `/users/${u.id}`)).body.email).toBe("new-address@contoso.com");
    });

    it("deactivates on DELETE (Okra keeps people) and revokes their tokens", async () => {
      const u = await createUser("leaver@example.com");
      const { token } = await createTokenForEmail(database, "leaver@example.com");
      const r = await scim("DELETE", `/Users/${u.id}`);
      expect(r.status).toBe(204);
      expect(r.body).toBeNull();
      const after = await api("GET", `/users/${u.id}`);
      expect(after.status).toBe(200);
      expect(after.body.active).toBe(false);
      expect((await scim("GET", `/Users/${u.id}`)).body.active).toBe(false);
      expect((await api("GET", "/me", undefined, token)).status).toBe(401);
      // Deleting again is harmless.
      expect((await scim("DELETE", `/Users/${u.id}`)).status).toBe(204);
      expectScimError(await scim("DELETE", "/Users/00000000-0000-4000-8000-000000000000"), 404);
      // Malformed ids name nothing (and never reach PostgreSQL as a bad uuid).
      for (const path of ["/Users/not-a-uuid", "/Groups/not-a-uuid"]) {
        expectScimError(await scim("GET", path), 404);
        expectScimError(await scim("PATCH", path, okta.deactivate), 404);
        expectScimError(await scim("DELETE", path), 404);
      }
    });

    it("never lets provisioning deactivate an owner or change an owner's email", async () => {
      const r = await scim("PATCH", `/Users/${admin.userId}`, okta.deactivate);
      expectScimError(r, 400, "mutability");
      expect(r.body.detail).toContain("organisation owner");
      const email = await scim("PATCH", `/Users/${admin.userId}`, {
        schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        Operations: [{ op: "replace", path: "userName", value: "attacker@evil.example" }],
      });
      expectScimError(email, 400, "mutability");
      const after = (await api("GET", `/users/${admin.userId}`)).body;
      expect(after.active).toBe(true);
      expect(after.email).toBe("admin@example.com");
    });
  });

  describe("lists and filters", () => {
    it("pages with startIndex and count over a stable order", async () => {
      for (let i = 0; i < 5; i++) await createUser(`page${i}@paging.example`);
      const filter = encodeURIComponent('userName ew "@paging.example"');
      const all = await scim("GET", `/Users?filter=${filter}`);
      expect(all.body.totalResults).toBe(5);
      const p1 = await scim("GET", `/Users?filter=${filter}&startIndex=1&count=2`);
      const p2 = await scim("GET", `/Users?filter=${filter}&startIndex=3&count=2`);
      const p3 = await scim("GET", `/Users?filter=${filter}&startIndex=5&count=2`);
      expect([p1, p2, p3].map((p) => p.body.itemsPerPage)).toEqual([2, 2, 1]);
      expect([p1, p2, p3].map((p) => p.body.startIndex)).toEqual([1, 3, 5]);
      expect([p1, p2, p3].every((p) => p.body.totalResults === 5)).toBe(true);
      const ids = [...p1.body.Resources, ...p2.body.Resources, ...p3.body.Resources].map((r: Body) => r.id);
      expect(ids).toEqual(all.body.Resources.map((r: Body) => r.id));
      const zero = await scim("GET", `/Users?filter=${filter}&count=0`);
      expect(zero.body).toMatchObject({ totalResults: 5, itemsPerPage: 0, Resources: [] });
      expectScimError(await scim("GET", "/Users?count=many"), 400, "invalidValue");
    });

    it("understands and, or, not, co, sw, pr and boolean comparisons; projects attributes", async () => {
      await createUser("alpha@filters.example", { name: { givenName: "Alpha", familyName: "One" } });
      await createUser("beta@filters.example", { name: { givenName: "Beta", familyName: "Two" }, active: false });
      const q = async (f: string, extra = "") =>
        (await scim("GET", `/Users?filter=${encodeURIComponent(f)}${extra}`)).body;
      const names = (b: Body) => b.Resources.map((r: Body) => r.userName).sort();
      expect(names(await q('userName sw "alpha@" or userName sw "beta@"'))).toEqual([
        "alpha@filters.example",
        "beta@filters.example",
      ]);
      expect(names(await q('userName co "@filters." and active eq false'))).toEqual(["beta@filters.example"]);
      expect(names(await q('userName co "@filters." and not (active eq false)'))).toEqual(["alpha@filters.example"]);
      expect(names(await q('userName co "@filters." and name.givenName eq "alpha"'))).toEqual([
        "alpha@filters.example",
      ]);
      expect((await q('userName co "@filters." and externalId pr')).totalResults).toBe(2);
      const projected = await q('userName eq "alpha@filters.example"', "&attributes=userName,name.givenName");
      expect(projected.Resources[0]).toEqual({
        schemas: [USER, ENTERPRISE],
        id: expect.any(String),
        userName: "alpha@filters.example",
        name: { givenName: "Alpha" },
      });
      const excluded = await q('userName eq "alpha@filters.example"', "&excludedAttributes=groups,emails");
      expect(excluded.Resources[0].groups).toBeUndefined();
      expect(excluded.Resources[0].emails).toBeUndefined();
      expect(excluded.Resources[0].userName).toBe("alpha@filters.example");
    });

    it("answers 400 invalidFilter with what is wrong", async () => {
      for (const [filter, says] of [
        ['nickname eq "x"', '"nickname" is not an attribute'],
        ['userName eq "x', "not closed"],
        ["userName eq", "expected a value"],
        ['userName like "x"', '"like" is not an operator'],
        ['userName eq "x" and', "expected an attribute"],
        ['(userName eq "x"', 'expected ")"'],
        ["active gt true", "compare it with eq or ne"],
        ['emails[type eq "work"].nope eq "x"', 'no sub-attribute "nope"'],
      ] as const) {
        const r = await scim("GET", `/Users?filter=${encodeURIComponent(filter)}`);
        expectScimError(r, 400, "invalidFilter");
        expect(r.body.detail, filter).toContain(says);
      }
      const groups = await scim("GET", `/Groups?filter=${encodeURIComponent('userName eq "x"')}`);
      expectScimError(groups, 400, "invalidFilter");
      expect(groups.body.detail).toContain("displayName");
    });
  });

  describe("groups", () => {
    it("maps Okta groups to teams: create with members, rename, add, remove, replace with PUT, delete", async () => {
      const a = await createUser("a@groups.example");
      const b = await createUser("b@groups.example");
      const c = await createUser("c@groups.example");
      const created = await scim("POST", "/Groups", { ...okta.createGroup("Test SCIMv2"), members: [{ value: a.id }] });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const id = created.body.id;
      expect(created.body).toMatchObject({
        schemas: [GROUP],
        displayName: "Test SCIMv2",
        members: [{ value: a.id, display: "Test User", type: "User" }],
        meta: { resourceType: "Group", version: 'W/"1"', location: `http://localhost:3000/scim/v2/Groups/${id}` },
      });
      expect(created.headers.location).toBe(created.body.meta.location);
      expect((await api("GET", `/teams/${id}`)).body).toMatchObject({ name: "Test SCIMv2", memberIds: [a.id] });
      expect((await api("GET", `/users/${a.id}`)).body.teamIds).toEqual([id]);
      expect((await scim("GET", `/Users/${a.id}`)).body.groups).toEqual([
        { value: id, display: "Test SCIMv2", type: "direct", $ref: `http://localhost:3000/scim/v2/Groups/${id}` },
      ]);
      expectScimError(await scim("POST", "/Groups", okta.createGroup("test scimv2")), 409, "uniqueness");

      expect((await scim("PATCH", `/Groups/${id}`, okta.renameGroup(id, "Platform"))).body.displayName).toBe(
        "Platform",
      );
      const added = await scim("PATCH", `/Groups/${id}`, okta.addMembers(b.id, c.id, a.id));
      expect(added.body.members.map((m: Body) => m.value).sort()).toEqual([a.id, b.id, c.id].sort());
      const removed = await scim("PATCH", `/Groups/${id}`, okta.removeMember(b.id));
      expect(removed.body.members.map((m: Body) => m.value).sort()).toEqual([a.id, c.id].sort());
      expect((await api("GET", `/users/${b.id}`)).body.teamIds).toEqual([]);

      const put = await scim("PUT", `/Groups/${id}`, {
        schemas: [GROUP],
        id,
        displayName: "Platform",
        members: [{ value: b.id, display: "b@groups.example" }],
      });
      expect(put.body.members.map((m: Body) => m.value)).toEqual([b.id]);
      expect((await api("GET", `/teams/${id}`)).body.memberIds).toEqual([b.id]);

      const listed = await scim("GET", `/Groups?filter=${encodeURIComponent('displayName eq "platform"')}`);
      expect(listed.body.Resources.map((g: Body) => g.id)).toEqual([id]);
      const lean = await scim("GET", `/Groups/${id}?excludedAttributes=members`);
      expect(lean.body.members).toBeUndefined();
      expect(lean.body.displayName).toBe("Platform");
      const withMember = await scim("GET", `/Groups?filter=${encodeURIComponent(`members eq "${b.id}"`)}`);
      expect(withMember.body.Resources.map((g: Body) => g.id)).toEqual([id]);

      expect((await scim("DELETE", `/Groups/${id}`)).status).toBe(204);
      expectScimError(await scim("GET", `/Groups/${id}`), 404);
      expect((await api("GET", `/teams/${id}`)).status).toBe(404);
      expect((await api("GET", `/users/${b.id}`)).body.teamIds).toEqual([]);
      const audit = await api("GET", `/audit?objectType=team&objectId=${id}`);
      expect(audit.body.items.at(-1)).toMatchObject({ action: "team.deleted", actorId: null, after: { via: "scim" } });
    });

    it("maps Entra groups: Add and Remove members with value lists, Replace displayName", async () => {
      const a = await createUser("a@entra-groups.example");
      const b = await createUser("b@entra-groups.example");
      const created = await scim("POST", "/Groups", entra.createGroup("Sales"));
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ externalId: "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159", members: [] });
      const id = created.body.id;
      await scim("PATCH", `/Groups/${id}`, entra.addMember(a.id));
      await scim("PATCH", `/Groups/${id}`, entra.addMember(b.id));
      expect((await api("GET", `/teams/${id}`)).body.memberIds.sort()).toEqual([a.id, b.id].sort());
      const removed = await scim("PATCH", `/Groups/${id}`, entra.removeMember(a.id));
      expect(removed.body.members.map((m: Body) => m.value)).toEqual([b.id]);
      const renamed = await scim("PATCH", `/Groups/${id}`, entra.renameGroup("Sales EMEA"));
      expect(renamed.body.displayName).toBe("Sales EMEA");
      expect((await api("GET", `/teams/${id}`)).body.name).toBe("Sales EMEA");
      const byExternal = await scim(
        "GET",
        `/Groups?filter=${encodeURIComponent('externalId eq "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159"')}`,
      );
      expect(byExternal.body.Resources.map((g: Body) => g.id)).toEqual([id]);
    });

    it("keeps team owners' role while they stay members, and refuses unknown members", async () => {
      const owner = await createUser("owner@teams.example");
      const member = await createUser("member@teams.example");
      const team = await api("POST", "/teams", { name: "Owned", ownerIds: [owner.id], memberIds: [member.id] });
      expect(team.status).toBe(201);
      await scim("PATCH", `/Groups/${team.body.id}`, okta.removeMember(member.id));
      expect((await api("GET", `/teams/${team.body.id}`)).body).toMatchObject({
        ownerIds: [owner.id],
        memberIds: [owner.id],
      });
      const bad = await scim(
        "PATCH",
        `/Groups/${team.body.id}`,
        okta.addMembers("00000000-0000-4000-8000-000000000000"),
      );
      expectScimError(bad, 400, "invalidValue");
      expect(bad.body.detail).toContain("00000000-0000-4000-8000-000000000000");
    });

    it("refuses to delete a team that owns objectives (409) and says what to do", async () => {
      const g = await scim("POST", "/Groups", okta.createGroup("Has OKRs"));
      const period = await api("POST", "/periods", {
        name: "Q1",
        kind: "quarter",
        startDate: "2026-01-01",
        endDate: "2026-03-31",
      });
      const o = await api("POST", "/objectives", {
        title: "Ship",
        level: "team",
        teamId: g.body.id,
        periodId: period.body.id,
      });
      expect(o.status).toBe(201);
      const r = await scim("DELETE", `/Groups/${g.body.id}`);
      expectScimError(r, 409);
      expect(r.body.detail).toContain("objective");
      expect((await api("GET", `/teams/${g.body.id}`)).status).toBe(200);
    });
  });

  describe("errors", () => {
    it("answers malformed requests with 400 and the scimType that says why", async () => {
      const u = await createUser("errors@example.com");
      const cases: [unknown, string, string][] = [
        ["{not json", "invalidSyntax", "not valid JSON"],
        [{ schemas: [PATCH_OP] }, "invalidSyntax", "Operations"],
        [
          { schemas: [USER], Operations: [{ op: "replace", path: "active", value: false }] },
          "invalidSyntax",
          "schemas",
        ],
        [{ schemas: [PATCH_OP], Operations: [{ op: "move", path: "active" }] }, "invalidSyntax", '"move"'],
        [
          { schemas: [PATCH_OP], Operations: [{ op: "replace", path: "nickname!", value: 1 }] },
          "invalidPath",
          "nickname!",
        ],
        [
          { schemas: [PATCH_OP], Operations: [{ op: "replace", path: "shoeSize", value: 1 }] },
          "invalidPath",
          "shoeSize",
        ],
        [
          { schemas: [PATCH_OP], Operations: [{ op: "replace", path: 'emails[type eq "work"', value: "x" }] },
          "invalidPath",
          "not closed",
        ],
        [
          { schemas: [PATCH_OP], Operations: [{ op: "replace", path: "active", value: "maybe" }] },
          "invalidValue",
          "true or false",
        ],
        [
          { schemas: [PATCH_OP], Operations: [{ op: "replace", path: "active" }] },
          "invalidValue",
          "value: is required",
        ],
        [{ schemas: [PATCH_OP], Operations: [{ op: "remove" }] }, "noTarget", "needs a path"],
        [{ schemas: [PATCH_OP], Operations: [{ op: "remove", path: "userName" }] }, "invalidValue", "required"],
        [
          { schemas: [PATCH_OP], Operations: [{ op: "add", path: "groups", value: [{ value: u.id }] }] },
          "mutability",
          "read-only",
        ],
        [
          { schemas: [PATCH_OP], Operations: [{ op: "replace", path: "userName", value: "not-an-email" }] },
          "invalidValue",
          "email",
        ],
        [
          {
            schemas: [PATCH_OP],
            Operations: [{ op: "replace", path: 'emails[type eq "home" or primary eq false].value', value: "x@y.z" }],
          },
          "noTarget",
          "matches",
        ],
      ];
      for (const [body, scimType, says] of cases) {
        const r = await scim("PATCH", `/Users/${u.id}`, body);
        expectScimError(r, 400, scimType);
        expect(r.body.detail, JSON.stringify(body)).toContain(says);
      }
      const create = await scim("POST", "/Users", { schemas: [USER], userName: "Test_User_1234", active: true });
      expectScimError(create, 400, "invalidValue");
      expect(create.body.detail).toContain("email");
      expectScimError(await scim("POST", "/Users", { schemas: [USER] }), 400, "invalidValue");
      expectScimError(await scim("POST", "/Groups", { schemas: [GROUP] }), 400, "invalidValue");
      expectScimError(await scim("POST", "/Users", "[1, 2]"), 400, "invalidSyntax");
      const wrongType = await inject("POST", "/scim/v2/Users", scimToken, "userName=x@y.z", {
        "content-type": "text/plain",
      });
      expectScimError(wrongType, 415);
      expect((await scim("GET", `/Users/${u.id}`)).body.meta.version).toBe(u.meta.version);
    });

    it("honours If-Match with 412 when the version moved on", async () => {
      const u = await createUser("etag@example.com");
      const stale = await scim("PATCH", `/Users/${u.id}`, okta.deactivate, scimToken, { "if-match": 'W/"7"' });
      expectScimError(stale, 412);
      const fresh = await scim("PATCH", `/Users/${u.id}`, okta.deactivate, scimToken, { "if-match": u.meta.version });
      expect(fresh.status).toBe(200);
      expect(fresh.headers.etag).toBe('W/"2"');
    });
  });

  describe("organisations", () => {
    it("keeps a second organisation's token away from the first organisation's people and teams", async () => {
      const mine = await createUser("mine@org-a.example");
      const team = await scim("POST", "/Groups", { ...okta.createGroup("Org A team"), members: [{ value: mine.id }] });
      const org = await api("POST", "/organizations", {
        name: "Other Co",
        owner: { name: "Olga Owner", email: "olga@other.example" },
      });
      expect(org.status).toBe(201);
      const olga = await authenticate(database, org.body.ownerToken);
      expect(olga.orgId).toBe(org.body.organization.id);
      const other = (await createScimToken(svc, olga, { name: "Other IdP" })).token;
      const as = (method: string, path: string, body?: unknown) => scim(method, path, body, other);

      const users = await as("GET", "/Users");
      expect(users.body.Resources.map((r: Body) => r.userName)).toEqual(["olga@other.example"]);
      expect(
        (await as("GET", `/Users?filter=${encodeURIComponent('userName eq "mine@org-a.example"')}`)).body.totalResults,
      ).toBe(0);
      expectScimError(await as("GET", `/Users/${mine.id}`), 404);
      expectScimError(await as("PATCH", `/Users/${mine.id}`, okta.deactivate), 404);
      expectScimError(await as("PUT", `/Users/${mine.id}`, okta.createUser("mine@org-a.example")), 404);
      expectScimError(await as("DELETE", `/Users/${mine.id}`), 404);
      expect((await as("GET", "/Groups")).body.totalResults).toBe(0);
      expectScimError(await as("GET", `/Groups/${team.body.id}`), 404);
      expectScimError(await as("PATCH", `/Groups/${team.body.id}`, okta.removeMember(mine.id)), 404);
      expectScimError(await as("DELETE", `/Groups/${team.body.id}`), 404);
      // Nor can it pull the first organisation's people into its own teams.
      expectScimError(
        await as("POST", "/Groups", { ...okta.createGroup("Poach"), members: [{ value: mine.id }] }),
        400,
        "invalidValue",
      );
      // The same email may exist in both organisations.
      expect((await as("POST", "/Users", okta.createUser("mine@org-a.example"))).status).toBe(201);

      const still = await api("GET", `/users/${mine.id}`);
      expect(still.body).toMatchObject({ active: true, teamIds: [team.body.id] });
      // And org A's admin cannot revoke org B's SCIM tokens.
      const theirs = (await listScimTokens(svc, olga)).items[0]!;
      await expect(revokeScimToken(svc, admin, theirs.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
      const audit = await auditRepo.list(database.db, grantOrgScope(olga.orgId), { objectType: "user", limit: 10 });
      // Org B's trail: its owner's account, then the person its own identity provider created.
      expect(audit.map((e) => [e.action, e.objectId === olga.userId ? "owner" : "provisioned"])).toEqual([
        ["user.created", "owner"],
        ["user.created", "provisioned"],
      ]);
    });
  });
});
