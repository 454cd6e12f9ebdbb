/** Data hooks over the API (TanStack Query): one key per resource, invalidated by live events. */
import { useQuery } from "@tanstack/react-query";
import { auth, get } from "./api.js";
import type {
  Alignment,
  CheckIn,
  Finding,
  KeyResult,
  Me,
  Objective,
  Page,
  Period,
  Settings,
  Team,
  TreeNode,
  User,
} from "./types.js";

export const useMe = () => useQuery({ queryKey: ["me"], queryFn: () => auth.me() as Promise<Me> });
export const usePeriods = () =>
  useQuery({ queryKey: ["periods"], queryFn: () => get<Page<Period>>("/periods?limit=500") });
export const useUsers = () => useQuery({ queryKey: ["users"], queryFn: () => get<Page<User>>("/users?limit=500") });
export const useTeams = () => useQuery({ queryKey: ["teams"], queryFn: () => get<Page<Team>>("/teams?limit=500") });
export const useSettings = () => useQuery({ queryKey: ["settings"], queryFn: () => get<Settings>("/settings") });

export function useObjectives(params: Record<string, string | undefined>) {
  const qs = new URLSearchParams(
    Object.entries({ limit: "500", ...params }).filter((e): e is [string, string] => !!e[1]),
  );
  return useQuery({ queryKey: ["objectives", params], queryFn: () => get<Page<Objective>>(`/objectives?${qs}`) });
}

export const useObjective = (id: string) =>
  useQuery({ queryKey: ["objective", id], queryFn: () => get<Objective>(`/objectives/${id}`) });
export const useKeyResult = (id: string) =>
  useQuery({ queryKey: ["keyResult", id], queryFn: () => get<KeyResult>(`/key-results/${id}`) });
export const useCheckIns = (id: string) =>
  useQuery({ queryKey: ["checkIns", id], queryFn: () => get<Page<CheckIn>>(`/key-results/${id}/check-ins?limit=500`) });
export const useAlignments = () =>
  useQuery({ queryKey: ["alignments"], queryFn: () => get<Page<Alignment>>("/alignments?limit=500") });
export const useTree = (periodId: string | undefined) =>
  useQuery({
    queryKey: ["tree", periodId],
    enabled: !!periodId,
    queryFn: () => get<{ roots: TreeNode[] }>(`/tree?periodId=${periodId}`),
  });
export const useCoach = (periodId: string | undefined) =>
  useQuery({
    queryKey: ["coach", periodId],
    enabled: !!periodId,
    queryFn: () => get<Page<Finding>>(`/coach?periodId=${periodId}`),
  });

/** The period to show: the one named, else the current quarter, else the current period, else the latest. */
export function pickPeriod(
  periods: Period[] | undefined,
  wanted: string | undefined,
  todayIso: string,
): Period | undefined {
  if (!periods?.length) return undefined;
  if (wanted) {
    const p = periods.find((x) => x.id === wanted);
    if (p) return p;
  }
  const current = periods.filter((p) => p.startDate <= todayIso && todayIso <= p.endDate);
  return current.find((p) => p.kind === "quarter") ?? current[0] ?? periods.at(-1);
}

/** People as select options (value = id, label = name). */
export function useUserOptions() {
  const users = useUsers();
  return (users.data?.items ?? []).map((u) => ({ value: u.id, label: u.name }));
}

/** Teams as select options (value = id, label = name). */
export function useTeamOptions() {
  const teams = useTeams();
  return (teams.data?.items ?? []).map((x) => ({ value: x.id, label: x.name }));
}
