/**
 * Who may change an alignment, by the server's rules (alignment.service.ts): those who may edit
 * the child's objective add, change and remove its parents; those who may edit the parent
 * (its objective, or a key result's owners) change and remove what counts toward it, and alone
 * set weights. Observers and read-only tokens never.
 */
import { useState } from "react";
import { mayContribute, mayEditObjective, peopleGraphOf } from "../../lib/permissions.js";
import { useMe, useTeamsById, useUsersById } from "../../lib/queries.js";
import type { KeyResult, Objective } from "../../lib/types.js";

/** Whether the signed-in person may edit `objective` (owners, their managers, team owners, admins); false while loading. */
export function useMayEditObjective(objective: Objective | undefined): boolean {
  const me = useMe();
  // The owners' manager chains, a level per render, each person fetched by id (cached).
  const [ids, setIds] = useState<string[]>([]);
  const owners = objective?.ownerIds ?? [];
  const wanted = [...new Set([...owners, ...ids])];
  const people = useUsersById(wanted);
  const next = [...people.values()].map((u) => u.managerId).filter((id): id is string => !!id && !wanted.includes(id));
  if (next.length) setIds([...ids, ...new Set(next)]);
  const teams = useTeamsById(objective?.teamId ? [objective.teamId] : []);
  if (!objective) return false;
  return mayEditObjective(me.data, objective, peopleGraphOf([...people.values()], [...teams.values()]));
}

/** Whether the person may edit a parent: its objective, or (a key result) as one of its owners. */
export function useMayEditParent(objective: Objective | undefined, keyResult: KeyResult | undefined): boolean {
  const me = useMe();
  const editsObjective = useMayEditObjective(objective);
  const ownsKr = !!keyResult && !!me.data && mayContribute(me.data) && keyResult.ownerIds.includes(me.data.user.id);
  return editsObjective || ownsKr;
}
