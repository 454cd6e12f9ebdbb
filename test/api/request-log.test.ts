/**
 * The request log keeps no secrets and no personal data from query strings: SSO codes and
 * states, tokens, SCIM filters (which name people) and emails appear as "[redacted]".
 */
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authenticate } from "../../src/services/auth.service.js";
import { createScimToken } from "../../src/services/scim.service.js";
import { ADMIN_TOKEN, type ApiHarness, startApi } from "../support/api.js";
import { DATABASE_KINDS } from "../support/databases.js";

describe.each(DATABASE_KINDS)("the request log on %s", (kind) => {
  let api: ApiHarness;
  let scimToken: string;
  const logLines: string[] = [];

  beforeAll(async () => {
    api = await startApi(kind, Date.UTC(2026, 1, 15, 12), {
      publicUrl: "https://okr.test",
      logger: {
        level: "trace",
        stream: new Writable({
          write(chunk, _enc, done) {
            logLines.push(String(chunk));
            done();
          },
        }),
      },
    });
    const admin = await authenticate(api.database, ADMIN_TOKEN);
    const svc = { database: api.database, now: () => api.clock.now, emit: () => {} };
    scimToken = (await createScimToken(svc, admin, { name: "Okta" })).token;
  });
  afterAll(async () => {
    await api?.close();
  });

  it("logs SSO callbacks, SSO starts and SCIM filters without their values", async () => {
    const secrets = {
      code: "c0de-the-provider-issued-9f8e7d",
      state: "st4te-bound-to-the-browser-1a2b3c",
      sessionState: "sessi0n-state-5d6e7f",
      idToken: "eyJ-id-token-should-stay-out",
      email: "private.person@acme.test",
      filterValue: "x@y.test",
    };
    logLines.length = 0;
    const callback = await api.app.inject({
      method: "GET",
      url: `/api/v1/auth/sso/callback?code=${secrets.code}&state=${secrets.state}&session_state=${secrets.sessionState}&iss=https%3A%2F%2Fidp.test`,
    });
    expect(callback.statusCode).toBe(302);
    const implicit = await api.app.inject({
      method: "GET",
      url: `/api/v1/auth/sso/callback?id_token=${secrets.idToken}&STATE=${secrets.state}`,
    });
    expect(implicit.statusCode).toBe(302);
    const start = await api.app.inject({
      method: "GET",
      url: `/api/v1/auth/sso/start?email=${encodeURIComponent(secrets.email)}&returnTo=%2Fobjectives`,
    });
    expect(start.statusCode).toBe(302);
    const scim = await api.app.inject({
      method: "GET",
      url: `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${secrets.filterValue}"`)}&count=10`,
      headers: { authorization: `Bearer ${scimToken}` },
    });
    expect(scim.statusCode).toBe(200);

    const log = logLines.join("");
    const urls = logLines.map((l) => JSON.parse(l) as { req?: { url?: string } }).flatMap((l) => l.req?.url ?? []);
    // Each request was logged, with the names of its parameters and harmless values kept.
    expect(urls).toEqual([
      "/api/v1/auth/sso/callback?code=[redacted]&state=[redacted]&session_state=[redacted]&iss=https%3A%2F%2Fidp.test",
      "/api/v1/auth/sso/callback?id_token=[redacted]&STATE=[redacted]",
      "/api/v1/auth/sso/start?email=[redacted]&returnTo=%2Fobjectives",
      "/scim/v2/Users?filter=[redacted]&count=10",
    ]);
    for (const secret of [...Object.values(secrets), encodeURIComponent(secrets.email), "x%40y.test", scimToken]) {
      expect(log).not.toContain(secret);
    }
  });
});
