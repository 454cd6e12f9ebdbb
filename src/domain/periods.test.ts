import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addDays, dayStartMs, localDate, periodSpan } from "./periods.js";

const HOUR = 3_600_000;

/**
 * The first instant, to the minute, whose calendar date in `timeZone` is `date`: found by
 * walking minute by minute from a day before, reading only the zone's wall clock (`localDate`),
 * a different way to the answer than `dayStartMs`'s.
 */
function firstMinuteOf(date: string, timeZone: string): number {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  let t = Date.UTC(y, m - 1, d) - 16 * HOUR;
  while (localDate(t, timeZone) < date) t += 60_000;
  return t;
}

describe("dayStartMs", () => {
  it("starts a day at local midnight, or at the first instant of it when a DST jump skips midnight", () => {
    expect(dayStartMs("2026-03-10", "UTC")).toBe(Date.UTC(2026, 2, 10));
    // Berlin moves its clocks at 02:00: midnight of the change's day is there, still at UTC+1.
    expect(dayStartMs("2026-03-29", "Europe/Berlin")).toBe(Date.UTC(2026, 2, 28, 23));
    expect(dayStartMs("2026-03-30", "Europe/Berlin")).toBe(Date.UTC(2026, 2, 29, 22));
    // Chile springs forward at midnight (first Sunday of September): 6 September 2026 begins at 01:00, UTC−3.
    expect(dayStartMs("2026-09-06", "America/Santiago")).toBe(Date.UTC(2026, 8, 6, 4));
    // Havana falls back from 01:00 to 00:00 (first Sunday of November): midnight comes twice, the first counts.
    expect(dayStartMs("2026-11-01", "America/Havana")).toBe(Date.UTC(2026, 10, 1, 4));
    expect(periodSpan("2026-01-01", "2026-03-31", "Europe/Berlin")).toEqual({
      startMs: Date.UTC(2025, 11, 31, 23),
      endMs: Date.UTC(2026, 2, 31, 22),
    });
  });

  it("gives the same answer asked again and after many other dates (its memo changes no result)", () => {
    const zones = ["Europe/Berlin", "America/Santiago", "America/Havana", "Asia/Kolkata", "Pacific/Apia"];
    fc.assert(
      fc.property(fc.constantFrom(...zones), fc.integer({ min: 0, max: 3 * 366 }), (zone, offset) => {
        const date = addDays("2025-01-01", offset);
        const expected = firstMinuteOf(date, zone);
        expect(dayStartMs(date, zone)).toBe(expected);
        expect(dayStartMs(date, zone)).toBe(expected);
      }),
      { numRuns: 150 },
    );
    // More dates than the memo keeps: the first ones asked are worked out again, and still right.
    const first = addDays("2025-01-01", 0);
    const answer = dayStartMs(first, "Europe/Berlin");
    for (let i = 0; i < 5000; i++) dayStartMs(addDays("2000-01-01", i), "America/New_York");
    expect(dayStartMs(first, "Europe/Berlin")).toBe(answer);
    expect(answer).toBe(firstMinuteOf(first, "Europe/Berlin"));
  });

  it("refuses an unknown zone or a date that is no date, and remembers neither", () => {
    for (let i = 0; i < 2; i++) {
      expect(() => dayStartMs("2026-01-01", "Mars/Olympus")).toThrow(RangeError);
      expect(() => dayStartMs("2026-02-30", "Europe/Berlin")).toThrow(RangeError);
    }
  });
});
