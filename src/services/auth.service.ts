/**
 * Credentials: API tokens (stored as SHA-256 hashes, shown once), the first-start
 * bootstrap of an empty database, and resolving a bearer token to an Actor.
 */
import { createHash, randomBytes } from "node:crypto";
import { accountQueries } from "../db/account-queries.js";
import type { Database } from "../db/database.js";
import { instanceQueries } from "../db/instance-queries.js";
import { grantOrgScope } from "../db/org-scope.js";
import { inTransaction, organizationRepo, tokenRepo, userQueries, userRepo } from "../db/repositories.js";
import { credentialHolds } from "../domain/access.js";
import { AppError } from "../domain/errors.js";
import { type Actor, type Services, writeTransaction } from "./context.js";

const TOKEN_PREFIX = "okra_";

/** A fresh random token secret. */

/** The organisation's name when the operator gives none (OKRA_ORG_NAME); the demo replaces it with its own. */
export const DEFAULT_ORGANIZATION_NAME = "My organisation";

export function generateToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString("base64url");
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export interface BootstrapResult {
  created: boolean;
  organizationId: string;
  adminEmail: string;
  /** The admin's token, present only when it was generated now (printed once). */
  generatedToken: string | null;
  /** The given bootstrap token was revoked in Okra: it stays revoked, and the start goes on. */
  bootstrapTokenRevoked: boolean;
}

/**
 * On an empty database, creates the organisation and its admin with an API token:
 * `bootstrapToken` when given (automation), else a generated one returned once.
 * On a database that already has an organisation, changes nothing — except that a
 * given `bootstrapToken` is registered for the first admin if it is not known yet.
 *
 * Not on the one write path (`writeTransaction`): that path locks, loads and audits an
 * organisation that exists, and this transaction is what creates the first one. It takes the
 * instance's own lock instead, and there is nobody yet to hear of it or to record as actor.
 */
export async function bootstrap(
  database: Database,
  opts: { organizationName?: string; adminName?: string; adminEmail?: string; bootstrapToken?: string | undefined },
): Promise<BootstrapResult> {
  if (opts.bootstrapToken !== undefined && opts.bootstrapToken.length < 16) {
    throw AppError.validation(["OKRA_BOOTSTRAP_TOKEN: must be at least 16 characters long"]);
  }
  return inTransaction(database.db, async (tx) => {
    // Two instances starting together on one server must not both create an organisation.
    await instanceQueries.lockInstance(tx);
    const email = opts.adminEmail ?? "admin@example.com";
    if ((await organizationRepo.count(tx)) > 0) {
      const admin = await instanceQueries.firstInstanceAdmin(tx);
      let revoked = false;
      if (admin && opts.bootstrapToken) {
        // Known (live or revoked) means it was registered before: a revocation must stick.
        const known = await tokenRepo.statusByHash(tx, hashToken(opts.bootstrapToken));
        revoked = known === "revoked";
        if (!known) {
          await tokenRepo.insert(tx, grantOrgScope(admin.orgId), {
            userId: admin.id,
            name: "bootstrap",
            tokenHash: hashToken(opts.bootstrapToken),
            scope: "write",
          });
        }
      }
      return {
        created: false,
        organizationId: admin?.orgId ?? "",
        adminEmail: admin?.email ?? "",
        generatedToken: null,
        bootstrapTokenRevoked: revoked,
      };
    }
    const org = await organizationRepo.insert(tx, opts.organizationName ?? DEFAULT_ORGANIZATION_NAME);
    const scope = grantOrgScope(org.id);
    const user = await userRepo.insert(tx, scope, {
      name: opts.adminName ?? "Admin",
      email,
      role: "owner",
      isInstanceAdmin: true,
    });
    const token = opts.bootstrapToken ?? generateToken();
    await tokenRepo.insert(tx, scope, {
      userId: user.id,
      name: "bootstrap",
      tokenHash: hashToken(token),
      scope: "write",
    });
    return {
      created: true,
      organizationId: org.id,
      adminEmail: email,
      generatedToken: opts.bootstrapToken ? null : token,
      bootstrapTokenRevoked: false,
    };
  });
}

/** How stale a token's `lastUsedAt` may get before a use writes it again (a busy token writes once a minute). */
export const TOKEN_USE_RESOLUTION_MS = 60_000;

/**
 * Resolves a bearer token to its active user, or throws UNAUTHENTICATED. Given the clock
 * (`nowMs`), records the use in the token's `lastUsedAt` when the stored value is older than
 * TOKEN_USE_RESOLUTION_MS.
 */
export async function authenticate(database: Database, token: string | undefined, nowMs?: number): Promise<Actor> {
  if (!token) {
    throw new AppError("UNAUTHENTICATED", 'Sign in: send your API token as "Authorization: Bearer <token>".');
  }
  const found = await tokenRepo.findByHash(database.db, hashToken(token));
  if (!found?.user.active) {
    throw new AppError(
      "UNAUTHENTICATED",
      "This API token is not valid (unknown, revoked, or its account is deactivated).",
    );
  }
  // Rank is checked on use: a token someone else issued stops once they no longer outrank its account.
  if (!credentialHolds(found.issuer, found.user, "token")) {
    throw new AppError(
      "UNAUTHENTICATED",
      "This API token is no longer valid: the person who issued it no longer has more access than its account. Ask its account holder, or an organisation owner, for a new one.",
    );
  }
  const lastUsedMs = found.token.lastUsedAt?.getTime();
  if (nowMs !== undefined && (lastUsedMs === undefined || nowMs - lastUsedMs >= TOKEN_USE_RESOLUTION_MS)) {
    const stale = new Date(nowMs - TOKEN_USE_RESOLUTION_MS);
    // Bookkeeping on the read path, not a change: no audit, no event, no organisation lock.
    const scope = grantOrgScope(found.token.orgId);
    await accountQueries.touchToken(database.db, scope, found.token.id, new Date(nowMs), stale);
  }
  return {
    userId: found.user.id,
    orgId: found.user.orgId,
    scope: grantOrgScope(found.user.orgId),
    role: found.user.role,
    access: found.token.scope === "read" ? "read" : "write",
    isInstanceAdmin: found.user.isInstanceAdmin,
    issuedBy: found.issuer?.id ?? null,
  };
}

/** The services of a command-line run: its own clock, and no live listeners in this process. */
function cliServices(database: Database, nowMs = Date.now()): Services {
  return { database, now: () => nowMs, emit: () => {} };
}

/**
 * Issues a new API token for the user with this email in the first organisation that
 * has one (the CLI's `okra token create`). Returns the secret once. Throws NOT_FOUND when
 * no account has the email, CONFLICT when it is deactivated.
 */
export async function createTokenForEmail(
  database: Database,
  email: string,
  opts: { name?: string; scope?: "read" | "write" } = {},
): Promise<{ token: string; userId: string; orgId: string }> {
  // The command names an email, not an organisation: the instance's organisations are searched in turn.
  for (const orgId of await instanceQueries.organizationIds(database.db)) {
    const scope = grantOrgScope(orgId);
    const found = await userQueries.findByEmail(database.db, scope, email);
    if (!found) continue;
    return writeTransaction(cliServices(database), { scope, actorId: null }, async (t) => {
      const user = await userRepo.get(t.tx, t.scope, found.id);
      if (!user.active) throw new AppError("CONFLICT", `The account ${email} is deactivated; reactivate it first.`);
      const token = generateToken();
      await tokenRepo.insert(t.tx, t.scope, {
        userId: user.id,
        name: opts.name ?? "cli",
        tokenHash: hashToken(token),
        scope: opts.scope ?? "write",
      });
      return { token, userId: user.id, orgId };
    });
  }
  throw new AppError("NOT_FOUND", `No account has the email ${email}. List people with GET /api/v1/users.`);
}

/** How long a printed sign-in link works. */
export const SIGN_IN_LINK_TTL_MS = 30 * 60_000;

/**
 * Issues a one-time sign-in code for the first active instance admin (or the account with
 * `email`), valid for SIGN_IN_LINK_TTL_MS. Returns the code once; only its hash is stored.
 * Throws NOT_FOUND when there is no such account.
 */
export async function createSignInCode(
  database: Database,
  nowMs: number,
  email?: string,
): Promise<{ code: string; email: string }> {
  const user = await instanceQueries.firstActiveAccount(database.db, email);
  if (!user)
    throw new AppError(
      "NOT_FOUND",
      email ? `No active account has the email ${email}.` : "There is no admin account yet.",
    );
  const code = randomBytes(24).toString("base64url");
  await writeTransaction(cliServices(database, nowMs), { scope: grantOrgScope(user.orgId), actorId: null }, (t) =>
    accountQueries.insertSignInCode(t.tx, t.scope, {
      userId: user.id,
      codeHash: hashToken(code),
      expiresAt: new Date(nowMs + SIGN_IN_LINK_TTL_MS),
    }),
  );
  return { code, email: user.email };
}

/**
 * Consumes a one-time sign-in code and names its account (the caller opens a session).
 * A code works once and only until it expires; anything else is UNAUTHENTICATED.
 */
export async function consumeSignInCode(svc: Services, code: unknown): Promise<{ userId: string; orgId: string }> {
  if (typeof code !== "string" || !code)
    throw AppError.validation(["code: is required (the code from the sign-in link)"]);
  const refused = () =>
    new AppError(
      "UNAUTHENTICATED",
      "This sign-in link is not valid: it was already used or has expired. Run 'okra signin-link' (or 'npm run okra -- signin-link') for a new one, or ask an admin.",
    );
  // The printed secret names the code, and so its organisation.
  const found = await accountQueries.findOpenSignInCode(svc.database.db, hashToken(code), new Date(svc.now()));
  if (!found) throw refused();
  const scope = grantOrgScope(found.orgId);
  // Nothing audited here: the session it opens is (`user.signedIn`, method "link").
  await writeTransaction(svc, { scope, actorId: found.userId }, async (t) => {
    // Used conditionally in the transaction: of two requests with one code, one wins.
    if (!(await accountQueries.useSignInCode(t.tx, t.scope, found.id, new Date(t.nowMs)))) throw refused();
  });
  return { userId: found.userId, orgId: found.orgId };
}
