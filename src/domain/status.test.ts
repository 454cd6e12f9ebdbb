import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DAY_MS, periodSpan } from "./periods.js";
import { type AttentionInput, attentionFlags, computeStatus, expectedProgress, type StatusInput } from "./status.js";
import { DEFAULT_SETTINGS, type Status } from "./types.js";

// Q1 2026 in UTC: 2026-01-01 00:00 to 2026-04-01 00:00, 90 days.
const q1 = periodSpan("2026-01-01", "2026-03-31", "UTC");
const day = (d: number) => q1.startMs + d * DAY_MS;

describe("expectedProgress without a plan (§4)", () => {
  it("Q1 2026 spans exactly 90 days", () => {
    expect(q1.endMs - q1.startMs).toBe(90 * DAY_MS);
  });

  it.each([
    // [day into Q1, expected]: e = clamp(day / 90, 0, 1)
    [-10, 0], // before the start → clamped to 0
    [0, 0],
    [9, 0.1], // 9 / 90
    [22.5, 0.25], // 22.5 / 90
    [45, 0.5], // 45 / 90
    [81, 0.9], // 81 / 90
    [90, 1], // the end instant (2026-04-01 00:00)
    [200, 1], // after the end → clamped to 1
  ])("day %f → %f", (d, e) => {
    expect(expectedProgress(q1, day(d))).toBeCloseTo(e, 12);
  });

  it("is not rounded to whole days", () => {
    // 6 hours in: 0.25 / 90 = 0.002777…
    expect(expectedProgress(q1, day(0.25))).toBeCloseTo(0.25 / 90, 15);
  });

  it("treats a span without length as elapsed from its end on", () => {
    const point = { startMs: day(10), endMs: day(10) };
    expect(expectedProgress(point, day(9))).toBe(0);
    expect(expectedProgress(point, day(10))).toBe(1);
  });

  it("an empty plan or null plan is the straight line", () => {
    expect(expectedProgress(q1, day(30), { start: 0, target: 100, points: [] })).toBeCloseTo(1 / 3, 12);
    expect(expectedProgress(q1, day(30), null)).toBeCloseTo(1 / 3, 12);
  });

  it("stays in [0, 1] and never decreases with time", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -200, max: 200, noNaN: true }),
        fc.double({ min: 0, max: 50, noNaN: true }),
        (d, dd) => {
          const a = expectedProgress(q1, day(d));
          const b = expectedProgress(q1, day(d + dd));
          expect(a).toBeGreaterThanOrEqual(0);
          expect(b).toBeLessThanOrEqual(1);
          expect(b).toBeGreaterThanOrEqual(a);
        },
      ),
    );
  });
});

describe("expectedProgress with a phased plan (§2, §4)", () => {
  // Path: (day 0, 0) → (day 30, 80) → (day 90, 100).
  const plan = { start: 0, target: 100, points: [{ atMs: day(30), value: 80 }] };
  it.each([
    [0, 0],
    [15, 0.4], // halfway to 80: 40 → 40 / 100
    [30, 0.8], // on the planned point: 80 / 100
    [60, 0.9], // halfway from 80 to 100: 90 → 0.9
    [90, 1],
    [120, 1],
  ])("day %f → %f", (d, e) => {
    expect(expectedProgress(q1, day(d), plan)).toBeCloseTo(e, 12);
  });

  it("sorts the points by date", () => {
    // (0, 0) → (30, 20) → (60, 90) → (90, 100); at day 45: 20 + (90 − 20)·15/30 = 55 → 0.55
    const unsorted = {
      start: 0,
      target: 100,
      points: [
        { atMs: day(60), value: 90 },
        { atMs: day(30), value: 20 },
      ],
    };
    expect(expectedProgress(q1, day(45), unsorted)).toBeCloseTo(0.55, 12);
  });

  it("ignores points at or outside the span's ends", () => {
    // Only the straight line from 0 to 100 remains: day 45 → 0.5.
    const outside = {
      start: 0,
      target: 100,
      points: [
        { atMs: day(-5), value: 90 },
        { atMs: day(0), value: 70 },
        { atMs: day(90), value: 10 },
        { atMs: day(95), value: 10 },
      ],
    };
    expect(expectedProgress(q1, day(45), outside)).toBeCloseTo(0.5, 12);
  });

  it("works for a decrease KR", () => {
    // 50 → 10, with 20 planned at day 45: at day 45, (20 − 50) / (10 − 50) = 0.75;
    // at day 67.5, halfway from 20 to 10 = 15 → (15 − 50) / (10 − 50) = 0.875.
    const down = { start: 50, target: 10, points: [{ atMs: day(45), value: 20 }] };
    expect(expectedProgress(q1, day(45), down)).toBeCloseTo(0.75, 12);
    expect(expectedProgress(q1, day(67.5), down)).toBeCloseTo(0.875, 12);
  });

  it("clamps a plan that overshoots or dips", () => {
    // (0, 0) → (30, 150) → (60, −40) → (90, 100)
    const wild = {
      start: 0,
      target: 100,
      points: [
        { atMs: day(30), value: 150 },
        { atMs: day(60), value: -40 },
      ],
    };
    expect(expectedProgress(q1, day(30), wild)).toBe(1); // 1.5 → 1
    expect(expectedProgress(q1, day(60), wild)).toBe(0); // −0.4 → 0
  });

  it("two points on the same instant form a step", () => {
    // (0, 0) → (30, 10) | (30, 60) → (90, 100): just before day 30 about 0.1, at day 30 0.6.
    const step = {
      start: 0,
      target: 100,
      points: [
        { atMs: day(30), value: 10 },
        { atMs: day(30), value: 60 },
      ],
    };
    expect(expectedProgress(q1, day(30) - 1, step)).toBeCloseTo(0.1, 6);
    expect(expectedProgress(q1, day(30), step)).toBeCloseTo(0.6, 12);
  });

  it("falls back to the time line when target equals start", () => {
    expect(expectedProgress(q1, day(45), { start: 5, target: 5, points: [{ atMs: day(10), value: 9 }] })).toBe(0.5);
  });

  it("a monotone plan gives expected progress that never decreases", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 89 }), fc.double({ min: 0, max: 1, noNaN: true })), {
          maxLength: 6,
        }),
        fc.double({ min: 0, max: 90, noNaN: true }),
        fc.double({ min: 0, max: 90, noNaN: true }),
        (raw, a, b) => {
          // Sort days and values together so the planned path rises from 0 to 100.
          const daysSorted = raw.map(([d]) => d).sort((x, y) => x - y);
          const values = raw.map(([, v]) => v * 100).sort((x, y) => x - y);
          const points = daysSorted.map((d, i) => ({ atMs: day(d), value: values[i]! }));
          const p = { start: 0, target: 100, points };
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          expect(expectedProgress(q1, day(hi), p)).toBeGreaterThanOrEqual(expectedProgress(q1, day(lo), p) - 1e-12);
        },
      ),
    );
  });
});

describe("computeStatus (§4, first rule that applies)", () => {
  const base = (over: Partial<StatusInput>): StatusInput => ({
    closed: false,
    manualStatus: null,
    progress: 0.5,
    hasCheckIn: true,
    span: q1,
    krType: "increase",
    expected: 0.5,
    nowMs: day(45),
    settings: DEFAULT_SETTINGS,
    ...over,
  });

  const cases: [string, Partial<StatusInput>, Status][] = [
    [
      "1 closed beats a manual status and full progress",
      { closed: true, manualStatus: "atRisk", progress: 1 },
      "closed",
    ],
    ["2 manual status beats the numbers", { manualStatus: "behind", progress: 1 }, "behind"],
    ["2 manual notStarted is kept even late", { manualStatus: "notStarted", nowMs: day(80) }, "notStarted"],
    ["3 no check-in at day 6.9 (< 7)", { hasCheckIn: false, progress: 0, nowMs: day(6.9) }, "notStarted"],
    ["3 no check-in one ms before day 7", { hasCheckIn: false, progress: 0, nowMs: day(7) - 1 }, "notStarted"],
    // Day 7, no check-in: d = 7/90 − 0 = 0.077778 ≤ 0.25 → behind
    ["3 grace over at day 7 exactly", { hasCheckIn: false, progress: 0, nowMs: day(7), expected: 7 / 90 }, "behind"],
    // A check-in exists: rule 3 does not apply, 0.1 − 0 = 0.1 → behind
    ["3 not with a check-in inside the grace", { progress: 0, nowMs: day(2), expected: 0.1 }, "behind"],
    ["4 done (P = 1) is onTrack even after the end", { progress: 1, nowMs: day(100), expected: 1 }, "onTrack"],
    ["4 over-achieved (P = 1.4) is onTrack", { progress: 1.4, expected: 0.9 }, "onTrack"],
    ["5 end reached with P = 0.99", { progress: 0.99, nowMs: day(90), expected: 1 }, "atRisk"],
    ["5 end reached even when ahead of an odd expectation", { progress: 0.99, nowMs: day(95), expected: 0 }, "atRisk"],
    ["6 stayAbove holding (p = 1) → rule 4 onTrack", { krType: "stayAbove", progress: 1, expected: 0.5 }, "onTrack"],
    ["6 stayAbove slipping is atRisk although early", { krType: "stayAbove", progress: 0, expected: 0.1 }, "atRisk"],
    ["6 stayBelow slipping is atRisk", { krType: "stayBelow", progress: 0, expected: 0 }, "atRisk"],
    // d = 0.5 − 0.6 = −0.1 ≤ 0
    ["7 ahead of plan", { progress: 0.6, expected: 0.5 }, "onTrack"],
    // d = 0.5 − 0.5 = 0
    ["7 exactly on plan", { progress: 0.5, expected: 0.5 }, "onTrack"],
    // 0.1 + 0.2 = 0.30000000000000004; d = 0.30000000000000004 − 0.3 = 5.6e-17 → round6 → 0
    ["7 float noise of 0.1 + 0.2 is rounded away", { progress: 0.3, expected: 0.1 + 0.2 }, "onTrack"],
    // d = 0.5 − 0.499999 = 0.000001 > 0
    ["8 one millionth behind", { progress: 0.499999, expected: 0.5 }, "behind"],
    // d = 0.5 − 0.25 = 0.25, the boundary, still behind
    ["8 d exactly 0.25", { progress: 0.25, expected: 0.5 }, "behind"],
    // 0.55 − 0.3 = 0.25000000000000006 in doubles; round6 → 0.25 → behind
    ["8 d = 0.25 with binary noise", { progress: 0.3, expected: 0.55 }, "behind"],
    // d = 0.5 − 0.249999 = 0.250001 > 0.25
    ["9 d = 0.250001", { progress: 0.249999, expected: 0.5 }, "atRisk"],
    // d = 0.9 − 0 = 0.9
    ["9 far behind", { progress: 0, expected: 0.9 }, "atRisk"],
    // negative progress clamps to 0: d = 0.2 − 0 = 0.2
    ["P below 0 counts as 0", { progress: -0.5, expected: 0.2 }, "behind"],
    // null progress → 0: d = 0.5 − 0 = 0.5
    ["null progress (baseline KR) counts as 0", { progress: null, krType: "baseline", expected: 0.5 }, "atRisk"],
    [
      "null progress inside the grace is notStarted",
      { progress: null, hasCheckIn: false, nowMs: day(1) },
      "notStarted",
    ],
    // objectives (krType null) follow rules 7–9: d = 0.5 − 0.3 = 0.2
    ["objective behind", { krType: null, progress: 0.3, expected: 0.5 }, "behind"],
    // Drafts come before every rule, closed included.
    ["a draft is draft whatever its figures", { draft: true, closed: true, manualStatus: "atRisk" }, "draft"],
    // Created on day 40: at day 45 it is inside its own grace although the period's is long over.
    [
      "3 grace runs from creation when later than the start",
      { hasCheckIn: false, progress: 0, nowMs: day(45), createdMs: day(40), expected: 0.5 },
      "notStarted",
    ],
    [
      "3 grace from creation ends 7 days after it",
      { hasCheckIn: false, progress: 0, nowMs: day(47), createdMs: day(40), expected: 47 / 90 },
      "atRisk",
    ],
    // A read as of an instant before the item existed: its creation is not known then, the start counts.
    [
      "3 a creation after now is not known yet",
      { hasCheckIn: false, progress: 0, nowMs: day(20), createdMs: day(40), expected: 20 / 90 },
      "behind",
    ],
    // Created before the start: the start counts.
    [
      "3 creation before the start changes nothing",
      { hasCheckIn: false, progress: 0, nowMs: day(7), createdMs: day(-30), expected: 7 / 90 },
      "behind",
    ],
    // Created two days before the end: the period ends inside the grace, and then it is over.
    [
      "3 no grace once the span has ended",
      { hasCheckIn: false, progress: 0, nowMs: day(90), createdMs: day(88), expected: 1 },
      "atRisk",
    ],
  ];
  it.each(cases)("%s", (_name, over, status) => {
    expect(computeStatus(base(over))).toBe(status);
  });

  it("follows the settings for the grace days and the behind threshold", () => {
    const settings = { ...DEFAULT_SETTINGS, notStartedGraceDays: 14, behindThreshold: 0.3 };
    // Day 10 without a check-in: inside a 14-day grace.
    expect(computeStatus(base({ hasCheckIn: false, progress: 0, nowMs: day(10), settings }))).toBe("notStarted");
    // d = 0.5 − 0.2 = 0.3 ≤ 0.3
    expect(computeStatus(base({ progress: 0.2, settings }))).toBe("behind");
    // d = 0.5 − 0.19 = 0.31 > 0.3
    expect(computeStatus(base({ progress: 0.19, settings }))).toBe("atRisk");
  });

  it("more progress never makes the status worse", () => {
    const rank: Record<Status, number> = { onTrack: 0, behind: 1, atRisk: 2, notStarted: -1, closed: -1, draft: -1 };
    fc.assert(
      fc.property(
        fc.double({ min: -1, max: 2, noNaN: true }),
        fc.double({ min: 0, max: 2, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.constantFrom(day(45), day(95)),
        (p, dp, e, nowMs) => {
          const worse = computeStatus(base({ progress: p, expected: e, nowMs }));
          const better = computeStatus(base({ progress: p + dp, expected: e, nowMs }));
          expect(rank[better]).toBeLessThanOrEqual(rank[worse]);
        },
      ),
    );
  });

  it("a later expectation never makes the status better", () => {
    const rank: Record<Status, number> = { onTrack: 0, behind: 1, atRisk: 2, notStarted: -1, closed: -1, draft: -1 };
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (p, e, de) => {
          const early = computeStatus(base({ progress: p, expected: e }));
          const late = computeStatus(base({ progress: p, expected: Math.min(1, e + de) }));
          expect(rank[late]).toBeGreaterThanOrEqual(rank[early]);
        },
      ),
    );
  });
});

describe("attentionFlags (§4)", () => {
  // A healthy team objective at day 45: owned, aligned, 3 KRs, checked in 5 days ago.
  const healthy: AttentionInput = {
    kind: "objective",
    ownerCount: 1,
    firstCheckInMs: day(3),
    lastCheckInMs: day(40),
    span: q1,
    nowMs: day(45),
    settings: DEFAULT_SETTINGS,
    closed: false,
    keyResultCount: 3,
    level: "team",
    aligned: true,
    committed: false,
    score: null,
  };
  const flags = (over: Partial<AttentionInput>) => attentionFlags({ ...healthy, ...over });

  it("flags nothing on a healthy objective", () => {
    expect(flags({})).toEqual([]);
  });

  const none = { firstCheckInMs: null, lastCheckInMs: null };
  it.each<[string, Partial<AttentionInput>, string[]]>([
    ["no owner", { ownerCount: 0 }, ["noOwner"]],
    // Grace is 7 days: day 6.99 quiet, day 7 flagged.
    ["no check-in, day 6.99", { ...none, nowMs: day(6.99) }, []],
    ["no check-in, day 7 exactly", { ...none, nowMs: day(7) }, ["noCheckIn"]],
    ["no check-in, day 30: noCheckIn only, not also stale", { ...none, nowMs: day(30) }, ["noCheckIn"]],
    ["a check-in dated after now does not count", { firstCheckInMs: day(50), lastCheckInMs: day(50) }, ["noCheckIn"]],
    // Cadence 7 days: last check-in at day 38 is exactly 7 days old at day 45 → not "longer than".
    ["last check-in exactly 7 days ago", { lastCheckInMs: day(38) }, []],
    ["last check-in 7 days and 1 ms ago", { lastCheckInMs: day(38) - 1 }, ["stale"]],
    ["before the span: no time-based flags", { ...none, nowMs: day(-3) }, []],
    ["after the span: no time-based flags", { ...none, nowMs: day(90) }, []],
    ["no span: no time-based flags", { ...none, span: null }, []],
    ["KR dates outside the period", { kind: "keyResult", datesOutsidePeriod: true }, ["datesOutsidePeriod"]],
    ["5 KRs are fine", { keyResultCount: 5 }, []],
    ["6 KRs are too many", { keyResultCount: 6 }, ["tooManyKeyResults"]],
    ["team objective unaligned", { aligned: false }, ["unaligned"]],
    ["individual objective unaligned", { level: "individual", aligned: false }, ["unaligned"]],
    ["organisation objective need not align", { level: "organization", aligned: false }, []],
    ["KR kind ignores objective-only fields", { kind: "keyResult", keyResultCount: 9, aligned: false }, []],
    [
      "several at once, in type order",
      { ownerCount: 0, lastCheckInMs: day(20), keyResultCount: 7, aligned: false },
      ["noOwner", "stale", "tooManyKeyResults", "unaligned"],
    ],
  ])("%s", (_name, over, expected) => {
    expect(flags(over)).toEqual(expected);
  });

  it.each<[string, Partial<AttentionInput>, string[]]>([
    ["aspirational closed at 0.9", { score: 0.9 }, ["tooSafe"]],
    ["aspirational closed at 1.0", { score: 1 }, ["tooSafe"]],
    // 0.84 rounds to 0.8, which is not above 0.8
    ["aspirational closed at 0.84 (scores 0.8)", { score: 0.84 }, []],
    ["aspirational closed at 0.8", { score: 0.8 }, []],
    ["committed closed at 1.0", { committed: true, score: 1 }, []],
    ["committed omitted means aspirational", { committed: undefined, score: 0.9 }, ["tooSafe"]],
    ["closed without a score", { score: null }, []],
    // Closed items get only tooSafe: no owner, unaligned and 8 KRs are moot.
    ["closed hides everything else", { ownerCount: 0, aligned: false, keyResultCount: 8, ...none }, []],
  ])("closed: %s", (_name, over, expected) => {
    expect(flags({ closed: true, ...over })).toEqual(expected);
  });
});
