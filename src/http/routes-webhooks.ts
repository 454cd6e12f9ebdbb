/**
 * Outbound webhooks (#13): subscriptions, the delivery log and replay, for owners and admins.
 * Spread into the route table (`apiRoutes`) like any other route.
 */
import * as shape from "../contract/index.js";
import { PageQuerySchema } from "../services/schemas.js";
import * as webhooks from "../services/webhook.service.js";
import type { RouteDef } from "./routes.js";

export const webhookRoutes: RouteDef[] = [
  {
    method: "GET",
    url: "/webhooks",
    permission: "admin",
    tag: "webhooks",
    summary: "The organisation's outbound webhooks (never their secrets)",
    response: shape.WebhookListShape,
    handler: (c) => webhooks.listWebhooks(c.svc, c.actor),
  },
  {
    method: "POST",
    url: "/webhooks",
    permission: "admin",
    tag: "webhooks",
    summary: "Subscribe a URL to events (the signing secret is in this answer only)",
    description:
      "`events`: one or more of checkIn.created, status.changed, objective.closed, comment.created. Each event is " +
      "posted as JSON `{ id, event, createdAt, organizationId, data }`, signed with the Standard Webhooks headers " +
      "(`webhook-id`, `webhook-timestamp`, `webhook-signature`; see docs/webhooks.md), and retried with backoff up to " +
      "6 attempts. A delivery never carries what the webhook's creator could not see. The URL must be https " +
      "(http too when the instance allows private URLs) and reach a public address.",
    body: webhooks.WebhookCreateSchema,
    response: shape.WebhookWithSecretShape,
    status: 201,
    handler: (c) => webhooks.createWebhook(c.svc, c.actor, c.body),
  },
  {
    method: "PATCH",
    url: "/webhooks/:id",
    permission: "admin",
    tag: "webhooks",
    summary: "Change a webhook's URL, events, description or active flag",
    body: webhooks.WebhookUpdateSchema,
    response: shape.WebhookShape,
    handler: (c) => webhooks.updateWebhook(c.svc, c.actor, c.id, c.body, c.ifMatch),
  },
  {
    method: "DELETE",
    url: "/webhooks/:id",
    permission: "admin",
    tag: "webhooks",
    summary: "Delete a webhook (deliveries still waiting fail)",
    response: null,
    status: 204,
    handler: (c) => webhooks.deleteWebhook(c.svc, c.actor, c.id),
  },
  {
    method: "POST",
    url: "/webhooks/:id/rotate-secret",
    permission: "admin",
    tag: "webhooks",
    summary: "Replace a webhook's signing secret (the new one is in this answer only)",
    response: shape.WebhookWithSecretShape,
    status: 200,
    handler: (c) => webhooks.rotateWebhookSecret(c.svc, c.actor, c.id),
  },
  {
    method: "GET",
    url: "/webhooks/:id/deliveries",
    permission: "admin",
    tag: "webhooks",
    summary: "A webhook's delivery log, newest first",
    description: "Pages with `limit` (default 50) and `cursor` (the previous page's `nextCursor`).",
    query: PageQuerySchema,
    response: shape.WebhookDeliveryPageShape,
    handler: (c) => webhooks.listWebhookDeliveries(c.svc, c.actor, c.id, c.query),
  },
  {
    method: "POST",
    url: "/webhooks/:id/deliveries/:deliveryId/replay",
    permission: "admin",
    tag: "webhooks",
    summary: "Send a delivery's message again, as a new delivery",
    response: shape.WebhookDeliveryShape,
    status: 201,
    handler: (c) => webhooks.replayWebhookDelivery(c.svc, c.actor, c.id, c.params?.deliveryId ?? ""),
  },
];
