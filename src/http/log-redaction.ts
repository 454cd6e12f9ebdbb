/**
 * What the request log keeps of a URL: the path and the query's names, but not the values that
 * are secrets or personal data — SSO codes and states, tokens, SCIM filters (which name people).
 */
import type { FastifyRequest } from "fastify";

/** Query parameters whose values never reach the log (compared in lower case). */
export const REDACTED_QUERY_PARAMS: ReadonlySet<string> = new Set([
  "code",
  "state",
  "session_state",
  "id_token",
  "access_token",
  "refresh_token",
  "token",
  "code_verifier",
  "client_secret",
  "password",
  "filter",
  "email",
  "login_hint",
]);

const REDACTED = "[redacted]";

/** The URL with the values of the parameters in REDACTED_QUERY_PARAMS replaced by "[redacted]". */
export function redactUrl(url: string): string {
  const at = url.indexOf("?");
  if (at < 0) return url;
  const query = url
    .slice(at + 1)
    .split("&")
    .map((pair) => {
      const eq = pair.indexOf("=");
      const rawName = eq < 0 ? pair : pair.slice(0, eq);
      let name: string;
      try {
        name = decodeURIComponent(rawName.replace(/\+/g, " "));
      } catch {
        // A name that does not decode could still hide a secret's value: keep no value.
        return eq < 0 ? pair : `${rawName}=${REDACTED}`;
      }
      return eq >= 0 && REDACTED_QUERY_PARAMS.has(name.trim().toLowerCase()) ? `${rawName}=${REDACTED}` : pair;
    })
    .join("&");
  return `${url.slice(0, at)}?${query}`;
}

/** Fastify's request log line, with the URL redacted. */
export function requestLogSerializer(req: FastifyRequest) {
  return {
    method: req.method,
    url: redactUrl(req.url),
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}
