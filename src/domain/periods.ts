/**
 * Calendar dates and period boundaries (okr-method.md §4: a period covers whole days,
 * from its start date 00:00 to its end date + 1 day, 00:00, in the organisation's zone).
 * Pure: the only "outside" thing used is the Intl time-zone database.
 */
import type { Span } from "./types.js";

/** One day in milliseconds (an exact 24 h, not a calendar day in a zone). */
export const DAY_MS = 86_400_000;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

interface YearMonthDay {
  year: number;
  month: number;
  day: number;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function parseIsoDate(s: string): YearMonthDay | null {
  const m = ISO_DATE.exec(s);
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12) return null;
  if (day < 1 || day > daysInMonth(year, month)) return null;
  return { year, month, day };
}

function parseOrThrow(date: string): YearMonthDay {
  const ymd = parseIsoDate(date);
  if (!ymd) throw new RangeError(`not a calendar date in YYYY-MM-DD form: ${JSON.stringify(date)}`);
  return ymd;
}

/** Date.UTC, but years 0–99 are taken literally instead of as 1900–1999. */
function utcMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  const d = new Date(Date.UTC(2000, month - 1, day, hour, minute, second));
  d.setUTCFullYear(year, month - 1, day);
  return d.getTime();
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

/**
 * Whether `s` is a strict `YYYY-MM-DD` string naming a real calendar date
 * (proleptic Gregorian, years 0000–9999; `2024-02-29` yes, `2026-02-29` no).
 * Never throws.
 */
export function isIsoDate(s: string): boolean {
  return parseIsoDate(s) !== null;
}

/**
 * Adds `n` calendar days to an ISO date (`n` may be negative): `addDays("2026-03-31", 1)` is `"2026-04-01"`.
 * Throws RangeError when `date` is not a valid ISO date or `n` is not an integer.
 */
export function addDays(date: string, n: number): string {
  const { year, month, day } = parseOrThrow(date);
  if (!Number.isInteger(n)) throw new RangeError(`addDays needs a whole number of days, got ${n}`);
  const d = new Date(utcMs(year, month, day) + n * DAY_MS);
  const y = d.getUTCFullYear();
  if (y < 0 || y > 9999) throw new RangeError(`date out of range: ${date} + ${n} days`);
  return `${pad(y, 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
}

// Building a DateTimeFormat is costly; one per zone is enough (a memo, not state that changes results).
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      era: "short",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/**
 * Whether `tz` is an IANA time zone this runtime knows (e.g. "Europe/Berlin", "UTC").
 * Never throws.
 */
export function isValidTimeZone(tz: string): boolean {
  if (typeof tz !== "string" || tz.trim() === "") return false;
  try {
    formatterFor(tz);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock reading of instant `t` (whole seconds) in `timeZone`, expressed as if it were UTC. */
function wallClockMs(t: number, timeZone: string): number {
  const parts = formatterFor(timeZone).formatToParts(new Date(t));
  let year = 0;
  let month = 1;
  let day = 1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let bc = false;
  for (const p of parts) {
    switch (p.type) {
      case "year":
        year = Number(p.value);
        break;
      case "month":
        month = Number(p.value);
        break;
      case "day":
        day = Number(p.value);
        break;
      case "hour":
        hour = Number(p.value);
        break;
      case "minute":
        minute = Number(p.value);
        break;
      case "second":
        second = Number(p.value);
        break;
      case "era":
        bc = p.value.startsWith("B");
        break;
    }
  }
  if (bc) year = 1 - year;
  return utcMs(year, month, day, hour, minute, second);
}

/** The calendar date (YYYY-MM-DD) that instant `t` falls on in `timeZone`. */
export function localDate(t: number, timeZone: string): string {
  return new Date(timeZone === "UTC" ? t : wallClockMs(t, timeZone)).toISOString().slice(0, 10);
}

/** Offset of the zone at instant `t`, in ms (wall clock minus UTC), at whole-second resolution. */
function offsetAt(t: number, timeZone: string): number {
  const whole = Math.floor(t / 1000) * 1000;
  return wallClockMs(whole, timeZone) - whole;
}

/**
 * The instant (epoch ms) at which the calendar date `date` begins in the IANA zone `timeZone`.
 * Handles daylight-saving changes: when midnight itself is skipped by a DST jump, the day
 * begins at the first instant that falls on that date; when midnight occurs twice, the earlier one wins.
 * Throws RangeError on an invalid date or an unknown time zone.
 */
export function dayStartMs(date: string, timeZone: string): number {
  const { year, month, day } = parseOrThrow(date);
  const local = utcMs(year, month, day);
  if (timeZone === "UTC") return local;
  // Outside UTC the answer takes six or more readings of the zone's wall clock (formatToParts,
  // tens of µs together), and the same few dates (periods' bounds) are asked for on every
  // request: a memo, as for the formatters.
  const key = `${timeZone} ${date}`;
  const known = dayStarts.get(key);
  if (known !== undefined) return known;
  const start = zonedDayStartMs(local, timeZone);
  if (dayStarts.size >= DAY_STARTS_KEPT) dayStarts.delete(dayStarts.keys().next().value!);
  dayStarts.set(key, start);
  return start;
}

/** `dayStartMs`'s answers outside UTC, by zone and date, the oldest dropped first beyond `DAY_STARTS_KEPT`. */
const dayStarts = new Map<string, number>();
const DAY_STARTS_KEPT = 4096;

/** `dayStartMs` in a zone other than UTC, `local` being the date's midnight written as if in UTC. */
function zonedDayStartMs(local: number, timeZone: string): number {
  if (!isValidTimeZone(timeZone)) throw new RangeError(`unknown time zone: ${JSON.stringify(timeZone)}`);

  // The offset can differ on either side of a transition; try both candidates and keep the earliest exact hit.
  const o1 = offsetAt(local, timeZone);
  const t1 = local - o1;
  const o2 = offsetAt(t1, timeZone);
  const candidates = [t1, local - o2, local - offsetAt(local - o2, timeZone)];
  const exact = candidates.filter((t) => wallClockMs(t, timeZone) === local);
  if (exact.length > 0) return Math.min(...exact);

  // Midnight does not exist (a DST jump at 00:00): the day starts at the jump. Search for the first
  // instant whose wall clock is on or after local midnight.
  let lo = Math.min(...candidates) - 2 * 3_600_000;
  let hi = Math.max(...candidates) + 2 * 3_600_000;
  while (wallClockMs(lo, timeZone) >= local) lo -= 3_600_000;
  while (wallClockMs(hi, timeZone) < local) hi += 3_600_000;
  // Invariant: wall(lo) < local ≤ wall(hi). Transitions fall on whole seconds.
  lo = Math.floor(lo / 1000);
  hi = Math.ceil(hi / 1000);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (wallClockMs(mid * 1000, timeZone) >= local) hi = mid;
    else lo = mid;
  }
  return hi * 1000;
}

/**
 * The span of a period of whole days: from `startDate` 00:00 to `endDate` + 1 day, 00:00, in `timeZone`.
 * Q1 2026 (`2026-01-01`..`2026-03-31`) in UTC is exactly 90 days.
 * Throws RangeError on an invalid date or zone, or when `endDate` is before `startDate`.
 */
export function periodSpan(startDate: string, endDate: string, timeZone: string): Span {
  parseOrThrow(startDate);
  parseOrThrow(endDate);
  if (endDate < startDate) throw new RangeError(`period ends (${endDate}) before it starts (${startDate})`);
  return { startMs: dayStartMs(startDate, timeZone), endMs: dayStartMs(addDays(endDate, 1), timeZone) };
}
