/**
 * The objective list sorts and filters in SQL, as the explorer asks it to (issue #10: no
 * screen loads a whole period to sort it): `sort` by level, title, progress or status, `-` for
 * descending and always the exact reverse; several statuses at once; a progress range. Every
 * answer equals the default list sorted and filtered here, page by page with any `limit`, each
 * objective once. `asOf` works on the figures of that moment. Bad values are 400s that say what
 * to send, and a page by title reads as much in a period of 60 objectives as in one of 6.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STATUSES } from "../../src/domain/types.js";
import { type ApiHarness, factories, type Response, startApi } from "../support/api.js";
import { DATABASE_KINDS } from "../support/databases.js";
import { recordStatements } from "../support/statements.js";

interface Item {
  id: string;
  title: string;
  level: string;
  periodId: string;
  progress: number;
  status: string;
}

type Page = { items: Item[]; nextCursor: string | null };

const LEVEL_RANK: Record<string, number> = { organization: 0, team: 1, individual: 2 };
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

describe.each(DATABASE_KINDS)("sorted and filtered objective lists on %s", (kind) => {
  let api: ApiHarness;
  let f: ReturnType<typeof factories>;
  let q1: { id: string };
  let q2: { id: string };
  let small: { id: string };
  let large: { id: string };
  /** A key result whose objective's progress changes after `before`. */
  let moving: { objectiveId: string; krId: string };
  const before = "2026-02-10T00:00:00.000Z";

  const get = async (url: string): Promise<Response<Page>> => api.call("GET", url);

  /** Every item of a list, following nextCursor page by page. */
  async function pageThrough(url: string, limit: number): Promise<Item[]> {
    const seen: Item[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const sep = url.includes("?") ? "&" : "?";
      const res = await get(`${url}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      expect(res.status, `${url}: ${JSON.stringify(res.body)}`).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(limit);
      seen.push(...res.body.items);
      cursor = res.body.nextCursor;
      expect(++pages).toBeLessThan(300);
    } while (cursor);
    return seen;
  }

  /** The list in its default order (period start, level, creation, title, id), every page. */
  const listed = (qs: string) => pageThrough(`/objectives?${qs}`, 500);

  /** `items` (in the default order) as `sort` orders them within each period, as this test reads the rule. */
  function sortedHere(items: Item[], sort: string): Item[] {
    const desc = sort.startsWith("-");
    const key = sort.replace(/^-/, "");
    const place = new Map(items.map((o, i) => [o.id, i]));
    const periodPlace = new Map<string, number>();
    for (const o of items) if (!periodPlace.has(o.periodId)) periodPlace.set(o.periodId, periodPlace.size);
    const within = (a: Item, b: Item): number => {
      if (key === "title") return byText(a.title, b.title) || byText(a.id, b.id);
      const listed = place.get(a.id)! - place.get(b.id)!;
      if (key === "progress") return a.progress - b.progress || listed;
      if (key === "status") return STATUSES.indexOf(a.status as never) - STATUSES.indexOf(b.status as never) || listed;
      return LEVEL_RANK[a.level]! - LEVEL_RANK[b.level]! || listed;
    };
    return [...items].sort(
      (a, b) => periodPlace.get(a.periodId)! - periodPlace.get(b.periodId)! || within(a, b) * (desc ? -1 : 1),
    );
  }

  const ids = (items: Item[]) => items.map((o) => o.id);

  beforeAll(async () => {
    api = await startApi(kind, Date.UTC(2026, 1, 15, 12));
    f = factories(api);
    q1 = await f.period({ name: "Q1 2026", startDate: "2026-01-01", endDate: "2026-03-31" });
    q2 = await f.period({ name: "Q2 2026", startDate: "2026-04-01", endDate: "2026-06-30" });
    // Titles repeat and progress ties, so every tie-break is exercised; levels are mixed.
    const plan: [title: string, level: string, value: number | null][] = [
      ["Kiwi", "team", 80],
      ["Apple", "organization", 20],
      ["Mango", "individual", null],
      ["Cherry", "team", 50],
      ["Apple", "team", 50],
      ["Banana", "organization", 95],
      ["Cherry", "individual", 5],
      ["Lemon", "organization", null],
      ["Date", "individual", 50],
      ["Fig", "team", 35],
    ];
    for (const [title, level, value] of plan) {
      const o = await f.objective(q1.id, { title, level });
      const k = await f.keyResult(o.id);
      if (value !== null) await f.checkIn(k.id, { value, at: "2026-02-01T12:00:00Z" });
      if (title === "Fig") moving = { objectiveId: o.id, krId: k.id };
    }
    await f.objective(q1.id, { title: "Grape", state: "draft" });
    // After `before`: Fig goes from 35 % to 70 %.
    await f.checkIn(moving.krId, { value: 70, at: "2026-02-12T12:00:00Z" });
    for (const [title, level] of [
      ["Zucchini", "organization"],
      ["Onion", "team"],
      ["Pepper", "individual"],
    ] as const) {
      const o = await f.objective(q2.id, { title, level });
      await f.keyResult(o.id);
    }
    small = await f.period({ name: "Small", startDate: "2026-07-01", endDate: "2026-09-30" });
    large = await f.period({ name: "Large", startDate: "2026-10-01", endDate: "2026-12-31" });
    for (let i = 0; i < 6; i++) await f.objective(small.id, { title: `Small ${i}` });
    for (let i = 0; i < 60; i++) await f.objective(large.id, { title: `Large ${String(i).padStart(2, "0")}` });
  }, 240_000);
  afterAll(() => api?.close());

  it("sorts by level, title, progress and status, each descending as the exact reverse, on every page", async () => {
    const all = await listed(`periodId=${q1.id}`);
    expect(new Set(all.map((o) => o.status)).size).toBeGreaterThanOrEqual(4);
    expect(ids(await listed(`periodId=${q1.id}&sort=level`))).toEqual(ids(all));
    for (const sort of ["level", "title", "progress", "status"]) {
      const up = await listed(`periodId=${q1.id}&sort=${sort}`);
      expect(ids(up), sort).toEqual(ids(sortedHere(all, sort)));
      const down = await listed(`periodId=${q1.id}&sort=-${sort}`);
      expect(ids(down), `-${sort}`).toEqual(ids(up).reverse());
      for (const limit of [1, 3]) {
        expect(
          ids(await pageThrough(`/objectives?periodId=${q1.id}&sort=${sort}`, limit)),
          `${sort} by ${limit}`,
        ).toEqual(ids(up));
        expect(ids(await pageThrough(`/objectives?periodId=${q1.id}&sort=-${sort}`, limit))).toEqual(ids(down));
      }
    }
  });

  it("keeps periods in start order and sorts within each when no period is named", async () => {
    const all = await listed(`level=organization`);
    expect(new Set(all.map((o) => o.periodId)).size).toBeGreaterThanOrEqual(2);
    for (const sort of ["-title", "progress", "-status"]) {
      expect(ids(await pageThrough(`/objectives?level=organization&sort=${sort}`, 2)), sort).toEqual(
        ids(sortedHere(all, sort)),
      );
    }
  });

  it("filters by several statuses and by a progress range, alone, together and sorted", async () => {
    const all = await listed(`periodId=${q1.id}`);
    const [a, b] = [...new Set(all.map((o) => o.status))];
    const inRange = (o: Item, min: number, max: number) => o.progress >= min / 100 && o.progress <= max / 100;
    const cases: [qs: string, keep: (o: Item) => boolean, sort?: string][] = [
      [`status=${a},${b}`, (o) => o.status === a || o.status === b],
      [`status=${b},${a}&sort=status`, (o) => o.status === a || o.status === b, "status"],
      ["progress=35-80", (o) => inRange(o, 35, 80)],
      ["progress=50-50&sort=-title", (o) => inRange(o, 50, 50), "-title"],
      ["progress=0-0", (o) => o.progress === 0],
      [
        `progress=20-100&status=${a},${b}&sort=-progress`,
        (o) => inRange(o, 20, 100) && [a, b].includes(o.status),
        "-progress",
      ],
    ];
    for (const [qs, keep, sort] of cases) {
      const want = all.filter(keep);
      expect(want.length, qs).toBeGreaterThan(0);
      expect((await api.call("GET", `/objectives/count?periodId=${q1.id}&${qs}`)).body, `count ${qs}`).toEqual({
        count: want.length,
      });
      const expected = ids(sort ? sortedHere(want, sort) : want);
      expect(ids(await listed(`periodId=${q1.id}&${qs}`)), qs).toEqual(expected);
      expect(ids(await pageThrough(`/objectives?periodId=${q1.id}&${qs}`, 1)), `${qs} by 1`).toEqual(expected);
    }
    // A 50 % objective is in "50-50": both ends count.
    expect((await listed(`periodId=${q1.id}&progress=50-50`)).map((o) => o.title).sort()).toEqual([
      "Apple",
      "Cherry",
      "Date",
    ]);
  });

  it("sorts and filters on the figures of the moment asked for with asOf", async () => {
    const then = await listed(`periodId=${q1.id}&asOf=${before}`);
    const fig = then.find((o) => o.id === moving.objectiveId)!;
    expect(fig.progress).toBeCloseTo(0.35);
    const byStatus = await pageThrough(`/objectives?periodId=${q1.id}&asOf=${before}&sort=-status`, 2);
    expect(ids(byStatus)).toEqual(ids(sortedHere(then, "-status")));
    // Fig was at 35 % then (70 % now): a range is checked on then's figures.
    const low = await listed(`periodId=${q1.id}&asOf=${before}&progress=30-40`);
    expect(ids(low)).toContain(moving.objectiveId);
    expect(ids(await listed(`periodId=${q1.id}&progress=30-40`))).not.toContain(moving.objectiveId);
    expect(ids(low)).toEqual(ids(then.filter((o) => o.progress >= 0.3 && o.progress <= 0.4)));
  });

  it("answers 400 saying what to send for a bad sort, status list or range, and for another sort's cursor", async () => {
    const bad = async (qs: string, detail: RegExp) => {
      const res = await api.call("GET", `/objectives?${qs}`);
      expect(res.status, qs).toBe(400);
      expect(res.body.error.code).toBe("VALIDATION");
      expect(res.body.error.details.join("\n"), qs).toMatch(detail);
    };
    await bad("sort=weight", /sort: must be one of level, title, progress, status, with a leading "-"/);
    await bad("sort=--title", /sort: must be one of/);
    await bad(`sort=progress&asOf=${before}`, /sort: progress cannot be combined with asOf/);
    await bad("status=onTrack,sleeping", /status: must be one or more of draft, notStarted, onTrack/);
    await bad("progress=80-20", /progress: must be "min-max" with 0 ≤ min ≤ max ≤ 100/);
    await bad("progress=0-101", /progress: must be "min-max" with 0 ≤ min ≤ max ≤ 100/);
    await bad("progress=half", /progress: must be "min-max" in percent/);
    const titleCursor = (await get(`/objectives?periodId=${q1.id}&sort=title&limit=1`)).body.nextCursor!;
    const statusCursor = (await get(`/objectives?periodId=${q1.id}&sort=status&limit=1`)).body.nextCursor!;
    await bad(`periodId=${q1.id}&sort=progress&cursor=${titleCursor}`, /cursor: is not a cursor this API gave out/);
    await bad(`periodId=${q1.id}&cursor=${titleCursor}`, /cursor: is not a cursor this API gave out/);
    await bad(`periodId=${q1.id}&sort=-status&cursor=${statusCursor}`, /cursor: is not a cursor this API gave out/);
    // A status sort's cursor naming a segment past the last, or before the first.
    const [scope, ...key] = JSON.parse(Buffer.from(statusCursor, "base64url").toString()) as unknown[];
    for (const segment of [99, -1]) {
      const forged = Buffer.from(JSON.stringify([scope, key[0], segment, ...key.slice(2)])).toString("base64url");
      await bad(`periodId=${q1.id}&sort=status&cursor=${forged}`, /cursor: is not a cursor this API gave out/);
    }
    // A count: the same filters, and the same words; by status or progress, of now only.
    const count = (qs: string) => api.call("GET", `/objectives/count?${qs}`);
    expect((await count("status=onTrack,sleeping")).body.error.details.join()).toMatch(/status: must be one or more/);
    const past = await count(`status=behind&asOf=${before}`);
    expect(past.status).toBe(400);
    expect(past.body.error.details.join()).toMatch(/asOf: a count by status or progress is of now only/);
    expect((await count(`periodId=${q1.id}&asOf=${before}`)).body).toEqual({
      count: (await listed(`periodId=${q1.id}&asOf=${before}`)).length,
    });
    expect((await count(`teamId=not-an-id`)).body).toEqual({ count: 0 });
  });

  it("exports a view in the order and with the filters the explorer shows", async () => {
    const qs = `periodId=${q1.id}&sort=-title&progress=20-100`;
    const view = await listed(qs);
    const res = await api.app.inject({
      method: "GET",
      url: `/api/v1/exports/okrs?format=csv&${qs}`,
      headers: { authorization: `Bearer ${api.token}` },
    });
    expect(res.statusCode).toBe(200);
    const objectiveTitles = res.body
      .split(/\r?\n/)
      .filter((line) => /,Objective,/.test(line))
      .map((line) => line.split(",")[3]);
    expect(objectiveTitles).toEqual(view.map((o) => o.title));
  });

  it("reads as much for a page by title in a period of 60 objectives as in one of 6", async () => {
    const cost = async (periodId: string) => {
      const first = (await get(`/objectives?periodId=${periodId}&sort=title&limit=2`)).body;
      const log = await recordStatements(api, () =>
        get(`/objectives?periodId=${periodId}&sort=title&limit=2&cursor=${first.nextCursor}`),
      );
      return { statements: log.length, rows: log.reduce((n, s) => n + s.rows, 0) };
    };
    const few = await cost(small.id);
    const many = await cost(large.id);
    expect(few.statements).toBeGreaterThan(0);
    expect(many).toEqual(few);
  });
});

/**
 * A status filter or sort first narrows the candidates in SQL by the stored figures, then checks
 * each candidate's exact status; the SQL side must never leave out one that has the status. Here
 * objectives sit on every edge of the status rules: progress exactly on the plan and exactly at
 * the "behind" threshold (expected progress is exactly 0.5), grace just over, an ended period at
 * 1 and short of it, a period yet to start, drafts and closed ones.
 */
describe.each(DATABASE_KINDS)("status filters at the edges of the rules on %s", (kind) => {
  let api: ApiHarness;

  beforeAll(async () => {
    // Created on 2 January; read on 15 February at 00:00 UTC, half-way through Q1 (90 days).
    api = await startApi(kind, Date.UTC(2026, 0, 2, 12));
    const f = factories(api);
    const q1 = await f.period({ name: "Q1 2026", startDate: "2026-01-01", endDate: "2026-03-31" });
    const q4 = await f.period({ name: "Q4 2025", startDate: "2025-10-01", endDate: "2025-12-31" });
    const q3 = await f.period({ name: "Q3 2026", startDate: "2026-07-01", endDate: "2026-09-30" });
    const set = async (periodId: string, title: string, over: Record<string, unknown> = {}) => {
      const o = await f.objective(periodId, { title });
      const res = await api.call("PATCH", `/objectives/${o.id}`, over);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return o.id as string;
    };
    // Manual progress, no check-in: underway once the 7-day grace from 2 January is over.
    for (const p of [0, 0.24, 0.249999, 0.25, 0.2500001, 0.26, 0.4999995, 0.5, 0.5000004, 0.75, 0.999999, 1]) {
      await set(q1.id, `Manual ${p}`, { progressOverride: p });
    }
    await set(q1.id, "Draft", { state: "draft" });
    const closing = await set(q1.id, "Closed", { progressOverride: 0.1 });
    expect((await api.call("POST", `/objectives/${closing}/close`, { score: 0.1 })).status).toBe(200);
    for (const p of [1, 0.9, 0]) await set(q4.id, `Ended ${p}`, { progressOverride: p });
    for (const p of [0, 0.3]) await set(q3.id, `Later ${p}`, { progressOverride: p });
    // Checked in, within grace and just before it ends.
    const young = await f.objective(q1.id, { title: "Checked in" });
    const kr = await f.keyResult(young.id);
    await f.checkIn(kr.id, { value: 10, at: "2026-01-02T12:00:00Z" });
    // Created (the database's clock) on 9 January: one at 11:59:59.9995, which a JavaScript Date
    // reads as .999, so its 7-day grace ends at 16 January 11:59:59.999; one at 12:00.
    for (const [title, at] of [
      ["Grace ends at .999", "2026-01-09T11:59:59.999500Z"],
      ["Grace ends at noon", "2026-01-09T12:00:00.000000Z"],
    ]) {
      const o = await f.objective(q1.id, { title });
      await api.database.db.execute(sql`update objectives set created_at = ${at}::timestamptz where id = ${o.id}`);
    }
    api.clock.now = Date.UTC(2026, 1, 15);
  }, 240_000);
  afterAll(() => api?.close());

  it("finds every objective of each status, alone, several at once and sorted, at any moment", async () => {
    // At 15 Feb, and at the edges of the last two objectives' grace on 16 January.
    const edges = [998, 999, 1000].map((ms) => Date.UTC(2026, 0, 16, 11, 59, 59, ms));
    for (const at of [Date.UTC(2026, 1, 15), ...edges]) {
      api.clock.now = at;
      const all = (await api.call("GET", "/objectives?limit=500")).body.items as Item[];
      const seen = new Set(all.map((o) => o.status));
      expect(seen.size, [...seen].join()).toBe(STATUSES.length);
      for (const status of STATUSES) {
        const res = await api.call("GET", `/objectives?limit=500&status=${status}`);
        expect(ids(res.body.items), `${status} at ${new Date(at).toISOString()}`).toEqual(
          ids(all.filter((o) => o.status === status)),
        );
        // The count, with the exact rule in SQL, agrees on every edge.
        const counted = await api.call("GET", `/objectives/count?status=${status}`);
        expect(counted.body, `count of ${status} at ${new Date(at).toISOString()}`).toEqual({
          count: res.body.items.length,
        });
      }
      const pair = await api.call("GET", "/objectives?limit=500&status=behind,onTrack");
      expect(ids(pair.body.items)).toEqual(ids(all.filter((o) => o.status === "behind" || o.status === "onTrack")));
      const place = new Map(all.map((o, i) => [o.id, i]));
      const rank = (o: Item) => STATUSES.indexOf(o.status as never);
      // Periods stay in start order (the default list's); statuses are sorted within each.
      const periodPlace = new Map<string, number>();
      for (const o of all) if (!periodPlace.has(o.periodId)) periodPlace.set(o.periodId, periodPlace.size);
      const byStatus = [...all].sort(
        (a, b) =>
          periodPlace.get(a.periodId)! - periodPlace.get(b.periodId)! ||
          rank(a) - rank(b) ||
          place.get(a.id)! - place.get(b.id)!,
      );
      const sorted: Item[] = [];
      let cursor: string | null = null;
      do {
        const res: Response<Page> = await api.call(
          "GET",
          `/objectives?limit=4&sort=status${cursor ? `&cursor=${cursor}` : ""}`,
        );
        sorted.push(...res.body.items);
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(ids(sorted)).toEqual(ids(byStatus));
    }
    // The edges fall where the rules put them.
    api.clock.now = Date.UTC(2026, 1, 15);
    const all = (await api.call("GET", "/objectives?limit=500")).body.items as Item[];
    const statusOf = (title: string) => all.find((o) => o.title === title)?.status;
    expect(statusOf("Manual 0.5")).toBe("onTrack");
    expect(statusOf("Manual 0.25")).toBe("behind");
    expect(statusOf("Manual 0.24")).toBe("atRisk");
    expect(statusOf("Ended 1")).toBe("onTrack");
    expect(statusOf("Ended 0.9")).toBe("atRisk");
    expect(statusOf("Later 0.3")).toBe("notStarted");
    const graceAt = async (at: number) => {
      api.clock.now = at;
      const items = (await api.call("GET", "/objectives?limit=500")).body.items as Item[];
      return ["Grace ends at .999", "Grace ends at noon"].map((t) => items.find((o) => o.title === t)?.status);
    };
    expect(await graceAt(edges[0]!)).toEqual(["notStarted", "notStarted"]);
    expect((await graceAt(edges[1]!))[0]).not.toBe("notStarted");
    expect((await graceAt(edges[1]!))[1]).toBe("notStarted");
    expect(await graceAt(edges[2]!)).not.toContain("notStarted");
  });
});

const ids = (items: Item[]) => items.map((o) => o.id);
