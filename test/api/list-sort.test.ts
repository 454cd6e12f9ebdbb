/**
 * The objective list sorts and filters in SQL, as the explorer asks it to (issue #10: no
 * screen loads a whole period to sort it): `sort` by level, title, progress or status, `-` for
 * descending and always the exact reverse; several statuses at once; a progress range. Every
 * answer equals the default list sorted and filtered here, page by page with any `limit`, each
 * objective once. `asOf` works on the figures of that moment. Bad values are 400s that say what
 * to send, and a page by title reads as much in a period of 60 objectives as in one of 6.
 */
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
    // A status sort's cursor naming a segment past the last.
    const [scope, ...key] = JSON.parse(Buffer.from(statusCursor, "base64url").toString()) as unknown[];
    const forged = Buffer.from(JSON.stringify([scope, key[0], 99, ...key.slice(2)])).toString("base64url");
    await bad(`periodId=${q1.id}&sort=status&cursor=${forged}`, /cursor: is not a cursor this API gave out/);
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
