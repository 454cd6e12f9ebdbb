/** Response shapes of outbound webhooks (#13): subscriptions and their delivery log. */
import { z } from "zod";
import { Id, Instant } from "./api-shapes.js";

const WebhookEventShape = z
  .enum(["checkIn.created", "status.changed", "objective.closed", "comment.created"])
  .describe("an event a webhook may subscribe to");

export const WebhookShape = z.strictObject({
  id: Id,
  url: z.string().describe("where deliveries are posted"),
  events: z.array(WebhookEventShape),
  description: z.string(),
  active: z.boolean().describe("false: nothing is queued for it"),
  createdBy: Id.describe("whose sight limits what it carries: never what this person could not see"),
  version: z.number().int().describe("send it back with a change (409 when someone changed it since)"),
  createdAt: Instant,
  updatedAt: Instant,
});

export const WebhookListShape = z.strictObject({ items: z.array(WebhookShape) });

export const WebhookWithSecretShape = WebhookShape.extend({
  secret: z
    .string()
    .describe("the signing secret, whsec_…: shown in this answer only (see docs/webhooks.md to verify signatures)"),
});

export const WebhookDeliveryShape = z.strictObject({
  id: Id,
  webhookId: Id,
  event: z.string(),
  state: z.enum(["pending", "sending", "sent", "failed"]),
  attempts: z.number().int().describe("posts tried so far (at most 6)"),
  responseStatus: z.number().int().nullable().describe("the receiver's HTTP status at the last attempt"),
  error: z.string().nullable().describe("why the last attempt failed"),
  replayOf: Id.nullable().describe("the delivery this one replays"),
  payload: z.unknown().describe("the JSON body posted: { id, event, createdAt, organizationId, data }"),
  createdAt: Instant,
  nextAttemptAt: Instant.nullable().describe("when it is tried next (null once sent or failed)"),
  deliveredAt: Instant.nullable(),
});

export const WebhookDeliveryPageShape = z.strictObject({
  items: z.array(WebhookDeliveryShape),
  nextCursor: z.string().nullable(),
});
