/** Response shapes of the rhythm (#12): notifications, preferences, unsubscribe, jobs. */
import { z } from "zod";
import { Id, Instant } from "./api-shapes.js";

export const NotificationShape = z.strictObject({
  id: Id,
  kind: z.string().describe("reminder, escalation, mention, comment, change, review, digest …"),
  objectType: z.string(),
  objectId: Id,
  objectiveId: Id.nullable().describe("the objective it concerns, if any"),
  actorId: Id.nullable().describe("who caused it (null for the scheduler)"),
  title: z.string(),
  body: z.string(),
  link: z.string().describe("path in the web app, starting with /"),
  items: z
    .array(z.strictObject({ text: z.string(), link: z.string().nullable(), detail: z.string().nullable() }))
    .describe("lines under the body, such as a reminder's key results, each with its own link"),
  createdAt: Instant,
  readAt: Instant.nullable(),
});

export const NotificationPageShape = z.strictObject({
  items: z.array(NotificationShape),
  unread: z.number().int().describe("unread notifications (counted up to 1000)"),
  nextCursor: z.string().nullable(),
});

export const NotificationsMarkedShape = z.strictObject({ marked: z.number().int() });

export const NotificationPreferencesShape = z.strictObject({
  channel: z.enum(["email", "inApp"]).describe("email: by email and in the app; inApp: in the app only"),
  quietDays: z.array(z.number().int()).describe("ISO weekdays (1 = Monday) with no reminder or digest"),
  digest: z.boolean().describe("the weekly digest"),
});

export const UnsubscribedShape = z.strictObject({
  unsubscribed: z.enum(["email", "digest"]),
  preferences: NotificationPreferencesShape,
});

export const JobRunShape = z.strictObject({
  id: Id,
  name: z.string(),
  trigger: z.enum(["schedule", "manual"]),
  startedAt: Instant,
  finishedAt: Instant.nullable(),
  ok: z.boolean().nullable().describe("null while it runs"),
  summary: z
    .unknown()
    .describe("what the run did (for reminders: who was reminded of which key results, who was skipped and why)"),
  error: z.string().nullable(),
  idle: z
    .boolean()
    .describe(
      "the run found nothing to do (an empty outbox); a row of scheduled idle runs is kept as one, dated by the latest",
    ),
});

export const JobShape = z.strictObject({
  name: z.string(),
  title: z.string(),
  description: z.string(),
  schedule: z.string().describe("cron expression, UTC"),
  timeZone: z.string().describe("the organisation's time zone, in which reminders and digests wait for their hour"),
  nextRunAt: Instant,
  lastRun: JobRunShape.nullable(),
  failuresLastWeek: z.number().int(),
});

export const JobListShape = z.strictObject({ items: z.array(JobShape) });
export const JobRunListShape = z.strictObject({ items: z.array(JobRunShape) });
