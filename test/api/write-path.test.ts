/**
 * The one write path seen from outside: a SCIM change goes through the same transaction
 * wrapper as every write — one audit row with no actor and `via: "scim"`, its live event sent
 * only once the change is committed (a query on another connection already sees the audit row
 * when the event arrives), and no event for a change that was refused and rolled back.
 */
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/database.js";
import { auditEvents } from "../../src/db/schema.js";
import type { DomainEvent } from "../../src/services/context.js";
import { type ApiHarness, startApi } from "../support/api.js";
import { DATABASE_KINDS } from "../support/databases.js";

/** What the app's event sink heard, and whether the change's audit row was committed by then. */
interface Heard {
  event: DomainEvent;
  committed: Promise<boolean>;
}

/** Whether the audit row of `e` is visible outside the write's transaction, asked at once. */
function auditVisible(database: Database, e: DomainEvent): Promise<boolean> {
  return database.db
    .select({ id: auditEvents.id })
    .from(auditEvents)
    .where(and(eq(auditEvents.orgId, e.orgId), eq(auditEvents.action, e.type), eq(auditEvents.objectId, e.objectId)))
    .then((rows) => rows.length > 0);
}

describe.each(DATABASE_KINDS)("the one write path on %s", (kind) => {
  let api: ApiHarness;
  const heard: Heard[] = [];
  let scimToken: string;

  const scim = (method: string, url: string, body?: unknown) =>
    api.app
      .inject({
        method: method as never,
        url: `/scim/v2${url}`,
        headers: { authorization: `Bearer ${scimToken}`, "content-type": "application/scim+json" },
        ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
      })
      .then((r) => ({ status: r.statusCode, body: r.body ? r.json() : null }));

  beforeAll(async () => {
    api = await startApi(kind, Date.UTC(2026, 1, 15, 12), {
      onEvent: (event) => heard.push({ event, committed: auditVisible(api.database, event) }),
    });
    const created = await api.call("POST", "/scim-tokens", { name: "Okta" });
    expect(created.status).toBe(201);
    scimToken = created.body.token;
  });
  afterAll(async () => {
    await api?.close();
  });

  it("audits a SCIM change with no actor and via scim, and tells live listeners only after the commit", async () => {
    const tokenId = (await api.call("GET", "/scim-tokens")).body.items[0].id;
    heard.length = 0;
    const created = await scim("POST", "/Users", {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
      userName: "nell@example.com",
      name: { givenName: "Nell", familyName: "New" },
      emails: [{ value: "nell@example.com", primary: true }],
      active: true,
    });
    expect(created.status).toBe(201);
    const id = created.body.id;

    expect(heard.map((h) => h.event)).toEqual([
      { orgId: expect.any(String), type: "user.created", objectType: "user", objectId: id, actorId: null },
    ]);
    expect(await heard[0]!.committed).toBe(true);
    const audit = await api.call("GET", `/audit?objectType=user&objectId=${id}`);
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0]).toMatchObject({
      actorId: null,
      action: "user.created",
      before: null,
      after: { email: "nell@example.com", via: "scim", scimTokenId: tokenId },
    });

    // Deactivation: the change, then what it revoked, each heard after its commit.
    heard.length = 0;
    const off = await scim("PATCH", `/Users/${id}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "replace", path: "active", value: false }],
    });
    expect(off.status).toBe(200);
    expect(heard.map((h) => h.event.type)[0]).toBe("user.deactivated");
    for (const h of heard) expect(await h.committed).toBe(true);
  });

  it("sends nothing for a SCIM change that was refused and rolled back", async () => {
    heard.length = 0;
    const again = await scim("POST", "/Users", {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
      userName: "nell@example.com",
      emails: [{ value: "nell@example.com", primary: true }],
    });
    expect(again.status).toBe(409);
    expect(heard).toEqual([]);
  });
});
