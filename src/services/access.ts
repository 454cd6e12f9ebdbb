/**
 * The caller's guard: applies the access rules of `domain/access.ts` to stored rows.
 * The people graph and the set of hidden objectives load lazily, once per use case,
 * so reads that touch no private objective cost one small query.
 */
import type { Executor } from "../db/database.js";
import type { OrgScope } from "../db/org-scope.js";
import {
  accessQueries,
  graphQueries,
  type KeyResultRow,
  type ObjectiveRow,
  type OrganizationRow,
} from "../db/repositories.js";
import {
  canCheckIn,
  canEditKeyResult,
  canEditObjective,
  canEditOwned,
  canEditTeam,
  canSeeObjective,
  createObjectiveDenial,
  DEFAULT_ORG_RULES,
  isAdmin,
  isRole,
  type ObjectiveFacts,
  type OrgRules,
  type PeopleGraph,
  type Viewer,
} from "../domain/access.js";
import { AppError } from "../domain/errors.js";

/** Whose private objectives a caller may see (see `Guard.visibleTo`). */
export interface VisibleTo {
  people: string[];
  teams: string[];
}

export interface Guard {
  viewer: Viewer;
  rules: OrgRules;
  isAdmin: boolean;
  graph(): Promise<PeopleGraph>;
  /** Ids of the objectives the caller may not see (empty for admins or when none is private). */
  hidden(): Promise<ReadonlySet<string>>;
  /**
   * Whether the caller may see these objectives, decided from the rows (no list of every
   * private objective read): a function, ready once the caller's part of the people graph is.
   */
  seer(): Promise<(o: ObjectiveFacts) => boolean>;
  /**
   * The caller's view of private objectives as SQL can apply it: null when they see them all
   * (admins); else the people whose private objectives they see (themselves and everyone who
   * reports to them, down the chain) and the teams they own.
   */
  visibleTo(): Promise<VisibleTo | null>;
  /** The hidden objectives' ids and their key results' ids: alignment nodes the caller may not see. */
  hiddenNodes(): Promise<ReadonlySet<string>>;
  /** NOT_FOUND, exactly as if it did not exist, when the caller may not see the objective. */
  assertVisible(o: Pick<ObjectiveRow, "id"> & ObjectiveFacts, noun?: string, id?: string): Promise<void>;
  assertCanEditObjective(o: ObjectiveRow): Promise<void>;
  assertCanCreateObjective(o: ObjectiveFacts): Promise<void>;
  assertCanEditKeyResult(kr: KeyResultRow, o: ObjectiveRow): Promise<void>;
  assertCanCheckIn(kr: KeyResultRow, o: ObjectiveRow): Promise<void>;
  assertCanEditTeam(teamId: string): Promise<void>;
  assertCanEditOwned(ownerIds: readonly string[], what: string): void;
  assertAdmin(what: string): void;
}

export function orgRulesOf(org: OrganizationRow): OrgRules {
  const s = (org.settings ?? {}) as Partial<OrgRules>;
  return {
    membersCreateTeamOkrs: s.membersCreateTeamOkrs ?? DEFAULT_ORG_RULES.membersCreateTeamOkrs,
    privateUnderPublic: s.privateUnderPublic ?? DEFAULT_ORG_RULES.privateUnderPublic,
  };
}

export function forbidden(message: string): AppError {
  return new AppError("FORBIDDEN", message);
}

/**
 * The people graph as one viewer's rules read it: every rule asks whether the viewer manages
 * someone (up that person's chain) or owns or belongs to a team. So the managers of the
 * viewer's reports, down the chain, and the viewer's own memberships answer every such
 * question exactly as the whole organisation's graph would, at the cost of that part of it.
 */
export async function loadViewerGraph(ex: Executor, scope: OrgScope, viewerId: string): Promise<PeopleGraph> {
  const { reports, memberships } = await accessQueries.viewerPeople(ex, scope, viewerId);
  const teamOwners = new Map<string, Set<string>>();
  const teamMembers = new Map<string, Set<string>>();
  for (const m of memberships) {
    teamMembers.set(m.teamId, new Set([viewerId]));
    if (m.role === "owner") teamOwners.set(m.teamId, new Set([viewerId]));
  }
  return { managerOf: new Map(reports.map((r) => [r.id, r.managerId])), teamOwners, teamMembers };
}

export async function loadPeopleGraph(ex: Executor, scope: OrgScope): Promise<PeopleGraph> {
  const { users, members } = await accessQueries.people(ex, scope);
  const teamOwners = new Map<string, Set<string>>();
  const teamMembers = new Map<string, Set<string>>();
  const add = (m: Map<string, Set<string>>, k: string, v: string) => {
    const set = m.get(k) ?? new Set<string>();
    set.add(v);
    m.set(k, set);
  };
  for (const m of members) {
    add(teamMembers, m.teamId, m.userId);
    if (m.role === "owner") add(teamOwners, m.teamId, m.userId);
  }
  return { managerOf: new Map(users.map((u) => [u.id, u.managerId])), teamOwners, teamMembers };
}

export function createGuard(
  ex: Executor,
  scope: OrgScope,
  actor: { userId: string; role: string },
  org: OrganizationRow,
): Guard {
  const viewer: Viewer = { userId: actor.userId, role: isRole(actor.role) ? actor.role : "observer" };
  const rules = orgRulesOf(org);
  const admin = isAdmin(viewer);
  let graphP: Promise<PeopleGraph> | null = null;
  let hiddenP: Promise<ReadonlySet<string>> | null = null;
  const graph = () => {
    graphP ??= loadViewerGraph(ex, scope, viewer.userId);
    return graphP;
  };
  const seer = async () => {
    if (admin) return () => true;
    const g = await graph();
    return (o: ObjectiveFacts) => canSeeObjective(g, viewer, o);
  };
  const visibleTo = async (): Promise<VisibleTo | null> => {
    if (admin) return null;
    const g = await graph();
    return { people: [viewer.userId, ...g.managerOf.keys()], teams: [...g.teamOwners.keys()] };
  };
  const hidden = () => {
    hiddenP ??= (async () => {
      if (admin) return new Set<string>();
      const priv = await accessQueries.privateObjectives(ex, scope);
      if (priv.length === 0) return new Set<string>();
      const g = await graph();
      return new Set(priv.filter((o) => !canSeeObjective(g, viewer, o)).map((o) => o.id));
    })();
    return hiddenP;
  };
  let nodesP: Promise<ReadonlySet<string>> | null = null;
  const hiddenNodes = () => {
    nodesP ??= (async () => {
      const ids = await hidden();
      if (ids.size === 0) return ids;
      const krs = await graphQueries.keyResultsOf(ex, scope, [...ids]);
      return new Set([...ids, ...krs.map((k) => k.id)]);
    })();
    return nodesP;
  };
  const noEdit = "You cannot change this objective: only its owners, their managers, its team's owners and admins can.";
  return {
    viewer,
    rules,
    isAdmin: admin,
    graph,
    hidden,
    seer,
    visibleTo,
    hiddenNodes,
    async assertVisible(o, noun = "objective", id = o.id) {
      if (o.visibility !== "private" || admin) return;
      if (!canSeeObjective(await graph(), viewer, o)) throw AppError.notFound(noun, id);
    },
    async assertCanEditObjective(o) {
      await this.assertVisible(o);
      if (admin) return;
      if (!canEditObjective(await graph(), viewer, o)) throw forbidden(noEdit);
    },
    async assertCanCreateObjective(o) {
      const g = await graph();
      const denial = createObjectiveDenial(g, viewer, o, rules);
      if (denial) throw forbidden(denial);
      if (!canSeeObjective(g, viewer, o)) {
        throw forbidden(
          "You would not be able to see this private objective: add yourself to its owners, or make it public.",
        );
      }
    },
    async assertCanEditKeyResult(kr, o) {
      await this.assertVisible(o, "key result", kr.id);
      if (!canEditKeyResult(await graph(), viewer, kr, o)) {
        throw forbidden(
          "You cannot change this key result: only its owners, its objective's owners and their managers, the team's owners and admins can.",
        );
      }
    },
    async assertCanCheckIn(kr, o) {
      await this.assertVisible(o, "key result", kr.id);
      if (!canCheckIn(viewer, kr, o)) {
        throw forbidden(
          "You cannot check in on this key result: only its owners and delegates (or admins) can. Ask an owner to add you as a delegate.",
        );
      }
    },
    async assertCanEditTeam(teamId) {
      if (!canEditTeam(await graph(), viewer, teamId)) {
        throw forbidden("You cannot change this team: only its owners and admins can.");
      }
    },
    assertCanEditOwned(ownerIds, what) {
      if (!canEditOwned(viewer, ownerIds))
        throw forbidden(`You cannot change this ${what}: only its owners and admins can.`);
    },
    assertAdmin(what) {
      if (!admin) throw forbidden(`Only organisation owners and admins can ${what}.`);
    },
  };
}
