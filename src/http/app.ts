/**
 * The Fastify application: authentication, the /api/v1 routes (thin: parse, call one
 * service, present), error mapping, the OpenAPI document and the browsable docs.
 */
import fs from "node:fs";
import https from "node:https";
import path from "node:path";
import cookie from "@fastify/cookie";
import rateLimit from "@fastify/rate-limit";
import fastifyStatic from "@fastify/static";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerFactoryHandler,
} from "fastify";
import helmet from "helmet";
import { ErrorShape, OpenApiDocumentShape } from "../contract/index.js";
import type { Database } from "../db/database.js";
import { PERMISSIONS, type Permission } from "../domain/access.js";
import { AppError } from "../domain/errors.js";
import {
  authenticateSession,
  DEFAULT_SESSION_POLICY,
  SESSION_COOKIE,
  type SessionPolicy,
} from "../services/account.service.js";
import { authenticate, hashToken } from "../services/auth.service.js";
import type { Actor, DomainEvent, Mailer, Services } from "../services/context.js";
import { audienceOf, credentialKey, credentialsConcerned } from "../services/live.service.js";
import { rateLimitError, registerAuthRoutes } from "./auth-routes.js";
import { readUtf8Body } from "./body-text.js";
import { checkAnswers, contractComponents, defaultResponseCheck, jsonSchema, type ResponseCheck } from "./contract.js";
import { errorBody, handleError } from "./errors.js";
import { EventHub, type LiveStreamLimits } from "./events.js";
import { connectLiveBus } from "./live-bus.js";
import { requestLogSerializer } from "./log-redaction.js";
import { apiRoutes, type RawFile, type RouteDef } from "./routes.js";
import { registerKeyResultPush } from "./routes-data-link.js";
import { registerScim } from "./scim.js";
import { registerSsoRoutes } from "./sso-routes.js";

export interface AppOptions {
  database: Database;
  /** Clock in epoch ms (tests fix it). */
  now?: () => number;
  logger?: boolean | object;
  /** Listener for committed changes, besides the live-update stream. */
  onEvent?: (e: DomainEvent) => void;
  /** The built web app to serve at `/` (a directory with index.html); omitted or missing → API only. */
  webDir?: string;
  /** Outgoing mail (invitations, password resets). */
  mailer?: Mailer | undefined;
  /** The address people reach Okra at, for links in emails. */
  publicUrl?: string | undefined;
  /** Let server-side requests (SSO discovery) reach loopback, private and link-local addresses. */
  allowPrivateUrls?: boolean | undefined;
  /** Above this many key results, a change of settings recomputes figures in the background (default 2,000). */
  backgroundRecomputeAbove?: number | undefined;
  /** Session lifetime (idle and absolute). */
  sessionPolicy?: SessionPolicy;
  /** Mark the session cookie Secure (default true). */
  secureCookies?: boolean;
  /** Sign-in attempts per minute and address (default 10). */
  loginRateLimit?: number;
  /** How often a live-update stream's credentials are checked again (default 30 s; tests shorten it). */
  liveRecheckMs?: number;
  /** Caps on open live-update streams, per API token or session (default 5) and per organisation (default 500). */
  liveStreamLimits?: Partial<LiveStreamLimits>;
  /**
   * Exchange live updates with the other app instances on the same PostgreSQL server
   * (LISTEN/NOTIFY, `live-bus.ts`). Default true; the embedded database serves one process.
   */
  liveAcrossInstances?: boolean;
  /** Serve HTTPS with this PEM certificate and key (for `listen`; `inject` is unaffected). */
  tls?: { cert: string | Buffer; key: string | Buffer } | undefined;
  /**
   * Believe X-Forwarded-For / -Proto / -Host from these proxies (Fastify's `trustProxy`:
   * true, a hop count, or addresses and CIDR ranges). Default false: a client could forge them.
   */
  trustProxy?: boolean | number | string;
  /**
   * Whether answers are checked against the route's declared shape (src/contract): `fail` answers
   * 500 on a mismatch (tests, development), `log` logs it. Default: `defaultResponseCheck()`.
   */
  responseCheck?: ResponseCheck;
}

export const API_PREFIX = "/api/v1";

function bearer(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  if (!m) throw new AppError("UNAUTHENTICATED", 'The Authorization header must be "Bearer <token>".');
  return m[1];
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Every string in `value` holding a NUL character or an unpaired surrogate, as "path: message". */
export function badText(value: unknown, path: string, depth = 0): string[] {
  if (typeof value === "string") {
    if (value.includes("\u0000")) return [`${path}: must not contain the NUL character (U+0000)`];
    if (LONE_SURROGATE.test(value)) return [`${path}: contains an unpaired UTF-16 surrogate; send valid Unicode text`];
    return [];
  }
  if (depth > 64 || value === null || typeof value !== "object") return [];
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  return entries.flatMap(([k, v]) => [
    ...badText(k, `${path}.${k}`, depth + 1).map((p) => p.replace(/^[^:]*:/, `${path}: a key`)),
    ...badText(v, `${path}.${k}`, depth + 1),
  ]);
}

/** Reads If-Match as a version number: `3`, `"3"` or `W/"3"`. */
function ifMatchVersion(req: FastifyRequest): number | undefined {
  const raw = req.headers["if-match"];
  if (raw === undefined) return undefined;
  const v = String(raw)
    .trim()
    .replace(/^W\//, "")
    .replace(/^"(.*)"$/, "$1");
  if (!/^\d+$/.test(v)) {
    throw AppError.validation([
      `If-Match: must be the object's version, such as "3" (got ${JSON.stringify(String(raw))})`,
    ]);
  }
  return Number(v);
}

/** Fastify's trustProxy; a hop count trusts that many proxies in front of Okra. */
function trustProxyOption(v: AppOptions["trustProxy"]): boolean | string | ((address: string, hop: number) => boolean) {
  if (typeof v !== "number") return v ?? false;
  return (_address, hop) => hop < v;
}

/** Builds the app (not listening); `close()` it when done. The database stays the caller's. */
export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const tls = opts.tls;
  const app = Fastify({
    // Credentials never reach the log, even if a serializer starts logging headers.
    logger:
      opts.logger && typeof opts.logger === "object"
        ? {
            redact: {
              paths: [
                "req.headers.authorization",
                "req.headers.cookie",
                'req.headers["x-csrf-token"]',
                'res.headers["set-cookie"]',
              ],
              censor: "[redacted]",
            },
            // Nor do SSO codes and states, tokens or SCIM filters in query strings.
            serializers: { req: requestLogSerializer },
            ...opts.logger,
          }
        : (opts.logger ?? false),
    bodyLimit: 1_048_576,
    // Behind a reverse proxy, the client's address (rate limits) and scheme (HSTS) come from it.
    trustProxy: trustProxyOption(opts.trustProxy),
    ...(tls ? { serverFactory: (handler: FastifyServerFactoryHandler) => https.createServer(tls, handler) } : {}),
    // Live-update streams must not keep a closing server alive.
    forceCloseConnections: true,
    // Long ids reach the routes (and answer 404 like any unknown id) instead of Fastify's own 414.
    routerOptions: { maxParamLength: 2000 },
    // URLs Fastify cannot even decode answer in the API's error format too.
    frameworkErrors: (err, _req, reply) => {
      const bad = err.code === "FST_ERR_BAD_URL" || err.code === "FST_ERR_MAX_PARAM_LENGTH";
      return (reply as FastifyReply)
        .status(bad ? 400 : ((err as { statusCode?: number }).statusCode ?? 400))
        .send(
          errorBody(
            "VALIDATION",
            bad
              ? "path: is not a valid URL (check its percent-encoding, e.g. %20 for a space); ids are the uuids the API gave out"
              : `request: ${err.message}`,
          ),
        );
    },
  });
  // Text the database cannot store (NUL, unpaired UTF-16 surrogates) is refused up front, by field.
  app.addHook("preHandler", async (req) => {
    const problems = [...badText(req.params, "path"), ...badText(req.body, "body"), ...badText(req.query, "query")];
    if (problems.length) throw AppError.validation(problems);
  });
  // Every API route declares who may call it: building the app fails on one that does not.
  app.addHook("onRoute", (route) => {
    const url = route.url ?? route.path;
    if (!url.startsWith("/api/v1/") && !url.startsWith("/scim/")) return;
    const permission = (route.config as { permission?: unknown } | undefined)?.permission;
    if (!(PERMISSIONS as readonly unknown[]).includes(permission)) {
      throw new Error(
        `Route ${String(route.method)} ${url} declares no permission: add config.permission (one of ${PERMISSIONS.join(", ")}).`,
      );
    }
  });
  // Every API route declares its answer too, and answers are checked against it.
  checkAnswers(app, opts.responseCheck ?? defaultResponseCheck());
  const hub = new EventHub({
    // Called only after a commit, when svc exists.
    audienceOf: (e) => audienceOf(svc, e),
    concerned: (e) => credentialsConcerned(svc, e),
    onError: (err) => app.log.error({ err }, "could not deliver a live update"),
    ...(opts.liveRecheckMs ? { recheckMs: opts.liveRecheckMs } : {}),
    limits: opts.liveStreamLimits,
  });
  app.decorate("liveEvents", hub);
  // On a PostgreSQL server, the other app instances' changes reach this hub and this one's reach theirs.
  const bus = opts.liveAcrossInstances === false ? null : await connectLiveBus(opts.database, hub, app.log);
  app.decorate("liveBus", bus);
  // Deliveries and credential checks still running finish before the caller closes the database.
  app.addHook("onClose", async () => {
    await bus?.close();
    await hub.close();
  });
  const svc: Services = {
    database: opts.database,
    now: opts.now ?? Date.now,
    emit: (e) => {
      hub.publish(e);
      bus?.publish(e);
      opts.onEvent?.(e);
    },
    mailer: opts.mailer,
    publicUrl: opts.publicUrl,
    allowPrivateUrls: opts.allowPrivateUrls,
    backgroundRecomputeAbove: opts.backgroundRecomputeAbove,
  };
  // The same services for background jobs (their notices reach this instance's live streams).
  app.decorate("services", svc);
  const policy = opts.sessionPolicy ?? DEFAULT_SESSION_POLICY;
  await app.register(cookie);
  await app.register(rateLimit, { global: false, errorResponseBuilder: rateLimitError });

  /**
   * The caller: a bearer API token, or else the session cookie. A cookie-authenticated
   * write must echo the session's CSRF token in `x-csrf-token` (API tokens are not sent
   * by browsers on their own, so they need none).
   */
  const resolveActor = async (req: FastifyRequest, activity = true): Promise<Actor> => {
    const token = bearer(req);
    const cookieValue = req.cookies[SESSION_COOKIE];
    if (token || !cookieValue) return authenticate(svc.database, token, svc.now());
    const actor = await authenticateSession(svc.database, cookieValue, svc.now(), policy, activity);
    if (!["GET", "HEAD", "OPTIONS"].includes(req.method) && req.headers["x-csrf-token"] !== actor.csrfToken) {
      throw new AppError(
        "FORBIDDEN",
        "This change came without the CSRF token of your session; reload the page and try again (send it in the x-csrf-token header).",
      );
    }
    return actor;
  };

  // Validation is done by the services with zod (one place, one error format); the JSON
  // schemas below only document the API. Answers are checked against the contract's zod
  // shapes by checkAnswers (contract.ts), then sent with JSON.stringify.
  app.setValidatorCompiler(() => () => true);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.setErrorHandler(handleError);
  // The API reads JSON only, as UTF-8 (Fastify's text/plain parser goes too: another media type
  // answers 400 VALIDATION). An empty body with a JSON content type (common from HTTP clients on
  // POST …/reopen) means "no fields".
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("application/json", { parseAs: "buffer" }, (req, body, done) => {
    const read = readUtf8Body(body as Buffer, req.headers["content-type"]);
    if (!read.ok) {
      const problem =
        read.reason === "charset"
          ? `body: is declared as charset ${JSON.stringify(read.charset)}; send UTF-8 encoded JSON (Content-Type: application/json, or application/json; charset=utf-8)`
          : "body: is not valid UTF-8; send UTF-8 encoded JSON";
      return done(AppError.validation([problem]), undefined);
    }
    const text = read.text;
    if (text.trim() === "") return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      done(AppError.validation([`body: is not valid JSON (${(err as Error).message}); send a JSON object`]), undefined);
    }
  });
  const webIndex = opts.webDir ? path.join(opts.webDir, "index.html") : null;
  const hasWeb = webIndex !== null && fs.existsSync(webIndex);
  app.setNotFoundHandler((req, reply) => {
    const url = req.url.split("?")[0] ?? "";
    // The web app's own routes (/objectives/…, /explorer) all load its single page.
    if (
      hasWeb &&
      req.method === "GET" &&
      !url.startsWith("/api/") &&
      !url.startsWith("/assets/") &&
      url !== "/healthz"
    ) {
      return reply.type("text/html").header("cache-control", "no-cache").sendFile("index.html");
    }
    return reply
      .status(404)
      .send(errorBody("NOT_FOUND", `No route ${req.method} ${url}. The API reference is at /api/docs.`));
  });
  if (hasWeb && opts.webDir) {
    await app.register(fastifyStatic, {
      root: path.resolve(opts.webDir),
      prefix: "/",
      wildcard: false,
      index: "index.html",
    });
  }

  // Security headers on every answer: a strict CSP (Mantine injects its styles, hence
  // 'unsafe-inline' for styles only), no framing, no sniffing; HSTS only when served over TLS
  // (Okra's own, or a trusted proxy's: see trustProxy). Browsers ignore HSTS sent over plain HTTP.
  // helmet's middleware is built once, here: @fastify/helmet built it again for every request
  // (5–8 µs of each).
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", "data:"],
        connectSrc: ["'self'"],
        fontSrc: ["'self'", "data:"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        upgradeInsecureRequests: null,
      },
    },
    strictTransportSecurity: false,
    crossOriginEmbedderPolicy: false,
  });
  app.addHook("onRequest", (req, reply, done) => securityHeaders(req.raw, reply.raw, () => done()));
  app.addHook("onSend", async (req, reply) => {
    if (req.protocol === "https") reply.header("strict-transport-security", "max-age=15552000; includeSubDomains");
  });
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Okra API",
        version: "1",
        description:
          "Objectives, key results, check-ins, alignment and roll-up. Authenticate with `Authorization: Bearer <token>`.",
      },
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
      security: [{ bearer: [] }],
    },
    // Named parts of the contract (the recursive tree node) are components the routes refer to.
    transformObject: (doc) => {
      const openapi = (doc as { openapiObject: { components?: { schemas?: Record<string, unknown> } } }).openapiObject;
      openapi.components = {
        ...openapi.components,
        schemas: { ...openapi.components?.schemas, ...contractComponents() },
      };
      return openapi as never;
    },
  });
  await app.register(swaggerUi, { routePrefix: "/api/docs" });

  app.get("/healthz", { schema: { hide: true } }, async (_req, reply) => {
    try {
      await opts.database.ping();
      return reply.send({ status: "ok", database: opts.database.kind });
    } catch {
      return reply.status(503).send({ status: "unavailable", database: opts.database.kind });
    }
  });
  app.get(
    `${API_PREFIX}/openapi.json`,
    { schema: { hide: true }, config: { permission: "public", contract: OpenApiDocumentShape } },
    async () => app.swagger(),
  );

  const errorResponses = {
    "4xx": { description: "Error", ...jsonSchema(ErrorShape, "output") },
  };
  for (const def of apiRoutes) register(app, svc, def, errorResponses, resolveActor);
  await registerScim(app, svc);
  registerKeyResultPush(app, svc);
  registerAuthRoutes(
    app,
    svc,
    { policy, secureCookies: opts.secureCookies ?? true, rateLimitPerMinute: opts.loginRateLimit ?? 10 },
    async (req) => {
      const value = req.cookies[SESSION_COOKIE];
      if (!value) return null;
      return authenticateSession(svc.database, value, svc.now(), policy).catch(() => null);
    },
  );
  registerSsoRoutes(app, svc, {
    policy,
    secureCookies: opts.secureCookies ?? true,
    rateLimitPerMinute: opts.loginRateLimit ?? 10,
  });

  app.get(
    `${API_PREFIX}/events`,
    {
      config: { permission: "read", contract: null },
      schema: {
        tags: ["live"],
        summary: "Server-sent events: one `change` event per committed change in the organisation",
      },
    },
    async (req, reply) => {
      const actor = await resolveActor(req);
      // The same credentials, checked again while the stream lasts (a GET: no CSRF token involved).
      // An open stream is not activity: a tab left open still lets its session idle out.
      const token = bearer(req);
      const credential = credentialKey(token ? { tokenHash: hashToken(token) } : { sessionId: actor.sessionId ?? "" });
      hub.stream(actor, credential, reply, () => resolveActor(req, false));
    },
  );
  return app;
}

/** Refuses the call when the route's declared permission excludes the caller (403 FORBIDDEN). */
export function authorize(actor: Actor, method: string, permission: Permission): void {
  if (method !== "GET" && actor.access !== "write") {
    throw new AppError("FORBIDDEN", 'This API token is read-only; create a token with scope "write" to make changes.');
  }
  if (permission === "contribute" && actor.role === "observer") {
    throw new AppError(
      "FORBIDDEN",
      "Observers have read-only access; ask an admin for the member role to make changes.",
    );
  }
  if (permission === "admin" && actor.role !== "owner" && actor.role !== "admin") {
    throw new AppError("FORBIDDEN", "Only organisation owners and admins can do this.");
  }
  if (permission === "instanceAdmin" && !actor.isInstanceAdmin) {
    throw new AppError("FORBIDDEN", "Only the server's instance administrator can do this.");
  }
}

function register(
  app: FastifyInstance,
  svc: Services,
  def: RouteDef,
  errorResponses: Record<string, unknown>,
  actorOf: (req: FastifyRequest) => Promise<Actor>,
) {
  const status = def.status ?? 200;
  // Every path parameter (:id, a reaction's :emoji) is declared, so OpenAPI names them all.
  const paramNames = [...def.url.matchAll(/:(\w+)/g)].map((m) => m[1] as string);
  app.route({
    method: def.method,
    url: API_PREFIX + def.url,
    ...(def.bodyLimit ? { bodyLimit: def.bodyLimit } : {}),
    // The contract: the answer's shape at `status` (checked by checkAnswers; null: no JSON body).
    config: { permission: def.permission, contract: def.raw ? null : def.response, contractStatus: status },
    schema: {
      tags: [def.tag],
      summary: def.summary,
      ...(def.description ? { description: def.description } : {}),
      ...(paramNames.length
        ? {
            params: {
              type: "object",
              properties: Object.fromEntries(paramNames.map((p) => [p, { type: "string" }])),
              required: paramNames,
            },
          }
        : {}),
      ...(def.body ? { body: jsonSchema(def.body, "input") } : {}),
      ...(def.query ? { querystring: jsonSchema(def.query, "input") } : {}),
      response: {
        [status]: def.response
          ? { description: "OK", ...jsonSchema(def.response, "output") }
          : def.raw
            ? { description: "A file (CSV or JSON)", type: "string" }
            : { description: "No content", type: "null" },
        ...errorResponses,
      },
    },
    handler: async (req, reply) => {
      const actor: Actor = await actorOf(req);
      // The route's permission is checked before anything else is looked at.
      authorize(actor, def.method, def.permission);
      const params = (req.params ?? {}) as Record<string, string | undefined>;
      const out = await def.handler({
        svc,
        actor,
        id: params.id ?? "",
        params: params as Record<string, string>,
        body: req.body,
        query: req.query ?? {},
        ifMatch: ifMatchVersion(req),
      });
      if (status === 204) return reply.status(204).send();
      if (def.raw) {
        const file = out as RawFile;
        const ext = file.contentType.startsWith("text/csv") ? "csv" : "json";
        const name = (file.filename ?? `okra-${def.tag}.${ext}`).replace(/[^\w.-]+/g, "-");
        if (Buffer.isBuffer(file.body)) {
          return reply
            .status(status)
            .type(file.contentType)
            .header("content-disposition", `attachment; filename="${name}"`)
            .send(file.body);
        }
        return reply
          .status(status)
          .type(file.contentType)
          .header("content-disposition", `attachment; filename="${name}"`)
          .serializer((x: unknown) => x as string)
          .send(file.body);
      }
      return reply.status(status).send(out);
    },
  });
}
