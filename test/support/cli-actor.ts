/** The bootstrap admin of a database as an actor, for tests that prepare data before a command runs. */
import type { Database } from "../../src/db/database.js";
import { grantOrgScope } from "../../src/db/org-scope.js";
import type { Actor } from "../../src/services/context.js";

export async function adminActorOf(database: Database): Promise<Actor> {
  const [user] = await database.db.query.users.findMany({
    where: (u, { eq }) => eq(u.isInstanceAdmin, true),
    limit: 1,
  });
  if (!user) throw new Error("no admin: bootstrap first");
  return {
    userId: user.id,
    orgId: user.orgId,
    scope: grantOrgScope(user.orgId),
    role: user.role,
    access: "write",
    isInstanceAdmin: true,
  };
}
