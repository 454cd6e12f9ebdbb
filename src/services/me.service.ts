/**
 * The caller: their account, role and organisation (`GET /me`).
 */
import { organizationRepo, userQueries, userRepo } from "../db/repositories.js";
import { type Actor, read, type Services } from "./context.js";
import { presentUser } from "./presenters.js";

/** The caller's user, role and organisation. */
export async function getMe(svc: Services, actor: Actor) {
  return read(svc, actor, async ({ ex, scope }) => {
    const user = await userRepo.get(ex, scope, actor.userId);
    const org = await organizationRepo.get(ex, scope);
    const teamIds = (await userQueries.teamIdsByUser(ex, scope, [user.id])).get(user.id) ?? [];
    return {
      user: presentUser(user, teamIds),
      role: user.role,
      access: actor.access,
      organization: { id: org.id, name: org.name },
      isInstanceAdmin: user.isInstanceAdmin,
      hasPassword: user.passwordHash !== null,
      /** How this request was authenticated; `csrfToken` is present for browser sessions. */
      authMethod: actor.sessionId ? ("session" as const) : ("token" as const),
      ...(actor.csrfToken ? { csrfToken: actor.csrfToken } : {}),
    };
  });
}
