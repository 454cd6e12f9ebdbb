/**
 * Who may see and change what (pure rules; the services load the facts).
 *
 * Roles: organisation `owner`, `admin`, `member`, `observer` (read only). "Team owner"
 * is not a role but a relation: a person who owns a team (team membership with role
 * owner). Transparency by default: everyone sees every public objective; a private one
 * is visible only to its owners, their manager chain, the owners of its team and admins.
 */

export const ROLES = ["owner", "admin", "member", "observer"] as const;
export type Role = (typeof ROLES)[number];

/**
 * The permission a route declares. The route layer enforces the first part (who may
 * call it at all); the services enforce the object-level rules named here.
 * - `public`: no credentials (sign-in, invitation and reset links, SSO callbacks);
 * - `read`: any signed-in person; objects they may not see read as not found;
 * - `self`: any signed-in person, acting on their own account (profile, tokens, sessions);
 * - `contribute`: any signed-in person who is not an observer; the service then checks
 *   the object rule (edit an OKR, check in, …) and answers 403 FORBIDDEN;
 * - `admin`: organisation owners and admins;
 * - `instanceAdmin`: the server's instance administrator.
 */
export const PERMISSIONS = ["public", "read", "self", "contribute", "admin", "instanceAdmin"] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** The facts about the organisation's people the rules need. */
export interface PeopleGraph {
  /** user id → their manager's id (or null). */
  managerOf: ReadonlyMap<string, string | null>;
  /** team id → ids of its owners. */
  teamOwners: ReadonlyMap<string, ReadonlySet<string>>;
  /** team id → ids of all its members (owners included). */
  teamMembers: ReadonlyMap<string, ReadonlySet<string>>;
}

export interface Viewer {
  userId: string;
  role: Role;
}

export interface ObjectiveFacts {
  level: string;
  teamId: string | null;
  ownerIds: readonly string[];
  visibility: string;
}

export interface OrgRules {
  /** Whether members of a team may create that team's objectives (team owners always may). */
  membersCreateTeamOkrs: boolean;
  /** Whether a private objective may align under a public one. */
  privateUnderPublic: boolean;
}

export const DEFAULT_ORG_RULES: OrgRules = { membersCreateTeamOkrs: true, privateUnderPublic: false };

export function isRole(v: unknown): v is Role {
  return typeof v === "string" && (ROLES as readonly string[]).includes(v);
}

export function isAdmin(v: Viewer): boolean {
  return v.role === "owner" || v.role === "admin";
}

/** What decides whose account a person may act for: their role, and whether they run the server. */
export interface Rank {
  role: string;
  /** The server's instance administrator (creates organisations). */
  isInstanceAdmin: boolean;
}

/**
 * Whether `actor` has more access than `target`, and so may be handed something that acts
 * as `target` (an API token, an invitation link that sets their password): owners outrank
 * everyone but the instance administrator (unless they are it); admins outrank members and
 * observers; members and observers outrank nobody. Nobody outranks the instance
 * administrator but themselves.
 */
export function outranks(actor: Rank, target: Rank): boolean {
  if (target.isInstanceAdmin && !actor.isInstanceAdmin) return false;
  if (actor.role === "owner") return true;
  if (actor.role === "admin") return target.role === "member" || target.role === "observer";
  return false;
}

const ROLE_RANK: Readonly<Record<string, number>> = { owner: 3, admin: 2, member: 1, observer: 0 };

/**
 * Whether what `setter` chose for `holder` (the password, through a link they issued; the email,
 * which receives reset links) may stay while `holder` has their rank: the setter is the holder,
 * or has at least the holder's rank as their role stands now (a deactivated setter keeps theirs).
 * Nobody but the instance administrator vouches for them. A promotion beyond the setter's rank,
 * or the setter's fall below the holder's, ends it.
 */
export function vouchesFor(setter: Rank & { id: string }, holder: Rank & { id: string }): boolean {
  if (setter.id === holder.id) return true;
  if (holder.isInstanceAdmin && !setter.isInstanceAdmin) return false;
  return (ROLE_RANK[setter.role] ?? -1) >= (ROLE_RANK[holder.role] ?? 0);
}

/** Whether `viewer` is `userId`'s manager, or their manager's manager, and so on up. */
export function managesChain(graph: PeopleGraph, viewerId: string, userId: string): boolean {
  const seen = new Set<string>();
  let cur = graph.managerOf.get(userId) ?? null;
  while (cur && !seen.has(cur)) {
    if (cur === viewerId) return true;
    seen.add(cur);
    cur = graph.managerOf.get(cur) ?? null;
  }
  return false;
}

export function ownsTeam(graph: PeopleGraph, viewerId: string, teamId: string | null): boolean {
  return teamId !== null && (graph.teamOwners.get(teamId)?.has(viewerId) ?? false);
}

export function inTeam(graph: PeopleGraph, viewerId: string, teamId: string | null): boolean {
  return teamId !== null && (graph.teamMembers.get(teamId)?.has(viewerId) ?? false);
}

/** The people with authority over an objective: its owners, their managers (up the chain), its team's owners. */
function hasAuthority(graph: PeopleGraph, v: Viewer, o: ObjectiveFacts): boolean {
  if (o.ownerIds.includes(v.userId)) return true;
  if (o.ownerIds.some((owner) => managesChain(graph, v.userId, owner))) return true;
  return ownsTeam(graph, v.userId, o.teamId);
}

export function canSeeObjective(graph: PeopleGraph, v: Viewer, o: ObjectiveFacts): boolean {
  if (o.visibility !== "private") return true;
  return isAdmin(v) || hasAuthority(graph, v, o);
}

/** Edit an OKR (its fields, its key results, its alignments, close or reopen it). */
export function canEditObjective(graph: PeopleGraph, v: Viewer, o: ObjectiveFacts): boolean {
  if (v.role === "observer") return false;
  return isAdmin(v) || hasAuthority(graph, v, o);
}

/** Why `viewer` may not create an objective like `o`, or null when they may. */
export function createObjectiveDenial(
  graph: PeopleGraph,
  v: Viewer,
  o: ObjectiveFacts,
  rules: OrgRules,
): string | null {
  if (v.role === "observer") return "Observers have read-only access and cannot create objectives.";
  if (isAdmin(v)) return null;
  if (o.level === "organization")
    return "Only organisation owners and admins can create organisation-level objectives.";
  if (o.level === "team") {
    if (ownsTeam(graph, v.userId, o.teamId)) return null;
    if (rules.membersCreateTeamOkrs && inTeam(graph, v.userId, o.teamId)) return null;
    return rules.membersCreateTeamOkrs
      ? "Only the team's owners and members (and admins) can create its objectives."
      : "Only the team's owners (and admins) can create its objectives.";
  }
  // Individual objectives: for yourself, or for people who report to you.
  const forOthers = o.ownerIds.filter((id) => id !== v.userId && !managesChain(graph, v.userId, id));
  if (forOthers.length > 0) {
    return "You can create individual objectives for yourself and the people who report to you; ask an admin for others.";
  }
  return null;
}

export interface KeyResultFacts {
  ownerIds: readonly string[];
  delegateIds: readonly string[];
}

/**
 * Check in on a key result: its owners and delegates; when it has no owners, the
 * objective's owners; and admins (the OKR champion updating figures in a review).
 */
export function canCheckIn(v: Viewer, kr: KeyResultFacts, o: Pick<ObjectiveFacts, "ownerIds">): boolean {
  if (v.role === "observer") return false;
  if (isAdmin(v)) return true;
  if (kr.ownerIds.includes(v.userId) || kr.delegateIds.includes(v.userId)) return true;
  return kr.ownerIds.length === 0 && o.ownerIds.includes(v.userId);
}

/** Edit a key result's definition: whoever may edit its objective, and the KR's own owners. */
export function canEditKeyResult(graph: PeopleGraph, v: Viewer, kr: KeyResultFacts, o: ObjectiveFacts): boolean {
  if (v.role === "observer") return false;
  return canEditObjective(graph, v, o) || kr.ownerIds.includes(v.userId);
}

/** Edit a team (name, description, members): admins and the team's owners. */
export function canEditTeam(graph: PeopleGraph, v: Viewer, teamId: string): boolean {
  if (v.role === "observer") return false;
  return isAdmin(v) || ownsTeam(graph, v.userId, teamId);
}

/** Edit something owned by people (initiatives, KPIs): its owners and admins. */
export function canEditOwned(v: Viewer, ownerIds: readonly string[]): boolean {
  if (v.role === "observer") return false;
  return isAdmin(v) || ownerIds.includes(v.userId);
}

/** What a change to a person touches, for `personChangeDenial`. */
export interface PersonChange {
  /** The new organisation role, when it changes. */
  role?: string | undefined;
  /** Whether the email changes (whoever controls it controls the account: resets go there). */
  email?: boolean | undefined;
  /** Whether an identity-provider link changes (SCIM externalId, SSO subject). */
  identity?: boolean | undefined;
  /** The new active flag, when it changes (deactivation or reactivation). */
  active?: boolean | undefined;
}

/** The person changing someone: their rank, and their id (null for a new person being created). */
export interface Changer extends Rank {
  userId: string;
}

/**
 * The one rule for changing a person, whatever the path (the API, SCIM, the HRIS import, single
 * sign-on): why `actor` may not make `change` to `target` (`null` for a new person), or null
 * when they may. A role, an email, an identity link or the active flag change only for oneself
 * or for people the actor outranks (`outranks`), since each of them hands over or takes away an
 * account; only owners grant the owner role or change an owner's role. Names, managers and teams
 * are outside this rule (admins change them for anyone).
 */
export function personChangeDenial(
  actor: Changer,
  target: (Rank & { id: string }) | null,
  change: PersonChange,
): string | null {
  if (!target) {
    if (change.role === "owner" && actor.role !== "owner") return "Only organisation owners can make someone an owner.";
    if (actor.role !== "owner" && actor.role !== "admin") return "Only organisation owners and admins can add people.";
    return null;
  }
  const self = target.id === actor.userId;
  const roleChanges = change.role !== undefined && change.role !== target.role;
  const touchesAccount = roleChanges || change.email || change.identity || change.active !== undefined;
  if (actor.role !== "owner" && actor.role !== "admin") {
    if (!self) return "Only organisation owners and admins can change other people.";
    return touchesAccount
      ? "You can change your own name; your role, email and sign-in are changed by an organisation owner or admin."
      : null;
  }
  if (roleChanges && (target.role === "owner" || change.role === "owner") && actor.role !== "owner") {
    return "Only organisation owners can make someone an owner or change an owner's role.";
  }
  if (self || outranks(actor, target)) return null;
  const who = target.isInstanceAdmin ? "the instance administrator" : "an organisation owner";
  if (change.email || change.identity) {
    return `You can change the email or sign-in identity only of people with less access than yours (admins: members and observers; owners: anyone but the instance administrator); ask ${who}.`;
  }
  if (roleChanges || change.active !== undefined) {
    return `You can change the role of, deactivate or reactivate only people with less access than yours (admins: members and observers; owners: anyone but the instance administrator); ask ${who}.`;
  }
  return null;
}

/** The account that issued a credential, as it is now. */
export interface Issuer extends Rank {
  id: string;
  active: boolean;
}

/**
 * Whether a credential made for `holder` by `issuer` still works (checked on every use): a
 * credential never acts with more rank than its issuer has. Self-issued ones (`issuer` null or
 * the holder) always hold; otherwise the issuer must be active and still outrank the holder — or,
 * for an invitation, be an owner or admin of the same role as a holder who is not the instance
 * administrator (an admin adding an admin).
 */
export function credentialHolds(
  issuer: Issuer | null,
  holder: Rank & { id: string },
  kind: "token" | "invitation",
): boolean {
  if (!issuer || issuer.id === holder.id) return true;
  if (!issuer.active) return false;
  if (outranks(issuer, holder)) return true;
  const administers = issuer.role === "owner" || issuer.role === "admin";
  return kind === "invitation" && administers && issuer.role === holder.role && !holder.isInstanceAdmin;
}
