import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DAY_MS, periodSpan } from "./periods.js";
import { attentionFlags, computeStatus, expectedProgress, type StatusInput } from "./status.js";
import { DEFAULT_SETTINGS } from "./types.js";

// Q1 2026 in UTC: 90 days from 2026-01-01 00:00 to 2026-04-01 00:00.
const q1 = periodSpan("2026-01-01", "2026-03-31", "UTC");
const day = (d: number) => q1.startMs + d * DAY_MS;

describe("expected progress (§4)", () => {
  it("Q1 2026 is 90 days long, end of the end date included", () => {
    expect(q1.endMs - q1.startMs).toBe(90 * DAY_MS);
  });
  it.each([
    [-5, 0],
    [0, 0],
    [45, 0.5],
    [22.5, 0.25],
    [90, 1],
    [120, 1],
  ])("day %f → %f", (d, e) => {
    expect(expectedProgress(q1, day(d))).toBeCloseTo(e, 12);
  });
  it("is not rounded to days", () => {
    expect(expectedProgress(q1, day(0.25))).toBeCloseTo(0.25 / 90, 15);
  });
  it("follows a phased plan piecewise-linearly", () => {
    // From 0 at day 0 to 80 at day 30, then to 100 at day 90.
    const plan = { start: 0, target: 100, points: [{ atMs: day(30), value: 80 }] };
    expect(expectedProgress(q1, day(15), plan)).toBeCloseTo(0.4, 12);
    expect(expectedProgress(q1, day(30), plan)).toBeCloseTo(0.8, 12);
    expect(expectedProgress(q1, day(60), plan)).toBeCloseTo(0.9, 12);
    // For a decrease KR: 50 → 10 with 20 planned at day 45 → at day 45, (20 − 50)/(10 − 50) = 0.75
    expect(
      expectedProgress(q1, day(45), { start: 50, target: 10, points: [{ atMs: day(45), value: 20 }] }),
    ).toBeCloseTo(0.75, 12);
  });
  it("uses the organisation's time zone for period boundaries", () => {
    const paris = periodSpan("2026-01-01", "2026-03-31", "Europe/Paris");
    expect(paris.startMs).toBe(Date.UTC(2025, 11, 31, 23));
    // DST starts on 29 March: the quarter is one hour shorter.
    expect(paris.endMs - paris.startMs).toBe(90 * DAY_MS - 3_600_000);
  });
});

describe("status (§4), first rule that applies", () => {
  const base = (over: Partial<StatusInput>): StatusInput => ({
    closed: false,
    manualStatus: null,
    progress: 0,
    hasCheckIn: true,
    span: q1,
    krType: "increase",
    expected: 0,
    nowMs: day(45),
    settings: DEFAULT_SETTINGS,
    ...over,
  });
  const cases: [string, Partial<StatusInput>, string][] = [
    ["1 closed wins over everything", { closed: true, manualStatus: "atRisk", progress: 1 }, "closed"],
    ["2 manual status of the latest check-in", { manualStatus: "behind", progress: 1, expected: 0 }, "behind"],
    ["3 no check-in inside the 7-day grace", { hasCheckIn: false, nowMs: day(6.9), expected: 6.9 / 90 }, "notStarted"],
    [
      "3 grace over: rules go on (0 vs 7/90 expected → behind)",
      { hasCheckIn: false, nowMs: day(7), expected: 7 / 90 },
      "behind",
    ],
    ["4 done is on track even late", { progress: 1, nowMs: day(100), expected: 1 }, "onTrack"],
    ["5 period over, not done", { progress: 0.99, nowMs: day(90), expected: 1 }, "atRisk"],
    ["6 stayAbove met", { krType: "stayAbove", progress: 1, expected: 0.5 }, "onTrack"],
    ["6 stayBelow missed is at risk even early", { krType: "stayBelow", progress: 0, expected: 0.05 }, "atRisk"],
    ["7 ahead of plan", { progress: 0.6, expected: 0.5 }, "onTrack"],
    ["7 exactly on plan (float noise rounded away)", { progress: 0.3, expected: 0.1 + 0.2 }, "onTrack"],
    ["8 behind by 0.25 exactly", { progress: 0.25, expected: 0.5 }, "behind"],
    ["8 behind by a little", { progress: 0.45, expected: 0.5 }, "behind"],
    ["9 behind by 0.250001", { progress: 0.249999, expected: 0.5 }, "atRisk"],
    ["progress above 1 counts as 1", { progress: 1.4, expected: 0.5 }, "onTrack"],
    ["null progress counts as 0", { progress: null, expected: 0.5 }, "atRisk"],
  ];
  it.each(cases)("%s", (_n, over, status) => {
    expect(computeStatus(base(over))).toBe(status);
  });
  it("respects the behind threshold setting", () => {
    expect(
      computeStatus(base({ progress: 0.2, expected: 0.5, settings: { ...DEFAULT_SETTINGS, behindThreshold: 0.3 } })),
    ).toBe("behind");
  });
  it("more progress never makes the status worse", () => {
    const rank = { onTrack: 0, behind: 1, atRisk: 2 } as Record<string, number>;
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (p, dp, e) => {
          const a = computeStatus(base({ progress: p, expected: e }));
          const b = computeStatus(base({ progress: Math.min(1, p + dp), expected: e }));
          expect(rank[b]!).toBeLessThanOrEqual(rank[a]!);
        },
      ),
    );
  });
});

describe("attention flags (§4)", () => {
  const base = {
    kind: "objective" as const,
    ownerCount: 1,
    firstCheckInMs: day(1),
    lastCheckInMs: day(40),
    span: q1,
    nowMs: day(45),
    settings: DEFAULT_SETTINGS,
    closed: false,
    keyResultCount: 3,
    level: "team" as const,
    aligned: true,
  };
  it("flags nothing on a healthy objective", () => {
    expect(attentionFlags(base)).toEqual([]);
  });
  it.each([
    [{ ownerCount: 0 }, "noOwner"],
    [{ firstCheckInMs: null, lastCheckInMs: null, nowMs: day(7) }, "noCheckIn"],
    [{ lastCheckInMs: day(37.9) }, "stale"],
    [{ keyResultCount: 6 }, "tooManyKeyResults"],
    [{ aligned: false }, "unaligned"],
    [{ kind: "keyResult" as const, datesOutsidePeriod: true }, "datesOutsidePeriod"],
    [{ closed: true, committed: false, score: 0.9 }, "tooSafe"],
  ])("%o → %s", (over, flag) => {
    expect(attentionFlags({ ...base, ...over })).toContain(flag);
  });
  it("does not flag a fresh item, an organisation objective, or a committed high score", () => {
    expect(attentionFlags({ ...base, firstCheckInMs: null, lastCheckInMs: null, nowMs: day(6) })).toEqual([]);
    expect(attentionFlags({ ...base, level: "organization", aligned: false })).toEqual([]);
    expect(attentionFlags({ ...base, closed: true, committed: true, score: 1 })).toEqual([]);
    expect(attentionFlags({ ...base, lastCheckInMs: day(38) })).toEqual([]); // exactly 7 days
  });
});
