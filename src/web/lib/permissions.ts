/**
 * What the signed-in person may do, by the same rules the server enforces
 * (domain/access.ts), so the UI offers only actions that will succeed.
 */
import {
  canCheckIn,
  canEditKeyResult,
  canEditObjective,
  createObjectiveDenial,
  isAdmin,
  isRole,
  type OrgRules,
  outranks,
  type PeopleGraph,
  type Viewer,
} from "../../domain/access.js";
import type { CheckIn, KeyResult, Me, Objective, Team, User } from "./types.js";

function viewerOf(me: Me | undefined | null): Viewer | null {
  if (me?.access !== "write" || !isRole(me.role)) return null;
  return { userId: me.user.id, role: me.role };
}

/** Whether the person is an organisation owner or admin (whatever their credential allows). */
export function mayAdminister(me: Me | undefined | null): boolean {
  return !!me && isRole(me.role) && isAdmin({ userId: me.user.id, role: me.role });
}

/**
 * Whether the person may change `user`'s role, deactivate or invite them: themselves, or
 * someone they outrank (the server refuses the rest; the people list does not say who runs
 * the server, so that case is left to the server's answer).
 */
export function mayManagePerson(me: Me | undefined | null, user: Pick<User, "id" | "role">): boolean {
  if (!mayAdminister(me) || !me) return false;
  if (me.user.id === user.id) return true;
  return outranks({ role: me.role, isInstanceAdmin: me.isInstanceAdmin }, { role: user.role, isInstanceAdmin: false });
}

/** Whether the person may make changes at all (not an observer, not a read-only token). */
export function mayContribute(me: Me | undefined | null): boolean {
  const v = viewerOf(me);
  return v !== null && v.role !== "observer";
}

/**
 * Whether the person may check in on this key result (its owners and delegates, admins): only
 * on a live objective — a draft is not tracked until it is published, a closed one is scored.
 */
export function mayCheckIn(
  me: Me | undefined | null,
  kr: Pick<KeyResult, "ownerIds" | "delegateIds">,
  objective: Pick<Objective, "ownerIds" | "state">,
): boolean {
  const v = viewerOf(me);
  return (
    v !== null &&
    objective.state === "active" &&
    canCheckIn(v, { ownerIds: kr.ownerIds, delegateIds: kr.delegateIds ?? [] }, objective)
  );
}

/** The people graph the access rules need, from the people and teams lists. */
export function peopleGraphOf(users: readonly Pick<User, "id" | "managerId">[], teams: readonly Team[]): PeopleGraph {
  return {
    managerOf: new Map(users.map((u) => [u.id, u.managerId])),
    teamOwners: new Map(teams.map((t) => [t.id, new Set(t.ownerIds)])),
    teamMembers: new Map(teams.map((t) => [t.id, new Set([...t.ownerIds, ...t.memberIds])])),
  };
}

/** Whether the person may edit this objective (and so accept what aligns under it): owners, their managers, team owners, admins. */
export function mayEditObjective(
  me: Me | undefined | null,
  objective: Pick<Objective, "level" | "teamId" | "ownerIds" | "visibility">,
  graph: PeopleGraph,
): boolean {
  const v = viewerOf(me);
  return v !== null && canEditObjective(graph, v, objective);
}

/** Whether the person may edit this key result's definition: whoever may edit its objective, and the KR's owners. */
export function mayEditKeyResult(
  me: Me | undefined | null,
  kr: Pick<KeyResult, "ownerIds" | "delegateIds">,
  objective: Pick<Objective, "level" | "teamId" | "ownerIds" | "visibility">,
  graph: PeopleGraph,
): boolean {
  const v = viewerOf(me);
  return v !== null && canEditKeyResult(graph, v, { ownerIds: kr.ownerIds, delegateIds: kr.delegateIds }, objective);
}

/**
 * Whether the person may edit or delete this check-in, as the server decides: its author, or an
 * admin, with a credential that may write and a role above observer (observers read only).
 */
export function mayChangeCheckIn(me: Me | undefined | null, checkIn: Pick<CheckIn, "authorId">): boolean {
  if (!mayContribute(me) || !me) return false;
  return checkIn.authorId === me.user.id || mayAdminister(me);
}

/**
 * Of `teams` (the person's own), those whose team-level objectives the person may create: the
 * teams they own, and those they belong to while members may. Null for an admin: every team.
 */
export function teamsForNewObjectives(
  me: Me | undefined | null,
  teams: readonly Team[],
  rules: OrgRules,
): string[] | null {
  const v = viewerOf(me);
  if (!v) return [];
  if (isAdmin(v)) return null;
  const graph = peopleGraphOf([], teams);
  return teams
    .filter(
      (team) =>
        createObjectiveDenial(
          graph,
          v,
          { level: "team", teamId: team.id, ownerIds: [], visibility: "public" },
          rules,
        ) === null,
    )
    .map((team) => team.id);
}
