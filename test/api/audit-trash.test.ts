/**
 * The audit trail (browse, filter, export, per-objective history) and the trash (list,
 * restore with what went with it, 30 days, purge).
 */
import { parse } from "csv-parse/sync";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkIns, kpis } from "../../src/db/schema.js";
import { createTokenForEmail } from "../../src/services/auth.service.js";
import { purgeTrash, TRASH_MS } from "../../src/services/trash.service.js";
import { type ApiHarness, factories, startApi } from "../support/api.js";
import { DATABASE_KINDS } from "../support/databases.js";

describe.each(DATABASE_KINDS)("audit trail and trash on %s", (kind) => {
  let api: ApiHarness;
  let f: ReturnType<typeof factories>;
  let periodId: string;
  let memberToken: string;
  const asMember = (method: string, url: string, body?: unknown) =>
    api.call(method, url, body, { authorization: `Bearer ${memberToken}` });

  beforeAll(async () => {
    api = await startApi(kind);
    f = factories(api);
    periodId = (await f.period()).id;
    await api.call("POST", "/users", { name: "Mia Member", email: "mia@a.example", invite: false });
    memberToken = (await createTokenForEmail(api.database, "mia@a.example")).token;
  });
  afterAll(async () => {
    await api?.close();
  });

  it("records who changed what, with before and after, and filters by object, person, action and time", async () => {
    const from = new Date().toISOString();
    const o = await f.objective(periodId, { title: "Audit me" });
    await api.call("PATCH", `/objectives/${o.id}`, { title: "Audited" });
    const me = (await api.call("GET", "/me")).body.user;

    const byObject = await api.call("GET", `/audit?objectType=objective&objectId=${o.id}`);
    expect(byObject.body.items.map((e: { action: string }) => e.action)).toEqual([
      "objective.created",
      "objective.updated",
    ]);
    const updated = byObject.body.items[1];
    expect(updated).toMatchObject({ actorId: me.id, actorName: "Ada Admin", objectType: "objective" });
    expect(updated.before.title).toBe("Audit me");
    expect(updated.after.title).toBe("Audited");

    const prefix = await api.call("GET", `/audit?action=objective.&actorId=${me.id}&order=desc&limit=500`);
    expect(prefix.body.items.every((e: { action: string }) => e.action.startsWith("objective."))).toBe(true);
    expect(prefix.body.items[0].action).toBe("objective.updated");
    const none = await api.call("GET", `/audit?from=2000-01-01T00:00:00Z&to=2000-01-02T00:00:00Z`);
    expect(none.body.items).toEqual([]);
    const recent = await api.call("GET", `/audit?from=${encodeURIComponent(from)}&objectId=${o.id}`);
    expect(recent.body.items).toHaveLength(2);
    const bad = await api.call("GET", "/audit?from=yesterday");
    expect(bad.status).toBe(400);

    // Cursor pagination walks the whole trail once.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { id: string }[]; nextCursor: string | null } } = await api.call(
        "GET",
        `/audit?limit=3${cursor ? `&cursor=${cursor}` : ""}`,
      );
      seen.push(...page.body.items.map((e) => e.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe((await api.call("GET", "/audit?limit=500")).body.items.length);
  });

  it("exports the filtered trail as CSV and JSON (admins only)", async () => {
    const csv = await api.call("GET", "/audit/export?format=csv&objectType=objective");
    expect(csv.status).toBe(200);
    expect(String(csv.headers["content-type"])).toContain("text/csv");
    expect(String(csv.headers["content-disposition"])).toContain("attachment");
    const rows = parse(csv.body as string, { columns: true }) as Record<string, string>[];
    expect(rows.length).toBeGreaterThanOrEqual(2);
    expect(Object.keys(rows[0]!)).toEqual([
      "at",
      "actor",
      "actorId",
      "action",
      "objectType",
      "objectId",
      "before",
      "after",
    ]);
    expect(rows.every((r) => r.objectType === "objective")).toBe(true);
    expect(JSON.parse(rows.find((r) => r.action === "objective.updated")?.after ?? "{}").title).toBe("Audited");
    const json = await api.call("GET", "/audit/export?format=json&action=objective.updated");
    expect(json.body[0].action).toBe("objective.updated");
    expect((await asMember("GET", "/audit/export")).status).toBe(403);
    expect((await asMember("GET", "/audit")).status).toBe(403);
  });

  it("shows an objective's history to those who see it, links to objectives they may not see without their id or title", async () => {
    const mia = (await asMember("GET", "/me")).body.user.id;
    const o = await f.objective(periodId, { title: "Visible history", level: "individual", ownerIds: [mia] });
    const kr = await f.keyResult(o.id, { ownerIds: [mia] });
    await asMember("POST", `/key-results/${kr.id}/check-ins`, { value: 20, note: "first" });
    const secret = await f.objective(periodId, { title: "Secret parent", visibility: "private" });
    const publicParent = await f.objective(periodId, { title: "Public parent" });
    await f.align("objective", o.id, "objective", secret.id);
    await f.align("objective", o.id, "objective", publicParent.id);

    const admin = await api.call("GET", `/objectives/${o.id}/history`);
    const actions = admin.body.items.map((e: { action: string }) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining(["objective.created", "keyResult.created", "checkIn.created", "alignment.created"]),
    );
    expect(actions.filter((a: string) => a === "alignment.created")).toHaveLength(2);
    expect(admin.body.items[0].at >= admin.body.items.at(-1).at).toBe(true);

    const member = await asMember("GET", `/objectives/${o.id}/history`);
    expect(member.status).toBe(200);
    // The link to the private parent stays, naming it only as hidden: no id, no title.
    const links = member.body.items.filter((e: { action: string }) => e.action === "alignment.created");
    expect(links.map((e: { related: { role: string; hidden: boolean }[] }) => e.related[1])).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ role: "parent", id: null, name: null, hidden: true }),
        expect.objectContaining({ role: "parent", id: publicParent.id, name: "Public parent", hidden: false }),
      ]),
    );
    expect(links).toHaveLength(2);
    expect(JSON.stringify(member.body)).not.toContain(secret.id);
    expect(JSON.stringify(member.body)).not.toContain("Secret parent");
    expect((await asMember("GET", `/objectives/${secret.id}/history`)).status).toBe(404);
  });

  it("keeps a deleted objective in the trash and restores it with its key results, initiatives, alignments and figures", async () => {
    const parent = await f.objective(periodId, { title: "Parent stays" });
    const o = await f.objective(periodId, { title: "Deleted and back" });
    const kr = await f.keyResult(o.id, { start: 0, target: 100 });
    await f.checkIn(kr.id, { value: 40 });
    const initiative = (await api.call("POST", "/initiatives", { title: "Work", objectiveId: o.id })).body;
    await f.align("objective", o.id, "objective", parent.id);
    const progressBefore = (await api.call("GET", `/objectives/${parent.id}`)).body.progress;
    expect(progressBefore).toBeCloseTo(0.4, 5);

    expect((await api.call("DELETE", `/objectives/${o.id}`)).status).toBe(204);
    expect((await api.call("GET", `/objectives/${o.id}`)).status).toBe(404);
    expect((await api.call("GET", `/objectives/${parent.id}`)).body.progress).toBe(0);

    const trash = await api.call("GET", "/trash");
    const item = trash.body.items.find((i: { id: string }) => i.id === o.id);
    expect(item).toMatchObject({ type: "objective", title: "Deleted and back", deletedBy: { name: "Ada Admin" } });
    expect(Date.parse(item.purgeAt) - Date.parse(item.deletedAt)).toBe(TRASH_MS);
    // Its key result went with it and comes back with it: not listed on its own.
    expect(trash.body.items.some((i: { id: string }) => i.id === kr.id)).toBe(false);

    const restored = await api.call("POST", `/trash/${o.id}/restore`);
    expect(restored.status).toBe(200);
    expect(restored.body).toMatchObject({ type: "objective", skippedAlignments: 0 });
    expect(restored.body.restored).toEqual(expect.arrayContaining([o.id, kr.id, initiative.id]));
    const back = (await api.call("GET", `/objectives/${o.id}`)).body;
    expect(back.keyResults.map((k: { id: string }) => k.id)).toEqual([kr.id]);
    expect(back.progress).toBeCloseTo(0.4, 5);
    expect((await api.call("GET", `/initiatives/${initiative.id}`)).status).toBe(200);
    expect((await api.call("GET", `/objectives/${parent.id}`)).body.progress).toBeCloseTo(0.4, 5);
    expect((await api.call("GET", "/trash")).body.items.some((i: { id: string }) => i.id === o.id)).toBe(false);
    expect((await api.call("POST", `/trash/${o.id}/restore`)).status).toBe(404);
  });

  it("restores single key results and check-ins, refuses orphans, and admits admins only", async () => {
    const o = await f.objective(periodId, { title: "Pieces" });
    const kr = await f.keyResult(o.id, { start: 0, target: 10 });
    const c = await f.checkIn(kr.id, { value: 5 });
    await api.call("DELETE", `/check-ins/${c.id}`);
    expect((await api.call("GET", `/key-results/${kr.id}`)).body.progress).toBe(0);
    expect((await asMember("GET", "/trash")).status).toBe(403);
    expect((await asMember("POST", `/trash/${c.id}/restore`)).status).toBe(403);
    expect((await api.call("POST", `/trash/${c.id}/restore`)).status).toBe(200);
    expect((await api.call("GET", `/key-results/${kr.id}`)).body.progress).toBeCloseTo(0.5, 5);

    await api.call("DELETE", `/key-results/${kr.id}`);
    const listed = (await api.call("GET", "/trash?type=keyResult")).body.items;
    expect(listed.map((i: { id: string }) => i.id)).toContain(kr.id);
    await api.call("DELETE", `/objectives/${o.id}`);
    const orphan = await api.call("POST", `/trash/${kr.id}/restore`);
    expect(orphan.status).toBe(409);
    expect(orphan.body.error.message).toMatch(/restore the objective/);
  });

  it("restores a team with its owners and members", async () => {
    const mia = (await asMember("GET", "/me")).body.user.id;
    const me = (await api.call("GET", "/me")).body.user.id;
    const team = await f.team({ name: "Short-lived", ownerIds: [me], memberIds: [mia] });
    expect((await api.call("DELETE", `/teams/${team.id}`)).status).toBe(204);
    expect((await api.call("POST", `/trash/${team.id}/restore`)).status).toBe(200);
    const back = (await api.call("GET", `/teams/${team.id}`)).body;
    expect(back.ownerIds).toEqual([me]);
    expect(back.memberIds.sort()).toEqual([me, mia].sort());
  });

  it("forgets items after 30 days and erases them for good, with what pointed at them", async () => {
    const o = await f.objective(periodId, { title: "Old news" });
    const kr = await f.keyResult(o.id);
    await f.checkIn(kr.id, { value: 10 });
    const kpi = (await api.call("POST", "/kpis", { name: "Linked KPI", objectiveIds: [o.id] })).body;
    await api.call("DELETE", `/objectives/${o.id}`);
    const start = api.clock.now;
    try {
      api.clock.now = start + TRASH_MS + 60_000;
      expect((await api.call("GET", "/trash")).body.items.some((i: { id: string }) => i.id === o.id)).toBe(false);
      expect((await api.call("POST", `/trash/${o.id}/restore`)).status).toBe(404);
      expect(await purgeTrash(api.database, api.clock.now)).toBeGreaterThan(0);
      const left = await api.database.db.select().from(checkIns).where(eq(checkIns.keyResultId, kr.id));
      expect(left).toEqual([]);
      const [linked] = await api.database.db.select().from(kpis).where(eq(kpis.id, kpi.id));
      expect(linked?.objectiveIds).toEqual([]);
      api.clock.now = start;
      expect((await api.call("GET", "/trash")).body.items.some((i: { id: string }) => i.id === o.id)).toBe(false);
    } finally {
      api.clock.now = start;
    }
  });
});
