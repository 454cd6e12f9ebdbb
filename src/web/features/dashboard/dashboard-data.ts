/**
 * The dashboard's data: one `GET /dashboard` request (types inferred from `DashboardShape` of
 * the contract, src/contract/api-shapes.ts).
 */
import { useQuery } from "@tanstack/react-query";
import type { Status } from "../../../domain/types.js";
import { get } from "../../lib/api.js";
import { withQuery } from "../../lib/queries.js";
import type { Dashboard } from "../../lib/types.js";

export type { Dashboard };
export type DashboardItem = Dashboard["topRisks"][number];
export type DashboardMover = Dashboard["changes"]["up"][number];
export type DashboardChange = Dashboard["changes"]["statusChanges"][number];
export type DashboardTeamRow = Dashboard["teams"][number];

/**
 * The dashboard of a period (of a team and the teams under it). Its key starts with "series":
 * the same changes reach it as the progress-over-time chart (live-keys.ts), so it refetches with it.
 */
export const useDashboard = (periodId: string | undefined, teamId: string | undefined) =>
  useQuery({
    queryKey: ["series", "dashboard", periodId, teamId ?? null],
    enabled: !!periodId,
    queryFn: () => get<Dashboard>(withQuery("/dashboard", { periodId, teamId })),
  });

/** The statuses a dashboard shows, in the method's order; drafts count nowhere. */
export function shownStatuses(statuses: readonly string[]): Status[] {
  return statuses.filter((s) => s !== "draft") as Status[];
}
