/** API shapes as the web app reads them (the server's presenters are the source of truth). */
import type { Forecast, KrType, Status } from "../../domain/types.js";

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Period {
  id: string;
  name: string;
  kind: "year" | "quarter" | "custom";
  startDate: string;
  endDate: string;
  parentId: string | null;
  closedAt: string | null;
}

export interface User {
  id: string;
  name: string;
  email: string;
  managerId: string | null;
  teamIds: string[];
  role: string;
  active: boolean;
}

export interface Team {
  id: string;
  name: string;
  parentId: string | null;
  ownerIds: string[];
  memberIds: string[];
}

export interface KeyResult {
  id: string;
  objectiveId: string;
  title: string;
  description: string;
  ownerIds: string[];
  delegateIds: string[];
  type: KrType;
  unit: "number" | "percent" | "currency";
  currency: string | null;
  start: number | null;
  target: number | null;
  current: number | null;
  achieved: boolean | null;
  baselineConfirmed: boolean;
  startDate: string | null;
  endDate: string | null;
  plan: { date: string; value: number }[] | null;
  progressMode: "manual" | "rollup";
  rollup: "mean" | "sum" | "proportional";
  progressOverride: number | null;
  weight: number;
  /** Its place among its objective's key results, from 0. */
  position: number;
  progress: number | null;
  expectedProgress: number;
  status: Status;
  forecast: Forecast | null;
  closed: boolean;
  score: number | null;
  lastCheckInAt: string | null;
  version: number;
}

export interface Objective {
  id: string;
  title: string;
  description: string;
  level: "organization" | "team" | "individual";
  teamId: string | null;
  ownerIds: string[];
  periodId: string;
  committed: boolean;
  visibility: "public" | "private";
  state: "draft" | "active" | "closed";
  progress: number;
  progressOverride: number | null;
  expectedProgress: number;
  status: Status;
  score: number | null;
  forecast: Forecast | null;
  lastCheckInAt: string | null;
  closing: { note?: string; learnings?: string; next?: string } | null;
  version: number;
  keyResults: KeyResult[];
}

export interface CheckIn {
  id: string;
  keyResultId: string;
  value: number | null;
  achieved: boolean | null;
  status: Status | null;
  confidence: number | null;
  note: string;
  authorId: string | null;
  at: string;
  version: number;
}

export interface Alignment {
  id: string;
  childType: "objective" | "keyResult";
  childId: string;
  parentType: "objective" | "keyResult";
  parentId: string;
  weight: number;
  contributes: boolean;
  /** `pending`: waiting for the parent's side to accept it. */
  state: "active" | "pending";
}

export interface Me {
  user: User;
  role: "owner" | "admin" | "member" | "observer";
  access: "read" | "write";
  organization: { id: string; name: string };
  isInstanceAdmin: boolean;
  hasPassword: boolean;
  authMethod: "session" | "token";
  csrfToken?: string;
}

export interface Settings {
  name: string;
  /** A background recompute after a change of time zone or initiatives counting, while it runs. */
  recompute?: { requestedAt: string; done: number | null; total: number | null } | null;
  timeZone: string;
  notStartedGraceDays: number;
  behindThreshold: number;
  initiativesCount: boolean;
  cadenceDays: number;
  checkInGraceDays?: number;
  membersCreateTeamOkrs?: boolean;
  privateUnderPublic?: boolean;
  terminology?: { objective: string; keyResult: string; initiative: string };
}

export interface TreeNode {
  type: "objective" | "keyResult";
  id: string;
  title: string;
  level: Objective["level"] | null;
  teamId: string | null;
  ownerIds: string[];
  periodId: string;
  objectiveId: string | null;
  progress: number | null;
  expectedProgress: number;
  status: Status;
  flags: string[];
  alignment: { id: string; weight: number; contributes: boolean } | null;
  children: TreeNode[];
}

export interface Finding {
  checkId: string;
  severity: "error" | "warn" | "info";
  objectType: "objective" | "keyResult" | "user";
  objectId: string;
  message: string;
  reason: string;
}

export interface AuditEntry {
  id: string;
  actorId: string | null;
  actorName: string | null;
  at: string;
  action: string;
  objectType: string;
  objectId: string;
  before: unknown;
  after: unknown;
}

/** `GET /series`: progress over time of the objectives in view, one point a week and one for now. */
export interface SeriesPoint {
  at: string;
  /** Mean of min(1, progress) over the non-draft objectives in view (0..1). */
  progress: number;
  /** Mean expected progress (0..1). */
  expectedProgress: number;
  /** How many objectives the means are over. */
  objectives: number;
  statuses: Record<Status, number>;
}

export interface Series {
  periodId: string;
  teamId: string | null;
  points: SeriesPoint[];
}
