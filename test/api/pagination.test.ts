/**
 * Paging bounds the work: lists page in SQL with keyset cursors, so every item comes once
 * and in order, a deleted item does not break paging, a cursor this list did not give out
 * is a 400 (never a restart at page 1), and `GET /objectives?limit=1` reads as many rows
 * in an organisation of 100 objectives as in one of 10.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { grantOrgScope } from "../../src/db/org-scope.js";
import { keyResultRepo, objectiveRepo } from "../../src/db/repositories.js";
import { createTokenForEmail } from "../../src/services/auth.service.js";
import { mutate } from "../../src/services/context.js";
import { type ApiHarness, factories, type Response, startApi } from "../support/api.js";
import { DATABASE_KINDS } from "../support/databases.js";
import { recordStatements } from "../support/statements.js";

const NOT_OURS = "cursor: is not a cursor this API gave out; pass nextCursor from the previous page unchanged";

interface Item {
  id: string;
  title: string;
  status: string;
}

describe.each(DATABASE_KINDS)("keyset paging on %s", (kind) => {
  let api: ApiHarness;
  let f: ReturnType<typeof factories>;
  let q4: { id: string };
  let year: { id: string };
  let q1: { id: string };
  let q2: { id: string };
  let team: { id: string };
  let olga: { id: string };
  let carolToken: string;
  /** Every objective in list order (period start, level, creation, title, id). */
  let expected: string[];
  let secret: { id: string };

  /** Follows nextCursor from the first page to the last; returns the ids in the order seen. */
  async function pageThrough(url: string, limit: number, headers: Record<string, string> = {}): Promise<string[]> {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const sep = url.includes("?") ? "&" : "?";
      const res: Response<{ items: Item[]; nextCursor: string | null }> = await api.call(
        "GET",
        `${url}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
        undefined,
        headers,
      );
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(limit);
      seen.push(...res.body.items.map((i) => i.id));
      cursor = res.body.nextCursor;
      pages++;
      expect(pages).toBeLessThan(200);
    } while (cursor);
    return seen;
  }

  beforeAll(async () => {
    api = await startApi(kind, Date.UTC(2026, 1, 15, 12));
    f = factories(api);
    olga = await f.user({ name: "Olga Owner", email: "olga@example.com" });
    await f.user({ name: "Carol Colleague", email: "carol@example.com" });
    carolToken = (await createTokenForEmail(api.database, "carol@example.com")).token;
    team = await f.team({ name: "Platform" });
    // Created out of order on purpose: the list orders by period start, not by creation.
    q2 = await f.period({ name: "Q2 2026", startDate: "2026-04-01", endDate: "2026-06-30" });
    year = await f.period({ name: "2026", kind: "year", startDate: "2026-01-01", endDate: "2026-12-31" });
    q1 = await f.period({ name: "Q1 2026", parentId: year.id });
    q4 = await f.period({ name: "Q4 2025", startDate: "2025-10-01", endDate: "2025-12-31" });
    const make = async (periodId: string, title: string, level = "organization", over = {}) =>
      (
        await f.objective(periodId, {
          title,
          level,
          ...(level === "team" ? { teamId: team.id } : {}),
          ...(level === "individual" ? { ownerIds: [olga.id] } : {}),
          ...over,
        })
      ).id as string;
    // Year and Q1 share a start date: their objectives interleave by level, then creation.
    const q2Team = await make(q2.id, "Q2 team bet", "team");
    const q1Person = await make(q1.id, "Q1 personal growth", "individual");
    const yearOrg = await make(year.id, "Year-long ambition");
    const q1Team1 = await make(q1.id, "Q1 team one", "team");
    const q4Org = await make(q4.id, "Last year's push");
    const q1Org = await make(q1.id, "Q1 company goal");
    const yearTeam = await make(year.id, "Year team goal", "team");
    const q1Team2 = await make(q1.id, "Q1 team two", "team");
    const q2Org = await make(q2.id, "Q2 company goal");
    secret = { id: await make(q1.id, "Q1 secret plan", "individual", { visibility: "private" }) };
    const q4Person = await make(q4.id, "Q4 personal", "individual");
    await f.keyResult(q1Team1, { title: "Ship the enterprise tier" });
    await f.keyResult(q1Team2, { title: "Cut build time" });
    expected = [q4Org, q4Person, yearOrg, q1Org, q1Team1, yearTeam, q1Team2, q1Person, secret.id, q2Org, q2Team];
  }, 120_000);
  afterAll(() => api?.close());

  it("pages through every objective with limit=2: each exactly once, in list order", async () => {
    const all = (await api.call("GET", "/objectives?limit=500")).body;
    expect(all.items.map((i: Item) => i.id)).toEqual(expected);
    expect(all.nextCursor).toBeNull();
    expect(await pageThrough("/objectives", 2)).toEqual(expected);
    expect(await pageThrough("/objectives", 1)).toEqual(expected);
    // The last full page says there is no more.
    const last = await api.call("GET", `/objectives?limit=${expected.length}`);
    expect(last.body.items).toHaveLength(expected.length);
    expect(last.body.nextCursor).toBeNull();
  });

  it("leaves out what the caller may not see, on every page", async () => {
    const seen = await pageThrough("/objectives", 2, { authorization: `Bearer ${carolToken}` });
    expect(seen).toEqual(expected.filter((id) => id !== secret.id));
  });

  it("pages with filters: period, level, team, owner, text and status", async () => {
    const full = async (qs: string) =>
      (await api.call("GET", `/objectives?limit=500&${qs}`)).body.items.map((i: Item) => i.id);
    for (const qs of [
      `periodId=${q1.id}`,
      `periodId=${year.id}`,
      "level=team",
      `teamId=${team.id}`,
      `ownerId=${olga.id}`,
      "q=Q1",
      "q=enterprise", // a key result's title
      "q=100%25", // a literal %: matches nothing
      "state=active",
    ]) {
      const ids = await full(qs);
      expect(await pageThrough(`/objectives?${qs}`, 1), qs).toEqual(ids);
    }
    expect(await full(`periodId=${q1.id}`)).toEqual(
      expected.filter((id) => [3, 4, 6, 7, 8].includes(expected.indexOf(id))),
    );
    expect(await full("q=enterprise")).toEqual([expected[4]]);
    expect(await full("q=100%25")).toEqual([]);
    const statuses = (await api.call("GET", "/objectives?limit=500")).body.items.map((i: Item) => i.status);
    for (const status of new Set<string>(statuses)) {
      const ids = await full(`status=${status}`);
      expect(ids.length).toBe(statuses.filter((s: string) => s === status).length);
      expect(await pageThrough(`/objectives?status=${status}`, 1), status).toEqual(ids);
    }
    // Ids that are no ids match nothing (no database error).
    expect(await full("teamId=not-an-id")).toEqual([]);
    expect(await full("periodId=not-an-id")).toEqual([]);
  });

  it("a deleted item does not break paging: the cursor carries its own position", async () => {
    const extra = [
      (await f.objective(q4.id, { title: "Doomed A" })).id,
      (await f.objective(q4.id, { title: "Doomed B" })).id,
    ];
    const first = (await api.call("GET", "/objectives?limit=2")).body;
    const shown: string[] = first.items.map((i: Item) => i.id);
    expect(shown).toEqual([expected[0], extra[0]]);
    expect((await api.call("DELETE", `/objectives/${extra[0]}`)).status).toBe(204);
    const rest = (await api.call("GET", `/objectives?limit=100&cursor=${first.nextCursor}`)).body;
    expect(rest.items.map((i: Item) => i.id)).toEqual([extra[1], ...expected.slice(1)]);
    await api.call("DELETE", `/objectives/${extra[1]}`);
  });

  it("answers 400 for a cursor this list did not give out, never page 1 again", async () => {
    const bad = async (url: string) => {
      const res = await api.call("GET", url);
      expect(res.status, url).toBe(400);
      expect(res.body.error.code).toBe("VALIDATION");
      expect(res.body.error.details).toContain(NOT_OURS);
    };
    const objectivesCursor = (await api.call("GET", "/objectives?limit=1")).body.nextCursor as string;
    const q1Cursor = (await api.call("GET", `/objectives?limit=1&periodId=${q1.id}`)).body.nextCursor as string;
    const periodsCursor = (await api.call("GET", "/periods?limit=1")).body.nextCursor as string;
    expect(objectivesCursor && q1Cursor && periodsCursor).toBeTruthy();
    for (const list of ["/objectives", "/periods", "/initiatives", "/kpis"]) {
      await bad(`${list}?cursor=garbage`);
      await bad(`${list}?cursor=${Buffer.from("[]").toString("base64url")}`);
      await bad(`${list}?cursor=${Buffer.from('["objectives",1,2]').toString("base64url")}`);
    }
    // Another list's cursor, or the same list's under other filters.
    await bad(`/periods?cursor=${objectivesCursor}`);
    await bad(`/objectives?cursor=${periodsCursor}`);
    await bad(`/initiatives?cursor=${objectivesCursor}`);
    await bad(`/objectives?periodId=${q2.id}&cursor=${q1Cursor}`);
    await bad(`/objectives?cursor=${q1Cursor}`);
    // A cursor of the old shape (an id in base64url).
    await bad(`/objectives?cursor=${Buffer.from(expected[0]!).toString("base64url")}`);
    // A well-formed cursor whose parts are not what this list sorts by.
    const [scope, ...key] = JSON.parse(Buffer.from(objectivesCursor, "base64url").toString()) as unknown[];
    const forged = (k: unknown[]) => Buffer.from(JSON.stringify([scope, ...k])).toString("base64url");
    await bad(`/objectives?cursor=${forged([...key.slice(0, 2), "2026-02-30T00:00:00.000000Z", ...key.slice(3)])}`);
    await bad(`/objectives?cursor=${forged([...key.slice(0, 4), "not-an-id"])}`);
    await bad(`/objectives?cursor=${forged([...key.slice(0, 3), "a\u0000b", ...key.slice(4)])}`);
    // A re-encoded cursor with padding is not the one given out.
    await bad(`/objectives?cursor=${objectivesCursor}=`);
    // In-memory lists too: a cursor naming an item that is gone is a 400, not a restart.
    const doomed = await f.team({ name: "Zebra squad" });
    const cursorAt = Buffer.from(doomed.id).toString("base64url");
    await api.call("DELETE", `/teams/${doomed.id}`);
    const gone = await api.call("GET", `/teams?cursor=${cursorAt}`);
    expect(gone.status).toBe(400);
    expect(gone.body.error.details[0]).toMatch(/^cursor: /);
  });

  it("pages periods, initiatives and KPIs in SQL, each item once", async () => {
    const periods = (await api.call("GET", "/periods?limit=500")).body.items.map((p: { id: string }) => p.id);
    expect(periods).toEqual([q4.id, year.id, q1.id, q2.id]);
    expect(await pageThrough("/periods", 1)).toEqual(periods);

    const objectiveId = expected[4]!;
    const made: string[] = [];
    for (const title of ["Hire", "Train", "Launch"]) {
      made.push((await api.call("POST", "/initiatives", { title, objectiveId })).body.id);
    }
    const secretInitiative = (await api.call("POST", "/initiatives", { title: "Hush", objectiveId: secret.id })).body
      .id;
    expect(await pageThrough("/initiatives", 1)).toEqual([...made, secretInitiative]);
    expect(await pageThrough(`/initiatives?objectiveId=${objectiveId}`, 2)).toEqual(made);
    expect(await pageThrough("/initiatives", 1, { authorization: `Bearer ${carolToken}` })).toEqual(made);

    const kpis: string[] = [];
    for (const [i, name] of ["Uptime", "NPS", "Churn"].entries()) {
      const k = (await api.call("POST", "/kpis", { name, healthyMin: 10 })).body;
      kpis.push(k.id);
      // Recorded out of date order: the latest is the newest date, not the last recorded.
      await api.call("POST", `/kpis/${k.id}/values`, { value: 20 + i, at: "2026-02-10T00:00:00Z" });
      await api.call("POST", `/kpis/${k.id}/values`, { value: 5, at: "2026-02-01T00:00:00Z" });
    }
    expect(await pageThrough("/kpis", 2)).toEqual(kpis);
    const page = (await api.call("GET", "/kpis?limit=2")).body;
    expect(page.items.map((k: { current: number; healthy: boolean }) => [k.current, k.healthy])).toEqual([
      [20, true],
      [21, true],
    ]);
    expect(page.items[0].currentAt).toBe("2026-02-10T00:00:00.000Z");
  });

  it("pages people and teams by name in SQL, each once, and refuses another list's cursor", async () => {
    for (const name of ["Zed Last", "Amy First", "Mia Middle"]) {
      await api.call("POST", "/users", {
        name,
        email: `${name.split(" ")[0]!.toLowerCase()}@paging.test`,
        invite: false,
      });
    }
    const users = (await api.call("GET", "/users?limit=500")).body.items as { id: string; name: string }[];
    const names = users.map((u) => u.name);
    expect(names).toEqual([...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(await pageThrough("/users", 2)).toEqual(users.map((u) => u.id));
    const teams = (await api.call("GET", "/teams?limit=500")).body.items.map((t: { id: string }) => t.id);
    expect(await pageThrough("/teams", 1)).toEqual(teams);
    for (const child of [expected[1], expected[2], expected[3]]) {
      const made = await api.call("POST", "/alignments", {
        childType: "objective",
        childId: child,
        parentType: "objective",
        parentId: expected[0],
      });
      expect(made.status).toBe(201);
    }
    const alignments = (await api.call("GET", "/alignments?limit=500")).body.items.map((a: { id: string }) => a.id);
    expect(alignments).toHaveLength(3);
    expect(await pageThrough("/alignments", 1)).toEqual(alignments);
    const userCursor = (await api.call("GET", "/users?limit=1")).body.nextCursor;
    expect((await api.call("GET", `/teams?cursor=${encodeURIComponent(userCursor)}`)).status).toBe(400);
  });

  it("searches people by name or email and teams by name (q), paging within the match", async () => {
    const byName = (await api.call("GET", "/users?q=mIdDlE")).body.items.map((u: { name: string }) => u.name);
    expect(byName).toEqual(["Mia Middle"]);
    const byEmail = await api.call("GET", "/users?q=@paging.test&limit=1");
    expect(byEmail.body.items.map((u: { name: string }) => u.name)).toEqual(["Amy First"]);
    const next = await api.call(
      "GET",
      `/users?q=@paging.test&limit=2&cursor=${encodeURIComponent(byEmail.body.nextCursor)}`,
    );
    expect(next.body.items.map((u: { name: string }) => u.name)).toEqual(["Mia Middle", "Zed Last"]);
    // A cursor is bound to its search: the same cursor without q is refused.
    expect((await api.call("GET", `/users?cursor=${encodeURIComponent(byEmail.body.nextCursor)}`)).status).toBe(400);
    // Wildcards are taken literally.
    expect((await api.call("GET", "/users?q=%25")).body.items).toEqual([]);
    const team = (await api.call("GET", "/teams?limit=1")).body.items[0] as { name: string };
    const found = (await api.call("GET", `/teams?q=${encodeURIComponent(team.name.slice(1, 4).toUpperCase())}`)).body
      .items;
    expect(found.map((t: { name: string }) => t.name)).toContain(team.name);
  });

  it("fetches people and teams by ids in one request, by name, and says what is wrong with a bad list", async () => {
    const everyone = (await api.call("GET", "/users?limit=500")).body.items as { id: string; name: string }[];
    const picked = [everyone[2], everyone[0]] as { id: string; name: string }[];
    const other = "00000000-0000-4000-8000-000000000000";
    const got = await api.call("GET", `/users?ids=${picked.map((u) => u.id).join(",")},${other},not-an-id&limit=100`);
    expect(got.status).toBe(200);
    expect(got.body.items.map((u: { id: string }) => u.id)).toEqual([everyone[0]?.id, everyone[2]?.id]);
    // Paged within the ids, and the cursor is bound to them.
    const first = await api.call("GET", `/users?ids=${picked.map((u) => u.id).join(",")}&limit=1`);
    expect(first.body.items).toHaveLength(1);
    const rest = await api.call(
      "GET",
      `/users?ids=${picked.map((u) => u.id).join(",")}&limit=1&cursor=${encodeURIComponent(first.body.nextCursor)}`,
    );
    expect(rest.body.items.map((u: { id: string }) => u.id)).toEqual([everyone[2]?.id]);
    expect(rest.body.nextCursor).toBeNull();
    expect((await api.call("GET", `/users?cursor=${encodeURIComponent(first.body.nextCursor)}`)).status).toBe(400);
    const team = (await api.call("GET", "/teams?limit=1")).body.items[0] as { id: string };
    expect((await api.call("GET", `/teams?ids=${team.id}`)).body.items.map((t: { id: string }) => t.id)).toEqual([
      team.id,
    ]);
    const tooMany = Array.from({ length: 101 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`);
    const refused = await api.call("GET", `/users?ids=${tooMany.join(",")}`);
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(/ids.*1 to 100 ids separated by commas/);
    expect((await api.call("GET", "/users?ids=,")).status).toBe(400);
  });
});

describe.each(DATABASE_KINDS)("limit bounds the work on %s", (kind) => {
  let api: ApiHarness;
  let periodId: string;
  beforeAll(async () => {
    api = await startApi(kind, Date.UTC(2026, 1, 15, 12));
    const f = factories(api);
    periodId = (await f.period()).id;
    for (let i = 0; i < 10; i++) {
      const o = await f.objective(periodId, { title: `Objective ${i}`, level: i % 2 ? "team" : "organization" });
      await f.keyResult(o.id, { title: `KR of ${i}` });
    }
  }, 120_000);
  afterAll(() => api?.close());

  /** Adds objectives (one KR each) in one transaction: they share a creation instant, so title and id order them. */
  async function grow(count: number) {
    const admin = (await api.database.db.query.users.findMany({ limit: 1 }))[0]!;
    const actor = {
      userId: admin.id,
      orgId: admin.orgId,
      scope: grantOrgScope(admin.orgId),
      role: "owner",
      access: "write" as const,
      isInstanceAdmin: true,
    };
    await mutate({ database: api.database, now: () => api.clock.now, emit: () => {} }, actor, async (w) => {
      for (let i = 0; i < count; i++) {
        const o = await objectiveRepo.insert(w.tx, w.scope, {
          title: `Bulk ${String(i).padStart(3, "0")}`,
          level: i % 3 ? "individual" : "organization",
          periodId,
          ownerIds: [admin.id],
        });
        await keyResultRepo.insert(w.tx, w.scope, { objectiveId: o.id, title: `Bulk KR ${i}`, type: "increase" });
      }
    });
  }

  async function measure(url: string) {
    await api.call("GET", url); // warm-up: the token's last use is recorded at most once a minute
    let body: { items: unknown[]; nextCursor: string | null } = { items: [], nextCursor: null };
    const log = await recordStatements(api, async () => {
      body = (await api.call("GET", url)).body;
    });
    const touching = (table: string) => log.filter((s) => s.sql.includes(`"${table}"`)).reduce((n, s) => n + s.rows, 0);
    return {
      statements: log.length,
      rows: log.reduce((n, s) => n + s.rows, 0),
      objectiveRows: touching("objectives"),
      keyResultRows: touching("key_results"),
      items: body.items.length,
      cursor: body.nextCursor,
    };
  }

  it("GET /objectives?limit=1 reads the same rows with 10 objectives as with 100", async () => {
    const urls = ["/objectives?limit=1", `/objectives?limit=1&periodId=${periodId}`, "/objectives?limit=1&q=objective"];
    const small: Record<string, Awaited<ReturnType<typeof measure>>> = {};
    for (const url of urls) small[url] = await measure(url);
    await grow(90);
    expect((await api.call("GET", "/objectives?limit=500")).body.items).toHaveLength(100);
    for (const url of urls) {
      const large = await measure(url);
      expect(large, url).toEqual({ ...small[url], cursor: large.cursor });
      expect(large.items).toBe(1);
      // Statements naming the table: the page's keys (one more than shown, to know there is
      // more), its row, and its key result (the text filter's key query names key_results too).
      expect(large.objectiveRows, url).toBeLessThanOrEqual(3);
      expect(large.keyResultRows, url).toBeLessThanOrEqual(3);
    }
  });

  it("pages through objectives sharing one creation instant by title, then id", async () => {
    const all = (await api.call("GET", `/objectives?limit=500&periodId=${periodId}`)).body.items.map(
      (i: Item) => i.title,
    );
    const bulkOrg = all.filter((t: string) => t.startsWith("Bulk")).slice(0, 30);
    expect(bulkOrg).toEqual([...bulkOrg].sort());
    const ids = (await api.call("GET", "/objectives?limit=500")).body.items.map((i: Item) => i.id);
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const body: { items: Item[]; nextCursor: string | null } = (
        await api.call("GET", `/objectives?limit=7${cursor ? `&cursor=${cursor}` : ""}`)
      ).body;
      paged.push(...body.items.map((i) => i.id));
      cursor = body.nextCursor;
    } while (cursor);
    expect(paged).toEqual(ids);
  });
});
