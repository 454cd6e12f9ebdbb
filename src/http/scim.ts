/**
 * The SCIM 2.0 endpoints (RFC 7644) under /scim/v2, for identity providers such as Okta and
 * Microsoft Entra ID. An encapsulated plugin: it authenticates every request with the
 * organisation's SCIM token (not the API's tokens), parses `application/scim+json`, and
 * answers in SCIM's own shapes and error format. Routes are thin: they call one service each.
 */
import type { FastifyContextConfig, FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { AppError, type AppErrorCode } from "../domain/errors.js";
import type { Services } from "../services/context.js";
import * as scim from "../services/scim.service.js";
import { readUtf8Body } from "./body-text.js";
import { STATUS_BY_CODE } from "./errors.js";

export const SCIM_PREFIX = scim.SCIM_PATH;
const SCIM_CONTENT_TYPE = "application/scim+json; charset=utf-8";
/** The API's route guard requires a permission; SCIM routes authenticate with SCIM tokens themselves. */
const PUBLIC = { permission: "public" } as FastifyContextConfig;

/** SCIM's statuses for the application's error codes: the API's, except a version mismatch is 412 (RFC 7644 §3.14). */
const SCIM_STATUS: Record<AppErrorCode, number> = { ...STATUS_BY_CODE, VERSION_CONFLICT: 412 };

type Json = Record<string, unknown>;

function errorBody(status: number, scimType: string | null, detail: string): Json {
  return { schemas: [scim.SCIM_ERROR], status: String(status), ...(scimType ? { scimType } : {}), detail };
}

function sendError(reply: FastifyReply, status: number, scimType: string | null, detail: string) {
  if (status === 401) reply.header("www-authenticate", 'Bearer realm="Okra SCIM"');
  return reply
    .status(status)
    .type(SCIM_CONTENT_TYPE)
    .send(errorBody(status, scimType, detail));
}

/** Fastify's own errors (content type, body size) in SCIM terms. */
function fromFastify(err: FastifyError): { status: number; scimType: string | null; detail: string } | null {
  const status = err.statusCode ?? 500;
  if (status < 400 || status >= 500) return null;
  switch (err.code) {
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return {
        status: 415,
        scimType: null,
        detail: 'Send the body as JSON with "Content-Type: application/scim+json" (or application/json).',
      };
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return { status: 400, scimType: "invalidSyntax", detail: "The body is empty; send a SCIM JSON object." };
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return { status: 413, scimType: null, detail: "The body is too large (at most 1 MB)." };
    default:
      return { status, scimType: status === 400 ? "invalidSyntax" : null, detail: err.message };
  }
}

function bearer(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  if (!m) {
    throw new AppError("UNAUTHENTICATED", 'The Authorization header must be "Bearer <SCIM token>".');
  }
  return m[1];
}

/** Reads If-Match as a version: `W/"3"`, `"3"` or `3`; `*` (or none) means any version. */
function ifMatch(req: FastifyRequest): number | undefined {
  const raw = req.headers["if-match"];
  if (raw === undefined) return undefined;
  const v = String(raw)
    .trim()
    .replace(/^W\//i, "")
    .replace(/^"(.*)"$/, "$1");
  if (v === "*") return undefined;
  // An ETag this server never issued matches no version (412).
  return /^\d+$/.test(v) ? Number(v) : -1;
}

/** The query parameters of a list or get, read case-insensitively (RFC 7644 names them in camelCase). */
function listQuery(req: FastifyRequest): scim.ScimListQuery {
  const q = (req.query ?? {}) as Record<string, unknown>;
  const pick = (name: string) => {
    const key = Object.keys(q).find((k) => k.toLowerCase() === name.toLowerCase());
    const v = key === undefined ? undefined : q[key];
    return typeof v === "string" ? v : Array.isArray(v) && typeof v[0] === "string" ? v[0] : undefined;
  };
  return {
    filter: pick("filter"),
    startIndex: pick("startIndex"),
    count: pick("count"),
    attributes: pick("attributes"),
    excludedAttributes: pick("excludedAttributes"),
  };
}

function sendResource(reply: FastifyReply, status: number, resource: Json) {
  const meta = resource.meta as { version?: string; location?: string } | undefined;
  if (meta?.version) reply.header("etag", meta.version);
  if (status === 201 && meta?.location) reply.header("location", meta.location);
  return reply.status(status).type(SCIM_CONTENT_TYPE).send(resource);
}

/**
 * Registers the SCIM endpoints under /scim/v2 on `app` (before it is ready). Every route is
 * `permission: "public"` for the API's guard: this plugin authenticates with SCIM tokens itself.
 */
export async function registerScim(app: FastifyInstance, svc: Services): Promise<void> {
  await app.register(
    async (scoped) => {
      const callers = new WeakMap<FastifyRequest, scim.ScimCaller>();
      const caller = (req: FastifyRequest): scim.ScimCaller => {
        const c = callers.get(req);
        if (!c) throw new AppError("UNAUTHENTICATED", "This request was not authenticated.");
        return c;
      };
      // Links in answers start with the public address, not the Host header the client sent.
      const baseUrl = scim.scimBaseUrl(svc);
      const id = (req: FastifyRequest) => (req.params as { id?: string }).id ?? "";

      // SCIM clients send application/scim+json (Okta, Entra) or application/json; both parse here,
      // with SCIM's error on malformed JSON. A body that is not UTF-8, or declares another charset,
      // is 400 invalidSyntax like the API's (its bytes cannot be read, whatever the media type).
      // An empty body (DELETE with a JSON content type) is no body. Nothing else parses here:
      // other media types answer 415.
      scoped.removeAllContentTypeParsers();
      scoped.addContentTypeParser(
        ["application/scim+json", "application/json"],
        { parseAs: "buffer" },
        (req, body, done) => {
          const read = readUtf8Body(body as Buffer, req.headers["content-type"]);
          if (!read.ok) {
            const detail =
              read.reason === "charset"
                ? `The body is declared as charset ${JSON.stringify(read.charset)}; send UTF-8 encoded JSON (Content-Type: application/scim+json, or with charset=utf-8).`
                : "The body is not valid UTF-8; send UTF-8 encoded JSON.";
            return done(new AppError("VALIDATION", detail, { scimType: "invalidSyntax" }), undefined);
          }
          const text = read.text;
          if (text.trim() === "") return done(null, undefined);
          try {
            done(null, JSON.parse(text));
          } catch (err) {
            done(
              new AppError(
                "VALIDATION",
                `The body is not valid JSON (${(err as Error).message}); send a SCIM JSON object.`,
                { scimType: "invalidSyntax" },
              ),
              undefined,
            );
          }
        },
      );

      scoped.setErrorHandler((err, req, reply) => {
        if (err instanceof AppError) {
          const status = SCIM_STATUS[err.code];
          return sendError(reply, status, scim.scimTypeOf(err), err.message);
        }
        const known = fromFastify(err as FastifyError);
        if (known) return sendError(reply, known.status, known.scimType, known.detail);
        req.log.error({ err }, "unexpected error in SCIM");
        return sendError(reply, 500, null, "Something went wrong on the server. It has been logged; please retry.");
      });

      scoped.setNotFoundHandler((req, reply) =>
        sendError(
          reply,
          404,
          null,
          `No SCIM endpoint ${req.method} ${req.url.split("?")[0]}. Okra serves ${SCIM_PREFIX}/Users, /Groups, /ServiceProviderConfig, /ResourceTypes and /Schemas.`,
        ),
      );

      scoped.addHook("onRequest", async (req) => {
        callers.set(req, await scim.authenticateScim(svc, bearer(req), baseUrl));
      });

      const route = (
        method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
        url: string,
        summary: string,
        handler: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>,
      ) =>
        scoped.route({
          method,
          url,
          config: PUBLIC,
          schema: { tags: ["scim"], summary },
          handler,
        });

      // discovery
      route("GET", "/ServiceProviderConfig", "SCIM: what this server supports", async (req, reply) =>
        sendResource(reply, 200, scim.scimServiceProviderConfig(caller(req).baseUrl)),
      );
      route("GET", "/ResourceTypes", "SCIM: the resource types (User, Group)", async (req, reply) =>
        sendResource(reply, 200, scim.scimDiscoveryList(scim.scimResourceTypes(caller(req).baseUrl))),
      );
      route("GET", "/ResourceTypes/:id", "SCIM: one resource type", async (req, reply) => {
        const found = scim.scimResourceTypes(caller(req).baseUrl).find((r) => r.id === id(req));
        if (!found) throw new AppError("NOT_FOUND", `No resource type ${JSON.stringify(id(req))}; use User or Group.`);
        return sendResource(reply, 200, found);
      });
      route("GET", "/Schemas", "SCIM: the schemas (User, enterprise User, Group)", async (req, reply) =>
        sendResource(reply, 200, scim.scimDiscoveryList(scim.scimSchemas(caller(req).baseUrl))),
      );
      route("GET", "/Schemas/:id", "SCIM: one schema", async (req, reply) => {
        const found = scim.scimSchemas(caller(req).baseUrl).find((s) => s.id === id(req));
        if (!found) throw new AppError("NOT_FOUND", `No schema ${JSON.stringify(id(req))}; list them at /Schemas.`);
        return sendResource(reply, 200, found);
      });

      // users
      route("GET", "/Users", "SCIM: list or filter people", async (req, reply) =>
        sendResource(reply, 200, await scim.listScimUsers(svc, caller(req), listQuery(req))),
      );
      route("POST", "/Users", "SCIM: create a person", async (req, reply) =>
        sendResource(reply, 201, await scim.createScimUser(svc, caller(req), req.body)),
      );
      route("GET", "/Users/:id", "SCIM: get a person", async (req, reply) =>
        sendResource(reply, 200, await scim.getScimUser(svc, caller(req), id(req), listQuery(req))),
      );
      route("PUT", "/Users/:id", "SCIM: replace a person's attributes", async (req, reply) =>
        sendResource(
          reply,
          200,
          await scim.replaceScimResource(svc, caller(req), scim.SCIM_USERS, id(req), req.body, ifMatch(req)),
        ),
      );
      route("PATCH", "/Users/:id", "SCIM: change a person (PatchOp)", async (req, reply) =>
        sendResource(
          reply,
          200,
          await scim.patchScimResource(svc, caller(req), scim.SCIM_USERS, id(req), req.body, ifMatch(req)),
        ),
      );
      route("DELETE", "/Users/:id", "SCIM: deactivate a person (Okra keeps people)", async (req, reply) => {
        await scim.deactivateScimUser(svc, caller(req), id(req), ifMatch(req));
        return reply.status(204).send();
      });

      // groups
      route("GET", "/Groups", "SCIM: list or filter teams", async (req, reply) =>
        sendResource(reply, 200, await scim.listScimGroups(svc, caller(req), listQuery(req))),
      );
      route("POST", "/Groups", "SCIM: create a team", async (req, reply) =>
        sendResource(reply, 201, await scim.createScimGroup(svc, caller(req), req.body)),
      );
      route("GET", "/Groups/:id", "SCIM: get a team", async (req, reply) =>
        sendResource(reply, 200, await scim.getScimGroup(svc, caller(req), id(req), listQuery(req))),
      );
      route("PUT", "/Groups/:id", "SCIM: replace a team's name and members", async (req, reply) =>
        sendResource(
          reply,
          200,
          await scim.replaceScimResource(svc, caller(req), scim.SCIM_GROUPS, id(req), req.body, ifMatch(req)),
        ),
      );
      route("PATCH", "/Groups/:id", "SCIM: change a team (PatchOp)", async (req, reply) =>
        sendResource(
          reply,
          200,
          await scim.patchScimResource(svc, caller(req), scim.SCIM_GROUPS, id(req), req.body, ifMatch(req)),
        ),
      );
      route("DELETE", "/Groups/:id", "SCIM: delete a team", async (req, reply) => {
        await scim.deleteScimGroup(svc, caller(req), id(req), ifMatch(req));
        return reply.status(204).send();
      });
    },
    { prefix: SCIM_PREFIX },
  );
}
