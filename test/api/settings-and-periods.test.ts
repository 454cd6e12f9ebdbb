/**
 * The settings page's numbers and the periods page's Delete: a number setting out of its range
 * is refused with a 400 naming the field and the range (never clamped, nothing stored), and the
 * objective count the periods page asks for is the one that refuses a period's deletion.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiHarness, factories, startApi } from "../support/api.js";
import { DATABASE_KINDS } from "../support/databases.js";

describe.each(DATABASE_KINDS)("settings numbers and period deletion on %s", (kind) => {
  let api: ApiHarness;
  let f: ReturnType<typeof factories>;
  beforeAll(async () => {
    api = await startApi(kind);
    f = factories(api);
  });
  afterAll(async () => {
    await api?.close();
  });

  it.each([
    ["reminderHour", 30, "reminderHour: must be a whole number from 0 to 23 (an hour of the day)"],
    ["reminderHour", -1, "reminderHour: must be a whole number from 0 to 23 (an hour of the day)"],
    ["cadenceDays", -3, "cadenceDays: must be a whole number from 1 to 92 (days)"],
    ["cadenceDays", 93, "cadenceDays: must be a whole number from 1 to 92 (days)"],
    ["notStartedGraceDays", 91, "notStartedGraceDays: must be a whole number from 0 to 90 (days)"],
    ["checkInGraceDays", 400, "checkInGraceDays: must be a whole number from 0 to 366 (days)"],
    [
      "escalateAfterMissed",
      11,
      "escalateAfterMissed: must be a whole number from 0 to 10 (missed reminders; 0 turns escalation off)",
    ],
    ["behindThreshold", 1.5, "behindThreshold: must be 0 to 1 (a share of the plan, e.g. 0.25)"],
  ])("refuses %s = %s with the allowed range, and stores nothing", async (field, value, detail) => {
    const before = (await api.call("GET", "/settings")).body;
    const res = await api.call("PATCH", "/settings", { [field]: value, name: "Renamed on the way" });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("VALIDATION");
    expect(res.body.error.details).toEqual([detail]);
    const after = (await api.call("GET", "/settings")).body;
    expect(after[field]).toBe(before[field]);
    expect(after.name).toBe(before.name);
    expect(after.version).toBe(before.version);
  });

  it("says what was sent when it is not a number, and lists every bad field at once", async () => {
    const res = await api.call("PATCH", "/settings", { cadenceDays: "abc", reminderHour: 2.5, digestWeekday: 9 });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual(
      expect.arrayContaining([
        'cadenceDays: must be a number, not the text "abc"',
        expect.stringMatching(/^reminderHour: must be a whole number/),
        "digestWeekday: is an ISO weekday: 1 (Monday) to 7 (Sunday)",
      ]),
    );
    expect(res.body.error.details).toHaveLength(3);
  });

  it("stores values at the ends of each range as sent", async () => {
    const edges = { reminderHour: 23, cadenceDays: 92, notStartedGraceDays: 0, checkInGraceDays: 366 };
    const res = await api.call("PATCH", "/settings", edges);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject(edges);
    const low = { reminderHour: 0, cadenceDays: 1, escalateAfterMissed: 0, behindThreshold: 0 };
    expect((await api.call("PATCH", "/settings", low)).body).toMatchObject(low);
    expect((await api.call("GET", "/settings")).body).toMatchObject(low);
  });

  it("counts every objective that keeps a period from being deleted: drafts, private and closed ones too", async () => {
    const period = await f.period({ name: "Count me", kind: "custom", startDate: "2026-05-01", endDate: "2026-05-31" });
    const other = await f.user({ name: "Pia Private" });
    await f.objective(period.id, { title: "A live one" });
    await f.objective(period.id, { title: "A draft", state: "draft" });
    await f.objective(period.id, { title: "A private one", visibility: "private", ownerIds: [other.id] });
    const closed = await f.objective(period.id, { title: "A closed one" });
    expect((await api.call("POST", `/objectives/${closed.id}/close`, { score: 0.5 })).status).toBe(200);
    const gone = await f.objective(period.id, { title: "A deleted one" });
    expect((await api.call("DELETE", `/objectives/${gone.id}`)).status).toBe(204);

    const count = (await api.call("GET", `/objectives/count?periodId=${period.id}`)).body.count;
    expect(count).toBe(4);
    const refused = await api.call("DELETE", `/periods/${period.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain(`still holds ${count} objectives`);

    const empty = await f.period({ name: "Empty", kind: "custom", startDate: "2026-06-01", endDate: "2026-06-30" });
    expect((await api.call("GET", `/objectives/count?periodId=${empty.id}`)).body.count).toBe(0);
    expect((await api.call("DELETE", `/periods/${empty.id}`)).status).toBe(204);
  });
});
