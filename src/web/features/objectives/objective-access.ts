/**
 * What the signed-in person may do to one objective and its key results, by the rules the
 * server enforces (domain/access.ts), with the reason when they may not.
 */
import { useState } from "react";
import { t } from "../../lib/i18n.js";
import { mayContribute, mayEditKeyResult, mayEditObjective, peopleGraphOf } from "../../lib/permissions.js";
import { useMe, useTeamsById, useUsersById } from "../../lib/queries.js";
import type { KeyResult, Objective } from "../../lib/types.js";

/** The people graph the edit rule needs for one objective: its owners' manager chains and its team. */
export function useAuthorityGraph(objective: Objective) {
  // Walk up the manager chains a level per render, each person fetched by id (cached).
  const [ids, setIds] = useState<string[]>(objective.ownerIds);
  const people = useUsersById(ids);
  const next = [...people.values()].map((u) => u.managerId).filter((id): id is string => !!id && !ids.includes(id));
  if (next.length) setIds([...ids, ...new Set(next)]);
  const teams = useTeamsById(objective.teamId ? [objective.teamId] : []);
  return peopleGraphOf([...people.values()], [...teams.values()]);
}

export interface ObjectiveAccess {
  /** Still loading who the person is: offer nothing yet. */
  loading: boolean;
  /** May make changes at all (not an observer, not a read-only token). */
  contributes: boolean;
  /** May edit the objective: its fields, its key results' order, add or delete them, publish, close, reopen. */
  editsObjective: boolean;
  /** May edit this key result's definition (also its own owners). */
  editsKeyResult: (kr: Pick<KeyResult, "ownerIds" | "delegateIds">) => boolean;
  /** Why the objective cannot be edited (shown on hover of a disabled control). */
  reason: string;
}

/** What the signed-in person may do to `objective`, and why not. */
export function useObjectiveAccess(objective: Objective): ObjectiveAccess {
  const me = useMe();
  const graph = useAuthorityGraph(objective);
  return {
    loading: me.isPending,
    contributes: mayContribute(me.data),
    editsObjective: mayEditObjective(me.data, objective, graph),
    editsKeyResult: (kr) => mayEditKeyResult(me.data, kr, objective, graph),
    reason: t("okrEdit.noEditReason"),
  };
}
