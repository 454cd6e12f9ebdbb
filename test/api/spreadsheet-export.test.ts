/**
 * Formula injection in exports: text a spreadsheet would run as a formula (`=`, `+`, `-`, `@`,
 * tab, carriage return at the start) reaches the audit CSV with a leading apostrophe, quoted,
 * while the JSON inside before/after keeps the exact text.
 */
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokenForEmail } from "../../src/services/auth.service.js";
import { type ApiHarness, factories, startApi } from "../support/api.js";
import { DATABASE_KINDS } from "../support/databases.js";

// Names and titles are trimmed on input, so leading white space and tabs are covered by the domain's table test.
const PAYLOADS = ['=HYPERLINK("http://x","y")', "@SUM(1)", "-2+3", "+1+cmd|' /C calc'!A0", "Plain Name"];

describe.each(DATABASE_KINDS)("spreadsheet exports on %s", (kind) => {
  let api: ApiHarness;
  let periodId: string;

  beforeAll(async () => {
    api = await startApi(kind);
    periodId = (await factories(api).period()).id;
  });
  afterAll(async () => {
    await api?.close();
  });

  it("neutralises formulas in the audit CSV: people named like formulas show as text; titles stay exact in the JSON", async () => {
    const actors = new Map<string, string>();
    for (const [i, name] of PAYLOADS.entries()) {
      const email = `formula${i}@example.com`;
      const user = await api.call("POST", "/users", { name, email, role: "admin", invite: false });
      expect(user.status).toBe(201);
      const token = (await createTokenForEmail(api.database, email)).token;
      const o = await api.call(
        "POST",
        "/objectives",
        { title: name, level: "organization", periodId },
        { authorization: `Bearer ${token}` },
      );
      expect(o.status).toBe(201);
      actors.set(user.body.id, name);
    }

    const csv = await api.call("GET", "/audit/export?format=csv&action=objective.created");
    expect(csv.status).toBe(200);
    const text = csv.body as string;
    expect(text.split("\n")[0]).toBe("at,actor,actorId,action,objectType,objectId,before,after");
    expect(text).toContain('"\'=HYPERLINK(""http://x"",""y"")"');
    const rows = parse(text, { columns: true }) as Record<string, string>[];
    for (const [actorId, name] of actors) {
      const row = rows.find((r) => r.actorId === actorId);
      expect(row, name).toBeDefined();
      expect(row?.actor).toBe(name === "Plain Name" ? name : `'${name}`);
      expect(JSON.parse(row?.after ?? "{}").title).toBe(name);
    }
    // Every cell is safe to open: none starts (after white space) with a formula character.
    for (const row of rows) {
      for (const cell of Object.values(row)) expect(/^\s*[=+\-@]|^[\t\r]/.test(cell), cell).toBe(false);
    }
  });
});
