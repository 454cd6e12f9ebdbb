/**
 * Personal API tokens: named, scoped (read / write), shown once, stored hashed, revocable.
 * Admins may issue one for another account they outrank (automation, service accounts); such a
 * token records its issuer and works only while the issuer still outranks the account.
 */

import { apiTokenQueries } from "../db/credential-queries.js";
import { type TokenRow, tokenRepo, userRepo } from "../db/repositories.js";
import { outranks } from "../domain/access.js";
import { AppError } from "../domain/errors.js";
import { generateToken, hashToken } from "./auth.service.js";
import { type Actor, mutate, read, type Services } from "./context.js";
import { parseInput, TokenCreateSchema } from "./schemas.js";

function presentToken(t: TokenRow) {
  return {
    id: t.id,
    name: t.name,
    scope: t.scope,
    userId: t.userId,
    /** Who issued it, when not its own account (it works only while they outrank the account). */
    createdBy: t.createdBy ?? null,
    createdAt: t.createdAt.toISOString(),
    lastUsedAt: t.lastUsedAt ? t.lastUsedAt.toISOString() : null,
  };
}

/** Issues a token for `userId` (the caller unless an admin names someone else). The secret is in this answer only. */
export async function createToken(svc: Services, actor: Actor, body: unknown, userId = actor.userId) {
  const input = parseInput(TokenCreateSchema, body);
  return mutate(svc, actor, async (w) => {
    if (userId !== actor.userId) w.guard.assertAdmin("issue API tokens for another account");
    const user = await userRepo.get(w.tx, w.scope, userId);
    if (!user.active) throw new AppError("CONFLICT", `The account ${user.email} is deactivated; reactivate it first.`);
    // A token acts as its account: never hand someone more power than the caller has.
    if (userId !== actor.userId && !outranks(actor, user)) {
      throw new AppError(
        "FORBIDDEN",
        "You can issue API tokens only for accounts with less access than yours (admins: members and observers; owners: anyone but the instance administrator).",
      );
    }
    const secret = generateToken();
    const row = await tokenRepo.insert(w.tx, w.scope, {
      userId,
      name: input.name,
      tokenHash: hashToken(secret),
      scope: input.scope ?? "write",
      // A token made with a token someone else issued stays bound to that issuer (it must not outlive their rank).
      createdBy: userId === actor.userId ? (actor.issuedBy ?? null) : actor.userId,
    });
    const view = presentToken(row);
    await w.audit("token.created", "token", row.id, null, view);
    return { ...view, token: secret };
  });
}

/** The caller's live tokens, newest first (never the secrets). */
export async function listTokens(svc: Services, actor: Actor) {
  return read(svc, actor, async ({ ex, scope }) => {
    const rows = await apiTokenQueries.liveOf(ex, scope, actor.userId);
    return { items: rows.map(presentToken), nextCursor: null };
  });
}

/** Revokes one of the caller's tokens (admins: any token of the organisation). */
export async function revokeToken(svc: Services, actor: Actor, id: string) {
  await mutate(svc, actor, async (w) => {
    // A malformed id names nothing (and never reaches PostgreSQL, where a bad uuid aborts the transaction).
    const row = await apiTokenQueries.findLive(w.tx, w.scope, id);
    if (!row || (row.userId !== actor.userId && !w.guard.isAdmin)) throw AppError.notFound("API token", id);
    if (row.userId !== actor.userId && actor.role !== "owner") {
      // Admins revoke members' and peers' tokens; an owner's or the instance administrator's automation is an owner's call.
      const holder = await userRepo.get(w.tx, w.scope, row.userId);
      if (holder.role === "owner" || holder.isInstanceAdmin) {
        throw new AppError(
          "FORBIDDEN",
          "Only organisation owners can revoke an owner's or the instance administrator's API tokens.",
        );
      }
    }
    await apiTokenQueries.revoke(w.tx, w.scope, id, new Date(w.nowMs));
    await w.audit("token.revoked", "token", id, presentToken(row), null);
  });
}
