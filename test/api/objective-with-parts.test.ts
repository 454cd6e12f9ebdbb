/**
 * `POST /objectives` with `keyResults` and `alignTo` (what the web app's New objective sends):
 * the objective, its key results and its alignment are made in one transaction. A refused key
 * result or alignment leaves nothing behind and names the part, so asking again cannot make a
 * second copy.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiHarness, factories, startApi } from "../support/api.js";
import { DATABASE_KINDS } from "../support/databases.js";

describe.each(DATABASE_KINDS)("an objective with its key results and alignment in one write on %s", (kind) => {
  let api: ApiHarness;
  let f: ReturnType<typeof factories>;
  let periodId: string;
  let parent: { id: string; keyResults: { id: string }[] };
  let summed: { id: string };

  const titled = async (title: string) =>
    (
      (await api.call("GET", `/objectives?periodId=${periodId}&q=${encodeURIComponent(title)}`)).body.items as {
        id: string;
      }[]
    ).length;

  beforeAll(async () => {
    api = await startApi(kind, Date.UTC(2026, 1, 15, 12));
    f = factories(api);
    periodId = (await f.period()).id;
    parent = await f.objective(periodId, { title: "Be the obvious choice in the Nordics" });
    summed = await f.keyResult(parent.id, {
      title: "New ARR booked",
      progressMode: "rollup",
      rollup: "sum",
      start: 0,
      target: 100,
    });
  });
  afterAll(() => api?.close());

  it("makes all three, aligned, in one answer", async () => {
    const res = await api.call("POST", "/objectives", {
      title: "Win the mid-market in Sweden",
      level: "organization",
      periodId,
      keyResults: [
        { title: "Sign 12 mid-market customers", type: "increase", start: 0, target: 12 },
        { title: "Reach 40 qualified demos a month", type: "increase", start: 10, target: 40 },
      ],
      alignTo: { parentType: "objective", parentId: parent.id },
    });
    expect(res.status).toBe(201);
    expect(res.body.keyResults.map((k: { title: string }) => k.title)).toEqual([
      "Sign 12 mid-market customers",
      "Reach 40 qualified demos a month",
    ]);
    const up = await api.call("GET", `/alignments?childId=${res.body.id}`);
    expect(up.body.items).toMatchObject([{ parentId: parent.id }]);
  });

  it("leaves nothing behind when a key result or the alignment is refused, and names the part", async () => {
    const badKr = await api.call("POST", "/objectives", {
      title: "Open an office in Oslo",
      level: "organization",
      periodId,
      keyResults: [
        { title: "Hire a country lead", type: "milestone" },
        { title: "Sign 5 customers", type: "sideways", start: 0, target: 5 },
      ],
    });
    expect(badKr.status).toBe(400);
    expect(badKr.body.error.details.join("\n")).toMatch(/^keyResults\[1\]\./m);
    expect(await titled("Open an office in Oslo")).toBe(0);

    // The summed key result takes only key results under it: the alignment is refused.
    const body = {
      title: "Grow partner revenue in Denmark",
      level: "organization",
      periodId,
      keyResults: [{ title: "Partner-sourced ARR", type: "increase", start: 0, target: 50 }],
      alignTo: { parentType: "keyResult", parentId: summed.id },
    };
    for (let attempt = 0; attempt < 2; attempt++) {
      const refused = await api.call("POST", "/objectives", body);
      expect(refused.status).toBe(400);
      expect(refused.body.error.details.join("\n")).toMatch(/^alignTo/m);
    }
    expect(await titled("Grow partner revenue in Denmark")).toBe(0);
  });
});
