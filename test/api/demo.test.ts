/**
 * The demo workspace: the size the issue asks for, every KR type, a varied picture of
 * statuses, and loaded only into an empty workspace.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { grantOrgScope } from "../../src/db/org-scope.js";
import { loadDemo } from "../../src/services/demo.service.js";
import { type ApiHarness, startApi } from "../support/api.js";
import { DATABASE_KINDS } from "../support/databases.js";

describe.each(DATABASE_KINDS)("demo workspace on %s", (kind) => {
  const NOW = Date.UTC(2026, 10, 20, 12); // 20 Nov 2026: Q4 in progress, Q3 closed
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApi(kind, NOW);
  });
  afterAll(() => api.close());

  it("loads a realistic company once", async () => {
    const admin = (await api.database.db.query.users.findMany({ limit: 1 }))[0]!;
    const actor = {
      userId: admin.id,
      orgId: admin.orgId,
      scope: grantOrgScope(admin.orgId),
      role: "owner",
      access: "write" as const,
      isInstanceAdmin: true,
    };
    const result = await loadDemo(api.database, actor, NOW);
    expect(result.loaded).toBe(true);
    expect((await loadDemo(api.database, actor, NOW)).loaded).toBe(false);

    const teams = (await api.call("GET", "/teams")).body.items;
    const users = (await api.call("GET", "/users")).body.items;
    const periods = (await api.call("GET", "/periods")).body.items;
    const objectives = (await api.call("GET", "/objectives?limit=500")).body.items;
    const krs = objectives.flatMap((o: { keyResults: unknown[] }) => o.keyResults);
    expect(teams.length).toBeGreaterThanOrEqual(6);
    expect(users.length).toBeGreaterThanOrEqual(25);
    // In the fourth quarter, next quarter (where a draft is being planned) is the first of next year.
    expect(periods.map((p: { name: string }) => p.name).sort()).toEqual([
      "2026",
      "Q1 2026",
      "Q1 2027",
      "Q2 2026",
      "Q3 2026",
      "Q4 2026",
    ]);
    expect(objectives.length).toBeGreaterThanOrEqual(38);
    expect(krs.length).toBeGreaterThanOrEqual(110);
    expect(new Set(krs.map((k: { type: string }) => k.type))).toEqual(
      new Set(["increase", "decrease", "stayAbove", "stayBelow", "milestone", "baseline"]),
    );
    const statuses = new Set(objectives.map((o: { status: string }) => o.status));
    for (const s of ["onTrack", "behind", "atRisk", "closed"]) expect(statuses).toContain(s);
    expect(krs.filter((k: { forecast: unknown }) => k.forecast !== null).length).toBeGreaterThan(50);
    expect(
      krs.some(
        (k: { progressMode: string; progress: number | null }) => k.progressMode === "rollup" && (k.progress ?? 0) > 0,
      ),
    ).toBe(true);

    // Three levels deep in the Q4 tree: organisation → team → individual.
    const q4 = periods.find((p: { name: string }) => p.name === "Q4 2026");
    const tree = (await api.call("GET", `/tree?periodId=${q4.id}`)).body;
    const depth = (n: { type: string; children: unknown[] }): number =>
      (n.type === "objective" ? 1 : 0) + Math.max(0, ...n.children.map((c) => depth(c as never)));
    expect(Math.max(...tree.roots.map(depth))).toBeGreaterThanOrEqual(3);
    const coach = (await api.call("GET", `/coach?periodId=${q4.id}`)).body.items;
    expect(coach.length).toBeGreaterThan(0);
  });

  it("records its history as its people made it, when they did, not as the admin's doing at load time", async () => {
    // Loaded by the test above (one workspace per file).
    const admin = (await api.call("GET", "/me")).body.user;
    const objectives = (await api.call("GET", "/objectives?limit=500")).body.items as {
      id: string;
      title: string;
      ownerIds: string[];
      createdAt: string;
      state: string;
      keyResults: { id: string }[];
    }[];
    type Entry = { id: string; actorId: string | null; at: string; action: string; objectId: string };
    let checkedIns = 0;
    for (const o of objectives.filter((x) => x.state !== "draft").slice(0, 12)) {
      const history: Entry[] = (await api.call("GET", `/objectives/${o.id}/history?limit=500`)).body.items;
      // Newest first, by time as well as by recording.
      const times = history.map((e) => Date.parse(e.at));
      expect(times).toEqual([...times].sort((a, b) => b - a));
      const created = history.find((e) => e.action === "objective.created")!;
      expect(created).toMatchObject({ actorId: o.ownerIds[0], at: o.createdAt });
      for (const kr of o.keyResults) {
        const checkIns: { id: string; authorId: string; at: string }[] = (
          await api.call("GET", `/key-results/${kr.id}/check-ins?limit=500`)
        ).body.items;
        for (const c of checkIns) {
          const entry = history.find((e) => e.action === "checkIn.created" && e.objectId === c.id);
          expect(entry, `the check-in of ${c.at} in "${o.title}"`).toMatchObject({ actorId: c.authorId, at: c.at });
          checkedIns++;
        }
      }
      expect(history.filter((e) => e.actorId === admin.id).map((e) => e.action)).not.toContain("checkIn.created");
    }
    expect(checkedIns).toBeGreaterThan(50);
  });
});
