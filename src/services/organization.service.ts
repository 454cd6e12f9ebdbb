/**
 * Organisations on one server: the instance administrator creates another, fully
 * isolated one with its owner, and gets the owner's first API token (once).
 */
import { z } from "zod";
import { grantOrgScope } from "../db/org-scope.js";
import { auditRepo, inTransaction, organizationRepo, tokenRepo, userRepo } from "../db/repositories.js";
import { AppError } from "../domain/errors.js";
import { generateToken, hashToken } from "./auth.service.js";
import type { Actor, Services } from "./context.js";
import { presentUser } from "./presenters.js";
import { parseInput, TitleSchema } from "./schemas.js";

export const OrganizationCreateSchema = z.strictObject({
  name: TitleSchema(200),
  owner: z.strictObject({
    name: TitleSchema(200),
    email: z.email({ message: "must be an email address" }),
  }),
});

/**
 * Creates an organisation and its owner (instance administrators only, FORBIDDEN otherwise), both
 * recorded in the new organisation's audit trail; answers with the owner's token once.
 */
export async function createOrganization(svc: Services, actor: Actor, body: unknown) {
  const input = parseInput(OrganizationCreateSchema, body);
  const me = await userRepo.get(svc.database.db, actor.scope, actor.userId);
  if (!me.isInstanceAdmin) {
    throw new AppError("FORBIDDEN", "Only the server's instance administrator can create organisations.");
  }
  // Not on the one write path (`writeTransaction`), which locks, loads and audits an organisation
  // that exists: this transaction creates it. Until it commits nobody can see the organisation,
  // hold its lock or listen to it, and its first audit rows are written here in the same commit.
  return inTransaction(svc.database.db, async (tx) => {
    const org = await organizationRepo.insert(tx, input.name);
    const scope = grantOrgScope(org.id);
    const owner = await userRepo.insert(tx, scope, { name: input.owner.name, email: input.owner.email, role: "owner" });
    const token = generateToken();
    await tokenRepo.insert(tx, scope, { userId: owner.id, name: "owner", tokenHash: hashToken(token), scope: "write" });
    const organization = { id: org.id, name: org.name, createdAt: org.createdAt.toISOString() };
    // The new organisation's own trail starts with its creation (by the instance administrator) and its owner.
    const audit = (action: string, objectType: string, objectId: string, after: unknown) =>
      auditRepo.record(tx, scope, { actorId: actor.userId, action, objectType, objectId, before: null, after });
    await audit("organization.created", "organization", org.id, organization);
    await audit("user.created", "user", owner.id, presentUser(owner, []));
    return {
      organization,
      owner: { id: owner.id, name: owner.name, email: owner.email, role: owner.role },
      ownerToken: token,
    };
  });
}
