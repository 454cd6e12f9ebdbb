/**
 * Row → API shape. The public contract (issue #2): camelCase, string ids, ISO 8601
 * dates and instants, decimals as JSON numbers, fractions unrounded.
 */
import type {
  AlignmentRow,
  CheckInRow,
  InitiativeRow,
  KeyResultRow,
  KpiRow,
  KpiValueRow,
  ObjectiveRow,
  PeriodRow,
  TeamRow,
  UserRow,
} from "../db/repositories.js";
import type { Cadence } from "../domain/cadence.js";
import { isReviewState, type ReviewState } from "../domain/review.js";
import type { Forecast, Status } from "../domain/types.js";
import { maskWebhookUrl } from "./chat.js";
import { type Derived, keyResultState, num, type OrgContext, objectiveState } from "./evaluation.js";

const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

export function presentPeriod(p: PeriodRow) {
  return {
    id: p.id,
    name: p.name,
    kind: p.kind,
    startDate: p.startDate,
    endDate: p.endDate,
    parentId: p.parentId,
    closedAt: iso(p.closedAt),
    version: p.version,
    createdAt: iso(p.createdAt),
    updatedAt: iso(p.updatedAt),
  };
}

/**
 * How a team's webhook URLs (credentials) are shown: in clear to admins and the team's owners,
 * masked in the audit trail (the default, so a view made for the audit cannot leak them),
 * hidden (null) from everyone else.
 */
export type SecretUrls = "clear" | "masked" | "hidden";

export function presentTeam(t: TeamRow, members: { userId: string; role: string }[], urls: SecretUrls = "masked") {
  const shown = (u: string | null) => (urls === "clear" ? u : urls === "masked" ? maskWebhookUrl(u) : null);
  return {
    id: t.id,
    name: t.name,
    description: t.description,
    parentId: t.parentId,
    cadence: (t.cadence ?? null) as Cadence | null,
    ownerIds: members.filter((m) => m.role === "owner").map((m) => m.userId),
    memberIds: members.map((m) => m.userId),
    slackWebhookUrl: shown(t.slackWebhookUrl),
    teamsWebhookUrl: shown(t.teamsWebhookUrl),
    slackConfigured: t.slackWebhookUrl !== null,
    teamsConfigured: t.teamsWebhookUrl !== null,
    version: t.version,
    createdAt: iso(t.createdAt),
    updatedAt: iso(t.updatedAt),
  };
}

export function presentUser(u: UserRow, teamIds: string[]) {
  return {
    id: u.id,
    name: u.name,
    email: u.email,
    managerId: u.managerId,
    teamIds,
    role: u.role,
    active: u.active,
    version: u.version,
    createdAt: iso(u.createdAt),
    updatedAt: iso(u.updatedAt),
  };
}

export interface ObjectiveView {
  id: string;
  title: string;
  description: string;
  level: string;
  teamId: string | null;
  ownerIds: string[];
  periodId: string;
  committed: boolean;
  state: string;
  reviewState: ReviewState | null;
  visibility: string;
  progress: number;
  progressOverride: number | null;
  expectedProgress: number;
  status: Status;
  score: number | null;
  forecast: Forecast | null;
  lastCheckInAt: string | null;
  closing: unknown;
  version: number;
  createdAt: string | null;
  updatedAt: string | null;
}

export function presentObjective(o: ObjectiveRow, d: Derived, ctx: OrgContext, nowMs: number): ObjectiveView {
  const { expectedProgress, status } = objectiveState(o, d, ctx, nowMs);
  return {
    id: o.id,
    title: o.title,
    description: o.description,
    level: o.level,
    teamId: o.teamId,
    ownerIds: o.ownerIds,
    periodId: o.periodId,
    committed: o.committed,
    state: o.state,
    reviewState: isReviewState(o.reviewState) ? o.reviewState : null,
    visibility: o.visibility,
    progress: d.progress ?? 0,
    progressOverride: o.progressOverride,
    expectedProgress,
    status,
    score: o.score,
    forecast: withoutForecast(status) ? null : d.forecast,
    lastCheckInAt: d.lastCheckInMs === null ? null : new Date(d.lastCheckInMs).toISOString(),
    closing: o.closing ?? null,
    version: o.version,
    createdAt: iso(o.createdAt),
    updatedAt: iso(o.updatedAt),
  };
}

export type KeyResultView = ReturnType<typeof presentKeyResult>;

/** Closed and draft items have no forecast (okr-method §5): a closed item's score stands in its place. */
function withoutForecast(status: Status): boolean {
  return status === "closed" || status === "draft";
}

export function presentKeyResult(kr: KeyResultRow, obj: ObjectiveRow, d: Derived, ctx: OrgContext, nowMs: number) {
  const { expectedProgress, status } = keyResultState(kr, obj, d, ctx, nowMs);
  return {
    id: kr.id,
    objectiveId: kr.objectiveId,
    title: kr.title,
    description: kr.description,
    ownerIds: kr.ownerIds,
    delegateIds: kr.delegateIds,
    type: kr.type,
    unit: kr.unit,
    currency: kr.currency,
    start: num(kr.start),
    target: num(kr.target),
    current: d.current ?? (kr.progressMode === "manual" ? num(kr.start) : null),
    achieved: d.achieved,
    baselineConfirmed: kr.baselineConfirmed,
    startDate: kr.startDate,
    endDate: kr.endDate,
    plan:
      ((kr.plan ?? null) as { date: string; value: string }[] | null)?.map((p) => ({
        date: p.date,
        value: Number(p.value),
      })) ?? null,
    progressMode: kr.progressMode,
    rollup: kr.rollup,
    progressOverride: kr.progressOverride,
    weight: Number(kr.weight),
    position: kr.position,
    progress: d.progress,
    expectedProgress,
    status,
    forecast: withoutForecast(status) ? null : d.forecast,
    closed: kr.closed || obj.state === "closed",
    score: kr.score,
    scoreReason: kr.scoreReason,
    lastCheckInAt: d.lastCheckInMs === null ? null : new Date(d.lastCheckInMs).toISOString(),
    version: kr.version,
    createdAt: iso(kr.createdAt),
    updatedAt: iso(kr.updatedAt),
  };
}

export function presentAlignment(a: AlignmentRow) {
  return {
    id: a.id,
    childType: a.childType,
    childId: a.childId,
    parentType: a.parentType,
    parentId: a.parentId,
    weight: Number(a.weight),
    contributes: a.contributes,
    /** `pending`: waiting for the parent's side to accept it (it counts in no roll-up until then). */
    state: a.state,
    version: a.version,
    createdAt: iso(a.createdAt),
  };
}

export function presentCheckIn(c: CheckInRow) {
  return {
    id: c.id,
    keyResultId: c.keyResultId,
    value: num(c.value),
    achieved: c.achieved,
    status: c.status,
    confidence: c.confidence,
    note: c.note,
    authorId: c.authorId,
    at: c.at.toISOString(),
    version: c.version,
    createdAt: iso(c.createdAt),
    updatedAt: iso(c.updatedAt),
  };
}

export function presentInitiative(i: InitiativeRow) {
  return {
    id: i.id,
    objectiveId: i.objectiveId,
    keyResultId: i.keyResultId,
    title: i.title,
    description: i.description,
    ownerIds: i.ownerIds,
    state: i.state,
    progress: i.progress,
    weight: Number(i.weight),
    startDate: i.startDate,
    endDate: i.endDate,
    version: i.version,
    createdAt: iso(i.createdAt),
    updatedAt: iso(i.updatedAt),
  };
}

/** A KPI with its latest value and whether that value is inside the healthy range. */
export function presentKpi(k: KpiRow, values: KpiValueRow[]) {
  const latest = values.at(-1) ?? null;
  const min = num(k.healthyMin);
  const max = num(k.healthyMax);
  const v = latest ? Number(latest.value) : null;
  const healthy = v === null ? null : (min === null || v >= min) && (max === null || v <= max);
  return {
    id: k.id,
    name: k.name,
    description: k.description,
    unit: k.unit,
    currency: k.currency,
    ownerIds: k.ownerIds,
    teamId: k.teamId,
    healthyMin: min,
    healthyMax: max,
    objectiveIds: k.objectiveIds,
    current: v,
    currentAt: latest ? latest.at.toISOString() : null,
    healthy,
    version: k.version,
    createdAt: iso(k.createdAt),
    updatedAt: iso(k.updatedAt),
  };
}

export function presentKpiValue(v: KpiValueRow) {
  return {
    id: v.id,
    kpiId: v.kpiId,
    value: Number(v.value),
    at: v.at.toISOString(),
    note: v.note,
    authorId: v.authorId,
  };
}
