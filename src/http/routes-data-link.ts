/**
 * Data-linked key results (#13): a key result's check-in tokens, its source's state and "sync
 * now" (spread into the route table like any other route), and the public push route a script
 * posts a value to with a key result's own token.
 */
import type { FastifyInstance } from "fastify";
import * as shape from "../contract/index.js";
import { CheckInShape } from "../contract/index.js";
import { AppError } from "../domain/errors.js";
import type { Services } from "../services/context.js";
import * as dataLink from "../services/data-link.service.js";
import * as S from "../services/schemas.js";
import { jsonSchema } from "./contract.js";
import type { RouteDef } from "./routes.js";

export const dataLinkRoutes: RouteDef[] = [
  {
    method: "GET",
    url: "/key-results/:id/tokens",
    permission: "contribute",
    tag: "data links",
    summary: "A key result's check-in tokens (never their secrets); those who may edit it",
    response: shape.KeyResultTokenPageShape,
    handler: (c) => dataLink.listKeyResultTokens(c.svc, c.actor, c.id),
  },
  {
    method: "POST",
    url: "/key-results/:id/tokens",
    permission: "contribute",
    tag: "data links",
    summary: "Make a check-in token for a key result (the secret is shown once)",
    description:
      "A script or CI job posts new values with it to POST /key-results/{id}/push without a personal token. " +
      "It works for this key result only, and only while its maker may edit the key result; it dies with the key result.",
    body: dataLink.KeyResultTokenCreateSchema,
    response: shape.KeyResultTokenCreatedShape,
    status: 201,
    handler: (c) => dataLink.createKeyResultToken(c.svc, c.actor, c.id, c.body),
  },
  {
    method: "DELETE",
    url: "/key-results/:id/tokens/:tokenId",
    permission: "contribute",
    tag: "data links",
    summary: "Revoke a key result's check-in token (kept, revoked, for the audit trail)",
    response: null,
    status: 204,
    handler: (c) => dataLink.revokeKeyResultToken(c.svc, c.actor, c.id, c.params?.tokenId ?? ""),
  },
  {
    method: "GET",
    url: "/key-results/:id/data-link",
    permission: "read",
    tag: "data links",
    summary: "Where a key result reads its value from, and how its last sync went",
    description:
      "The source's full URL is answered only to those who may edit the key result (a query string often holds a key); others see its scheme, host and path.",
    response: shape.DataLinkShape,
    handler: (c) => dataLink.getDataLink(c.svc, c.actor, c.id),
  },
  {
    method: "POST",
    url: "/key-results/:id/sync",
    permission: "contribute",
    tag: "data links",
    summary: "Sync now: read the key result's source and answer what happened",
    description:
      "A value different from the key result's current one is recorded as a check-in; the same value records nothing; " +
      "a failure is stored on the key result (the last good value stays) and answered in `error`. 409 when it has no source.",
    response: shape.SyncOutcomeShape,
    status: 200,
    handler: (c) => dataLink.syncKeyResultNow(c.svc, c.actor, c.id),
  },
];

/** The push route's own limit per address: scripts behind one gateway share it. */
export const PUSH_RATE_LIMIT = { max: 120, timeWindow: 60_000 };

/**
 * `POST /api/v1/key-results/{id}/push` with `Authorization: Bearer okrkr_…` and
 * `{ value, note?, at? }`: a check-in by the key result's own token (no session, no API token).
 */
export function registerKeyResultPush(app: FastifyInstance, svc: Services): void {
  app.post(
    "/api/v1/key-results/:id/push",
    {
      config: { permission: "public", rateLimit: PUSH_RATE_LIMIT, contract: CheckInShape, contractStatus: 201 },
      schema: {
        tags: ["data links"],
        summary: "Check in with a key result's own token (Authorization: Bearer okrkr_…)",
        description:
          "The body is a check-in's: `value` (or `achieved` for a milestone), optional `note`, `at`, `confidence`, `status`. " +
          "401 for an unknown or revoked token, a deleted key result, or a maker who may no longer edit it; 403 for another key result's token.",
        security: [{ bearer: [] }],
        params: { type: "object", properties: { id: { type: "string" } }, required: ["id"] },
        body: jsonSchema(S.CheckInCreateSchema, "input"),
        response: { 201: { description: "Recorded", ...jsonSchema(CheckInShape, "output") } },
      },
    },
    async (req, reply) => {
      const h = req.headers.authorization;
      const m = h ? /^Bearer\s+(\S+)\s*$/i.exec(h) : null;
      if (h && !m) throw new AppError("UNAUTHENTICATED", 'The Authorization header must be "Bearer okrkr_…".');
      const { id } = req.params as { id: string };
      return reply.status(201).send(await dataLink.pushCheckIn(svc, m?.[1], id, req.body));
    },
  );
}
