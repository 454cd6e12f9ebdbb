/**
 * How Okra meets the network: HTTPS served by Okra itself (a real TLS handshake on a real
 * port), HSTS only over TLS, and what a reverse proxy's X-Forwarded-* headers may change —
 * nothing unless the proxy is trusted (OKRA_TRUST_PROXY), so a client cannot forge its
 * scheme or dodge the sign-in rate limit with a made-up address.
 *
 * The certificate in test/fixtures/tls is self-signed for localhost and 127.0.0.1, made with
 *   openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -days 36500 -nodes \
 *     -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1
 */
import fs from "node:fs";
import https from "node:https";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { startApi } from "../support/api.js";
import { DATABASE_KINDS } from "../support/databases.js";

const FIXTURES = path.resolve(import.meta.dirname, "../fixtures/tls");
const cert = fs.readFileSync(path.join(FIXTURES, "localhost.crt"));
const key = fs.readFileSync(path.join(FIXTURES, "localhost.key"));
const HSTS = "max-age=15552000; includeSubDomains";

/** GET over HTTPS, trusting only the fixture certificate (so the handshake is really verified). */
function httpsGet(port: number, url: string) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
    const req = https.get({ host: "127.0.0.1", port, path: url, ca: cert, servername: "localhost" }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => {
        body += c;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
  });
}

const login = (api: Awaited<ReturnType<typeof startApi>>, forwardedFor?: string) =>
  api.app.inject({
    method: "POST",
    url: "/api/v1/auth/login",
    headers: forwardedFor ? { "x-forwarded-for": forwardedFor } : {},
    payload: { email: "admin@example.com", password: "not the password" },
  });

describe.each(DATABASE_KINDS)("transport on %s", (kind) => {
  it("serves HTTPS itself with OKRA_TLS_CERT/KEY, and sends HSTS there", async () => {
    const api = await startApi(kind, undefined, { tls: { cert, key } });
    try {
      await api.app.listen({ port: 0, host: "127.0.0.1" });
      const { port } = api.app.server.address() as AddressInfo;
      const health = await httpsGet(port, "/healthz");
      expect(health.status).toBe(200);
      expect(health.headers["strict-transport-security"]).toBe(HSTS);
      expect(String(health.headers["content-security-policy"])).toContain("frame-ancestors 'none'");
      // The API answers over TLS too, with the same headers.
      const me = await httpsGet(port, "/api/v1/me");
      expect(me.status).toBe(401);
      expect(me.headers["strict-transport-security"]).toBe(HSTS);
    } finally {
      await api.close();
    }
  });

  it("believes a trusted proxy's X-Forwarded-Proto: HSTS when it says https, none otherwise", async () => {
    const api = await startApi(kind, undefined, { trustProxy: true });
    try {
      const viaTls = await api.app.inject({ url: "/healthz", headers: { "x-forwarded-proto": "https" } });
      expect(viaTls.headers["strict-transport-security"]).toBe(HSTS);
      const plain = await api.app.inject({ url: "/healthz", headers: { "x-forwarded-proto": "http" } });
      expect(plain.headers["strict-transport-security"]).toBeUndefined();
    } finally {
      await api.close();
    }
  });

  it("trusts only the proxies named: a forwarded scheme from another address is ignored", async () => {
    // inject connects from 127.0.0.1; only 10.0.0.0/8 is trusted here.
    const api = await startApi(kind, undefined, { trustProxy: "10.0.0.0/8" });
    try {
      const res = await api.app.inject({ url: "/healthz", headers: { "x-forwarded-proto": "https" } });
      expect(res.headers["strict-transport-security"]).toBeUndefined();
    } finally {
      await api.close();
    }
  });

  it("limits sign-ins per client behind a trusted proxy, not per proxy", async () => {
    const api = await startApi(kind, undefined, { loginRateLimit: 2, trustProxy: 1 });
    try {
      for (let i = 0; i < 2; i++) expect((await login(api, "203.0.113.7")).statusCode).toBe(401);
      expect((await login(api, "203.0.113.7")).statusCode).toBe(429);
      // Another person behind the same proxy still gets their own attempts.
      expect((await login(api, "198.51.100.20")).statusCode).toBe(401);
    } finally {
      await api.close();
    }
  });

  it("gives one-click unsubscribes their own, looser limit than sign-ins", async () => {
    const api = await startApi(kind, undefined, { loginRateLimit: 2 });
    try {
      for (let i = 0; i < 2; i++) expect((await login(api, "203.0.113.7")).statusCode).toBe(401);
      expect((await login(api, "203.0.113.7")).statusCode).toBe(429);
      // A mail provider posting many people's unsubscribes from one address is not held to the
      // sign-in limit (a bad token is 400, not 429), and it did not use up the sign-in budget.
      for (let i = 0; i < 12; i++) {
        const res = await api.app.inject({
          method: "POST",
          url: "/api/v1/auth/unsubscribe",
          payload: { token: `not-a-token-${i}` },
        });
        expect(res.statusCode).toBe(400);
      }
    } finally {
      await api.close();
    }
  });

  it("ignores X-Forwarded-For from an untrusted client, so it cannot dodge the limit", async () => {
    const api = await startApi(kind, undefined, { loginRateLimit: 2 });
    try {
      expect((await login(api, "203.0.113.7")).statusCode).toBe(401);
      expect((await login(api, "203.0.113.8")).statusCode).toBe(401);
      const third = await login(api, "203.0.113.9");
      expect(third.statusCode).toBe(429);
      expect(third.json().error.code).toBe("RATE_LIMITED");
    } finally {
      await api.close();
    }
  });
});
