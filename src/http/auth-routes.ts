/**
 * Browser sign-in over HTTP: the routes that set or clear the session cookie (sign in
 * with a password, an emailed link or the printed one-time link; sign out), with a
 * per-address rate limit on every route that checks a secret.
 */
import "@fastify/cookie";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { PasswordResetRequestedShape, SignedInShape, UnsubscribedShape } from "../contract/index.js";
import { AppError } from "../domain/errors.js";
import {
  completeLink,
  endSession,
  login,
  type OpenedSession,
  openSessionFor,
  requestPasswordReset,
  SESSION_COOKIE,
  type SessionActor,
  type SessionPolicy,
} from "../services/account.service.js";
import { consumeSignInCode } from "../services/auth.service.js";
import type { Services } from "../services/context.js";
import { unsubscribe } from "../services/notify.service.js";
import { jsonSchema } from "./contract.js";

export interface AuthHttpOptions {
  policy: SessionPolicy;
  /** Mark the cookie Secure (default true; browsers accept Secure cookies on http://localhost). */
  secureCookies: boolean;
  /** Attempts per minute and address on the sign-in routes. */
  rateLimitPerMinute: number;
}

export function sessionCookieOptions(opts: AuthHttpOptions, maxAgeSeconds?: number) {
  return {
    httpOnly: true,
    secure: opts.secureCookies,
    sameSite: "strict" as const,
    path: "/",
    ...(maxAgeSeconds !== undefined ? { maxAge: maxAgeSeconds } : {}),
  };
}

/** What a sign-in answers: who signed in and the CSRF token for cookie-authenticated writes. */
function signedIn(reply: FastifyReply, s: OpenedSession, opts: AuthHttpOptions) {
  reply.setCookie(SESSION_COOKIE, s.token, sessionCookieOptions(opts, Math.floor(opts.policy.maxMs / 1000)));
  return reply.status(200).send({
    user: { id: s.user.id, name: s.user.name, email: s.user.email, role: s.user.role },
    organizationId: s.user.orgId,
    csrfToken: s.csrfToken,
    expiresAt: s.expiresAt.toISOString(),
  });
}

const userAgent = (req: FastifyRequest) => String(req.headers["user-agent"] ?? "");

export function registerAuthRoutes(
  app: FastifyInstance,
  svc: Services,
  opts: AuthHttpOptions,
  currentSession: (req: FastifyRequest) => Promise<SessionActor | null>,
) {
  const rateLimit = { max: opts.rateLimitPerMinute, timeWindow: 60_000 };
  // Each route's answer (checked by checkAnswers): a session opened, or the reset request taken.
  const limited = { permission: "public", rateLimit, contract: SignedInShape, contractStatus: 200 };
  const doc = (summary: string) => ({
    tags: ["auth"],
    summary,
    security: [],
    response: { 200: { description: "Signed in (the session cookie is set)", ...jsonSchema(SignedInShape, "output") } },
  });
  const prefix = "/api/v1/auth";
  const sessionOpts = (req: FastifyRequest) => ({ nowMs: svc.now(), userAgent: userAgent(req), policy: opts.policy });
  // Reset links are issued after the answer; closing the server waits for them (before the database closes).
  const pendingResets = new Set<Promise<void>>();
  app.addHook("onClose", async () => {
    await Promise.all(pendingResets);
  });

  app.post(
    `${prefix}/login`,
    { config: limited, schema: doc("Sign in with email and password (sets the session cookie)") },
    async (req, reply) => signedIn(reply, await login(svc, req.body, sessionOpts(req)), opts),
  );
  app.post(
    `${prefix}/accept-invitation`,
    { config: limited, schema: doc("Accept an emailed invitation: choose a password and sign in") },
    async (req, reply) => signedIn(reply, await completeLink(svc, "invite", req.body, sessionOpts(req)), opts),
  );
  app.post(
    `${prefix}/forgot-password`,
    {
      config: { permission: "public", rateLimit, contract: PasswordResetRequestedShape, contractStatus: 202 },
      schema: {
        ...doc("Email a password-reset link (answers the same whether or not the email is known)"),
        response: { 202: { description: "Accepted", ...jsonSchema(PasswordResetRequestedShape, "output") } },
      },
    },
    async (req, reply) => {
      const { answer, issuing } = requestPasswordReset(svc, req.body, (err) =>
        req.log.error({ err }, "a password-reset link could not be issued or emailed"),
      );
      pendingResets.add(issuing);
      void issuing.finally(() => pendingResets.delete(issuing));
      return reply.status(202).send(answer);
    },
  );
  // The one-click unsubscribe link of every email (no sign-in: the signed token is the proof).
  // Mail clients POST it form-encoded (RFC 8058, the List-Unsubscribe-Post header) with the token
  // in the query; the web app's page posts it as JSON.
  // Its own, looser limit: one-click unsubscribes arrive from a mail provider's few servers on
  // behalf of many people (each route keeps its own counter per address).
  const unsubscribeRateLimit = { max: Math.max(120, opts.rateLimitPerMinute), timeWindow: 60_000 };
  app.register(async (scoped) => {
    scoped.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_req, _body, done) =>
      done(null, {}),
    );
    scoped.post(
      `${prefix}/unsubscribe`,
      {
        config: {
          permission: "public",
          rateLimit: unsubscribeRateLimit,
          contract: UnsubscribedShape,
          contractStatus: 200,
        },
        schema: {
          ...doc("Stop an email (one click): the token comes from the link in the email"),
          response: { 200: { description: "Done", ...jsonSchema(UnsubscribedShape, "output") } },
        },
      },
      async (req) => {
        const query = req.query as { token?: unknown };
        const body = (req.body ?? {}) as { token?: unknown };
        return unsubscribe(svc, { token: body.token ?? query.token });
      },
    );
  });
  app.post(
    `${prefix}/reset-password`,
    { config: limited, schema: doc("Choose a new password from an emailed reset link and sign in") },
    async (req, reply) => signedIn(reply, await completeLink(svc, "reset", req.body, sessionOpts(req)), opts),
  );
  app.post(
    `${prefix}/exchange`,
    { config: limited, schema: doc("Exchange the one-time sign-in link the server prints for a session") },
    async (req, reply) => {
      const body = (req.body ?? {}) as { code?: unknown };
      const account = await consumeSignInCode(svc, body.code);
      return signedIn(reply, await openSessionFor(svc, account, { ...sessionOpts(req), method: "link" }), opts);
    },
  );
  app.post(
    `${prefix}/logout`,
    {
      config: { permission: "public", contract: null, contractStatus: 204 },
      schema: {
        ...doc("Sign out: ends this browser session and clears its cookie"),
        response: { 204: { description: "Signed out", type: "null" } },
      },
    },
    async (req, reply) => {
      const session = await currentSession(req);
      if (session) {
        // Like every cookie-authenticated write, signing out needs the session's CSRF token.
        if (req.headers["x-csrf-token"] !== session.csrfToken) {
          throw new AppError(
            "FORBIDDEN",
            "Sign-out came without the CSRF token of your session; reload the page and try again.",
          );
        }
        await endSession(svc, session);
      }
      reply.clearCookie(SESSION_COOKIE, sessionCookieOptions(opts));
      return reply.status(204).send();
    },
  );
}

/** The rate limiter's answer: our error format, 429 with Retry-After. */
export function rateLimitError(_req: FastifyRequest, context: { ttl: number }) {
  const seconds = Math.max(1, Math.ceil(context.ttl / 1000));
  return new AppError("RATE_LIMITED", `Too many attempts from your address; wait ${seconds} second(s) and try again.`, {
    retryAfterSeconds: seconds,
  });
}
