/**
 * Text hygiene of request bodies: only UTF-8 is read (invalid bytes and other declared charsets
 * answer 400 in the API's and in SCIM's error format), and titles and names refuse bidirectional
 * override and isolate characters while Unicode text (emoji, CJK, right-to-left marks) passes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiHarness, factories, startApi } from "../support/api.js";
import { DATABASE_KINDS } from "../support/databases.js";

/** `{"a":` then the byte 0xFF (never valid in UTF-8) then `}`. */
const INVALID_UTF8 = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0xff, 0x7d]);

describe.each(DATABASE_KINDS)("text hygiene on %s", (kind) => {
  let api: ApiHarness;
  let periodId: string;
  let scimToken: string;

  /** A raw request: the payload's bytes exactly as given. */
  const send = async (url: string, payload: Buffer | string, contentType: string, token = api.token) => {
    const res = await api.app.inject({
      method: "POST",
      url,
      headers: { authorization: `Bearer ${token}`, "content-type": contentType },
      payload,
    });
    return { status: res.statusCode, body: res.json(), contentType: String(res.headers["content-type"]) };
  };
  const objective = (title: string) => JSON.stringify({ title, level: "organization", periodId });

  beforeAll(async () => {
    api = await startApi(kind);
    periodId = (await factories(api).period()).id;
    scimToken = (await api.call("POST", "/scim-tokens", { name: "Okta" })).body.token;
  });
  afterAll(async () => {
    await api?.close();
  });

  describe("the API", () => {
    it("refuses a body that is not UTF-8 with 400 VALIDATION", async () => {
      const r = await send("/api/v1/objectives", INVALID_UTF8, "application/json");
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe("VALIDATION");
      expect(r.body.error.details).toEqual(["body: is not valid UTF-8; send UTF-8 encoded JSON"]);
      // Latin-1 bytes of a valid-looking title are not UTF-8 either.
      const latin1 = await send("/api/v1/objectives", Buffer.from(objective("Café"), "latin1"), "application/json");
      expect(latin1.status).toBe(400);
      expect((await api.call("GET", "/objectives")).body.items).toEqual([]);
    });

    it("refuses a body declaring a charset other than UTF-8 with 400 VALIDATION, and accepts utf-8 and utf8", async () => {
      for (const ct of [
        "application/json; charset=latin1",
        "application/json; charset=ISO-8859-1",
        'application/json; charset="utf-16"',
      ]) {
        const r = await send("/api/v1/objectives", objective("Declared"), ct);
        expect(r.status, ct).toBe(400);
        expect(r.body.error.code).toBe("VALIDATION");
        expect(r.body.error.message).toMatch(/charset .*send UTF-8 encoded JSON/);
      }
      for (const ct of ["application/json; charset=utf-8", "application/json; charset=UTF8", "application/json"]) {
        expect((await send("/api/v1/objectives", objective(`Declared ${ct}`), ct)).status, ct).toBe(201);
      }
    });

    it("refuses a text/plain body as not JSON (the API reads JSON only)", async () => {
      const r = await send("/api/v1/objectives", objective("Plain"), "text/plain; charset=latin1");
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe("VALIDATION");
    });

    it("accepts UTF-8 with emoji, CJK and right-to-left text, and keeps it exactly", async () => {
      const title = "🚀 成長する 顧客満足 — שלום عربي\u200F";
      const r = await send("/api/v1/objectives", Buffer.from(objective(title), "utf8"), "application/json");
      expect(r.status).toBe(201);
      expect(r.body.title).toBe(title);
      expect((await api.call("GET", `/objectives/${r.body.id}`)).body.title).toBe(title);
    });

    it("refuses bidirectional override and isolate characters in titles and names, by field", async () => {
      const r = await api.call("POST", "/objectives", { title: "Grow\u202Eevenue", level: "organization", periodId });
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe("VALIDATION");
      expect(r.body.error.details).toEqual([
        "title: must not contain bidirectional control characters (U+202E); remove them",
      ]);
      const team = await api.call("POST", "/teams", { name: "\u2066Platform\u2069" });
      expect(team.status).toBe(400);
      expect(team.body.error.details).toEqual([
        "name: must not contain bidirectional control characters (U+2066, U+2069); remove them",
      ]);
      const user = await api.call("POST", "/users", { name: "Eve\u202D", email: "eve@example.com", invite: false });
      expect(user.status).toBe(400);
      expect(user.body.error.details[0]).toMatch(/^name: must not contain bidirectional control characters/);
      const o = await factories(api).objective(periodId, { title: "Clean" });
      const kr = await api.call("POST", `/objectives/${o.id}/key-results`, {
        title: "\u202BRaise NPS",
        type: "increase",
        start: 0,
        target: 100,
      });
      expect(kr.status).toBe(400);
      const rename = await api.call("PATCH", `/objectives/${o.id}`, { title: "Clean\u202E" });
      expect(rename.status).toBe(400);
      expect((await api.call("GET", `/objectives/${o.id}`)).body.title).toBe("Clean");
      // Descriptions are prose, not titles: a mark or an isolate there is not refused.
      expect((await api.call("PATCH", `/objectives/${o.id}`, { description: "עברית \u2067x\u2069" })).status).toBe(200);
    });
  });

  describe("SCIM", () => {
    const user = (email: string, formatted: string) =>
      JSON.stringify({
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
        userName: email,
        name: { formatted },
        emails: [{ primary: true, value: email, type: "work" }],
        active: true,
      });
    const expectScimError = (r: { status: number; body: Record<string, unknown>; contentType: string }) => {
      expect(r.status).toBe(400);
      expect(r.contentType).toContain("application/scim+json");
      expect(r.body).toMatchObject({
        schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
        status: "400",
        scimType: "invalidSyntax",
      });
    };

    it("refuses a body that is not UTF-8 with SCIM's 400 invalidSyntax", async () => {
      const r = await send("/scim/v2/Users", INVALID_UTF8, "application/scim+json", scimToken);
      expectScimError(r);
      expect(r.body.detail).toBe("The body is not valid UTF-8; send UTF-8 encoded JSON.");
    });

    it("refuses a body declaring another charset with SCIM's 400 invalidSyntax", async () => {
      const r = await send(
        "/scim/v2/Users",
        user("latin@example.com", "Latin"),
        "application/scim+json; charset=latin1",
        scimToken,
      );
      expectScimError(r);
      expect(r.body.detail).toMatch(/charset "latin1".*UTF-8/);
      expect(
        (
          await send(
            "/scim/v2/Users",
            user("utf8@example.com", "Utf Eight"),
            "application/json; charset=utf-8",
            scimToken,
          )
        ).status,
      ).toBe(201);
    });

    it("accepts UTF-8 with emoji and CJK", async () => {
      const name = "山田 太郎 🚀";
      const r = await send(
        "/scim/v2/Users",
        Buffer.from(user("yamada@example.com", name), "utf8"),
        "application/scim+json; charset=utf-8",
        scimToken,
      );
      expect(r.status).toBe(201);
      expect(r.body.name.formatted).toBe(name);
    });
  });
});
