/**
 * Issue #9, item 10: a check-in dated before its key result's period (less the organisation's
 * grace, `checkInGraceDays`) is refused; within the grace it is a baseline measured just before.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiHarness, factories, startApi } from "../support/api.js";
import { DATABASE_KINDS } from "../support/databases.js";

describe.each(DATABASE_KINDS)("check-in dates on %s", (kind) => {
  let api: ApiHarness;
  let krId: string;
  beforeAll(async () => {
    api = await startApi(kind);
    const f = factories(api);
    const period = await f.period(); // Q1 2026, from 2026-01-01 (UTC)
    const objective = await f.objective(period.id);
    krId = (await f.keyResult(objective.id)).id;
  });
  afterAll(async () => {
    await api?.close();
  });

  const checkIn = (at: string) => api.call("POST", `/key-results/${krId}/check-ins`, { value: 1, at });

  it("takes a check-in up to 14 days (the default grace) before the key result's start, and refuses earlier ones", async () => {
    expect((await checkIn("2025-12-18T00:00:00Z")).status).toBe(201);
    const early = await checkIn("2025-12-17T23:59:59Z");
    expect(early.status).toBe(400);
    expect(early.body.error.message).toMatch(/at: must be on or after 2025-12-18T00:00:00.000Z/);
    expect(early.body.error.message).toMatch(/checkInGraceDays/);
    expect((await checkIn("1999-01-01T00:00:00Z")).status).toBe(400);
  });

  it("follows the organisation's setting", async () => {
    expect((await api.call("PATCH", "/settings", { checkInGraceDays: 0 })).status).toBe(200);
    expect((await api.call("GET", "/settings")).body.checkInGraceDays).toBe(0);
    expect((await checkIn("2025-12-31T23:00:00Z")).status).toBe(400);
    expect((await checkIn("2026-01-01T00:00:00Z")).status).toBe(201);
    expect((await api.call("PATCH", "/settings", { checkInGraceDays: -1 })).status).toBe(400);
  });
});
