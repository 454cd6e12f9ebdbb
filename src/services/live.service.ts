/**
 * Who hears of a committed change on the live-update stream. A change that concerns a
 * private objective — the objective, its key results, their check-ins, its initiatives, the
 * comments on any of them, or an alignment touching any of them — reaches only the people who may see that objective:
 * to everyone else it did not happen, exactly as the objective does not exist for them.
 * Every other change reaches the whole organisation.
 *
 * And whose open streams a change may have locked out (`credentialsConcerned`): the streams
 * of the person it is about, and those opened with a token it is about, never the whole
 * organisation.
 */
import { commentQueries } from "../db/comment-queries.js";
import type { Executor } from "../db/database.js";
import { liveQueries } from "../db/live-queries.js";
import { grantOrgScope } from "../db/org-scope.js";
import { canSeeObjective, isAdmin, isRole, type Viewer } from "../domain/access.js";
import { loadPeopleGraph } from "./access.js";
import type { Actor, DomainEvent, Services } from "./context.js";

/** Whether a subscriber (as they are now) may hear of the change. */
export type Audience = (actor: Pick<Actor, "userId" | "role" | "orgId">) => boolean;

/**
 * The ids of the objectives a change concerns (deleted ones included: a deletion is a change
 * too), or null when it concerns OKRs that can no longer be found (then only admins hear of it).
 */
async function objectivesConcerned(ex: Executor, e: DomainEvent): Promise<string[] | null> {
  const scope = grantOrgScope(e.orgId);
  const objectivesOfKrs = (ids: string[]) => liveQueries.objectivesOfKeyResults(ex, scope, ids);
  const found = (ids: string[]) => (ids.length > 0 ? ids : null);
  switch (e.objectType) {
    case "objective":
      return [e.objectId];
    case "keyResult":
      return found(await objectivesOfKrs([e.objectId]));
    case "checkIn":
      return found(await objectivesOfKrs(await liveQueries.keyResultOfCheckIn(ex, scope, e.objectId)));
    // A key result's check-in token concerns that key result's objective.
    case "keyResultToken":
      return found(await objectivesOfKrs(await liveQueries.keyResultOfToken(ex, scope, e.objectId)));
    case "initiative":
      return found(await liveQueries.objectiveOfInitiative(ex, scope, e.objectId));
    // A comment (and a reaction to it) concerns the objective it follows; following, its objective.
    case "comment":
      return found(await commentQueries.objectiveOf(ex, scope, e.objectId));
    case "follow":
      return [e.objectId];
    case "alignment": {
      let ends = e.ends;
      if (!ends) {
        const a = await liveQueries.alignment(ex, scope, e.objectId);
        if (!a) return null;
        ends = [
          { type: a.childType, id: a.childId },
          { type: a.parentType, id: a.parentId },
        ];
      }
      const krIds = ends.filter((n) => n.type === "keyResult").map((n) => n.id);
      return found([...ends.filter((n) => n.type === "objective").map((n) => n.id), ...(await objectivesOfKrs(krIds))]);
    }
    default:
      return [];
  }
}

const everyone: Audience = () => true;
const adminsOnly: Audience = (actor) =>
  isAdmin({ userId: actor.userId, role: isRole(actor.role) ? actor.role : "observer" });

/**
 * Changes to one person's own way in — a sign-in, a lockout, a session ended, a password set by
 * its holder — concern nobody else: only that person's streams hear of them (no one learns when
 * a colleague signs in, and an organisation's browsers do not refetch on every sign-in).
 */
const PERSONAL_ACTIONS = new Set([
  "user.signedIn",
  "user.lockedOut",
  "user.signedOutEverywhere",
  "user.passwordChanged",
  "user.passwordReset",
  "session.ended",
  "session.revoked",
  // A person's notification centre changed (a notice for them, or they read some).
  "notification.created",
  "notification.read",
]);

/** The person a personal change is about (a session's is its holder, who ended it), or null. */
function personalSubject(e: DomainEvent): string | null {
  if (!PERSONAL_ACTIONS.has(e.type)) return null;
  return e.objectType === "user" ? e.objectId : e.actorId;
}

/** Works out, once per change, who may hear of it; the answer is then asked per subscriber. */
export async function audienceOf(svc: Services, e: DomainEvent): Promise<Audience> {
  const person = personalSubject(e);
  if (person !== null || PERSONAL_ACTIONS.has(e.type)) {
    return (actor) => actor.orgId === e.orgId && actor.userId === person;
  }
  const ex = svc.database.db;
  const ids = await objectivesConcerned(ex, e);
  if (ids === null) return adminsOnly;
  if (ids.length === 0) return everyone;
  const secret = await liveQueries.privateAmong(ex, grantOrgScope(e.orgId), ids);
  if (secret.length === 0) return everyone;
  const graph = await loadPeopleGraph(ex, grantOrgScope(e.orgId));
  return (actor) => {
    if (actor.orgId !== e.orgId) return false;
    const viewer: Viewer = { userId: actor.userId, role: isRole(actor.role) ? actor.role : "observer" };
    return secret.every((o) => canSeeObjective(graph, viewer, o));
  };
}

/** The key a live stream's credential is known by: an API token (by its hash) or a browser session. */
export function credentialKey(credential: { tokenHash: string } | { sessionId: string }): string {
  return "tokenHash" in credential ? `token:${credential.tokenHash}` : `session:${credential.sessionId}`;
}

/** The open streams whose credentials a change may have stopped (or whose holder's role it changed). */
export interface CredentialsConcerned {
  /** Every credential of these people. */
  userIds: string[];
  /** These credentials (`credentialKey`). */
  credentials: string[];
  /** A change to the organisation itself: every stream, at the next periodic rechecks rather than at once. */
  wholeOrganization: boolean;
}

/**
 * Whose live streams must have their credentials checked again after the change, or null when it
 * concerns no credential (OKRs, teams, settings of the method). A change to a person concerns
 * their own credentials and the API tokens they issued for others (a token works only while its
 * issuer outranks its account); a change to a token concerns that token only; a change to a
 * session, that session.
 */
export async function credentialsConcerned(svc: Services, e: DomainEvent): Promise<CredentialsConcerned | null> {
  const ex = svc.database.db;
  const none = { userIds: [], credentials: [], wholeOrganization: false };
  switch (e.objectType) {
    case "user": {
      // Live ones, and those this very change may just have revoked (their streams must end now).
      const since = new Date(svc.now() - 60_000);
      const issued = await liveQueries.tokenHashesIssuedBy(ex, grantOrgScope(e.orgId), e.objectId, since);
      return { ...none, userIds: [e.objectId], credentials: issued.map((tokenHash) => credentialKey({ tokenHash })) };
    }
    case "token": {
      const hashes = await liveQueries.tokenHash(ex, grantOrgScope(e.orgId), e.objectId);
      return { ...none, credentials: hashes.map((tokenHash) => credentialKey({ tokenHash })) };
    }
    case "session":
      return { ...none, credentials: [credentialKey({ sessionId: e.objectId })] };
    case "organization":
      return { ...none, wholeOrganization: true };
    default:
      return null;
  }
}
