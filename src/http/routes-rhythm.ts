/**
 * The rhythm's routes (#12): the caller's notification centre and preferences, and the jobs.
 * Spread into the route table (`apiRoutes`) like any other route.
 */
import * as shape from "../contract/index.js";
import * as jobs from "../services/jobs.service.js";
import * as notices from "../services/notify.service.js";
import * as S from "../services/schemas.js";
import type { RouteDef } from "./routes.js";

export const rhythmRoutes: RouteDef[] = [
  {
    method: "GET",
    url: "/notifications",
    permission: "self",
    tag: "notifications",
    summary: "My notifications, newest first, with the unread count",
    description:
      "`unread=true` lists only unread ones. Pages with `limit` (default 20) and `cursor` (the previous page's `nextCursor`). " +
      "Notifications about an objective I may no longer see are left out.",
    query: S.NotificationListQuerySchema,
    response: shape.NotificationPageShape,
    handler: (c) => notices.listNotifications(c.svc, c.actor, c.query),
  },
  {
    method: "POST",
    url: "/notifications/read",
    permission: "self",
    tag: "notifications",
    summary: "Mark my notifications read: `{ ids: [...] }` or `{ all: true }`",
    body: S.NotificationReadSchema,
    response: shape.NotificationsMarkedShape,
    status: 200,
    handler: (c) => notices.markNotificationsRead(c.svc, c.actor, c.body),
  },
  {
    method: "GET",
    url: "/me/notification-preferences",
    permission: "self",
    tag: "notifications",
    summary: "How Okra reaches me: channel, quiet days, weekly digest",
    response: shape.NotificationPreferencesShape,
    handler: (c) => notices.getNotificationPreferences(c.svc, c.actor),
  },
  {
    method: "PATCH",
    url: "/me/notification-preferences",
    permission: "self",
    tag: "notifications",
    summary: "Change how Okra reaches me",
    description:
      '`channel`: "email" (email and the app) or "inApp" (the app only); `quietDays`: ISO weekdays (1 = Monday … 7 = Sunday) ' +
      "on which no reminder or digest is sent; `digest`: the weekly digest on or off.",
    body: S.NotificationPreferencesSchema,
    response: shape.NotificationPreferencesShape,
    handler: (c) => notices.updateNotificationPreferences(c.svc, c.actor, c.body),
  },

  {
    method: "GET",
    url: "/jobs",
    permission: "admin",
    tag: "jobs",
    summary: "The background jobs: what each does, its schedule, next and last run, failures in the last week",
    response: shape.JobListShape,
    handler: (c) => jobs.listJobs(c.svc, c.actor),
  },
  {
    method: "GET",
    url: "/jobs/:id/runs",
    permission: "admin",
    tag: "jobs",
    summary: "The latest 50 runs of a job in my organisation, newest first",
    response: shape.JobRunListShape,
    handler: (c) => jobs.listJobRuns(c.svc, c.actor, c.id),
  },
  {
    method: "POST",
    url: "/jobs/:id/run",
    permission: "admin",
    tag: "jobs",
    summary: "Run a job now for my organisation, and answer what it did",
    description:
      "Reminders run now ignore the reminder hour (the cadence and once-per-due-date still hold) and answer who was " +
      "reminded of which key results, who was skipped and why, and who was escalated to their manager.",
    response: shape.JobRunShape,
    status: 200,
    handler: (c) => jobs.runJobNow(c.svc, c.actor, c.id),
  },
];
