/**
 * What the signed-in person may do, by the same rules the server enforces
 * (domain/access.ts), so the UI offers only actions that will succeed.
 */
import { canCheckIn, isAdmin, isRole, type Viewer } from "../../domain/access.js";
import type { KeyResult, Me, Objective } from "./types.js";

function viewerOf(me: Me | undefined | null): Viewer | null {
  if (me?.access !== "write" || !isRole(me.role)) return null;
  return { userId: me.user.id, role: me.role };
}

/** Whether the person is an organisation owner or admin (whatever their credential allows). */
export function mayAdminister(me: Me | undefined | null): boolean {
  return !!me && isRole(me.role) && isAdmin({ userId: me.user.id, role: me.role });
}

/** Whether the person may make changes at all (not an observer, not a read-only token). */
export function mayContribute(me: Me | undefined | null): boolean {
  const v = viewerOf(me);
  return v !== null && v.role !== "observer";
}

/** Whether the person may check in on this key result (its owners and delegates, admins). */
export function mayCheckIn(
  me: Me | undefined | null,
  kr: Pick<KeyResult, "ownerIds" | "delegateIds">,
  objective: Pick<Objective, "ownerIds">,
): boolean {
  const v = viewerOf(me);
  return v !== null && canCheckIn(v, { ownerIds: kr.ownerIds, delegateIds: kr.delegateIds ?? [] }, objective);
}
