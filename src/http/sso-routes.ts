/**
 * Single sign-on over HTTP: the browser routes that send a person to the organisation's
 * OpenID provider and take them back (opening a session and setting its cookie), and the
 * /api/v1/sso routes with which admins configure it.
 *
 * Errors on the browser routes answer 302 to `/sign-in?error=<message>`, so that the web
 * app shows them. The state is also bound to the browser that started the sign-in (a
 * short-lived cookie, SameSite=Lax so that it comes back on the provider's redirect):
 * a callback link made in another browser — login CSRF — is refused.
 */
import "@fastify/cookie";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { SsoConfigShape } from "../contract/index.js";
import { AppError } from "../domain/errors.js";
import { openSessionFor, SESSION_COOKIE } from "../services/account.service.js";
import type { Services } from "../services/context.js";
import {
  finishSsoLogin,
  getSsoConfig,
  SSO_CALLBACK_PATH,
  SSO_STATE_TTL_MS,
  SsoConfigUpdateSchema,
  ssoRedirectUri,
  startSsoLogin,
  updateSsoConfig,
} from "../services/sso.service.js";
import { type AuthHttpOptions, sessionCookieOptions } from "./auth-routes.js";
import type { RouteDef } from "./routes.js";

/** The cookie that binds an in-flight sign-in's state to the browser that started it. */
export const SSO_STATE_COOKIE = "okra_sso_state";
const SSO_PREFIX = "/api/v1/auth/sso";

function ssoStateCookieOptions(opts: AuthHttpOptions, maxAgeSeconds?: number) {
  return {
    httpOnly: true,
    secure: opts.secureCookies,
    // Lax, not Strict: the cookie must come back on the provider's (cross-site) redirect.
    sameSite: "lax" as const,
    path: SSO_PREFIX,
    ...(maxAgeSeconds !== undefined ? { maxAge: maxAgeSeconds } : {}),
  };
}

/** Sends the browser to the sign-in page with the reason, for the web app to show. */
function toSignIn(req: FastifyRequest, reply: FastifyReply, err: unknown) {
  let message: string;
  if (err instanceof AppError) {
    message = err.message;
  } else {
    req.log.error({ err }, "single sign-on failed");
    message = "Single sign-on failed unexpectedly. Try again, or sign in with your password.";
  }
  return reply.redirect(`/sign-in?error=${encodeURIComponent(message)}`, 302);
}

/** The browser routes of single sign-on: start (to the provider) and callback (back from it). */
export function registerSsoRoutes(app: FastifyInstance, svc: Services, opts: AuthHttpOptions) {
  const config = {
    permission: "public",
    rateLimit: { max: opts.rateLimitPerMinute, timeWindow: 60_000 },
    // Both answer redirects, never a JSON body.
    contract: null,
    contractStatus: 302,
  };
  const redirect = (description: string) => ({ 302: { description, type: "null" } });

  app.get(
    `${SSO_PREFIX}/start`,
    {
      config,
      schema: {
        tags: ["auth"],
        summary: "Start single sign-on: redirects to the organisation's OpenID provider",
        description:
          "Open in the browser. Send `organizationId`, or `email` to find the organisation whose SSO settings list " +
          "its domain. `returnTo` is the path to land on afterwards (a same-site path starting with `/`, else `/`). " +
          "Problems redirect to `/sign-in?error=<message>`.",
        security: [],
        querystring: {
          type: "object",
          properties: {
            organizationId: { type: "string" },
            email: { type: "string" },
            returnTo: { type: "string" },
          },
        },
        response: redirect("To the provider's authorization endpoint (or to /sign-in?error=…)"),
      },
    },
    async (req, reply) => {
      try {
        const { redirectUrl, state } = await startSsoLogin(svc, req.query);
        reply.setCookie(SSO_STATE_COOKIE, state, ssoStateCookieOptions(opts, SSO_STATE_TTL_MS / 1000));
        return reply.redirect(redirectUrl, 302);
      } catch (err) {
        return toSignIn(req, reply, err);
      }
    },
  );

  app.get(
    `${SSO_PREFIX}/callback`,
    {
      config,
      schema: {
        tags: ["auth"],
        summary: "Single sign-on callback: the provider returns here; sets the session cookie",
        description: `Register \`<public URL>${SSO_CALLBACK_PATH}\` as the redirect URI at the provider. Success redirects to the path the sign-in started with; problems to \`/sign-in?error=<message>\`.`,
        security: [],
        querystring: {
          type: "object",
          properties: {
            code: { type: "string" },
            state: { type: "string" },
            error: { type: "string" },
            error_description: { type: "string" },
          },
        },
        response: redirect("To the requested path, signed in (or to /sign-in?error=…)"),
      },
    },
    async (req, reply) => {
      const query = (req.query ?? {}) as Record<string, unknown>;
      const state = typeof query.state === "string" ? query.state : "";
      const bound = req.cookies[SSO_STATE_COOKIE];
      reply.clearCookie(SSO_STATE_COOKIE, ssoStateCookieOptions(opts));
      try {
        if (!state || bound !== state) {
          throw new AppError(
            "UNAUTHENTICATED",
            "This single sign-on did not start in this browser, or took longer than 10 minutes. Start again from the sign-in page.",
          );
        }
        const at = req.url.indexOf("?");
        const search = at >= 0 ? req.url.slice(at) : "";
        // The provider's answer is checked against the redirect URI it was sent to, which is the public one.
        const { userId, orgId, returnTo } = await finishSsoLogin(svc, {
          currentUrl: `${ssoRedirectUri(svc)}${search}`,
          state,
        });
        const session = await openSessionFor(
          svc,
          { orgId, userId },
          {
            nowMs: svc.now(),
            userAgent: String(req.headers["user-agent"] ?? ""),
            method: "sso",
            policy: opts.policy,
          },
        );
        reply.setCookie(
          SESSION_COOKIE,
          session.token,
          sessionCookieOptions(opts, Math.floor(opts.policy.maxMs / 1000)),
        );
        return reply.redirect(returnTo, 302);
      } catch (err) {
        return toSignIn(req, reply, err);
      }
    },
  );
}

/** The /api/v1 routes with which organisation owners and admins configure single sign-on. */
export const ssoRoutes: RouteDef[] = [
  {
    method: "GET",
    url: "/sso",
    permission: "admin",
    tag: "sso",
    summary: "The organisation's single sign-on (OpenID Connect) settings, never the client secret",
    response: SsoConfigShape,
    handler: (c) => getSsoConfig(c.svc, c.actor),
  },
  {
    method: "PUT",
    url: "/sso",
    permission: "admin",
    tag: "sso",
    summary: "Set the organisation's single sign-on (OpenID Connect) settings",
    description:
      "Enabling verifies the issuer by OpenID discovery first (400 VALIDATION names the URL tried when it fails). " +
      "Register `redirectUri` (from the answer) at the provider. Leave `clientSecret` out to keep the stored one. " +
      "People whose email domain is in `allowedDomains` get an account with `defaultRole` on their first sign-in.",
    body: SsoConfigUpdateSchema,
    response: SsoConfigShape,
    handler: (c) => updateSsoConfig(c.svc, c.actor, c.body, c.ifMatch),
  },
];
