/**
 * Check-in cadence and when a check-in is due (okr-method §7), for reminders (#12).
 * Pure: dates are calendar dates (`YYYY-MM-DD`) in the organisation's time zone, instants are
 * epoch ms, and the moment to judge at is always a parameter.
 *
 * A cadence is every 1, 2 or 3 weeks on a weekday, or monthly on the first such weekday of the
 * month. Every-N-weeks cadences count their weeks from an anchor date (the period's start), so
 * "every other Monday" lands on the same Mondays for everyone. A team without a cadence of its
 * own follows its parent team's, up to the organisation's.
 */
import { addDays, dayStartMs, isIsoDate } from "./periods.js";

/** ISO weekday: 1 = Monday … 7 = Sunday. */
export type Weekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

export type Cadence =
  | { kind: "weekly"; everyWeeks: 1 | 2 | 3; weekday: Weekday }
  | { kind: "monthly"; weekday: Weekday };

/** The method's default: weekly, on Monday. */
export const DEFAULT_CADENCE: Cadence = { kind: "weekly", everyWeeks: 1, weekday: 1 };

/** A team as the cadence rule reads it: its own cadence (null: follow the parent) and its parent. */
export interface CadenceTeam {
  id: string;
  parentId: string | null;
  cadence: Cadence | null;
}

/**
 * The cadence a team follows: its own, else its nearest ancestor's, else the organisation's.
 * A loop in the parents (which the API refuses) ends the walk at the organisation's. Never throws.
 */
export function effectiveCadence(
  teamId: string | null,
  teams: ReadonlyMap<string, CadenceTeam>,
  organisation: Cadence,
): Cadence {
  const seen = new Set<string>();
  let id = teamId;
  while (id !== null && !seen.has(id)) {
    seen.add(id);
    const team = teams.get(id);
    if (!team) break;
    if (team.cadence) return team.cadence;
    id = team.parentId;
  }
  return organisation;
}

/** The ISO weekday of a calendar date. */
export function weekdayOf(date: string): Weekday {
  const day = new Date(`${date}T00:00:00Z`).getUTCDay();
  return (day === 0 ? 7 : day) as Weekday;
}

/** The calendar date of an instant in a time zone. Throws RangeError on an unknown zone. */
export function localDate(atMs: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).formatToParts(new Date(atMs));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return `${get("year")}-${get("month")}-${get("day")}`;
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** The first date on or after `date` that falls on `weekday`. */
function nextWeekday(date: string, weekday: Weekday): string {
  return addDays(date, (weekday - weekdayOf(date) + 7) % 7);
}

/** The first `weekday` of the month holding `date`. */
function firstOfMonth(date: string, weekday: Weekday): string {
  return nextWeekday(`${date.slice(0, 8)}01`, weekday);
}

/**
 * The latest date on or before `date` on which a check-in falls due, or null when none falls
 * due on or after `anchor` up to `date`. Weekly cadences count weeks from the first matching
 * weekday on or after `anchor`.
 */
export function lastDueDate(cadence: Cadence, date: string, anchor: string): string | null {
  if (!isIsoDate(date) || !isIsoDate(anchor) || date < anchor) return null;
  if (cadence.kind === "monthly") {
    const thisMonth = firstOfMonth(date, cadence.weekday);
    const due = thisMonth <= date ? thisMonth : firstOfMonth(addDays(`${date.slice(0, 8)}01`, -1), cadence.weekday);
    return due >= anchor ? due : null;
  }
  const first = nextWeekday(anchor, cadence.weekday);
  if (first > date) return null;
  const step = 7 * cadence.everyWeeks;
  return addDays(first, Math.floor(daysBetween(first, date) / step) * step);
}

/** The due date before `due` under the same cadence (the previous occasion), without regard to an anchor. */
export function previousDueDate(cadence: Cadence, due: string): string {
  if (cadence.kind === "weekly") return addDays(due, -7 * cadence.everyWeeks);
  return firstOfMonth(addDays(`${due.slice(0, 8)}01`, -1), cadence.weekday);
}

/** What the reminder rule says of one key result at one moment. */
export type DueVerdict =
  | { due: true; dueDate: string; since: string }
  | { due: false; reason: "notYet" | "checkedIn"; dueDate: string | null };

/**
 * Whether a key result's check-in is due at `nowMs` (okr-method §7): a due date has come
 * (the latest on or before today, in the organisation's time zone, counting from `anchor`, the
 * period's start) and the key result has had no check-in since the previous occasion began —
 * a check-in within the cadence skips the reminder. `since` is that previous occasion's date,
 * which the reminder can cite. Daylight-saving weeks change nothing: occasions are calendar
 * dates, and the previous one begins at its local midnight. Throws RangeError on an unknown zone.
 */
export function checkInDue(input: {
  cadence: Cadence;
  anchor: string;
  lastCheckInMs: number | null;
  nowMs: number;
  timeZone: string;
}): DueVerdict {
  const today = localDate(input.nowMs, input.timeZone);
  const dueDate = lastDueDate(input.cadence, today, input.anchor);
  if (dueDate === null) return { due: false, reason: "notYet", dueDate: null };
  const since = previousDueDate(input.cadence, dueDate);
  const windowStart = dayStartMs(since, input.timeZone);
  if (input.lastCheckInMs !== null && input.lastCheckInMs >= windowStart && input.lastCheckInMs <= input.nowMs) {
    return { due: false, reason: "checkedIn", dueDate };
  }
  return { due: true, dueDate, since };
}
