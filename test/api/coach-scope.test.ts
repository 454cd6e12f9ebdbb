/**
 * The coach for the objectives in view (`GET /coach?objectiveIds=…`, what the explorer's and an
 * objective page's coach panel ask): each objective's findings and its key results' are exactly
 * those a run over the whole period gives them, a duplicate of an objective outside the list
 * included, people's findings are left out, a hidden objective stays hidden, and the request
 * reads the objectives named, not the period's.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokenForEmail } from "../../src/services/auth.service.js";
import { loadDemo } from "../../src/services/demo.service.js";
import { type ApiHarness, factories, startApi } from "../support/api.js";
import { adminActorOf } from "../support/cli-actor.js";
import { DATABASE_KINDS } from "../support/databases.js";
import { recordStatements } from "../support/statements.js";

interface Finding {
  checkId: string;
  objectType: string;
  objectId: string;
  message: string;
}
interface Objective {
  id: string;
  title: string;
  visibility: string;
  keyResults: { id: string }[];
}

describe.each(DATABASE_KINDS)("the coach for the objectives in view on %s", (kind) => {
  const NOW = Date.UTC(2026, 10, 20, 12);
  let api: ApiHarness;
  let periodId: string;
  let objectives: Objective[];
  /** The findings of a run over the whole period, about objectives and key results. */
  let whole: Finding[];

  const coach = async (qs: string, headers: Record<string, string> = {}) =>
    api.call("GET", `/coach?periodId=${periodId}&${qs}`, undefined, headers);

  beforeAll(async () => {
    api = await startApi(kind, NOW);
    await loadDemo(api.database, await adminActorOf(api.database), NOW);
    const periods = (await api.call("GET", "/periods?limit=50")).body.items as { id: string; name: string }[];
    periodId = periods.find((p) => p.name === "Q4 2026")!.id;
    // A near twin of an early objective, made last: its duplicate finding names an objective outside a short list.
    const f = factories(api);
    const first = (await api.call("GET", `/objectives?periodId=${periodId}&limit=1`)).body.items[0] as Objective;
    await f.objective(periodId, { title: `${first.title}!` });
    objectives = (await api.call("GET", `/objectives?periodId=${periodId}&limit=500`)).body.items;
    whole = ((await coach("")).body.items as Finding[]).filter((x) => x.objectType !== "user");
  }, 240_000);
  afterAll(() => api?.close());

  /** The findings of the whole run about these objectives and their key results, in the whole run's order. */
  const wholeFor = (list: Objective[]) => {
    const ids = new Set(list.flatMap((o) => [o.id, ...o.keyResults.map((k) => k.id)]));
    return whole.filter((x) => ids.has(x.objectId));
  };

  it("gives each objective named the findings a run over the whole period gives it", async () => {
    expect(whole.length).toBeGreaterThan(10);
    expect(whole.some((x) => x.checkId === "duplicate")).toBe(true);
    // Every objective alone, then a few at a time in another order.
    for (const o of objectives) {
      const res = await coach(`objectiveIds=${o.id}`);
      expect(res.status).toBe(200);
      expect(res.body.items, o.title).toEqual(wholeFor([o]));
    }
    const shuffled = [...objectives].reverse();
    for (let i = 0; i < shuffled.length; i += 7) {
      const part = shuffled.slice(i, i + 7);
      const res = await coach(`objectiveIds=${part.map((o) => o.id).join(",")}`);
      expect(new Set(res.body.items.map((x: Finding) => JSON.stringify(x)))).toEqual(
        new Set(wholeFor(part).map((x) => JSON.stringify(x))),
      );
    }
    // The twin made last is found though the objective it repeats is not named.
    const twin = objectives.find((o) => o.title.endsWith("!"))!;
    const found = (await coach(`objectiveIds=${twin.id}`)).body.items as Finding[];
    expect(found.map((x) => x.checkId)).toContain("duplicate");
    // No findings about people: they need the whole period.
    expect((await coach(`objectiveIds=${objectives.map((o) => o.id).join(",")}`)).body.items).not.toContainEqual(
      expect.objectContaining({ objectType: "user" }),
    );
  });

  it("leaves out what the caller may not see, and ids of other periods or none", async () => {
    const hidden = objectives.find((o) => o.visibility === "private");
    const users = (await api.call("GET", "/users?limit=500")).body.items as { email: string; role: string }[];
    const member = users.find((u) => u.role === "member")!;
    const token = (await createTokenForEmail(api.database, member.email)).token;
    const seen = await api.call("GET", `/objectives?periodId=${periodId}&limit=500`, undefined, {
      authorization: `Bearer ${token}`,
    });
    const visible = new Set((seen.body.items as Objective[]).map((o) => o.id));
    const asMember = await coach(`objectiveIds=${objectives.map((o) => o.id).join(",")}`, {
      authorization: `Bearer ${token}`,
    });
    expect(asMember.status).toBe(200);
    const about = new Set(
      objectives.flatMap((o) => (visible.has(o.id) ? [o.id, ...o.keyResults.map((k) => k.id)] : [])),
    );
    for (const x of asMember.body.items as Finding[]) expect(about.has(x.objectId), x.message).toBe(true);
    if (hidden && !visible.has(hidden.id)) {
      const alone = await coach(`objectiveIds=${hidden.id}`, { authorization: `Bearer ${token}` });
      expect(alone.body.items).toEqual([]);
    }
    expect((await coach("objectiveIds=00000000-0000-4000-8000-000000000000")).body.items).toEqual([]);
  });

  it("refuses an empty or too long list with the rule", async () => {
    for (const qs of ["objectiveIds=", `objectiveIds=${Array.from({ length: 201 }, (_, i) => `id${i}`).join(",")}`]) {
      const res = await coach(qs);
      expect(res.status, qs).toBe(400);
      expect(res.body.error.details.join("\n")).toMatch(/objectiveIds: must be 1 to 200 ids separated by commas/);
    }
  });

  it("reads the objectives named and the period's titles, not the period's key results", async () => {
    const one = objectives[0]!;
    const log = await recordStatements(api, () => coach(`objectiveIds=${one.id}`));
    const keyResultReads = log.filter((s) => /from "key_results"/.test(s.sql));
    expect(keyResultReads.length).toBeGreaterThan(0);
    // Only the named objective's key results come back, not the period's.
    const rows = keyResultReads.reduce((n, s) => n + s.rows, 0);
    expect(rows).toBeLessThanOrEqual(one.keyResults.length);
    const wholeLog = await recordStatements(api, () => coach(""));
    const wholeRows = wholeLog.filter((s) => /from "key_results"/.test(s.sql)).reduce((n, s) => n + s.rows, 0);
    expect(wholeRows).toBeGreaterThan(rows);
  });
});
