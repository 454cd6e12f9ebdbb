/**
 * The check-in dialog's preview of the objective's progress ("… would move to X %") agrees with
 * the figure the server rolls up once the check-in is saved, for an objective whose progress also
 * draws on an aligned child objective and an aligned key result (okr-method §3).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { objectiveProgressAfterCheckIn } from "../../src/domain/breakdown.js";
import { krOwnProgress } from "../../src/domain/progress.js";
import { type ApiHarness, factories, startApi } from "../support/api.js";
import { DATABASE_KINDS } from "../support/databases.js";

describe.each(DATABASE_KINDS)("check-in preview on %s", (kind) => {
  let api: ApiHarness;
  let parent: { id: string };
  let offers: { id: string; type: "increase"; start: number; target: number };
  beforeAll(async () => {
    api = await startApi(kind, Date.UTC(2026, 1, 15, 12));
    const f = factories(api);
    const periodId = (await f.period()).id;
    parent = await f.objective(periodId, { title: "Staff the teams" });
    offers = await f.keyResult(parent.id, { title: "Offers accepted", start: 0, target: 9, weight: 2 });
    await f.checkIn(offers.id, { value: 4, at: "2026-02-10T10:00:00Z" });
    const other = await f.keyResult(parent.id, { title: "Hiring managers trained", start: 0, target: 4 });
    await f.checkIn(other.id, { value: 3, at: "2026-02-10T10:00:00Z" });
    // A contributing child objective (weight 1), a contributing key result of another objective
    // (weight 3), and a child aligned without counting.
    const child = await f.objective(periodId, { title: "A fast, fair hiring loop", level: "team" });
    const childKr = await f.keyResult(child.id, { title: "Days to offer", type: "decrease", start: 40, target: 20 });
    await f.checkIn(childKr.id, { value: 26, at: "2026-02-11T10:00:00Z" });
    await f.align("objective", child.id, "objective", parent.id, { weight: 1 });
    const elsewhere = await f.objective(periodId, { title: "Be known as a good employer", level: "team" });
    const reviews = await f.keyResult(elsewhere.id, { title: "Glassdoor reviews", start: 0, target: 50 });
    await f.checkIn(reviews.id, { value: 10, at: "2026-02-11T10:00:00Z" });
    await f.align("keyResult", reviews.id, "objective", parent.id, { weight: 3 });
    const ignored = await f.objective(periodId, { title: "Aligned, not counted", level: "team" });
    await f.keyResult(ignored.id, { title: "Anything", start: 0, target: 1 });
    await f.align("objective", ignored.id, "objective", parent.id, { weight: 5, contributes: false });
  });
  afterAll(() => api.close());

  it.each([
    { name: "an ordinary step forward", value: 6 },
    { name: "a value below the start (counts as 0)", value: -5 },
    { name: "beyond the target (counts as 1)", value: 12 },
  ])("previews what the server then shows: $name", async ({ value }) => {
    api.clock.now += 3_600_000; // each check-in an hour after the last, so it is the one in force
    const breakdown = await api.call("GET", `/objectives/${parent.id}/breakdown`);
    expect(breakdown.status).toBe(200);
    expect(breakdown.body.items.map((i: { title: string }) => i.title)).toEqual([
      "Offers accepted",
      "Hiring managers trained",
      "A fast, fair hiring loop",
      "Glassdoor reviews",
    ]);
    const preview = objectiveProgressAfterCheckIn(
      breakdown.body,
      offers.id,
      krOwnProgress(offers, { value, achieved: null }),
    );
    expect((await api.call("POST", `/key-results/${offers.id}/check-ins`, { value })).status).toBe(201);
    const saved = await api.call("GET", `/objectives/${parent.id}`);
    expect(preview).not.toBeNull();
    expect(preview).toBeCloseTo(saved.body.progress, 9);
  });

  it("keeps a progress set by hand", async () => {
    expect((await api.call("PATCH", `/objectives/${parent.id}`, { progressOverride: 0.4 })).status).toBe(200);
    const breakdown = (await api.call("GET", `/objectives/${parent.id}/breakdown`)).body;
    expect(objectiveProgressAfterCheckIn(breakdown, offers.id, 1)).toBe(0.4);
  });
});
