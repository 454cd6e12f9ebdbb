/**
 * The /api/v1 routes with which organisation owners and admins manage SCIM tokens (the
 * credentials Okta or Entra ID use on /scim/v2). Wired into the route table by app.ts.
 */
import { z } from "zod";
import { pageOf, ScimTokenShape } from "../contract/index.js";
import * as scim from "../services/scim.service.js";
import type { RouteDef } from "./routes.js";

export const scimTokenRoutes: RouteDef[] = [
  {
    method: "GET",
    url: "/scim-tokens",
    permission: "admin",
    tag: "scim",
    summary: "The organisation's SCIM provisioning tokens (never the secrets)",
    response: pageOf(ScimTokenShape),
    handler: (c) => scim.listScimTokens(c.svc, c.actor),
  },
  {
    method: "POST",
    url: "/scim-tokens",
    permission: "admin",
    tag: "scim",
    summary: "Issue a SCIM token for Okta or Entra ID (the secret is in this answer only)",
    description:
      "Paste the token into your identity provider's provisioning settings, with the base URL `<server>/scim/v2`. It can create, update and deactivate people and manage teams of this organisation only.",
    body: scim.ScimTokenCreateSchema,
    response: ScimTokenShape.extend({ token: z.string().describe("the secret, okra_scim_…; shown once") }),
    status: 201,
    handler: (c) => scim.createScimToken(c.svc, c.actor, c.body),
  },
  {
    method: "DELETE",
    url: "/scim-tokens/:id",
    permission: "admin",
    tag: "scim",
    summary: "Revoke a SCIM token (provisioning with it answers 401 from then on)",
    response: null,
    status: 204,
    handler: (c) => scim.revokeScimToken(c.svc, c.actor, c.id),
  },
];
