import { describe, expect, it } from "vitest";
import type { CheckIn, KeyResult } from "../../lib/types.js";
import { chartRows, timeTicks } from "./chart-rows.js";

const DAY = 86_400_000;
const START = Date.parse("2026-01-01T00:00:00Z");
const span = { startMs: START, endMs: START + 90 * DAY };

const kr = (over: Partial<KeyResult> = {}): KeyResult =>
  ({ type: "increase", start: 0, target: 100, plan: null, forecast: null, ...over }) as KeyResult;
const checkIn = (day: number, value: number): CheckIn =>
  ({ at: new Date(START + day * DAY).toISOString(), value }) as CheckIn;

describe("timeTicks", () => {
  it("includes both ends and spaces the ticks evenly in time", () => {
    const ticks = timeTicks(span.startMs, span.endMs, 600);
    expect(ticks[0]).toBe(span.startMs);
    expect(ticks.at(-1)).toBe(span.endMs);
    const gaps = ticks.slice(1).map((t, i) => t - ticks[i]!);
    for (const g of gaps) expect(Math.abs(g - gaps[0]!)).toBeLessThanOrEqual(1);
  });
  it("gives fewer labels to a narrow chart, never fewer than the two ends", () => {
    expect(timeTicks(span.startMs, span.endMs, 320).length).toBeLessThan(timeTicks(0, span.endMs, 900).length);
    expect(timeTicks(span.startMs, span.endMs, 50)).toHaveLength(2);
  });
});

describe("chartRows", () => {
  it("puts check-ins at their instants, in time order, with the expected line's corners", () => {
    const rows = chartRows(kr(), [checkIn(60, 50), checkIn(3, 10)], span)!;
    expect(rows.map((r) => (r.at - START) / DAY)).toEqual([0, 3, 60, 90]);
    expect(rows[0]!.expected).toBe(0);
    expect(rows.at(-1)!.expected).toBe(100);
    expect(rows[1]!.value).toBe(10);
    expect(rows[2]!.value).toBe(50);
  });
  it("follows a phased plan through its dates", () => {
    const rows = chartRows(kr({ plan: [{ date: "2026-01-31", value: 80 }] }), [checkIn(1, 5)], span)!;
    expect(rows.find((r) => r.at === START + 30 * DAY)?.expected).toBe(80);
  });
  it("draws the forecast from the last check-in to the end of the span", () => {
    const forecast = { progress: 0.9, low: 0.7, high: 1.1, probability: 0.8 };
    const rows = chartRows(kr({ forecast }), [checkIn(30, 40)], span)!;
    const end = rows.at(-1)!;
    expect(end.at).toBe(span.endMs);
    expect([end.forecast, end.low, end.high]).toEqual([90, 70, 110]);
    expect(rows.find((r) => r.value === 40)?.forecast).toBe(40);
  });
  it("has nothing to chart without a valued check-in or for a kind without a line", () => {
    expect(chartRows(kr(), [], span)).toBeNull();
    expect(chartRows(kr({ type: "milestone" }), [checkIn(1, 1)], span)).toBeNull();
  });
});
