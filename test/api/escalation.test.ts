/**
 * Regression tests from the security review of #4: no path lets someone gain more access
 * than their role, reach an owner's account, or move a private objective's figures into a
 * public roll-up.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokenForEmail } from "../../src/services/auth.service.js";
import { type ApiHarness, factories, startApi } from "../support/api.js";
import { DATABASE_KINDS } from "../support/databases.js";

describe.each(DATABASE_KINDS)("no escalation on %s", (kind) => {
  let api: ApiHarness;
  let f: ReturnType<typeof factories>;
  let periodId: string;
  let ownerId: string;
  const ids: Record<string, string> = {};
  const tokens: Record<string, string> = {};
  const as = (who: string, method: string, url: string, body?: unknown) =>
    api.call(method, url, body, { authorization: `Bearer ${tokens[who]}` });

  beforeAll(async () => {
    api = await startApi(kind);
    f = factories(api);
    periodId = (await f.period()).id;
    ownerId = (await api.call("GET", "/me")).body.user.id;
    for (const [who, role] of [
      ["admin", "admin"],
      ["member", "member"],
      ["other", "member"],
    ] as const) {
      const email = `${who}@esc.example`;
      ids[who] = (await api.call("POST", "/users", { name: who, email, role, invite: false })).body.id;
      tokens[who] = (await createTokenForEmail(api.database, email)).token;
    }
  });
  afterAll(async () => {
    await api?.close();
  });

  it("issues tokens for another account only when it has less access than the caller", async () => {
    const forOwner = await as("admin", "POST", `/users/${ownerId}/tokens`, { name: "x" });
    expect(forOwner.status).toBe(403);
    expect(forOwner.body.error.code).toBe("FORBIDDEN");
    expect((await as("admin", "POST", `/users/${ids.member}/tokens`, { name: "bot" })).status).toBe(201);
    expect((await api.call("POST", `/users/${ids.admin}/tokens`, { name: "bot" })).status).toBe(201);
  });

  it("keeps an owner's email out of an admin's reach", async () => {
    const r = await as("admin", "PATCH", `/users/${ownerId}`, { email: "attacker@evil.example" });
    expect(r.status).toBe(403);
    expect((await api.call("GET", `/users/${ownerId}`)).body.email).toBe("admin@example.com");
  });

  it("does not let a member lift their own objective to the organisation's level", async () => {
    const mine = await as("member", "POST", "/objectives", { title: "My own goal", level: "individual", periodId });
    expect(mine.status).toBe(201);
    const lifted = await as("member", "PATCH", `/objectives/${mine.body.id}`, { level: "organization" });
    expect(lifted.status).toBe(403);
    expect((await api.call("GET", `/objectives/${mine.body.id}`)).body.level).toBe("individual");
  });

  it("refuses to make an objective public while a private one aligns under it", async () => {
    const parent = await f.objective(periodId, { title: "Private parent", visibility: "private" });
    const child = await f.objective(periodId, { title: "Private child", visibility: "private" });
    await f.align("objective", child.id, "objective", parent.id);
    const r = await api.call("PATCH", `/objectives/${parent.id}`, { visibility: "public" });
    expect(r.status).toBe(400);
    expect(r.body.error.details[0]).toMatch(/^visibility: The private objective "Private child" aligns under this one/);
  });

  it("keeps a KPI's links to objectives its editor cannot see", async () => {
    const secret = await f.objective(periodId, { title: "Hidden link", visibility: "private" });
    const visible = await f.objective(periodId, { title: "Visible link" });
    const kpi = await api.call("POST", "/kpis", {
      name: "Churn",
      ownerIds: [ids.member],
      objectiveIds: [secret.id, visible.id],
    });
    const seen = await as("member", "GET", `/kpis/${kpi.body.id}`);
    expect(seen.body.objectiveIds).toEqual([visible.id]);
    expect((await as("member", "PATCH", `/kpis/${kpi.body.id}`, { objectiveIds: [] })).status).toBe(200);
    expect((await api.call("GET", `/kpis/${kpi.body.id}`)).body.objectiveIds).toEqual([secret.id]);
  });

  it("voids older invitation links when a new one is issued, and ends sessions when the email changes", async () => {
    const first = await api.call("POST", "/users", { name: "Tia Typo", email: "tia@typo.example" });
    const second = await api.call("POST", `/users/${first.body.id}/invite`);
    const token = (url: string) => /#token=(.+)$/.exec(url)?.[1] ?? "";
    const accept = (link: string) =>
      api.app.inject({
        method: "POST",
        url: "/api/v1/auth/accept-invitation",
        payload: { token: token(link), password: "tia's new password" },
      });
    expect((await accept(first.body.invitation.url)).statusCode).toBe(401);
    const ok = await accept(second.body.url);
    expect(ok.statusCode).toBe(200);
    const cookie = ok.cookies.find((c) => c.name === "okra_session")?.value ?? "";
    const me = () => api.app.inject({ method: "GET", url: "/api/v1/me", cookies: { okra_session: cookie } });
    expect((await me()).statusCode).toBe(200);
    expect((await api.call("PATCH", `/users/${first.body.id}`, { email: "tia@right.example" })).status).toBe(200);
    expect((await me()).statusCode).toBe(401);
  });
});
