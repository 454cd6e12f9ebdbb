import { describe, expect, it } from "vitest";
import {
  type Cadence,
  type CadenceTeam,
  checkInDue,
  DEFAULT_CADENCE,
  effectiveCadence,
  lastDueDate,
  localDate,
  previousDueDate,
  weekdayOf,
} from "./cadence.js";
import { dayStartMs } from "./periods.js";

const weekly = (everyWeeks: 1 | 2 | 3, weekday: Cadence["weekday"] = 1): Cadence => ({
  kind: "weekly",
  everyWeeks,
  weekday,
});

describe("weekdays and local dates", () => {
  it("knows Mondays and Sundays", () => {
    expect(weekdayOf("2026-03-30")).toBe(1);
    expect(weekdayOf("2026-03-29")).toBe(7);
  });

  it("reads the calendar date in the organisation's zone, not UTC's", () => {
    // 23:30 UTC on Sunday is already Monday in Berlin, still Sunday in New York.
    const t = Date.UTC(2026, 2, 29, 23, 30);
    expect(localDate(t, "Europe/Berlin")).toBe("2026-03-30");
    expect(localDate(t, "America/New_York")).toBe("2026-03-29");
    expect(localDate(t, "UTC")).toBe("2026-03-29");
  });
});

describe("due dates (okr-method §7)", () => {
  it("weekly on Monday: the latest Monday on or before the day, from the anchor on", () => {
    expect(lastDueDate(DEFAULT_CADENCE, "2026-01-07", "2026-01-01")).toBe("2026-01-05");
    expect(lastDueDate(DEFAULT_CADENCE, "2026-01-05", "2026-01-01")).toBe("2026-01-05");
    // Before the first Monday of the period nothing is due yet.
    expect(lastDueDate(DEFAULT_CADENCE, "2026-01-04", "2026-01-01")).toBeNull();
    expect(lastDueDate(DEFAULT_CADENCE, "2025-12-31", "2026-01-01")).toBeNull();
  });

  it("every other week keeps its parity from the anchor", () => {
    const c = weekly(2, 3); // every other Wednesday, first on 2026-01-07
    expect(lastDueDate(c, "2026-01-07", "2026-01-01")).toBe("2026-01-07");
    expect(lastDueDate(c, "2026-01-14", "2026-01-01")).toBe("2026-01-07");
    expect(lastDueDate(c, "2026-01-21", "2026-01-01")).toBe("2026-01-21");
    expect(previousDueDate(c, "2026-01-21")).toBe("2026-01-07");
  });

  it("every three weeks", () => {
    const c = weekly(3, 5); // Fridays from 2026-01-02
    expect(lastDueDate(c, "2026-01-22", "2026-01-01")).toBe("2026-01-02");
    expect(lastDueDate(c, "2026-01-23", "2026-01-01")).toBe("2026-01-23");
  });

  it("monthly on the first Monday of each month", () => {
    const c: Cadence = { kind: "monthly", weekday: 1 };
    expect(lastDueDate(c, "2026-02-01", "2026-01-01")).toBe("2026-01-05"); // February's first Monday is the 2nd
    expect(lastDueDate(c, "2026-02-02", "2026-01-01")).toBe("2026-02-02");
    expect(lastDueDate(c, "2026-03-01", "2026-01-01")).toBe("2026-02-02");
    expect(previousDueDate(c, "2026-02-02")).toBe("2026-01-05");
    // The month's first Monday before the anchor does not count.
    expect(lastDueDate(c, "2026-01-20", "2026-01-10")).toBeNull();
  });
});

describe("inheritance: a sub-team follows its nearest ancestor with a cadence", () => {
  const teams = new Map<string, CadenceTeam>([
    ["sales", { id: "sales", parentId: null, cadence: weekly(2) }],
    ["emea", { id: "emea", parentId: "sales", cadence: null }],
    ["dach", { id: "dach", parentId: "emea", cadence: null }],
    ["ops", { id: "ops", parentId: null, cadence: null }],
    ["loop-a", { id: "loop-a", parentId: "loop-b", cadence: null }],
    ["loop-b", { id: "loop-b", parentId: "loop-a", cadence: null }],
  ]);
  const org: Cadence = { kind: "monthly", weekday: 2 };

  it("inherits down the tree and falls back to the organisation's", () => {
    expect(effectiveCadence("dach", teams, org)).toEqual(weekly(2));
    expect(effectiveCadence("ops", teams, org)).toEqual(org);
    expect(effectiveCadence(null, teams, org)).toEqual(org);
    expect(effectiveCadence("gone", teams, org)).toEqual(org);
  });

  it("a team's own cadence wins over its parent's", () => {
    const own = new Map(teams);
    own.set("emea", { id: "emea", parentId: "sales", cadence: weekly(1, 4) });
    expect(effectiveCadence("dach", own, org)).toEqual(weekly(1, 4));
  });

  it("ends a loop in the parents at the organisation's", () => {
    expect(effectiveCadence("loop-a", teams, org)).toEqual(org);
  });
});

describe("checkInDue: a reminder when due, skipped after a check-in within the cadence", () => {
  const berlin = "Europe/Berlin";

  it("is due on Monday without a check-in since the previous Monday", () => {
    const now = dayStartMs("2026-01-12", berlin) + 9 * 3_600_000;
    const v = checkInDue({
      cadence: DEFAULT_CADENCE,
      anchor: "2026-01-01",
      lastCheckInMs: null,
      nowMs: now,
      timeZone: berlin,
    });
    expect(v).toEqual({ due: true, dueDate: "2026-01-12", since: "2026-01-05" });
  });

  it("is skipped when the key result was checked in within the cadence", () => {
    const now = dayStartMs("2026-01-12", berlin) + 9 * 3_600_000;
    const tuesday = dayStartMs("2026-01-06", berlin) + 10 * 3_600_000;
    expect(
      checkInDue({
        cadence: DEFAULT_CADENCE,
        anchor: "2026-01-01",
        lastCheckInMs: tuesday,
        nowMs: now,
        timeZone: berlin,
      }),
    ).toEqual({ due: false, reason: "checkedIn", dueDate: "2026-01-12" });
    // A check-in from before the previous Monday does not count.
    const older = dayStartMs("2026-01-04", berlin);
    expect(
      checkInDue({ cadence: DEFAULT_CADENCE, anchor: "2026-01-01", lastCheckInMs: older, nowMs: now, timeZone: berlin })
        .due,
    ).toBe(true);
  });

  it("is not due before the period's first occasion", () => {
    const now = dayStartMs("2026-01-03", berlin);
    expect(
      checkInDue({ cadence: DEFAULT_CADENCE, anchor: "2026-01-01", lastCheckInMs: null, nowMs: now, timeZone: berlin }),
    ).toEqual({ due: false, reason: "notYet", dueDate: null });
  });

  it("a week with a daylight-saving change: the window starts at the previous Monday's local midnight", () => {
    // Clocks go forward in Berlin on Sunday 2026-03-29; Monday 03-30 is due, the window opens Monday 03-23 00:00 CET.
    const now = dayStartMs("2026-03-30", berlin) + 60_000;
    const atWindowStart = Date.UTC(2026, 2, 22, 23, 0); // 2026-03-23 00:00 in Berlin (UTC+1)
    expect(dayStartMs("2026-03-23", berlin)).toBe(atWindowStart);
    const just = checkInDue({
      cadence: DEFAULT_CADENCE,
      anchor: "2026-01-01",
      lastCheckInMs: atWindowStart,
      nowMs: now,
      timeZone: berlin,
    });
    expect(just).toEqual({ due: false, reason: "checkedIn", dueDate: "2026-03-30" });
    const before = checkInDue({
      cadence: DEFAULT_CADENCE,
      anchor: "2026-01-01",
      lastCheckInMs: atWindowStart - 1,
      nowMs: now,
      timeZone: berlin,
    });
    expect(before).toEqual({ due: true, dueDate: "2026-03-30", since: "2026-03-23" });
    // Sunday 23:30 UTC is Monday in Berlin after the change (UTC+2): due there, not yet in New York.
    const sundayNightUtc = Date.UTC(2026, 2, 29, 23, 30);
    expect(
      checkInDue({
        cadence: DEFAULT_CADENCE,
        anchor: "2026-01-01",
        lastCheckInMs: null,
        nowMs: sundayNightUtc,
        timeZone: berlin,
      }).dueDate,
    ).toBe("2026-03-30");
    expect(
      checkInDue({
        cadence: DEFAULT_CADENCE,
        anchor: "2026-01-01",
        lastCheckInMs: null,
        nowMs: sundayNightUtc,
        timeZone: "America/New_York",
      }).dueDate,
    ).toBe("2026-03-23");
  });

  it("a monthly cadence looks back to the previous month's occasion", () => {
    const c: Cadence = { kind: "monthly", weekday: 1 };
    const now = dayStartMs("2026-02-10", "UTC");
    const midJanuary = Date.UTC(2026, 0, 15);
    expect(
      checkInDue({ cadence: c, anchor: "2026-01-01", lastCheckInMs: midJanuary, nowMs: now, timeZone: "UTC" }),
    ).toEqual({
      due: false,
      reason: "checkedIn",
      dueDate: "2026-02-02",
    });
    const late2025 = Date.UTC(2025, 11, 20);
    expect(
      checkInDue({ cadence: c, anchor: "2026-01-01", lastCheckInMs: late2025, nowMs: now, timeZone: "UTC" }),
    ).toEqual({
      due: true,
      dueDate: "2026-02-02",
      since: "2026-01-05",
    });
  });
});
