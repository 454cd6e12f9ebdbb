/**
 * Single sign-on with OpenID Connect end to end, against a real OpenID provider
 * (`oidc-provider`, listening on a random local port) that requires PKCE: the browser goes
 * from Okra's start route to the provider, signs in there (a tiny interaction route that
 * logs in the chosen test account and grants consent), comes back to Okra's callback with
 * a code, and gets a session cookie. Covers the settings (admins only, the secret never
 * answered, the issuer verified by discovery), just-in-time accounts for allowed domains,
 * and the refusals: other domains, deactivated people, unverified emails, replayed,
 * tampered, foreign and expired states, and a provider that says no.
 */
import { generateKeyPairSync } from "node:crypto";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, ssoConfigs, ssoStates, users } from "../../src/db/schema.js";
import { authorize } from "../../src/http/app.js";
import { registerSsoRoutes, ssoRoutes } from "../../src/http/sso-routes.js";
import { authenticate, createTokenForEmail } from "../../src/services/auth.service.js";
import type { Actor, DomainEvent, Services } from "../../src/services/context.js";
import {
  discoveryFailure,
  getSsoConfig,
  safeReturnTo,
  startSsoLogin,
  updateSsoConfig,
} from "../../src/services/sso.service.js";
import { ADMIN_TOKEN, type ApiHarness, startApi } from "../support/api.js";
import { DATABASE_KINDS } from "../support/databases.js";

const PUBLIC_URL = "http://okra.test";
const REDIRECT_URI = `${PUBLIC_URL}/api/v1/auth/sso/callback`;
const CLIENT_ID = "okra-test";
const CLIENT_SECRET = "s3cret-that-must-never-be-answered-0123456789";
const POLICY = { idleMs: 2 * 3_600_000, maxMs: 10 * 3_600_000 };

// ------------------------------------------------------------------ a real OpenID provider

interface TestAccount {
  sub: string;
  email: string;
  /** Sent as given; true when left out; null leaves the claim out of the answers. */
  email_verified?: boolean | null;
  name?: string;
}

/** The few parts of oidc-provider's API the test uses (the package ships no types). */
interface InteractionDetails {
  prompt: { name: string; details: { missingOIDCScope?: string[]; missingOIDCClaims?: string[] } };
  params: Record<string, unknown>;
  session?: { accountId?: string };
  grantId?: string;
}
interface GrantLike {
  addOIDCScope(scope: string): void;
  addOIDCClaims(claims: string[]): void;
  save(): Promise<string>;
}
interface ProviderLike {
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
  interactionFinished(
    req: IncomingMessage,
    res: ServerResponse,
    result: Record<string, unknown>,
    opts?: { mergeWithLastSubmission?: boolean },
  ): Promise<void>;
  Grant: new (init: { accountId: string; clientId: string }) => GrantLike;
}
type ProviderClass = new (issuer: string, configuration: Record<string, unknown>) => ProviderLike;

interface TestProvider {
  issuer: string;
  /** Who signs in at the provider next; null makes the person cancel (access_denied). */
  loginAs: string | null;
  close(): Promise<void>;
}

/**
 * Starts oidc-provider on 127.0.0.1 with one confidential client (client_secret_basic,
 * PKCE required). `conformIdTokenClaims: false` puts the email into the ID token, as most
 * providers do; `true` (the strict OIDC reading) leaves it to the userinfo endpoint.
 */
async function startProvider(accounts: TestAccount[], conformIdTokenClaims = false): Promise<TestProvider> {
  // A variable specifier: the package has no type declarations, the interfaces above say what is used.
  const moduleName = "oidc-provider";
  const Provider = ((await import(moduleName)) as { default: ProviderClass }).default;
  const byId = new Map(accounts.map((a) => [a.sub, a]));
  let provider: ProviderLike | null = null;
  const state: TestProvider = { issuer: "", loginAs: null, close: async () => {} };

  const interact = async (req: IncomingMessage, res: ServerResponse) => {
    const p = provider!;
    const details = await p.interactionDetails(req, res);
    if (details.prompt.name === "login") {
      const result = state.loginAs
        ? { login: { accountId: state.loginAs } }
        : { error: "access_denied", error_description: "The person cancelled the sign-in" };
      await p.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
      return;
    }
    if (details.prompt.name === "consent") {
      const grant = new p.Grant({
        accountId: details.session?.accountId ?? "",
        clientId: String(details.params.client_id),
      });
      if (details.prompt.details.missingOIDCScope)
        grant.addOIDCScope(details.prompt.details.missingOIDCScope.join(" "));
      if (details.prompt.details.missingOIDCClaims) grant.addOIDCClaims(details.prompt.details.missingOIDCClaims);
      await p.interactionFinished(
        req,
        res,
        { consent: { grantId: await grant.save() } },
        { mergeWithLastSubmission: true },
      );
      return;
    }
    res.statusCode = 501;
    res.end(`prompt ${details.prompt.name} is not implemented in the test`);
  };

  let handle: ((req: IncomingMessage, res: ServerResponse) => void) | null = null;
  const server = http.createServer((req, res) => {
    if (req.url?.startsWith("/interaction/")) {
      interact(req, res).catch((err: unknown) => {
        res.statusCode = 500;
        res.end(String(err));
      });
      return;
    }
    handle?.(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  state.issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  provider = new Provider(state.issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [REDIRECT_URI],
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_basic",
      },
    ],
    // A code without the PKCE verifier cannot be exchanged here: a flow without PKCE fails.
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
    conformIdTokenClaims,
    cookies: { keys: ["okra-test-provider-cookie-key"] },
    ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 3600, IdToken: 600, Interaction: 600, Session: 3600 },
    jwks: { keys: [{ ...privateKey.export({ format: "jwk" }), kid: "test", alg: "RS256", use: "sig" }] },
    findAccount: async (_ctx: unknown, sub: string) => {
      const account = byId.get(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        claims: async () => ({
          sub,
          email: account.email,
          ...(account.email_verified === null ? {} : { email_verified: account.email_verified ?? true }),
          ...(account.name ? { name: account.name } : {}),
        }),
      };
    },
  });
  handle = provider.callback();
  state.close = () =>
    new Promise<void>((resolve, reject) => {
      server.closeAllConnections();
      server.close((err) => (err ? reject(err) : resolve()));
    });
  return state;
}

// ------------------------------------------------------------------ the browser

interface Trip {
  /** The start route's answer. */
  start: { status: number; location: string; stateCookie: string | undefined };
  /** Where the start route sent the browser (the provider's authorization endpoint). */
  authorizationUrl: URL;
  /** Where the provider sent the browser back to (Okra's callback with code and state). */
  callbackUrl: URL;
}

interface Landing {
  status: number;
  location: string;
  sessionCookie: { value: string; httpOnly?: boolean; sameSite?: string; secure?: boolean; path?: string } | undefined;
}

/** An error message carried by a redirect to the sign-in page. */
const signInError = (location: string) => {
  const url = new URL(location, PUBLIC_URL);
  return url.pathname === "/sign-in" ? url.searchParams.get("error") : null;
};

/** The one answer to an issuer whose discovery failed, whatever the reason. */
const refusedIssuer = (issuer: string) =>
  `issuer: ${discoveryFailure(issuer)}. Use the issuer your identity provider names in its discovery document (its "issuer" value); Okra reaches only public addresses unless the server allows private ones (OKRA_ALLOW_PRIVATE_URLS=true).`;

describe.each(DATABASE_KINDS)("single sign-on with OpenID Connect on %s", (kind) => {
  let api: ApiHarness;
  let svc: Services;
  let idp: TestProvider;
  let strictIdp: TestProvider;
  let admin: Actor;
  let member: Actor;
  let orgId: string;

  const accounts: TestAccount[] = [
    { sub: "sub-alice", email: "alice@acme.test", name: "Alice Anders" },
    { sub: "sub-nina", email: "Nina.New@ACME.test", name: "Nina New" },
    { sub: "sub-olaf", email: "olaf@elsewhere.test", name: "Olaf Outside" },
    { sub: "sub-dora", email: "dora@acme.test", name: "Dora Deactivated" },
    { sub: "sub-uma", email: "uma@acme.test", email_verified: false, name: "Uma Unverified" },
    { sub: "sub-sam", email: "sam@acme.test", name: "Sam Strict" },
    { sub: "sub-pat", email: "pat@acme.test", name: "Pat Linked" },
    { sub: "sub-pat-impostor", email: "pat@acme.test", name: "Pat Impostor" },
    { sub: "sub-vic", email: "vic@acme.test", email_verified: null, name: "Vic Unsaid" },
    { sub: "sub-val", email: "val@acme.test", email_verified: null, name: "Val Unsaid" },
    { sub: "sub-wes", email: "wes@acme.test", email_verified: null, name: "Wes Linked" },
    { sub: "sub-mo", email: "mo@acme.test", name: "Mo Member" },
    { sub: "sub-lee", email: "lee@acme.test", email_verified: null, name: "Lee Legacy" },
    { sub: "sub-eli", email: "eli@acme.test", name: "Eli Early" },
  ];
  /** What the app's event sink heard, each with whether its audit row was committed by then. */
  const heard: { event: DomainEvent; committed: Promise<boolean> }[] = [];
  const auditVisible = (e: DomainEvent) =>
    api.database.db
      .select({ id: auditEvents.id })
      .from(auditEvents)
      .where(and(eq(auditEvents.orgId, e.orgId), eq(auditEvents.action, e.type), eq(auditEvents.objectId, e.objectId)))
      .then((rows) => rows.length > 0);

  /** Follows the browser from Okra's start route through the provider back to Okra's callback. */
  async function visit(startQuery: string, loginAs: string | null, provider = idp): Promise<Trip> {
    provider.loginAs = loginAs;
    const started = await api.app.inject({ method: "GET", url: `/api/v1/auth/sso/start?${startQuery}` });
    const start = {
      status: started.statusCode,
      location: String(started.headers.location ?? ""),
      stateCookie: started.cookies.find((c) => c.name === "okra_sso_state")?.value,
    };
    if (start.status !== 302 || !start.location.startsWith(provider.issuer)) {
      throw new Error(`start answered ${start.status} to ${start.location}`);
    }
    const jar = new Map<string, string>();
    let url = new URL(start.location);
    for (let hop = 0; hop < 12; hop++) {
      const res = await fetch(url, {
        redirect: "manual",
        headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join("; ") },
      });
      for (const line of res.headers.getSetCookie()) {
        const [pair = ""] = line.split(";");
        const eqAt = pair.indexOf("=");
        const name = pair.slice(0, eqAt).trim();
        const value = pair.slice(eqAt + 1).trim();
        if (!value || /expires=Thu, 01 Jan 1970/i.test(line)) jar.delete(name);
        else jar.set(name, value);
      }
      const location = res.headers.get("location");
      if (res.status < 300 || res.status >= 400 || !location) {
        throw new Error(`the provider answered ${res.status} at ${url}: ${(await res.text()).slice(0, 500)}`);
      }
      const next = new URL(location, url);
      if (next.origin === PUBLIC_URL) return { start, authorizationUrl: new URL(start.location), callbackUrl: next };
      url = next;
    }
    throw new Error("too many redirects at the provider");
  }

  /** Delivers the provider's redirect to Okra's callback, with the browser's state cookie. */
  async function land(callbackUrl: URL, stateCookie: string | undefined): Promise<Landing> {
    const res = await api.app.inject({
      method: "GET",
      url: `${callbackUrl.pathname}${callbackUrl.search}`,
      headers: { "user-agent": "vitest browser" },
      ...(stateCookie !== undefined ? { cookies: { okra_sso_state: stateCookie } } : {}),
    });
    const session = res.cookies.find((c) => c.name === "okra_session");
    return {
      status: res.statusCode,
      location: String(res.headers.location ?? ""),
      sessionCookie: session
        ? {
            value: session.value,
            httpOnly: session.httpOnly,
            sameSite: session.sameSite,
            secure: session.secure,
            path: session.path,
          }
        : undefined,
    };
  }

  /** A whole sign-in: start, provider, callback. */
  async function signIn(startQuery: string, loginAs: string | null, provider = idp) {
    const trip = await visit(startQuery, loginAs, provider);
    return { trip, landing: await land(trip.callbackUrl, trip.start.stateCookie) };
  }

  const me = (sessionCookie: string) =>
    api.app.inject({ method: "GET", url: "/api/v1/me", cookies: { okra_session: sessionCookie } });

  const configure = (over: Record<string, unknown> = {}, token = ADMIN_TOKEN) =>
    api.call(
      "PUT",
      "/sso",
      {
        enabled: true,
        issuer: idp.issuer,
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        allowedDomains: ["acme.test"],
        defaultRole: "observer",
        ...over,
      },
      { authorization: `Bearer ${token}` },
    );

  const userByEmail = async (email: string) =>
    (await api.database.db.select().from(users).where(eq(users.email, email)))[0];

  beforeAll(async () => {
    idp = await startProvider(accounts);
    strictIdp = await startProvider(accounts, true);
    // The test provider listens on 127.0.0.1: this instance allows private addresses.
    api = await startApi(kind, Date.UTC(2026, 1, 15, 12), {
      publicUrl: PUBLIC_URL,
      sessionPolicy: POLICY,
      loginRateLimit: 1000,
      allowPrivateUrls: true,
      onEvent: (event) => heard.push({ event, committed: auditVisible(event) }),
    });
    svc = {
      database: api.database,
      now: () => api.clock.now,
      emit: () => {},
      publicUrl: PUBLIC_URL,
      allowPrivateUrls: true,
    };
    // Until buildApp wires the SSO routes in, the test adds them itself, as buildApp would.
    if (!api.app.hasRoute({ method: "GET", url: "/api/v1/auth/sso/start" })) {
      registerSsoRoutes(api.app, svc, { policy: POLICY, secureCookies: true, rateLimitPerMinute: 1000 });
    }
    if (!api.app.hasRoute({ method: "GET", url: "/api/v1/sso" })) {
      // The settings routes, registered as buildApp registers the route table (bearer tokens only here).
      for (const def of ssoRoutes) {
        // buildApp's onRoute hook refuses a route without a permission; this one declares it.
        const config = { permission: def.permission };
        api.app.route({
          method: def.method,
          url: `/api/v1${def.url}`,
          config,
          handler: async (req, reply) => {
            const actor = await authenticate(api.database, req.headers.authorization?.replace(/^Bearer\s+/i, ""));
            authorize(actor, def.method, def.permission);
            const out = await def.handler({
              svc,
              actor,
              id: "",
              body: req.body,
              query: req.query ?? {},
              ifMatch: undefined,
            });
            return reply.status(def.status ?? 200).send(out);
          },
        });
      }
    }
    admin = await authenticate(api.database, ADMIN_TOKEN);
    orgId = admin.orgId;
    const add = async (name: string, email: string, role: string) => {
      const r = await api.call("POST", "/users", { name, email, role, invite: false });
      if (r.status !== 201) throw new Error(`POST /users answered ${r.status}: ${JSON.stringify(r.body)}`);
      return r.body.id as string;
    };
    await add("Alice Anders", "alice@acme.test", "member");
    const doraId = await add("Dora Deactivated", "dora@acme.test", "member");
    expect((await api.call("PATCH", `/users/${doraId}`, { active: false })).status).toBe(200);
    await add("Mo Member", "mo@acme.test", "member");
    await add("Pat Linked", "pat@acme.test", "member");
    await add("Val Unsaid", "val@acme.test", "member");
    const wesId = await add("Wes Linked", "wes@acme.test", "member");
    await api.database.db.update(users).set({ ssoSubject: "sub-wes" }).where(eq(users.id, wesId));
    // Linked before sso_subject existed: the subject is in external_id.
    const leeId = await add("Lee Legacy", "lee@acme.test", "member");
    await api.database.db.update(users).set({ externalId: "sub-lee" }).where(eq(users.id, leeId));
    member = await authenticate(api.database, (await createTokenForEmail(api.database, "mo@acme.test")).token);
  }, 60_000);

  afterAll(async () => {
    await api?.close();
    await idp?.close();
    await strictIdp?.close();
  });

  it("lets only admins see or change the settings (FORBIDDEN for members, from the service and the route)", async () => {
    await expect(getSsoConfig(svc, member)).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(
      updateSsoConfig(svc, member, { enabled: false, issuer: "https://idp.example", clientId: "x" }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    const memberToken = (await createTokenForEmail(api.database, "mo@acme.test")).token;
    const viaRoute = await api.call("GET", "/sso", undefined, { authorization: `Bearer ${memberToken}` });
    expect(viaRoute.status).toBe(403);
    expect(viaRoute.body.error.code).toBe("FORBIDDEN");
    expect((await configure({}, memberToken)).status).toBe(403);
    expect(await api.database.db.select().from(ssoConfigs)).toEqual([]);
  });

  it("answers unconfigured settings with the redirect URI to register", async () => {
    expect(await getSsoConfig(svc, admin)).toEqual({
      enabled: false,
      issuer: "",
      clientId: "",
      hasClientSecret: false,
      allowedDomains: [],
      defaultRole: "member",
      redirectUri: REDIRECT_URI,
      version: 0,
      updatedAt: null,
    });
  });

  it("refuses an issuer that fails discovery with 400 naming the URL it tried", async () => {
    // Nothing listens on port 1.
    const dead = await configure({ issuer: "https://127.0.0.1:1/realms/acme" });
    expect(dead.status).toBe(400);
    expect(dead.body.error.code).toBe("VALIDATION");
    expect(dead.body.error.message).toContain("https://127.0.0.1:1/realms/acme/.well-known/openid-configuration");
    // A real provider, but it names another issuer (127.0.0.1, not localhost).
    const wrongName = idp.issuer.replace("127.0.0.1", "localhost");
    const mismatch = await configure({ issuer: wrongName });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.error.message).toContain(`${wrongName}/.well-known/openid-configuration`);
    expect(mismatch.body.error.message).toMatch(/issuer/);
    // The same words whatever went wrong.
    expect(mismatch.body.error.details).toEqual([refusedIssuer(wrongName)]);
    expect(dead.body.error.details).toEqual([refusedIssuer("https://127.0.0.1:1/realms/acme")]);
    // Plain http elsewhere than this machine, and bad fields, are refused before any request.
    const plain = await configure({ issuer: "http://idp.example.com" });
    expect(plain.status).toBe(400);
    expect(plain.body.error.details).toEqual([
      "issuer: must use https:// (plain http:// only for localhost, in development)",
    ]);
    const bad = await configure({ clientId: "", allowedDomains: ["not a domain"], defaultRole: "admin" });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toHaveLength(3);
    // Direct service call: the same 400.
    await expect(
      updateSsoConfig(svc, admin, { enabled: true, issuer: "https://127.0.0.1:1", clientId: "x" }),
    ).rejects.toMatchObject({
      code: "VALIDATION",
    });
    expect(await api.database.db.select().from(ssoConfigs)).toEqual([]);
  });

  it("refuses loopback, private and link-local issuers unless the instance allows them, in the same words", async () => {
    const strict: Services = { ...svc, allowPrivateUrls: false };
    const port = new URL(idp.issuer).port;
    const issuers = [
      // The real provider: it would answer, but 127.0.0.1 is this machine.
      idp.issuer,
      `http://localhost:${port}`,
      `http://[::1]:${port}`,
      "https://10.20.30.40",
      "https://169.254.169.254/latest/meta-data",
      "https://[::ffff:127.0.0.1]",
      "https://2130706433",
      "https://100.64.0.1",
      "https://[fd00::1]",
    ];
    for (const issuer of issuers) {
      const err = await updateSsoConfig(strict, admin, { enabled: true, issuer, clientId: CLIENT_ID }).catch(
        (e: unknown) => e,
      );
      expect(err, issuer).toMatchObject({ code: "VALIDATION", details: [refusedIssuer(issuer)] });
    }
    expect(await api.database.db.select().from(ssoConfigs)).toEqual([]);
  });

  it("answers a closed port, a web server that is no provider and a refused address alike", async () => {
    const web = http.createServer((req, res) => {
      res.setHeader("content-type", req.url?.includes("json") ? "application/json" : "text/html");
      res.end(req.url?.includes("json") ? '{"hello":"world"}' : "<h1>It works</h1>");
    });
    await new Promise<void>((resolve) => web.listen(0, "127.0.0.1", resolve));
    const webPort = (web.address() as AddressInfo).port;
    // A port that was free a moment ago: nothing listens there.
    const probe = http.createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const closedPort = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    try {
      const answers = new Map<string, unknown>();
      const tries: [string, Services][] = [
        [`http://127.0.0.1:${closedPort}`, svc],
        [`http://127.0.0.1:${webPort}`, svc],
        [`http://127.0.0.1:${webPort}/json`, svc],
        [`http://127.0.0.1:${webPort}`, { ...svc, allowPrivateUrls: false }],
      ];
      for (const [issuer, on] of tries) {
        const err = await updateSsoConfig(on, admin, { enabled: true, issuer, clientId: CLIENT_ID }).catch(
          (e: unknown) => e,
        );
        expect(err, issuer).toMatchObject({ code: "VALIDATION" });
        const { message, details } = err as { message: string; details: string[] };
        // Only the URL differs.
        answers.set(issuer, JSON.stringify({ message, details }).replaceAll(issuer, "<issuer>"));
      }
      expect(new Set(answers.values()).size).toBe(1);
    } finally {
      web.closeAllConnections();
      await new Promise<void>((resolve) => web.close(() => resolve()));
    }
    expect(await api.database.db.select().from(ssoConfigs)).toEqual([]);
  });

  it("saves the settings after discovery; the secret is never answered nor audited, and kept when left out", async () => {
    const saved = await configure({ allowedDomains: ["ACME.test", "@acme.test"] });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({
      enabled: true,
      issuer: idp.issuer,
      clientId: CLIENT_ID,
      hasClientSecret: true,
      allowedDomains: ["acme.test"],
      defaultRole: "observer",
      redirectUri: REDIRECT_URI,
      version: 1,
    });
    const got = await api.call("GET", "/sso");
    expect(got.status).toBe(200);
    expect(got.body).toEqual(saved.body);
    expect(JSON.stringify(got.body)).not.toContain(CLIENT_SECRET);
    expect(got.body).not.toHaveProperty("clientSecret");

    // Leaving the secret out keeps it.
    const again = await api.call("PUT", "/sso", {
      enabled: true,
      issuer: idp.issuer,
      clientId: CLIENT_ID,
      allowedDomains: ["acme.test"],
      defaultRole: "observer",
    });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ hasClientSecret: true, version: 2 });
    const [row] = await api.database.db.select().from(ssoConfigs).where(eq(ssoConfigs.orgId, orgId));
    expect(row?.clientSecret).toBe(CLIENT_SECRET);

    const audit = await api.database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "sso.updated"), eq(auditEvents.objectId, orgId)));
    expect(audit).toHaveLength(2);
    expect(audit.map((e) => e.objectType)).toEqual(["organization", "organization"]);
    expect(JSON.stringify(audit)).not.toContain(CLIENT_SECRET);
    expect(audit.find((e) => e.before === null)?.after).toMatchObject({ hasClientSecret: true, enabled: true });
  });

  it("signs in a known person with PKCE (S256): 302 to returnTo with an httpOnly session cookie", async () => {
    const { trip, landing } = await signIn("email=alice%40acme.test&returnTo=%2Fobjectives%3Fmine%3D1", "sub-alice");
    const auth = trip.authorizationUrl.searchParams;
    expect(trip.authorizationUrl.origin).toBe(idp.issuer);
    expect(auth.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(auth.get("code_challenge_method")).toBe("S256");
    expect(auth.get("client_id")).toBe(CLIENT_ID);
    expect(auth.get("redirect_uri")).toBe(REDIRECT_URI);
    expect(auth.get("response_type")).toBe("code");
    expect(auth.get("scope")?.split(" ")).toEqual(expect.arrayContaining(["openid", "email"]));
    expect(auth.get("nonce")).toBeTruthy();
    expect(auth.get("state")).toBe(trip.start.stateCookie);
    // The verifier never leaves the server; the state row holds it until the callback.
    expect(trip.authorizationUrl.href).not.toContain("code_verifier");
    expect(trip.callbackUrl.searchParams.get("code")).toBeTruthy();

    expect(landing.status).toBe(302);
    expect(landing.location).toBe("/objectives?mine=1");
    expect(landing.sessionCookie).toMatchObject({ httpOnly: true, secure: true, sameSite: "Strict", path: "/" });
    const who = await me(landing.sessionCookie!.value);
    expect(who.statusCode).toBe(200);
    expect(who.json()).toMatchObject({ authMethod: "session", user: { email: "alice@acme.test" }, role: "member" });

    const alice = await userByEmail("alice@acme.test");
    expect(alice?.ssoSubject).toBe("sub-alice");
    const signedIn = await api.database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "user.signedIn"), eq(auditEvents.objectId, alice!.id)));
    expect(signedIn.map((e) => e.after)).toEqual([{ method: "sso" }]);
    // The state was used up.
    expect(await api.database.db.select().from(ssoStates)).toEqual([]);
  });

  it("finds the organisation by id too, and lands on / for a returnTo that leaves the site", async () => {
    for (const returnTo of ["//evil.example/x", "https://evil.example", "/\\evil.example"]) {
      const { landing } = await signIn(`organizationId=${orgId}&returnTo=${encodeURIComponent(returnTo)}`, "sub-alice");
      expect(landing.status).toBe(302);
      expect(landing.location).toBe("/");
      expect(landing.sessionCookie?.value).toBeTruthy();
    }
    expect(
      ["/", "/a/b?c=d#e", "//x", "/\\x", "x", "", "/a\nb", "https://x", undefined, 5].map((v) => safeReturnTo(v)),
    ).toEqual(["/", "/a/b?c=d#e", "/", "/", "/", "/", "/", "/", "/", "/"]);
  });

  it("creates a person just in time for an allowed domain, with the default role, audited as via sso", async () => {
    expect(await userByEmail("Nina.New@ACME.test")).toBeUndefined();
    const { landing } = await signIn("email=nina.new%40acme.test&returnTo=%2Fwelcome", "sub-nina");
    expect(landing.status).toBe(302);
    expect(landing.location).toBe("/welcome");
    const nina = await userByEmail("Nina.New@ACME.test");
    expect(nina).toMatchObject({ name: "Nina New", role: "observer", active: true, ssoSubject: "sub-nina" });
    expect(nina?.passwordHash).toBeNull();
    const who = await me(landing.sessionCookie!.value);
    expect(who.json()).toMatchObject({ user: { id: nina!.id }, role: "observer", hasPassword: false });

    const created = await api.call("GET", `/audit?objectType=user&objectId=${nina!.id}`);
    const entry = created.body.items.find((e: { action: string }) => e.action === "user.created");
    expect(entry).toBeTruthy();
    expect(entry.after).toMatchObject({ via: "sso", email: "Nina.New@ACME.test", role: "observer" });

    // The next sign-in finds the same person (by the provider's subject), creating nobody.
    const second = await signIn("email=nina.new%40acme.test", "sub-nina");
    expect(second.landing.status).toBe(302);
    expect((await me(second.landing.sessionCookie!.value)).json().user.id).toBe(nina!.id);
    const ninas = await api.database.db.select().from(users).where(eq(users.ssoSubject, "sub-nina"));
    expect(ninas).toHaveLength(1);
  });

  it("writes a first sign-in through the one write path: audited, heard only after the commit", async () => {
    heard.length = 0;
    const { landing } = await signIn("email=eli%40acme.test", "sub-eli");
    expect(landing.status).toBe(302);
    const eli = await userByEmail("eli@acme.test");
    expect(eli).toBeTruthy();
    // The account's creation goes to the organisation; the sign-in only to Eli's own streams.
    expect(heard.map((h) => h.event)).toEqual([
      { orgId, type: "user.created", objectType: "user", objectId: eli!.id, actorId: null },
      { orgId, type: "user.signedIn", objectType: "user", objectId: eli!.id, actorId: eli!.id },
    ]);
    for (const h of heard) expect(await h.committed).toBe(true);
    const audit = await api.call("GET", `/audit?objectType=user&objectId=${eli!.id}`);
    expect(audit.body.items.map((e: { action: string; actorId: string | null }) => [e.action, e.actorId])).toEqual([
      ["user.created", null],
      ["user.signedIn", eli!.id],
    ]);
  });

  it("refuses an email outside the allowed domains: 302 to /sign-in with the reason, nobody created", async () => {
    const { landing } = await signIn(`organizationId=${orgId}`, "sub-olaf");
    expect(landing.status).toBe(302);
    expect(landing.sessionCookie).toBeUndefined();
    expect(signInError(landing.location)).toMatch(/olaf@elsewhere\.test has no account.*elsewhere\.test is not one of/);
    expect(await userByEmail("olaf@elsewhere.test")).toBeUndefined();
  });

  it("refuses a deactivated person, and an email the provider has not verified", async () => {
    const dora = await signIn("email=dora%40acme.test", "sub-dora");
    expect(dora.landing.sessionCookie).toBeUndefined();
    expect(signInError(dora.landing.location)).toMatch(/deactivated/);
    expect((await userByEmail("dora@acme.test"))?.active).toBe(false);

    const uma = await signIn("email=uma%40acme.test", "sub-uma");
    expect(uma.landing.sessionCookie).toBeUndefined();
    expect(signInError(uma.landing.location)).toMatch(/not verified uma@acme\.test/);
    expect(await userByEmail("uma@acme.test")).toBeUndefined();
  });

  it("links an existing account by email to the provider's subject once, audited as user.ssoLinked", async () => {
    const pat = await userByEmail("pat@acme.test");
    expect(pat?.ssoSubject).toBeNull();
    const first = await signIn("email=pat%40acme.test", "sub-pat");
    expect(first.landing.status).toBe(302);
    expect((await me(first.landing.sessionCookie!.value)).json().user.id).toBe(pat!.id);
    expect((await userByEmail("pat@acme.test"))?.ssoSubject).toBe("sub-pat");
    const linked = await api.database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "user.ssoLinked"), eq(auditEvents.objectId, pat!.id)));
    expect(linked.map((e) => [e.before, e.after])).toEqual([
      [{ ssoSubject: null }, { ssoSubject: "sub-pat", email: "pat@acme.test" }],
    ]);
  });

  it("signs in a person SCIM provisioned under another id: the provider's SCIM id and OIDC subject may differ", async () => {
    // Entra ID provisions with its object id as externalId, while its OIDC `sub` is another value.
    await api.database.db
      .update(users)
      .set({ externalId: "scim-object-id-of-mo" })
      .where(eq(users.email, "mo@acme.test"));
    const mo = await signIn("email=mo%40acme.test", "sub-mo");
    expect(mo.landing.status).toBe(302);
    expect(mo.landing.sessionCookie).toBeDefined();
    const after = await userByEmail("mo@acme.test");
    expect(after).toMatchObject({ externalId: "scim-object-id-of-mo", ssoSubject: "sub-mo" });
  });

  it("keeps a link made before sso_subject existed (the subject in external_id), and moves it over", async () => {
    const lee = await signIn("email=lee%40acme.test", "sub-lee");
    expect(lee.landing.status).toBe(302);
    expect(lee.landing.sessionCookie).toBeDefined();
    expect(await userByEmail("lee@acme.test")).toMatchObject({ externalId: "sub-lee", ssoSubject: "sub-lee" });
  });

  it("refuses another identity that brings the email of a linked person: 302 to /sign-in with the reason", async () => {
    // Pat is linked to sub-pat (above); the provider names someone else with Pat's email.
    const impostor = await signIn("email=pat%40acme.test", "sub-pat-impostor");
    expect(impostor.landing.status).toBe(302);
    expect(impostor.landing.sessionCookie).toBeUndefined();
    expect(signInError(impostor.landing.location)).toMatch(
      /account for pat@acme\.test is linked to a different identity at your identity provider/,
    );
    expect((await userByEmail("pat@acme.test"))?.ssoSubject).toBe("sub-pat");
    expect(await api.database.db.select().from(users).where(eq(users.ssoSubject, "sub-pat-impostor"))).toEqual([]);
  });

  it("links or creates nobody when the provider does not say the email is verified; a linked person still signs in", async () => {
    const vic = await signIn("email=vic%40acme.test", "sub-vic");
    expect(vic.landing.sessionCookie).toBeUndefined();
    expect(signInError(vic.landing.location)).toMatch(/did not confirm that it has verified vic@acme\.test/);
    expect(await userByEmail("vic@acme.test")).toBeUndefined();

    const val = await signIn("email=val%40acme.test", "sub-val");
    expect(val.landing.sessionCookie).toBeUndefined();
    expect(signInError(val.landing.location)).toMatch(/did not confirm that it has verified val@acme\.test/);
    expect((await userByEmail("val@acme.test"))?.ssoSubject).toBeNull();

    // Already linked by the provider's subject: the email claim is not what identifies Wes.
    const wes = await signIn("email=wes%40acme.test", "sub-wes");
    expect(wes.landing.status).toBe(302);
    expect((await me(wes.landing.sessionCookie!.value)).json().user.email).toBe("wes@acme.test");
  });

  it("refuses a replayed callback: the state works once", async () => {
    const trip = await visit("email=alice%40acme.test", "sub-alice");
    const first = await land(trip.callbackUrl, trip.start.stateCookie);
    expect(first.status).toBe(302);
    expect(first.sessionCookie?.value).toBeTruthy();
    const replay = await land(trip.callbackUrl, trip.start.stateCookie);
    expect(replay.status).toBe(302);
    expect(replay.sessionCookie).toBeUndefined();
    expect(signInError(replay.location)).toMatch(/expired or was already used/);
  });

  it("refuses a tampered state, and a callback from another browser; the genuine one still works", async () => {
    const trip = await visit("email=alice%40acme.test&returnTo=%2Fafter", "sub-alice");
    const genuine = trip.callbackUrl.searchParams.get("state")!;
    const tampered = new URL(trip.callbackUrl);
    tampered.searchParams.set("state", `${genuine.slice(0, -2)}xy`);

    // Tampered in the URL only: it does not match the browser's state cookie.
    const urlOnly = await land(tampered, genuine);
    expect(urlOnly.sessionCookie).toBeUndefined();
    expect(signInError(urlOnly.location)).toMatch(/did not start in this browser/);
    // Tampered in URL and cookie alike: no such sign-in was started.
    const both = await land(tampered, tampered.searchParams.get("state")!);
    expect(both.sessionCookie).toBeUndefined();
    expect(signInError(both.location)).toMatch(/expired or was already used/);
    // The genuine link opened in a browser that did not start it (login CSRF): refused.
    const foreign = await land(trip.callbackUrl, undefined);
    expect(foreign.sessionCookie).toBeUndefined();
    expect(signInError(foreign.location)).toMatch(/did not start in this browser/);

    const ok = await land(trip.callbackUrl, trip.start.stateCookie);
    expect(ok.location).toBe("/after");
    expect(ok.sessionCookie?.value).toBeTruthy();
  });

  it("refuses a callback after 10 minutes", async () => {
    const startedAt = api.clock.now;
    try {
      const trip = await visit("email=alice%40acme.test", "sub-alice");
      api.clock.now = startedAt + 10 * 60_000 + 1;
      const late = await land(trip.callbackUrl, trip.start.stateCookie);
      expect(late.sessionCookie).toBeUndefined();
      expect(signInError(late.location)).toMatch(/expired/);
    } finally {
      api.clock.now = startedAt;
    }
  });

  it("shows the provider's refusal, and start problems, on the sign-in page", async () => {
    const cancelled = await signIn("email=alice%40acme.test", null);
    expect(cancelled.trip.callbackUrl.searchParams.get("error")).toBe("access_denied");
    expect(cancelled.landing.sessionCookie).toBeUndefined();
    expect(signInError(cancelled.landing.location)).toMatch(/did not sign you in: The person cancelled the sign-in/);

    for (const [query, reason] of [
      ["email=someone%40unknown.test", /not set up for unknown\.test/],
      ["organizationId=00000000-0000-0000-0000-000000000000", /not enabled for this organisation/],
      ["organizationId=not-an-id", /not enabled for this organisation/],
      ["returnTo=%2F", /send organizationId or email/],
    ] as const) {
      const res = await api.app.inject({ method: "GET", url: `/api/v1/auth/sso/start?${query}` });
      expect(res.statusCode).toBe(302);
      expect(signInError(String(res.headers.location))).toMatch(reason);
    }
  });

  it("reads the email from the userinfo endpoint when the ID token leaves it out", async () => {
    expect((await configure({ issuer: strictIdp.issuer })).status).toBe(200);
    try {
      const { landing } = await signIn("email=sam%40acme.test", "sub-sam", strictIdp);
      expect(landing.status).toBe(302);
      expect(landing.location).toBe("/");
      expect((await me(landing.sessionCookie!.value)).json().user.email).toBe("sam@acme.test");
    } finally {
      expect((await configure({ issuer: idp.issuer })).status).toBe(200);
    }
  });

  it("sends a new person of a domain two organisations claim to their sign-in link, naming neither; one with an account to their own", async () => {
    const other = await api.call("POST", "/organizations", {
      name: "Acme Rival",
      owner: { name: "Rita Rival", email: "rita@rival.test" },
    });
    expect(other.status).toBe(201);
    // Another organisation lists acme.test (no proof of owning a domain is asked) with a provider of its own.
    const rivalIdp = await startProvider([]);
    expect((await configure({ issuer: rivalIdp.issuer }, other.body.ownerToken)).status).toBe(200);
    try {
      // Alice has an account here: she goes to this organisation's provider, never the rival's.
      const alice = await api.app.inject({ method: "GET", url: "/api/v1/auth/sso/start?email=alice%40acme.test" });
      expect(String(alice.headers.location)).toMatch(new RegExp(`^${idp.issuer}`));
      const start = await api.app.inject({ method: "GET", url: "/api/v1/auth/sso/start?email=newcomer%40acme.test" });
      const reason = signInError(String(start.headers.location)) ?? "";
      expect(reason).toMatch(/Several organisations sign in people of acme\.test/);
      expect(String(start.headers.location)).not.toContain(other.body.organization.id);
      expect(String(start.headers.location)).not.toContain(orgId);
      // Starting from the organisation's own link still works.
      const own = await api.app.inject({ method: "GET", url: `/api/v1/auth/sso/start?organizationId=${orgId}` });
      expect(String(own.headers.location)).toMatch(new RegExp(`^${idp.issuer}`));
      // With single sign-on off here, Alice is told so; she is not sent to the rival's provider.
      expect((await configure({ enabled: false })).status).toBe(200);
      const off = await api.app.inject({ method: "GET", url: "/api/v1/auth/sso/start?email=alice%40acme.test" });
      expect(String(off.headers.location)).not.toContain(rivalIdp.issuer);
      expect(signInError(String(off.headers.location))).toMatch(/Single sign-on is not set up for acme\.test/);
    } finally {
      expect((await configure({})).status).toBe(200);
      expect((await configure({ enabled: false }, other.body.ownerToken)).status).toBe(200);
      await rivalIdp.close();
    }
  });

  it("stops signing in once single sign-on is turned off", async () => {
    const trip = await visit("email=alice%40acme.test", "sub-alice");
    expect((await configure({ enabled: false })).status).toBe(200);
    try {
      const late = await land(trip.callbackUrl, trip.start.stateCookie);
      expect(signInError(late.location)).toMatch(/turned off/);
      const start = await api.app.inject({ method: "GET", url: "/api/v1/auth/sso/start?email=alice%40acme.test" });
      expect(signInError(String(start.headers.location))).toMatch(/not set up for acme\.test/);
    } finally {
      expect((await configure()).status).toBe(200);
    }
  });

  it("does not reach a provider saved while private addresses were allowed once they are not", async () => {
    const strict: Services = { ...svc, allowPrivateUrls: false };
    expect(await startSsoLogin(svc, { organizationId: orgId })).toMatchObject({ redirectUrl: expect.any(String) });
    const err = await startSsoLogin(strict, { organizationId: orgId }).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: "INTERNAL",
      message:
        "The organisation's identity provider cannot be reached. Try again later, or sign in with your password.",
    });
  });
});
