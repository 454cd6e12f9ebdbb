/**
 * The part of the people graph that decides who may edit one objective (its owners' manager
 * chains and its team's owners), fetched person by person from the cache as needed.
 */
import { useState } from "react";
import { peopleGraphOf } from "../../lib/permissions.js";
import { useTeamsById, useUsersById } from "../../lib/queries.js";
import type { Objective } from "../../lib/types.js";

export function useEditGraph(objective: Pick<Objective, "ownerIds" | "teamId">) {
  // One level of managers more per render, until the chains end.
  const [ids, setIds] = useState<string[]>(objective.ownerIds);
  const people = useUsersById(ids);
  const managers = [...people.values()].map((u) => u.managerId).filter((id): id is string => !!id && !ids.includes(id));
  if (managers.length) setIds([...ids, ...new Set(managers)]);
  const teams = useTeamsById(objective.teamId ? [objective.teamId] : []);
  return peopleGraphOf([...people.values()], [...teams.values()]);
}
