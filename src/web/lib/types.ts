/**
 * API shapes as the web app reads them, inferred from the server's contract (src/contract):
 * the zod shapes the server checks its answers against and documents in OpenAPI. Never write
 * one by hand: add the shape to the contract and infer it here.
 */
import type { z } from "zod";
import type * as C from "../../contract/index.js";

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export type Period = z.infer<typeof C.PeriodShape>;
export type User = z.infer<typeof C.UserShape>;
export type Team = z.infer<typeof C.TeamShape>;
export type KeyResult = z.infer<typeof C.KeyResultShape>;
export type Objective = z.infer<typeof C.ObjectiveShape>;
export type CheckIn = z.infer<typeof C.CheckInShape>;
export type Alignment = z.infer<typeof C.AlignmentShape>;
export type Initiative = z.infer<typeof C.InitiativeShape>;
export type Kpi = z.infer<typeof C.KpiShape>;
export type KpiDetail = z.infer<typeof C.KpiDetailShape>;
export type KpiValue = z.infer<typeof C.KpiValueShape>;
export type Me = z.infer<typeof C.MeShape>;
export type Settings = z.infer<typeof C.SettingsShape>;
export type TreeNode = z.infer<typeof C.TreeNodeShape>;
export type Tree = z.infer<typeof C.TreeShape>;
export type Finding = z.infer<typeof C.FindingShape>;
export type AuditEntry = z.infer<typeof C.AuditEntryShape>;
/** `GET /series`: progress over time of the objectives in view, one point a week and one for now. */
export type Series = z.infer<typeof C.SeriesShape>;
export type SeriesPoint = Series["points"][number];
export type PeriodCloseSummary = z.infer<typeof C.PeriodCloseShape>;
export type Dashboard = z.infer<typeof C.DashboardShape>;
export type ApiToken = z.infer<typeof C.TokenShape>;
export type Session = z.infer<typeof C.SessionShape>;
export type Invitation = z.infer<typeof C.InvitationShape>;
export type TrashItem = z.infer<typeof C.TrashItemShape>;
export type TrashRestore = z.infer<typeof C.TrashRestoreShape>;
export type ScimToken = z.infer<typeof C.ScimTokenShape>;
export type SsoConfig = z.infer<typeof C.SsoConfigShape>;
export type SignedIn = z.infer<typeof C.SignedInShape>;
export type PasswordResetRequested = z.infer<typeof C.PasswordResetRequestedShape>;
export type PeopleImportSummary = z.infer<typeof C.PeopleImportSummaryShape>;
export type AlignmentPreview = z.infer<typeof C.AlignmentPreviewShape>;
export type Breakdown = z.infer<typeof C.ProgressBreakdownShape>;
export type BreakdownItem = Breakdown["items"][number];
export type TeamCluster = z.infer<typeof C.TeamClusterShape>;
export type PeriodClosePreview = z.infer<typeof C.PeriodClosePreviewShape>;
/** The notification centre (#12). */
export type Notice = z.infer<typeof C.NotificationShape>;
export type NoticePage = z.infer<typeof C.NotificationPageShape>;
export type NotificationPreferences = z.infer<typeof C.NotificationPreferencesShape>;
export type Unsubscribed = z.infer<typeof C.UnsubscribedShape>;
export type ChatTest = z.infer<typeof C.ChatTestShape>;
export type Comment = z.infer<typeof C.CommentShape>;
export type CommentReaction = z.infer<typeof C.CommentReactionShape>;
export type Following = z.infer<typeof C.FollowingShape>;
/** `GET /objectives/:id/review`: a draft's review state, reviewers, trail and what I may do. */
export type Review = z.infer<typeof C.ReviewShape>;
export type ReviewsWaiting = z.infer<typeof C.ReviewsWaitingShape>;
/** The background jobs (#12). */
export type Job = z.infer<typeof C.JobShape>;
export type JobRun = z.infer<typeof C.JobRunShape>;
export type KeyResultToken = z.infer<typeof C.KeyResultTokenShape>;
export type KeyResultTokenCreated = z.infer<typeof C.KeyResultTokenCreatedShape>;
export type DataLink = z.infer<typeof C.DataLinkShape>;
export type SyncOutcome = z.infer<typeof C.SyncOutcomeShape>;
