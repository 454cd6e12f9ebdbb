/**
 * Every link the server writes starts with its one public address (OKRA_PUBLIC_URL): the SSO
 * redirect URI, the SCIM base URL and locations, invitation and reset links, and the settings
 * tell the web app that address and whether mail goes out. A request's Host header never
 * changes a link (it is the client's to choose: password-reset poisoning).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiHarness, startApi } from "../support/api.js";
import { DATABASE_KINDS } from "../support/databases.js";
import { startSmtp, type TestSmtp } from "../support/smtp.js";

const PUBLIC_URL = "http://127.0.0.1:3488";
const EVIL = { host: "evil.example", "x-forwarded-host": "evil.example" };

describe.each(DATABASE_KINDS)("public links on %s", (kind) => {
  let api: ApiHarness;
  let mailed: ApiHarness;
  let smtp: TestSmtp;
  beforeAll(async () => {
    smtp = await startSmtp();
    api = await startApi(kind, undefined, { publicUrl: `${PUBLIC_URL}/` });
    mailed = await startApi(kind, undefined, { publicUrl: "https://okr.example.com", mailer: smtp.mailer });
  });
  afterAll(async () => {
    await api?.close();
    await mailed?.close();
    await smtp?.close();
  });

  it("gives the web app the public address and whether mail goes out, in the settings", async () => {
    expect((await api.call("GET", "/settings")).body).toMatchObject({ publicUrl: PUBLIC_URL, mailConfigured: false });
    expect((await mailed.call("GET", "/settings")).body).toMatchObject({
      publicUrl: "https://okr.example.com",
      mailConfigured: true,
    });
    // A change of settings answers them too; they are the server's, not the organisation's to set.
    const changed = await api.call("PATCH", "/settings", { reminderHour: 10 });
    expect(changed.body).toMatchObject({ publicUrl: PUBLIC_URL, mailConfigured: false });
    const refused = await api.call("PATCH", "/settings", { publicUrl: "https://evil.example" });
    expect(refused.status).toBe(400);
  });

  it("puts the SSO redirect URI and the SCIM base URL on the same origin, whatever Host the request names", async () => {
    const sso = await api.call("GET", "/sso", undefined, EVIL);
    expect(sso.body.redirectUri).toBe(`${PUBLIC_URL}/api/v1/auth/sso/callback`);
    const token = (await api.call("POST", "/scim-tokens", { name: "Okta" })).body.token as string;
    const scim = await api.app.inject({
      method: "GET",
      url: "/scim/v2/Users?count=1",
      headers: { authorization: `Bearer ${token}`, ...EVIL },
    });
    const location = scim.json().Resources[0].meta.location as string;
    expect(location).toMatch(new RegExp(`^${PUBLIC_URL}/scim/v2/Users/`));
    expect(new URL(location).origin).toBe(new URL(sso.body.redirectUri).origin);
    const config = await api.app.inject({
      method: "GET",
      url: "/scim/v2/ServiceProviderConfig",
      headers: { authorization: `Bearer ${token}`, ...EVIL },
    });
    expect(config.json().meta.location).toBe(`${PUBLIC_URL}/scim/v2/ServiceProviderConfig`);
  });

  it("writes invitation links at the public address, shown when no mail goes out", async () => {
    const made = await api.call(
      "POST",
      "/users",
      { name: "Lin Park", email: "lin@okr.test", role: "member", managerId: null, teamIds: [] },
      EVIL,
    );
    expect(made.status).toBe(201);
    expect(made.body.invitation).toMatchObject({ sent: false });
    expect(made.body.invitation.url).toMatch(new RegExp(`^${PUBLIC_URL}/accept-invitation#token=`));
  });

  it("emails reset links at the public address, not at the Host the request names", async () => {
    await mailed.call("POST", "/users", {
      name: "Mo Reyes",
      email: "mo@okr.test",
      role: "member",
      managerId: null,
      teamIds: [],
    });
    await smtp.waitFor("mo@okr.test");
    const asked = await mailed.app.inject({
      method: "POST",
      url: "/api/v1/auth/forgot-password",
      headers: EVIL,
      payload: { email: "mo@okr.test" },
    });
    expect(asked.statusCode).toBe(202);
    const mail = await (async () => {
      for (let waited = 0; waited < 10_000; waited += 25) {
        const found = smtp.inbox.find((m) => m.to === "mo@okr.test" && /reset-password/.test(m.text));
        if (found) return found;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error("no reset email arrived");
    })();
    expect(mail.text).toContain("https://okr.example.com/reset-password#token=");
    expect(mail.text).not.toContain("evil.example");
  });
});
