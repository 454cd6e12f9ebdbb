/**
 * Accounts in the browser: passwords (argon2id), sessions (the cookie holds a random
 * secret, the table its hash, plus the CSRF token writes must echo), lockout after
 * repeated failures, invitations and password resets by emailed one-time links, and
 * signing out one session or everywhere.
 */
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { hash, verify } from "@node-rs/argon2";
import * as zxcvbnCommon from "@zxcvbn-ts/language-common";
import { z } from "zod";
import { accountQueries, type LinkPurpose } from "../db/account-queries.js";
import type { Database, Executor } from "../db/database.js";
import { grantOrgScope, type OrgScope } from "../db/org-scope.js";
import { type UserRow, userRepo } from "../db/repositories.js";
import { isId } from "../db/table-repository.js";
import { credentialHolds, outranks, vouchesFor } from "../domain/access.js";
import { AppError } from "../domain/errors.js";
import { hashToken } from "./auth.service.js";
import { type Actor, mutate, publicBaseUrl, type Services, type Transaction, writeTransaction } from "./context.js";
import { parseInput, TitleSchema } from "./schemas.js";

/** Argon2id with the OWASP-recommended minimum cost (19 MiB, 2 passes, 1 lane). */
const ARGON2 = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const SESSION_COOKIE = "okra_session";

export interface SessionPolicy {
  /** A session ends after this long without a request. */
  idleMs: number;
  /** …and in any case this long after sign-in. */
  maxMs: number;
}

export const DEFAULT_SESSION_POLICY: SessionPolicy = { idleMs: 7 * 24 * 3_600_000, maxMs: 30 * 24 * 3_600_000 };

/** Consecutive failed sign-ins that lock an account, and for how long. */
export const LOCKOUT = { maxFailures: 5, lockMs: 15 * 60_000 } as const;

const INVITE_TTL_MS = 7 * 24 * 3_600_000;
const RESET_TTL_MS = 60 * 60_000;

const Password = z
  .string({ message: "is required" })
  .min(10, "must be at least 10 characters long")
  .max(200, "must be at most 200 characters long");

export const LoginSchema = z.strictObject({
  email: z.string({ message: "is required" }).min(1, "is required").max(320),
  password: z.string({ message: "is required" }).min(1, "is required").max(1000),
  organizationId: z.string().max(100).optional(),
});
export const PasswordChangeSchema = z.strictObject({
  currentPassword: z.string().max(1000).optional(),
  newPassword: Password,
});
export const ForgotSchema = z.strictObject({ email: z.string({ message: "is required" }).min(1).max(320) });
export const TokenPasswordSchema = z.strictObject({
  token: z.string({ message: "is required (from the link in the email)" }).min(1).max(200),
  password: Password,
  name: TitleSchema(200).optional(),
});

export async function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2);
}

/** A hash to verify against when the email is unknown, so that both cases take as long. */
let decoy: Promise<string> | null = null;

async function passwordMatches(user: UserRow | undefined, password: string): Promise<boolean> {
  if (!user?.passwordHash) {
    decoy ??= hashPassword(randomBytes(16).toString("hex"));
    await verify(await decoy, password);
    return false;
  }
  try {
    return await verify(user.passwordHash, password);
  } catch {
    return false;
  }
}

let commonPasswords: ReadonlySet<string> | null = null;

/** Whether `password` is on the list of commonly used passwords (zxcvbn-ts's, about 49,000). */
export function isCommonPassword(password: string): boolean {
  commonPasswords ??= new Set(zxcvbnCommon.dictionary["passwords-common"].map((p) => p.toLowerCase()));
  return commonPasswords.has(password.toLowerCase());
}

function passwordProblems(password: string, user: Pick<UserRow, "email" | "name">): string[] {
  const lower = password.toLowerCase();
  if (lower === user.email.toLowerCase() || lower === user.name.toLowerCase()) {
    return ["password: must not be your email or your name"];
  }
  if (isCommonPassword(password)) {
    return ["password: is one of the most common passwords, which attackers try first; choose another"];
  }
  return [];
}

export interface OpenedSession {
  /** The cookie's secret (never stored). */
  token: string;
  csrfToken: string;
  expiresAt: Date;
  user: { id: string; name: string; email: string; role: string; orgId: string };
}

async function openSession(
  t: Transaction,
  user: UserRow,
  opts: { nowMs: number; userAgent?: string | undefined; method: string; policy?: SessionPolicy | undefined },
): Promise<OpenedSession> {
  const policy = opts.policy ?? DEFAULT_SESSION_POLICY;
  const token = `okra_s_${randomBytes(32).toString("base64url")}`;
  const csrfToken = randomBytes(24).toString("base64url");
  const expiresAt = new Date(opts.nowMs + policy.maxMs);
  await accountQueries.insertSession(t.tx, t.scope, {
    userId: user.id,
    tokenHash: hashToken(token),
    csrfToken,
    createdAt: new Date(opts.nowMs),
    lastSeenAt: new Date(opts.nowMs),
    expiresAt,
    userAgent: (opts.userAgent ?? "").slice(0, 300),
    method: opts.method,
  });
  return {
    token,
    csrfToken,
    expiresAt,
    user: { id: user.id, name: user.name, email: user.email, role: user.role, orgId: user.orgId },
  };
}

/** Opens a session and records the sign-in (with how it was made) in the audit trail. */
async function openAuditedSession(
  t: Transaction,
  user: UserRow,
  opts: { nowMs: number; userAgent?: string | undefined; method: string; policy?: SessionPolicy | undefined },
): Promise<OpenedSession> {
  const opened = await openSession(t, user, opts);
  await t.audit("user.signedIn", "user", user.id, null, { method: opts.method });
  return opened;
}

/** Who a write about one's own account is recorded as: the person themselves. */
const asPerson = (user: Pick<UserRow, "id" | "orgId">) => ({ scope: grantOrgScope(user.orgId), actorId: user.id });

/**
 * Opens a session for an account the caller has already proven (SSO, sign-in link);
 * UNAUTHENTICATED when the account is deactivated or not found.
 */
export async function openSessionFor(
  svc: Services,
  account: { orgId: string; userId: string },
  opts: { nowMs: number; userAgent?: string | undefined; method: string; policy?: SessionPolicy | undefined },
): Promise<OpenedSession> {
  return writeTransaction(svc, asPerson({ id: account.userId, orgId: account.orgId }), async (t) => {
    const user = await userRepo.find(t.tx, t.scope, account.userId);
    if (!user?.active) throw new AppError("UNAUTHENTICATED", "This account is deactivated.");
    return openAuditedSession(t, user, opts);
  });
}

const BAD_LOGIN = `The email or password is incorrect, or the account is locked for ${LOCKOUT.lockMs / 60_000} minutes after ${LOCKOUT.maxFailures} failed attempts. Check both, or reset your password from the sign-in page (that also unlocks it).`;

/**
 * Signs in with email and password. Unknown email, wrong password and a locked account all
 * answer the same; LOCKOUT.maxFailures consecutive failures lock the account for LOCKOUT.lockMs.
 */
export async function login(
  svc: Services,
  body: unknown,
  opts: { nowMs: number; userAgent?: string | undefined; policy?: SessionPolicy | undefined },
): Promise<OpenedSession> {
  const input = parseInput(LoginSchema, body);
  const candidates = (await accountQueries.activeUsersByEmail(svc.database.db, input.email)).filter(
    (u) => !input.organizationId || u.orgId === input.organizationId,
  );
  const now = new Date(opts.nowMs);
  // A locked account answers exactly like a wrong password (no account discovery); the
  // password is still checked, so both take as long.
  const open = candidates.filter((u) => !(u.lockedUntil && u.lockedUntil > now));
  const matching: UserRow[] = [];
  if (candidates.length === 0) await passwordMatches(undefined, input.password);
  for (const u of candidates) {
    if ((await passwordMatches(u, input.password)) && open.includes(u)) matching.push(u);
  }
  if (matching.length > 1) {
    throw new AppError(
      "CONFLICT",
      "This email has an account in several organisations; send organizationId to choose one.",
      { organizationIds: matching.map((u) => u.orgId) },
    );
  }
  const user = matching[0];
  if (!user) {
    // Each account in its own organisation's write (an email may have accounts in several).
    for (const u of open) {
      await writeTransaction(svc, { scope: grantOrgScope(u.orgId), actorId: null }, async (t) => {
        // Counted in the database, so parallel attempts cannot slip past the limit.
        const failures = await accountQueries.countFailedLogin(t.tx, t.scope, u.id);
        if (failures < LOCKOUT.maxFailures) return;
        const until = new Date(opts.nowMs + LOCKOUT.lockMs);
        await accountQueries.lockUntil(t.tx, t.scope, u.id, until);
        await t.audit("user.lockedOut", "user", u.id, null, { until: until.toISOString(), failures });
      });
    }
    throw new AppError("UNAUTHENTICATED", BAD_LOGIN);
  }
  return writeTransaction(svc, asPerson(user), async (t) => {
    await accountQueries.setPassword(t.tx, t.scope, user.id, undefined);
    return openAuditedSession(t, user, { ...opts, method: "password" });
  });
}

export interface SessionActor extends Actor {
  sessionId: string;
  csrfToken: string;
}

/** Resolves a session cookie to its actor; expired, idle, revoked or deactivated → UNAUTHENTICATED. */
export async function authenticateSession(
  database: Database,
  token: string,
  nowMs: number,
  policy: SessionPolicy = DEFAULT_SESSION_POLICY,
  /** Count this as activity for the idle timeout (not when only re-checking an open live stream). */
  touch = true,
): Promise<SessionActor> {
  const found = await accountQueries.findSessionByHash(database.db, hashToken(token));
  const now = new Date(nowMs);
  if (
    !found ||
    found.session.revokedAt ||
    found.session.expiresAt <= now ||
    found.session.lastSeenAt.getTime() + policy.idleMs <= nowMs ||
    !found.user.active
  ) {
    throw new AppError(
      "UNAUTHENTICATED",
      "Your session has ended (signed out, expired or idle too long). Sign in again.",
    );
  }
  // Remember activity for the idle timeout, at most once a minute per session.
  // Bookkeeping, not a change: no audit, no event, and no organisation lock on the read path.
  if (touch && nowMs - found.session.lastSeenAt.getTime() > 60_000) {
    await accountQueries.touchSession(database.db, grantOrgScope(found.session.orgId), found.session.id, now);
  }
  return {
    userId: found.user.id,
    orgId: found.user.orgId,
    scope: grantOrgScope(found.user.orgId),
    role: found.user.role,
    access: "write",
    isInstanceAdmin: found.user.isInstanceAdmin,
    sessionId: found.session.id,
    csrfToken: found.session.csrfToken,
  };
}

/** Ends one session (sign out), recorded as `session.ended` in its organisation's audit trail. */
export async function endSession(
  svc: Services,
  session: { scope: OrgScope; userId: string; sessionId: string },
): Promise<void> {
  await writeTransaction(svc, { scope: session.scope, actorId: session.userId }, async (t) => {
    const ended = await accountQueries.endSession(t.tx, t.scope, session.sessionId, new Date(t.nowMs), session.userId);
    if (!ended) return;
    await t.audit("session.ended", "session", session.sessionId, null, { method: ended.method });
  });
}

async function endAllSessions(ex: Executor, scope: OrgScope, userId: string, nowMs: number, keep?: string) {
  await accountQueries.endSessionsOf(ex, scope, userId, new Date(nowMs), keep);
}

/**
 * Revokes a person's live API tokens — all of them, or (`issuedByOthers`) only those someone
 * else issued for them — and returns their ids.
 */
async function revokeTokensOf(ex: Executor, scope: OrgScope, userId: string, nowMs: number, issuedByOthers: boolean) {
  return accountQueries.revokeTokensOf(ex, scope, userId, new Date(nowMs), issuedByOthers);
}

/** Everything that lets a person in stops working: API tokens, sessions, emailed links (deactivation). */
export async function revokeAccess(
  ex: Executor,
  scope: OrgScope,
  userId: string,
  nowMs: number,
): Promise<{ tokens: string[]; links: number }> {
  const tokens = await revokeTokensOf(ex, scope, userId, nowMs, false);
  await endAllSessions(ex, scope, userId, nowMs);
  return { tokens, links: await voidLinks(ex, scope, userId, nowMs) };
}

/**
 * A change of someone's rank or identity (role, email, identity link) voids what others made for
 * them: API tokens someone else issued, and unused invitation or reset links. Returns what.
 */
async function revokeIssuedCredentials(ex: Executor, scope: OrgScope, userId: string, nowMs: number) {
  const tokens = await revokeTokensOf(ex, scope, userId, nowMs, true);
  return { tokens, links: await voidLinks(ex, scope, userId, nowMs) };
}

/**
 * After `issuerId` lost rank (a new role, deactivation): the tokens and unused invitations they
 * made for others that would no longer hold are revoked now, so that they stay revoked if the
 * issuer regains the rank later.
 */
async function revokeWhatTheyIssued(ex: Executor, scope: OrgScope, issuerId: string, nowMs: number) {
  const issuer = await userRepo.get(ex, scope, issuerId);
  const tokens = await accountQueries.tokensIssuedBy(ex, scope, issuerId);
  const staleTokens = tokens.filter((t) => !credentialHolds(issuer, t.holder, "token")).map((t) => t.id);
  await accountQueries.revokeTokens(ex, scope, staleTokens, new Date(nowMs));
  const links = await accountQueries.linksIssuedBy(ex, scope, issuerId);
  const staleLinks = links.filter((l) => !credentialHolds(issuer, l.holder, "invitation")).map((l) => l.id);
  await accountQueries.voidLinksById(ex, scope, staleLinks, new Date(nowMs));
  // The passwords they could have chosen, of people who now outrank them.
  const outgrown: { userId: string; tokenIds: string[] }[] = [];
  for (const u of await accountQueries.passwordsSetBy(ex, scope, issuerId)) {
    if (!vouchesFor(issuer, u)) outgrown.push({ userId: u.id, tokenIds: await forgetPassword(ex, scope, u.id, nowMs) });
  }
  return { issued: { issuedTokenIds: staleTokens, issuedLinks: staleLinks.length }, outgrown };
}

/**
 * Forgets a password someone else could have chosen, and every way in it may have opened:
 * sessions, API tokens (the person's own too: made in such a session) and unused links.
 */
async function forgetPassword(ex: Executor, scope: OrgScope, userId: string, nowMs: number): Promise<string[]> {
  await accountQueries.clearPassword(ex, scope, userId);
  await endAllSessions(ex, scope, userId, nowMs);
  await voidLinks(ex, scope, userId, nowMs);
  return revokeTokensOf(ex, scope, userId, nowMs, false);
}

/**
 * After a person's role changed: a password set through a link of someone who no longer has
 * their rank is forgotten (with what it opened, {@link forgetPassword}); an email set by such a
 * person is vouched for by whoever made the change (`by`), who sees it as they do.
 */
async function settleRank(ex: Executor, scope: OrgScope, userId: string, by: string | null, nowMs: number) {
  const user = await userRepo.get(ex, scope, userId);
  const vouched = async (setterId: string | null) => {
    if (!setterId) return true;
    const setter = await userRepo.find(ex, scope, setterId);
    return !!setter && vouchesFor(setter, user);
  };
  const passwordCleared = !(await vouched(user.passwordSetBy));
  const tokens = passwordCleared ? await forgetPassword(ex, scope, userId, nowMs) : [];
  if (!(await vouched(user.emailSetBy)))
    await accountQueries.setEmailSetBy(ex, scope, userId, by === userId ? null : by);
  return { passwordCleared, tokens };
}

/** Records an audit event in the open transaction (each path passes its own: with or without an actor). */
export type AuditFn = (
  action: string,
  objectType: string,
  objectId: string,
  before: unknown,
  after: unknown,
) => Promise<void>;

/**
 * After a person changed (through the API, SCIM, the HRIS import or single sign-on), in the same
 * transaction: deactivation ends every way in; a new email ends sessions and links (and records who
 * set it: they receive its reset links); and any change of role, email or identity link revokes the
 * tokens others issued for them and their unused links, so that no credential acts with more rank
 * than its issuer had. A new role also forgets a password someone of less rank could have chosen
 * (`settleRank`). A loss of rank (a new role, deactivation) revokes what they issued for others
 * that no longer holds, and forgets the passwords set through their links of people who now
 * outrank them. What was revoked is recorded as `user.credentialsRevoked`.
 */
export async function settlePersonChange(
  ex: Executor,
  scope: OrgScope,
  userId: string,
  change: { role?: boolean; email?: boolean; identity?: boolean; deactivated?: boolean },
  nowMs: number,
  audit: AuditFn,
  /**
   * Who made the change, as far as credentials go: the account acting, or the issuer of the
   * token it acts with; null for the person's identity provider (SCIM, single sign-on).
   */
  by: string | null = null,
): Promise<void> {
  if (!change.deactivated && !change.role && !change.email && !change.identity) return;
  if (change.email) {
    await endAllSessions(ex, scope, userId, nowMs);
    await accountQueries.setEmailSetBy(ex, scope, userId, by === userId ? null : by);
  }
  const revoked = change.deactivated
    ? await revokeAccess(ex, scope, userId, nowMs)
    : await revokeIssuedCredentials(ex, scope, userId, nowMs);
  const rank =
    change.role && !change.deactivated
      ? await settleRank(ex, scope, userId, by, nowMs)
      : { passwordCleared: false, tokens: [] };
  const { issued, outgrown } =
    change.deactivated || change.role
      ? await revokeWhatTheyIssued(ex, scope, userId, nowMs)
      : { issued: { issuedTokenIds: [], issuedLinks: 0 }, outgrown: [] };
  const tokenIds = [...revoked.tokens, ...rank.tokens];
  if (tokenIds.length || revoked.links || rank.passwordCleared || issued.issuedTokenIds.length || issued.issuedLinks) {
    const reason = change.deactivated
      ? "deactivated"
      : change.role
        ? "role changed"
        : change.email
          ? "email changed"
          : "sign-in identity changed";
    await audit("user.credentialsRevoked", "user", userId, null, {
      reason,
      tokenIds,
      links: revoked.links,
      ...(rank.passwordCleared && { passwordCleared: true }),
      ...issued,
    });
  }
  for (const { userId: holder, tokenIds: held } of outgrown) {
    await audit("user.credentialsRevoked", "user", holder, null, {
      reason: "password set through a link of someone who now has less access",
      tokenIds: held,
      links: 0,
      passwordCleared: true,
      setBy: userId,
    });
  }
}

/** Marks a person's unused emailed links (of one purpose, or all) as used: only the newest link may work. */
async function voidLinks(
  ex: Executor,
  scope: OrgScope,
  userId: string,
  nowMs: number,
  purpose?: LinkPurpose,
): Promise<number> {
  return accountQueries.voidLinksOf(ex, scope, userId, new Date(nowMs), purpose);
}

/** My open sessions, newest first (never the secrets). */
export async function listSessions(svc: Services, actor: Actor) {
  const nowMs = svc.now();
  const rows = await accountQueries.openSessionsOf(svc.database.db, actor.scope, actor.userId, new Date(nowMs));
  return {
    items: rows.map((s) => ({
      id: s.id,
      createdAt: s.createdAt.toISOString(),
      lastSeenAt: s.lastSeenAt.toISOString(),
      expiresAt: s.expiresAt.toISOString(),
      userAgent: s.userAgent,
      method: s.method,
      current: s.id === actor.sessionId,
    })),
    nextCursor: null,
  };
}

/** Ends one of my sessions, recorded as `session.revoked`; NOT_FOUND for a session that is not my open one. */
export async function revokeSession(svc: Services, actor: Actor, id: string): Promise<void> {
  if (!isId(id)) throw AppError.notFound("session", id);
  await mutate(svc, actor, async (w) => {
    const ended = await accountQueries.endSession(w.tx, w.scope, id, new Date(w.nowMs), actor.userId);
    if (!ended) throw AppError.notFound("session", id);
    await w.audit("session.revoked", "session", ended.id, null, { method: ended.method });
  });
}

/** Signs me out everywhere: every session of mine ends (API tokens are managed separately). */
export async function signOutEverywhere(svc: Services, actor: Actor): Promise<void> {
  await mutate(svc, actor, async (w) => {
    await endAllSessions(w.tx, w.scope, actor.userId, w.nowMs);
    await w.audit("user.signedOutEverywhere", "user", actor.userId, null, null);
  });
}

/** Changes my password (the current one is required once one is set); my other sessions end. */
export async function changePassword(svc: Services, actor: Actor, body: unknown): Promise<void> {
  const input = parseInput(PasswordChangeSchema, body);
  if (actor.issuedBy) {
    // A password outlives any token: someone else's token for this account must not set one.
    throw new AppError(
      "FORBIDDEN",
      "This API token was issued by someone else, so it cannot set the account's password. Sign in as yourself (an invitation or 'Forgot password') to set it.",
    );
  }
  const user = await userRepo.get(svc.database.db, actor.scope, actor.userId);
  if (user.passwordHash) {
    if (!input.currentPassword) throw AppError.validation(["currentPassword: is required to change your password"]);
    if (!(await passwordMatches(user, input.currentPassword))) {
      throw AppError.validation(["currentPassword: is not your current password"]);
    }
  }
  const problems = passwordProblems(input.newPassword, user).map((p) => p.replace(/^password/, "newPassword"));
  if (problems.length) throw AppError.validation(problems);
  const passwordHash = await hashPassword(input.newPassword);
  await mutate(svc, actor, async (w) => {
    await accountQueries.setPassword(w.tx, w.scope, user.id, passwordHash);
    await endAllSessions(w.tx, w.scope, user.id, w.nowMs, actor.sessionId);
    await voidLinks(w.tx, w.scope, user.id, w.nowMs);
    await w.audit("user.passwordChanged", "user", user.id, null, null);
  });
}

// ---------------------------------------------------------------- emailed links

/** How many times one reset link is emailed at most (repeated requests re-send it; then nothing). */
export const MAX_RESET_SENDS = 3;

/**
 * The instance's key for reset links, made on first need. A reset link's secret is derived from
 * its row id with this key, so that a repeated "forgot password" can send the same link again
 * while only the secret's hash is stored. Whoever can read this table can derive live reset
 * links (for their hour): it is not part of the reporting interface, and backups of the
 * database must be kept as safe as the database.
 */
async function linkKey(ex: Executor): Promise<string> {
  return accountQueries.instanceSecret(ex, "email-links", randomBytes(32).toString("base64url"));
}

function linkSecret(key: string, linkId: string): string {
  return createHmac("sha256", key).update(linkId).digest("base64url");
}

/** A new link for `user` (voiding their older ones of that purpose); `issuer`: who had it made, if not them. */
async function issueLink(
  ex: Executor,
  user: UserRow,
  purpose: LinkPurpose,
  nowMs: number,
  issuer: string | null,
): Promise<string> {
  const scope = grantOrgScope(user.orgId);
  await voidLinks(ex, scope, user.id, nowMs, purpose);
  const id = randomUUID();
  // Only reset links (an hour) are derived, to be re-sent; an invitation's secret is random and never stored.
  const token = purpose === "reset" ? linkSecret(await linkKey(ex), id) : randomBytes(32).toString("base64url");
  await accountQueries.insertLink(ex, scope, {
    id,
    userId: user.id,
    purpose,
    tokenHash: hashToken(token),
    createdBy: issuer && issuer !== user.id ? issuer : null,
    expiresAt: new Date(nowMs + (purpose === "invite" ? INVITE_TTL_MS : RESET_TTL_MS)),
    createdAt: new Date(nowMs),
  });
  return token;
}

/**
 * The reset link to email `user` now: their still-valid one again (counted), or a new one when
 * there is none; null once the valid one was sent MAX_RESET_SENDS times (nothing more is sent
 * until it expires), so that nobody can flood a mailbox or void a link the person is about to use.
 */
async function resetLinkFor(ex: Executor, user: UserRow, nowMs: number): Promise<string | null> {
  const scope = grantOrgScope(user.orgId);
  const open = await accountQueries.openResetLink(ex, scope, user.id, new Date(nowMs));
  // Whoever set the email the link goes to could use it: they are its issuer.
  if (!open) return issueLink(ex, user, "reset", nowMs, user.emailSetBy);
  const token = linkSecret(await linkKey(ex), open.id);
  // A link made before secrets were derived (an upgrade) cannot be re-sent: replace it.
  if (hashToken(token) !== open.tokenHash) return issueLink(ex, user, "reset", nowMs, user.emailSetBy);
  return (await accountQueries.countSend(ex, scope, open.id, MAX_RESET_SENDS)) ? token : null;
}

function linkUrl(svc: Services, purpose: LinkPurpose, token: string): string {
  const base = publicBaseUrl(svc);
  // The token rides in the fragment: it never reaches server logs or Referer headers.
  return `${base}/${purpose === "invite" ? "accept-invitation" : "reset-password"}#token=${token}`;
}

export interface InvitationResult {
  email: string;
  /** Whether an email went out. */
  sent: boolean;
  /** The link, only when no mail is configured (the admin passes it on) — or sending failed. */
  url?: string;
  error?: string;
}

/**
 * Whether nobody has ever used this account: no password, no single sign-on link, and never a
 * session, an API token, a sign-in code or an emailed link (a person added a moment ago).
 */
async function isUnused(ex: Executor, user: UserRow): Promise<boolean> {
  if (user.passwordHash || user.externalId || user.ssoSubject) return false;
  return !(await accountQueries.hasSignInTraces(ex, grantOrgScope(user.orgId), user.id));
}

/**
 * Issues an invitation link for `userId` and emails it (after the transaction committed); without
 * a mailer the link is in the answer. Whoever holds the link chooses the account's password, so:
 * FORBIDDEN unless the caller outranks the person (see `outranks`) — or the person is of the
 * caller's own role and nobody has used the account yet (an admin adding an admin); CONFLICT
 * when the person is deactivated or already has a password.
 */
export async function inviteUser(svc: Services, actor: Actor, userId: string): Promise<InvitationResult> {
  const { user, token, orgName } = await mutate(svc, actor, async ({ tx, org, audit, nowMs }) => {
    const u = await userRepo.get(tx, actor.scope, userId);
    if (!u.active) throw new AppError("CONFLICT", `${u.name} is deactivated; reactivate them before inviting.`);
    const sameRank = u.role === actor.role && !u.isInstanceAdmin;
    if (u.id !== actor.userId && !outranks(actor, u) && !(sameRank && (await isUnused(tx, u)))) {
      throw new AppError(
        "FORBIDDEN",
        `You can invite only people with less access than yours (admins: members and observers; owners: anyone but the instance administrator), because the invitation link sets the account's password. ${u.isInstanceAdmin ? `${u.name} is the instance administrator: only they can set their password, with 'Forgot password' on the sign-in page.` : `An organisation owner can invite ${u.name}; or ${u.name} can use 'Forgot password' on the sign-in page.`}`,
      );
    }
    if (u.passwordHash) {
      throw new AppError(
        "CONFLICT",
        `${u.name} already has a password; they can use 'Forgot password' on the sign-in page to choose a new one (an invitation would replace it).`,
      );
    }
    const t = await issueLink(tx, u, "invite", nowMs, actor.userId);
    await audit("user.invited", "user", u.id, null, { email: u.email });
    return { user: u, token: t, orgName: org.name };
  });
  const url = linkUrl(svc, "invite", token);
  if (!svc.mailer) return { email: user.email, sent: false, url };
  try {
    await svc.mailer.send({
      to: user.email,
      subject: `You are invited to ${orgName} on Okra`,
      text: [
        `Hello ${user.name},`,
        "",
        `You have been invited to set goals and track them with ${orgName} on Okra.`,
        "Choose a password to sign in (this link works once, for 7 days):",
        "",
        url,
      ].join("\n"),
    });
    return { email: user.email, sent: true };
  } catch (err) {
    return { email: user.email, sent: false, url, error: `The email could not be sent: ${(err as Error).message}` };
  }
}

/**
 * Starts sending a password-reset link to every active account with this email, and answers at
 * once: the links are issued and emailed in the background (`issuing`), so that neither the
 * answer nor its timing tells whether the email is known. `issuing` never rejects: what fails
 * (the database, the mail relay) goes to `onError`, and the link simply does not arrive.
 * Throws VALIDATION for a malformed body.
 */
export function requestPasswordReset(
  svc: Services,
  body: unknown,
  onError: (err: unknown) => void = () => {},
): { answer: { accepted: true; canEmail: boolean }; issuing: Promise<void> } {
  const input = parseInput(ForgotSchema, body);
  const nowMs = svc.now();
  const issuing = (async () => {
    const accounts = await accountQueries.activeUsersByEmail(svc.database.db, input.email);
    const mails: Promise<void>[] = [];
    for (const user of accounts) {
      // Nothing audited (the reset is, when the link is used); the organisation's lock keeps
      // parallel requests from issuing two links.
      const token = await writeTransaction(svc, { scope: grantOrgScope(user.orgId), actorId: null }, (t) =>
        resetLinkFor(t.tx, user, nowMs),
      );
      if (!token || !svc.mailer) continue;
      mails.push(
        svc.mailer
          .send({
            to: user.email,
            subject: "Reset your Okra password",
            text: [
              `Hello ${user.name},`,
              "",
              "Someone (hopefully you) asked to reset your Okra password. Choose a new one here (the link works once, for an hour):",
              "",
              linkUrl(svc, "reset", token),
              "",
              "If it was not you, ignore this email: your password stays as it is.",
            ].join("\n"),
          })
          .catch(onError),
      );
    }
    await Promise.all(mails);
  })().catch(onError);
  // Whether a link can reach anyone at all says nothing about this email: without a mail server
  // the person is told at once to ask an admin for a sign-in link, instead of waiting for a mail.
  return { answer: { accepted: true, canEmail: Boolean(svc.mailer) }, issuing };
}

/**
 * Sets the password from an emailed link (invitation or reset), ends the other sessions, and
 * signs in. UNAUTHENTICATED for a used, expired or unknown link, a deactivated account, or an
 * invitation whose issuer no longer outranks the account; VALIDATION for a weak password.
 */
export async function completeLink(
  svc: Services,
  purpose: LinkPurpose,
  body: unknown,
  opts: { nowMs: number; userAgent?: string | undefined; policy?: SessionPolicy | undefined },
): Promise<OpenedSession> {
  const input = parseInput(TokenPasswordSchema, body);
  const passwordHash = await hashPassword(input.password);
  const invalid = () =>
    new AppError(
      "UNAUTHENTICATED",
      purpose === "invite"
        ? "This invitation link is not valid: it was already used or has expired. Ask an admin to invite you again."
        : "This reset link is not valid: it was already used or has expired. Ask for a new one from the sign-in page.",
    );
  // The emailed secret names the link, and so the organisation and the person the write is theirs.
  const found = await accountQueries.findOpenLinkByHash(
    svc.database.db,
    hashToken(input.token),
    purpose,
    new Date(opts.nowMs),
  );
  if (!found) throw invalid();
  return writeTransaction(svc, asPerson({ id: found.userId, orgId: found.orgId }), async (t) => {
    // Used in the transaction, conditionally: of two requests with one link, one wins.
    if (!(await accountQueries.useLink(t.tx, t.scope, found.id, new Date(opts.nowMs)))) throw invalid();
    const user = await userRepo.get(t.tx, t.scope, found.userId);
    if (!user.active) throw new AppError("UNAUTHENTICATED", "This account is deactivated.");
    // Rank is checked on use: an invitation sets a password only while its issuer could still issue it.
    const issuer = found.createdBy ? ((await userRepo.find(t.tx, t.scope, found.createdBy)) ?? null) : null;
    const gone = found.createdBy && !issuer;
    // A reset link's issuer is whoever set the email: it holds while their rank covers the person's,
    // active or not (a departed admin's hires must still be able to reset their passwords).
    const holds =
      purpose === "reset" ? !issuer || vouchesFor(issuer, user) : !gone && credentialHolds(issuer, user, "invitation");
    if (!holds) {
      throw new AppError(
        "UNAUTHENTICATED",
        purpose === "invite"
          ? "This invitation link is no longer valid: the person who sent it no longer has more access than this account. Ask an organisation owner to invite you again, or use 'Forgot password' on the sign-in page."
          : "This reset link cannot set your password: your email address was last set by someone who no longer has more access than your account. Ask an organisation owner to confirm your email (People, then your name), then ask for a new link.",
      );
    }
    const problems = passwordProblems(input.password, user);
    if (problems.length) throw AppError.validation(problems);
    const name = purpose === "invite" && input.name ? input.name : undefined;
    // Whoever issued the link could have chosen this password: remembered, for a promotion beyond their rank.
    await accountQueries.setPassword(t.tx, t.scope, user.id, passwordHash, name, found.createdBy);
    await endAllSessions(t.tx, t.scope, user.id, opts.nowMs);
    await voidLinks(t.tx, t.scope, user.id, opts.nowMs);
    await t.audit(purpose === "invite" ? "user.invitationAccepted" : "user.passwordReset", "user", user.id, null, null);
    return openSession(t, user, { ...opts, method: "password" });
  });
}
