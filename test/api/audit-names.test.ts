/**
 * The audit trail names its objects in words (titles and names, the id beside them), says for
 * whom a token was issued, and costs what its page holds. An objective's history keeps a link to
 * a private objective its reader may not see without that objective's id or title, whether the
 * private objective still exists or was deleted.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokenForEmail } from "../../src/services/auth.service.js";
import { type ApiHarness, factories, type Response, startApi } from "../support/api.js";
import { DATABASE_KINDS } from "../support/databases.js";
import { recordStatements } from "../support/statements.js";

interface Ref {
  role: string;
  type: string;
  id: string | null;
  name: string | null;
  deleted: boolean;
  hidden: boolean;
}
interface Entry {
  action: string;
  objectType: string;
  objectId: string;
  objectName: string | null;
  objectDeleted: boolean;
  related: Ref[];
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

const itemsOf = (res: Response) => res.body.items as Entry[];

describe.each(DATABASE_KINDS)("audit names on %s", (kind) => {
  let api: ApiHarness;
  let f: ReturnType<typeof factories>;
  let periodId: string;

  beforeAll(async () => {
    api = await startApi(kind, Date.UTC(2026, 1, 15, 12));
    f = factories(api);
    periodId = (await f.period({ name: "Q1 2026" })).id;
  });
  afterAll(() => api?.close());

  /** The newest entry of the trail with this action and object. */
  async function entry(action: string, objectId: string): Promise<Entry> {
    const res = await api.call("GET", `/audit?order=desc&limit=500&action=${action}`);
    expect(res.status).toBe(200);
    const found = itemsOf(res).find((e) => e.objectId === objectId);
    if (!found) throw new Error(`no ${action} of ${objectId}`);
    return found;
  }

  it("names each object in words, the id beside it, and says whose account a token is for", async () => {
    const walt = await f.user({ name: "Walt Walker", email: "walt@example.com" });
    const team = await f.team({ name: "Growth" });
    const o = await f.objective(periodId, { title: "Win the north" });
    const kr = await f.keyResult(o.id, { title: "Ten new stores" });
    const checkIn = await f.checkIn(kr.id, { value: 5 });
    const parent = await f.objective(periodId, { title: "Grow the company" });
    const link = await f.align("objective", o.id, "objective", parent.id);
    const kpi = (await api.call("POST", "/kpis", { name: "Weekly visitors" })).body;
    expect((await api.call("POST", `/kpis/${kpi.id}/values`, { value: 120 })).status).toBe(201);
    const token = await api.call("POST", `/users/${walt.id}/tokens`, { name: "walk" });
    expect(token.status).toBe(201);
    const orgId = (await api.call("GET", "/me")).body.organization.id;
    await api.call("PATCH", `/objectives/${o.id}`, { title: "Win the whole north" });

    // Live objects read as they are named now (the rename shows on the older entry too).
    expect(await entry("objective.created", o.id)).toMatchObject({
      objectId: o.id,
      objectName: "Win the whole north",
      objectDeleted: false,
      related: [],
    });
    expect(await entry("keyResult.created", kr.id)).toMatchObject({ objectName: "Ten new stores" });
    expect(await entry("checkIn.created", checkIn.id)).toMatchObject({
      objectName: null,
      objectDeleted: false,
      related: [{ role: "keyResult", type: "keyResult", id: kr.id, name: "Ten new stores", deleted: false }],
    });
    expect((await entry("alignment.created", link.id)).related).toEqual([
      { role: "child", type: "objective", id: o.id, name: "Win the whole north", deleted: false, hidden: false },
      { role: "parent", type: "objective", id: parent.id, name: "Grow the company", deleted: false, hidden: false },
    ]);
    expect(await entry("kpi.valueAdded", kpi.id)).toMatchObject({ objectName: "Weekly visitors" });
    expect(await entry("team.created", team.id)).toMatchObject({ objectName: "Growth" });
    expect(await entry("period.created", periodId)).toMatchObject({ objectName: "Q1 2026" });
    expect(await entry("user.created", walt.id)).toMatchObject({ objectName: "Walt Walker" });
    expect((await api.call("GET", `/audit?objectType=organization&objectId=${orgId}`)).status).toBe(200);
    expect(await entry("token.created", token.body.id)).toMatchObject({
      objectName: "walk",
      related: [{ role: "account", type: "user", id: walt.id, name: "Walt Walker" }],
    });
  });

  it("names a deleted object by what its entry recorded, else leaves the name to the reader ('deleted KPI')", async () => {
    const o = await f.objective(periodId, { title: "Short-lived" });
    const kpi = (await api.call("POST", "/kpis", { name: "Gone metric" })).body;
    expect((await api.call("POST", `/kpis/${kpi.id}/values`, { value: 3 })).status).toBe(201);
    expect((await api.call("DELETE", `/objectives/${o.id}`)).status).toBe(204);
    expect((await api.call("DELETE", `/kpis/${kpi.id}`)).status).toBe(204);

    expect(await entry("objective.created", o.id)).toMatchObject({ objectName: "Short-lived", objectDeleted: true });
    expect(await entry("objective.deleted", o.id)).toMatchObject({ objectName: "Short-lived", objectDeleted: true });
    // A value's entry recorded no name of its KPI.
    expect(await entry("kpi.valueAdded", kpi.id)).toMatchObject({ objectName: null, objectDeleted: true });
  });

  it("costs one read per kind of object on the page, however large the trail", async () => {
    const page = async () => {
      const statements = await recordStatements(api, async () => {
        const res = await api.call("GET", "/audit?order=desc&limit=12");
        expect(res.status).toBe(200);
        expect(itemsOf(res)).toHaveLength(12);
      });
      return { count: statements.length, most: Math.max(...statements.map((s) => s.rows)) };
    };
    /** The same twelve kinds of change, newest on the trail. */
    const tail = async (n: number) => {
      const o = await f.objective(periodId, { title: `Tail ${n}` });
      const kr = await f.keyResult(o.id, { title: `Tail KR ${n}` });
      await f.checkIn(kr.id, { value: 10 });
      const p = await f.objective(periodId, { title: `Tail parent ${n}` });
      await f.align("objective", o.id, "keyResult", (await f.keyResult(p.id, { title: `Tail parent KR ${n}` })).id);
      await f.team({ name: `Tail team ${n}` });
      const kpi = (await api.call("POST", "/kpis", { name: `Tail KPI ${n}` })).body;
      await api.call("POST", `/kpis/${kpi.id}/values`, { value: 1 });
      const u = await f.user({ name: `Tail person ${n}`, email: `tail${n}@example.com` });
      await api.call("POST", `/users/${u.id}/tokens`, { name: `tail ${n}` });
      await api.call("POST", "/initiatives", { title: `Tail work ${n}`, objectiveId: o.id });
    };
    await tail(1);
    const small = await page();
    // Ten times more of every kind, then the same tail again.
    for (let i = 0; i < 10; i++) {
      const o = await f.objective(periodId, { title: `Bulk ${i}` });
      await f.checkIn((await f.keyResult(o.id)).id, { value: i });
      await f.team({ name: `Bulk team ${i}` });
      await f.user({ name: `Bulk person ${i}`, email: `bulk${i}@example.com` });
    }
    await tail(2);
    const large = await page();
    expect(large.count).toBe(small.count);
    // No statement reads more than the page (the trail's own read takes one more, to know if there is a next page).
    expect(large.most).toBeLessThanOrEqual(13);
  });

  describe("a link to a private objective in a public objective's history", () => {
    let mia: string;
    let olga: string;
    const as = (token: string) => (method: string, url: string) =>
      api.call(method, url, undefined, { authorization: `Bearer ${token}` });

    beforeAll(async () => {
      await f.user({ name: "Mia Member", email: "mia@example.com" });
      await f.user({ name: "Olga Owner", email: "olga@example.com" });
      mia = (await createTokenForEmail(api.database, "mia@example.com")).token;
      olga = (await createTokenForEmail(api.database, "olga@example.com")).token;
    });

    /** A public objective aligned under Olga's private one (or its key result), the link then removed. */
    async function linked(parentType: "objective" | "keyResult") {
      const olgaId = (await as(olga)("GET", "/me")).body.user.id;
      const secret = await f.objective(periodId, {
        title: `Buy Initech via ${parentType}`,
        level: "individual",
        ownerIds: [olgaId],
        visibility: "private",
      });
      const secretKr = await f.keyResult(secret.id, { title: "Initech shares", ownerIds: [olgaId] });
      const open = await f.objective(periodId, { title: `Public plan via ${parentType}` });
      const parentId = parentType === "objective" ? secret.id : secretKr.id;
      const link = await f.align("objective", open.id, parentType, parentId);
      expect((await api.call("DELETE", `/alignments/${link.id}`)).status).toBe(204);
      await f.align("objective", open.id, parentType, parentId);
      return { secret, secretKr, open, parentId };
    }

    const linkEntries = (res: Response) => itemsOf(res).filter((e) => e.objectType === "alignment");

    /** The reader gets the link entries without the private side's id or title: "a private objective". */
    function expectMasked(res: Response, secret: { id: string; title: string }, krId: string) {
      expect(res.status).toBe(200);
      const text = JSON.stringify(res.body);
      for (const s of [secret.id, secret.title, krId, "Initech shares"]) expect(text).not.toContain(s);
      const links = linkEntries(res);
      expect(links.map((e) => e.action).sort()).toEqual([
        "alignment.created",
        "alignment.created",
        "alignment.deleted",
      ]);
      for (const e of links) {
        expect(e.related.find((r) => r.role === "parent")).toMatchObject({ id: null, name: null, hidden: true });
        expect((e.after ?? e.before)?.parentId).toBeNull();
      }
    }

    /** The reader who may see the private side gets its id (and, while it exists, its title). */
    function expectNamed(res: Response, parentId: string, name: string | null) {
      expect(res.status).toBe(200);
      const links = linkEntries(res);
      expect(links).toHaveLength(3);
      for (const e of links) {
        expect(e.related.find((r) => r.role === "parent")).toMatchObject({ id: parentId, name, hidden: false });
        expect((e.after ?? e.before)?.parentId).toBe(parentId);
      }
    }

    it.each(["objective", "keyResult"] as const)(
      "hides the private %s from a reader who may not see it, before and after it is deleted",
      async (parentType) => {
        const { secret, secretKr, open, parentId } = await linked(parentType);
        const history = `/objectives/${open.id}/history`;
        const parentName = parentType === "objective" ? secret.title : "Initech shares";

        expectMasked(await as(mia)("GET", history), secret, secretKr.id);
        expectNamed(await as(olga)("GET", history), parentId, parentName);
        expectNamed(await api.call("GET", history), parentId, parentName);

        expect((await api.call("DELETE", `/objectives/${secret.id}`)).status).toBe(204);

        expectMasked(await as(mia)("GET", history), secret, secretKr.id);
        expectNamed(await as(olga)("GET", history), parentId, null);
        expectNamed(await api.call("GET", history), parentId, null);
      },
    );
  });
});
