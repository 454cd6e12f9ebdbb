/**
 * Single sign-on with OpenID Connect, configured per organisation by its admins: the
 * authorization code flow with PKCE (S256), state and nonce, through `openid-client`.
 *
 * - Configuration (`sso_configs`): issuer, client id and secret, the email domains whose
 *   people get an account on first sign-in (just in time) and the role they get. The
 *   issuer is verified by OIDC discovery before an enabled configuration is saved. The
 *   client secret is write-only: answers say only whether one is stored.
 * - Sign-in: `startSsoLogin` stores the state, nonce and PKCE verifier (`sso_states`) and
 *   answers the provider's authorization URL; `finishSsoLogin` consumes that row (single
 *   use, 10 minutes), exchanges the code, checks state, nonce and the ID token, and
 *   resolves the person: by `external_id` = `sub`, else by email (only someone linked to no
 *   `sub` yet), else — when the email's domain is allowed — creates them with the configured
 *   role. Matching by email and creating need the provider to say the email is verified.
 * - Every request to the provider goes through the outbound guard (outbound.ts): public
 *   addresses only unless the instance allows private ones, and one answer for any failure.
 * - The HTTP layer opens the session and sets the cookie (src/http/sso-routes.ts).
 */
import * as oidc from "openid-client";
import { z } from "zod";
import { accountQueries } from "../db/account-queries.js";
import { grantOrgScope } from "../db/org-scope.js";
import { type UserRow, userQueries, userRepo } from "../db/repositories.js";
import { type SsoConfigRow, ssoQueries } from "../db/sso-queries.js";
import { isId } from "../db/table-repository.js";
import { type Changer, personChangeDenial } from "../domain/access.js";
import { AppError } from "../domain/errors.js";
import { settlePersonChange } from "./account.service.js";
import { type Actor, checkVersion, mutate, publicBaseUrl, read, type Services, writeTransaction } from "./context.js";
import { createOutboundFetch } from "./outbound.js";
import { presentUser } from "./presenters.js";
import { parseInput } from "./schemas.js";

/** How long a started sign-in may take before its callback is refused. */
export const SSO_STATE_TTL_MS = 10 * 60_000;
/** Roles a person created on first sign-in may get (never admin or owner). */
export const SSO_DEFAULT_ROLES = ["member", "observer"] as const;

/** Single sign-on changes people with the rank of those who configure it: an organisation owner. */
const SSO_CHANGER: Changer = { userId: "", role: "owner", isInstanceAdmin: false };
/** Where the identity provider sends the browser back to, below the public URL. */
export const SSO_CALLBACK_PATH = "/api/v1/auth/sso/callback";
/** What Okra asks the provider for: the subject, the email address and the name. */
const SCOPE = "openid email profile";
/** Seconds to wait for each answer of the provider (discovery, token, keys, userinfo). */
const DISCOVERY_TIMEOUT_S = 5;
const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

const isLocal = (url: URL) => LOCAL_HOSTS.has(url.hostname);

const IssuerSchema = z
  .string({ message: "is required" })
  .trim()
  .min(1, "is required")
  .max(2000, "must be at most 2000 characters")
  .superRefine((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: "custom", message: "must be a URL such as https://login.example.com" });
      return;
    }
    if (url.protocol !== "https:" && !(url.protocol === "http:" && isLocal(url))) {
      ctx.addIssue({ code: "custom", message: "must use https:// (plain http:// only for localhost, in development)" });
    }
    if (url.search || url.hash || url.username || url.password) {
      ctx.addIssue({ code: "custom", message: "must not carry a query, a fragment or credentials" });
    }
  });

const DomainSchema = z
  .string()
  .trim()
  .toLowerCase()
  .transform((d) => d.replace(/^@/, ""))
  .pipe(
    z
      .string()
      .max(253)
      .regex(
        /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/,
        "must be an email domain such as example.com",
      ),
  );

export const SsoConfigUpdateSchema = z.strictObject({
  enabled: z.boolean({ message: "must be true or false" }),
  issuer: IssuerSchema.describe("the provider's issuer identifier, e.g. https://login.example.com"),
  clientId: z.string({ message: "is required" }).trim().min(1, "is required").max(500),
  clientSecret: z
    .string()
    .max(2000)
    .optional()
    .describe('leave out to keep the stored secret; "" removes it (a public client, PKCE only)'),
  allowedDomains: z
    .array(DomainSchema)
    .max(100)
    .default([])
    .describe("email domains whose people get an account on their first sign-in"),
  defaultRole: z.enum(SSO_DEFAULT_ROLES).default("member").describe("the role of people created on first sign-in"),
  version: z.number().int().optional(),
});

export const SsoStartSchema = z.object({
  organizationId: z.string().max(100).optional(),
  email: z.string().trim().max(320).optional(),
  returnTo: z.string().max(2000).optional(),
});

const SsoFinishSchema = z.object({
  currentUrl: z.string().min(1).max(8000),
  state: z.string().max(500).optional(),
});

/** The organisation's SSO settings as the API answers them (never the secret). */
export interface SsoConfigView {
  enabled: boolean;
  issuer: string;
  clientId: string;
  hasClientSecret: boolean;
  allowedDomains: string[];
  defaultRole: string;
  /** The address to register at the provider as the redirect (callback) URI. */
  redirectUri: string;
  version: number;
  updatedAt: string | null;
}

/** The redirect URI registered at the provider: the public URL plus the callback path. */
export function ssoRedirectUri(svc: Services): string {
  return `${publicBaseUrl(svc)}${SSO_CALLBACK_PATH}`;
}

/** A same-site path to land on after sign-in: starts with one "/" (not "//" or "/\"), else "/". */
export function safeReturnTo(value: unknown): string {
  if (typeof value !== "string" || value.length > 2000) return "/";
  if (!value.startsWith("/") || value.startsWith("//")) return "/";
  // Browsers read "\" as "/" ("/\evil.example" leaves the site) and ignore tabs and newlines.
  if (/[\\\p{Cc}]/u.test(value)) return "/";
  return value;
}

function present(svc: Services, row: SsoConfigRow | null): SsoConfigView {
  return {
    enabled: row?.enabled ?? false,
    issuer: row?.issuer ?? "",
    clientId: row?.clientId ?? "",
    hasClientSecret: Boolean(row?.clientSecret),
    allowedDomains: row?.allowedDomains ?? [],
    defaultRole: row?.defaultRole ?? "member",
    redirectUri: ssoRedirectUri(svc),
    version: row?.version ?? 0,
    updatedAt: row ? row.updatedAt.toISOString() : null,
  };
}

/** What the audit trail keeps of a configuration: everything but the secret. */
function auditView(row: SsoConfigRow) {
  return {
    enabled: row.enabled,
    issuer: row.issuer,
    clientId: row.clientId,
    hasClientSecret: Boolean(row.clientSecret),
    allowedDomains: row.allowedDomains,
    defaultRole: row.defaultRole,
  };
}

/** The discovery document's address for an issuer (OpenID Connect Discovery 1.0, section 4). */
function discoveryUrl(issuer: string): string {
  return `${issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`;
}

function describeFailure(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: unknown };
  if (e?.name === "TimeoutError" || e?.name === "AbortError") return `no answer within ${DISCOVERY_TIMEOUT_S} seconds`;
  const cause = e?.cause as { code?: unknown; message?: unknown } | undefined;
  const detail = typeof cause?.code === "string" ? cause.code : typeof cause?.message === "string" ? cause.message : "";
  const message = (e?.message ?? String(err)).replace(/"response"/g, "the answer");
  return detail && !message.includes(detail) ? `${message} (${detail})` : message;
}

/**
 * The client's authentication at the token endpoint: client_secret_basic (the default of
 * RFC 6749 and OIDC), or client_secret_post when the provider supports only that; none
 * without a secret (a public client, protected by PKCE alone).
 */
function clientAuth(secret: string): oidc.ClientAuth {
  if (!secret) return oidc.None();
  const basic = oidc.ClientSecretBasic(secret);
  const post = oidc.ClientSecretPost(secret);
  return (as, client, body, headers) => {
    const methods = as.token_endpoint_auth_methods_supported;
    const postOnly = methods?.includes("client_secret_post") && !methods.includes("client_secret_basic");
    (postOnly ? post : basic)(as, client, body, headers);
  };
}

/**
 * What every failed discovery says, whatever went wrong (a refused address, no DNS answer, a
 * closed port, a timeout, an answer that is no OpenID discovery document or names another
 * issuer): one message, so the settings cannot be used to map hosts and ports.
 */
export function discoveryFailure(issuer: string): string {
  return `the identity provider could not be reached or did not answer as an OpenID provider at ${discoveryUrl(issuer)}`;
}

/**
 * Runs OIDC discovery for the issuer. Every request of the resulting configuration (token,
 * keys, userinfo) goes through the outbound guard too: public addresses only unless the
 * instance allows private ones, the checked address pinned, a fixed deadline. A failure
 * throws `fail(discoveryFailure(issuer))`.
 */
async function discover(
  svc: Services,
  issuer: string,
  clientId: string,
  secret: string,
  fail: (message: string) => AppError,
): Promise<oidc.Configuration> {
  const url = new URL(issuer);
  const fetcher = createOutboundFetch({
    allowPrivate: svc.allowPrivateUrls === true,
    timeoutMs: DISCOVERY_TIMEOUT_S * 1000,
  });
  try {
    return await oidc.discovery(url, clientId, undefined, clientAuth(secret), {
      timeout: DISCOVERY_TIMEOUT_S,
      [oidc.customFetch]: fetcher,
      // openid-client refuses plain http. The settings allow http only for an issuer on this
      // machine (tests and development), and only then is it allowed here.
      ...(url.protocol === "http:" && isLocal(url) ? { execute: [oidc.allowInsecureRequests] } : {}),
    });
  } catch {
    throw fail(discoveryFailure(issuer));
  }
}

/** The organisation's single sign-on settings (admins only; never the client secret). */
export async function getSsoConfig(svc: Services, actor: Actor): Promise<SsoConfigView> {
  return read(svc, actor, async ({ ex, scope, guard }) => {
    guard.assertAdmin("see the single sign-on settings");
    return present(svc, await ssoQueries.findConfig(ex, scope));
  });
}

/**
 * Replaces the organisation's single sign-on settings (admins only). An enabled
 * configuration's issuer is verified by OIDC discovery first: VALIDATION (400) names the
 * URL tried when it fails, in one message whatever the reason (see `discoveryFailure`). A
 * left-out `clientSecret` keeps the stored one. Throws FORBIDDEN for non-admins,
 * VERSION_CONFLICT when `version` (or If-Match) is not current.
 */
export async function updateSsoConfig(
  svc: Services,
  actor: Actor,
  body: unknown,
  ifMatch?: number,
): Promise<SsoConfigView> {
  // Checked before the discovery request. Owners only: whoever chooses the identity provider
  // decides who signs in as every account of the trusted domains, owners included.
  if (actor.role !== "owner") {
    throw new AppError("FORBIDDEN", "Only organisation owners can change the single sign-on settings.");
  }
  const input = parseInput(SsoConfigUpdateSchema, body);
  if (input.enabled) {
    await discover(svc, input.issuer, input.clientId, "", (message) =>
      AppError.validation([
        `issuer: ${message}. Use the issuer your identity provider names in its discovery document (its "issuer" value); Okra reaches only public addresses unless the server allows private ones (OKRA_ALLOW_PRIVATE_URLS=true).`,
      ]),
    );
  }
  return mutate(svc, actor, async (w) => {
    w.guard.assertAdmin("change the single sign-on settings");
    const before = await ssoQueries.findConfig(w.tx, w.scope);
    await checkVersion(input.version ?? ifMatch, before ?? { version: 0 }, () => present(svc, before));
    const values = {
      enabled: input.enabled,
      issuer: input.issuer,
      clientId: input.clientId,
      clientSecret: input.clientSecret ?? before?.clientSecret ?? "",
      allowedDomains: [...new Set(input.allowedDomains)],
      defaultRole: input.defaultRole,
      updatedAt: new Date(w.nowMs),
    };
    const saved = await ssoQueries.saveConfig(w.tx, w.scope, before !== null, values);
    if (!saved) throw new AppError("INTERNAL", "The single sign-on settings were not saved.");
    await w.audit("sso.updated", "organization", w.scope.orgId, before ? auditView(before) : null, auditView(saved));
    return present(svc, saved);
  });
}

/** The enabled configuration for an organisation id, or NOT_FOUND. */
async function enabledConfigById(svc: Services, organizationId: string): Promise<SsoConfigRow> {
  const row = isId(organizationId) ? await ssoQueries.findConfig(svc.database.db, grantOrgScope(organizationId)) : null;
  if (!row?.enabled) {
    throw new AppError(
      "NOT_FOUND",
      "Single sign-on is not enabled for this organisation. Sign in with your password, or ask an admin.",
    );
  }
  return row;
}

/**
 * The enabled configuration to sign in `email` with. A person who has an account is sent to their
 * own organisation's identity provider, whatever other organisations list their domain (a domain
 * is listed without proof of owning it); only an email without any account is matched by its
 * domain, for an account made on first sign-in. NOT_FOUND for none, CONFLICT for several.
 */
async function enabledConfigByEmail(svc: Services, email: string): Promise<SsoConfigRow> {
  const domain = emailDomain(email);
  if (!domain) throw AppError.validation(["email: must be an email address"]);
  const db = svc.database.db;
  const accounts = await accountQueries.activeUsersByEmail(db, email);
  const rows = accounts.length
    ? (await Promise.all(accounts.map((a) => ssoQueries.findConfig(db, grantOrgScope(a.orgId))))).filter(
        (c): c is SsoConfigRow => !!c?.enabled,
      )
    : await ssoQueries.enabledConfigsForDomain(db, domain);
  const [row] = rows;
  // The same answers whether or not the email has an account: whoever asks is not signed in yet.
  if (!row) {
    throw new AppError(
      "NOT_FOUND",
      `Single sign-on is not set up for ${domain}. Sign in with your password, or ask your admin for your organisation's sign-in link.`,
    );
  }
  if (rows.length > 1) {
    throw new AppError(
      "CONFLICT",
      // No organisation ids here: whoever asks is not signed in yet.
      `Several organisations sign in people of ${domain} with single sign-on; start from your organisation's sign-in link (with organizationId), which your admin can give you.`,
    );
  }
  return row;
}

function emailDomain(email: string): string | null {
  const at = email.lastIndexOf("@");
  if (at < 1 || at === email.length - 1) return null;
  return email.slice(at + 1).toLowerCase();
}

// No detail: whoever starts a sign-in is not signed in yet.
const unreachable = () =>
  new AppError(
    "INTERNAL",
    "The organisation's identity provider cannot be reached. Try again later, or sign in with your password.",
  );

/**
 * Starts a sign-in at the organisation's identity provider, chosen by `organizationId` or
 * by the domain of `email` among the enabled configurations. Stores state, nonce, PKCE
 * verifier and `returnTo` (a same-site path, else "/") for the callback, and answers the
 * provider's authorization URL and the state (to bind to the browser). Throws NOT_FOUND
 * when no enabled configuration matches, CONFLICT when several do, VALIDATION for bad input.
 */
export async function startSsoLogin(svc: Services, query: unknown): Promise<{ redirectUrl: string; state: string }> {
  const input = parseInput(SsoStartSchema, query, "query");
  if (!input.organizationId && !input.email) {
    throw AppError.validation(["query: send organizationId or email to choose the organisation to sign in to"]);
  }
  const config = input.organizationId
    ? await enabledConfigById(svc, input.organizationId)
    : await enabledConfigByEmail(svc, input.email ?? "");
  const configuration = await discover(svc, config.issuer, config.clientId, config.clientSecret, unreachable);
  const codeVerifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const nowMs = svc.now();
  // Nothing to audit: the sign-in is recorded when it finishes (a session's `user.signedIn`).
  await writeTransaction(svc, { scope: grantOrgScope(config.orgId), actorId: null }, async ({ tx, scope }) => {
    // Housekeeping: sign-ins abandoned at the provider leave rows behind.
    await ssoQueries.deleteStatesBefore(tx, new Date(nowMs - SSO_STATE_TTL_MS));
    await ssoQueries.insertState(tx, scope, {
      state,
      codeVerifier,
      nonce,
      returnTo: safeReturnTo(input.returnTo),
      createdAt: new Date(nowMs),
    });
  });
  const url = oidc.buildAuthorizationUrl(configuration, {
    redirect_uri: ssoRedirectUri(svc),
    scope: SCOPE,
    code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: "S256",
    state,
    nonce,
    ...(input.email ? { login_hint: input.email } : {}),
  });
  return { redirectUrl: url.href, state };
}

const EXPIRED =
  "This single sign-on attempt has expired or was already used (each works once, for 10 minutes). Start again from the sign-in page.";

/** Why the provider's answer was refused, in words for the sign-in page. */
function refusal(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof oidc.AuthorizationResponseError) {
    return new AppError(
      "UNAUTHENTICATED",
      `Your identity provider did not sign you in: ${err.error_description ?? err.error}. Start again, or ask your admin.`,
    );
  }
  return new AppError(
    "UNAUTHENTICATED",
    `The identity provider's answer could not be verified (${describeFailure(err)}). Start again from the sign-in page.`,
  );
}

function stringClaim(v: unknown): string | undefined {
  return typeof v === "string" && v.trim() ? v.trim() : undefined;
}

/**
 * Finishes a sign-in on the provider's callback: consumes the stored state (single use,
 * 10 minutes), exchanges the code with the PKCE verifier, checks state, nonce and the ID
 * token, and resolves the person of the organisation — by `external_id` = `sub`, else by
 * email (linking `sub` to them, audited as `user.ssoLinked`, only when they are linked to no
 * other `sub` yet), else, when the email's domain is allowed, creates them with the configured
 * role. Linking and creating need `email_verified` = true. Throws UNAUTHENTICATED for an
 * unknown, used, expired or refused sign-in or an unverified email, FORBIDDEN for a
 * deactivated person, an account linked to another identity or an email outside the allowed
 * domains.
 */
export async function finishSsoLogin(
  svc: Services,
  params: { currentUrl: string; state?: string | undefined },
): Promise<{ userId: string; orgId: string; returnTo: string; created: boolean }> {
  const input = parseInput(SsoFinishSchema, params);
  if (!input.state) throw new AppError("UNAUTHENTICATED", EXPIRED);
  // Deleting it first makes the state single-use, even when what follows fails.
  const pending = await ssoQueries.takeState(svc.database.db, input.state);
  if (!pending || pending.createdAt.getTime() + SSO_STATE_TTL_MS <= svc.now()) {
    throw new AppError("UNAUTHENTICATED", EXPIRED);
  }
  const scope = grantOrgScope(pending.orgId);
  const config = await ssoQueries.findConfig(svc.database.db, scope);
  if (!config?.enabled) {
    throw new AppError(
      "FORBIDDEN",
      "Single sign-on has been turned off for this organisation; sign in with your password.",
    );
  }
  const configuration = await discover(svc, config.issuer, config.clientId, config.clientSecret, unreachable);

  let sub: string;
  let claims: Record<string, unknown>;
  try {
    const tokens = await oidc.authorizationCodeGrant(configuration, new URL(input.currentUrl), {
      pkceCodeVerifier: pending.codeVerifier,
      expectedState: pending.state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    });
    const idToken = tokens.claims();
    if (!idToken) throw new AppError("UNAUTHENTICATED", "The identity provider sent no ID token; ask your admin.");
    sub = idToken.sub;
    claims = idToken;
    // Providers that follow OIDC Core to the letter put the email only in the userinfo answer.
    if (stringClaim(idToken.email) === undefined) {
      claims = { ...(await oidc.fetchUserInfo(configuration, tokens.access_token, sub)), ...idToken };
    }
  } catch (err) {
    throw refusal(err);
  }
  const email = stringClaim(claims.email);
  if (!email || !emailDomain(email)) {
    throw new AppError(
      "UNAUTHENTICATED",
      "Your identity provider did not share your email address; ask your admin to release the email claim to Okra.",
    );
  }
  if (claims.email_verified === false || claims.email_verified === "false") {
    throw new AppError(
      "UNAUTHENTICATED",
      `Your identity provider has not verified ${email}; verify it there, then sign in again.`,
    );
  }
  // Linking an existing account or creating one trusts the email: only when the provider vouches for it.
  const emailVerified = claims.email_verified === true || claims.email_verified === "true";

  // The one write path: under the organisation's lock (two first sign-ins of one person create
  // one account), audited with no actor, its live events sent after the commit.
  const outcome = await writeTransaction(svc, { scope, actorId: null }, async ({ tx, audit, nowMs }) => {
    // The person linked to this subject; else a link made before sso_subject existed (Okra ≤ 0.1
    // kept the subject in external_id), or a provider whose SCIM id is its OIDC subject (Okta).
    const bySub = await ssoQueries.findBySubject(tx, scope, sub);
    const domain = emailDomain(email) ?? "";
    const trusted = config.allowedDomains.includes(domain);
    let person: UserRow | null = bySub;
    // An existing account is linked by email only for the domains the organisation trusts
    // this provider with; otherwise the provider could sign in as anyone it names.
    if (!person && trusted) {
      if (!emailVerified) {
        throw new AppError(
          "UNAUTHENTICATED",
          `Your identity provider did not confirm that it has verified ${email}; ask your admin to have it send the email_verified claim to Okra, then sign in again.`,
        );
      }
      const byEmail = await userQueries.findByEmail(tx, scope, email);
      if (byEmail?.ssoSubject) {
        // Already linked to another identity at the provider: the email alone must not take it over.
        throw new AppError(
          "FORBIDDEN",
          `The Okra account for ${email} is linked to a different identity at your identity provider, so this sign-in cannot use it. Sign in as that identity, or ask an admin to check the account.`,
        );
      }
      person = byEmail;
    }
    if (person) {
      if (!person.active) {
        throw new AppError(
          "FORBIDDEN",
          "Your Okra account in this organisation is deactivated; ask an admin to reactivate it.",
        );
      }
      if (!person.ssoSubject) {
        // Linking is a change of sign-in identity: the same rule as every path, with the rank of the
        // owners who configure single sign-on (so never the instance administrator's account).
        const denial = personChangeDenial(SSO_CHANGER, person, { identity: true });
        if (denial) {
          throw new AppError(
            "FORBIDDEN",
            `Single sign-on cannot take over the Okra account for ${email}: it has more access than the owners who set up single sign-on can hand out. Sign in with its password instead.`,
          );
        }
        // Remember the provider's id, so a later change of email still finds this person.
        await ssoQueries.linkSubject(tx, scope, person.id, sub);
        await audit("user.ssoLinked", "user", person.id, { ssoSubject: null }, { ssoSubject: sub, email });
        await settlePersonChange(tx, scope, person.id, { identity: true }, nowMs, audit);
      }
      return { userId: person.id, created: false };
    }
    if (!trusted) {
      throw new AppError(
        "FORBIDDEN",
        `${email} has no account in this organisation, and ${domain} is not one of the email domains whose people get one on first sign-in. Ask an admin to add you.`,
      );
    }
    const role = SSO_DEFAULT_ROLES.includes(config.defaultRole as "member") ? config.defaultRole : "member";
    const denial = personChangeDenial(SSO_CHANGER, null, { role });
    if (denial) throw new AppError("FORBIDDEN", denial);
    const given = [stringClaim(claims.given_name), stringClaim(claims.family_name)].filter(Boolean).join(" ");
    const name = (stringClaim(claims.name) ?? (given || email.slice(0, email.lastIndexOf("@")))).slice(0, 200);
    const row = await userRepo.insert(tx, scope, {
      name,
      email,
      role,
      ssoSubject: sub,
    });
    await audit("user.created", "user", row.id, null, { ...presentUser(row, []), via: "sso" });
    return { userId: row.id, created: true };
  });
  return { ...outcome, orgId: scope.orgId, returnTo: safeReturnTo(pending.returnTo) };
}
