/**
 * The dashboard's data: one `GET /dashboard` request (types as `DashboardShape` in
 * http/api-shapes.ts describes them).
 */
import { useQuery } from "@tanstack/react-query";
import type { Status } from "../../../domain/types.js";
import { get } from "../../lib/api.js";
import { withQuery } from "../../lib/queries.js";

export interface DashboardItem {
  type: "objective" | "keyResult";
  id: string;
  title: string;
  objective: { id: string; title: string } | null;
  owners: { id: string; name: string }[];
  progress: number;
  expectedProgress: number;
  status: Status;
}

export interface DashboardMover extends DashboardItem {
  before: number;
  after: number;
  delta: number;
}

export interface DashboardChange extends DashboardItem {
  from: Status;
}

export interface DashboardTeamRow {
  teamId: string | null;
  name: string | null;
  depth: number;
  statuses: Record<Status, number>;
  objectives: number;
  keyResults: number;
  fresh: number;
  neverCheckedIn: number;
  oldestCheckInAt: string | null;
}

export interface Dashboard {
  periodId: string;
  teamId: string | null;
  at: string;
  since: string;
  expectedProgress: number;
  cadenceDays: number;
  teams: DashboardTeamRow[];
  topRisks: DashboardItem[];
  changes: {
    up: DashboardMover[];
    down: DashboardMover[];
    statusChanges: DashboardChange[];
    newRisks: DashboardChange[];
  };
}

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
