/**
 * The calendar of a year and its four quarters, for creating them in one step. A year may
 * start on the first of any month (a fiscal year); each quarter is three whole months.
 * Pure: dates in, dates out.
 */
import { addDays } from "./periods.js";

export interface PeriodDates {
  name: string;
  startDate: string;
  endDate: string;
}

const pad = (n: number, width: number) => String(n).padStart(width, "0");

/** The first day of the month `offset` months after `year`-`month` (month 1–12). */
function firstOfMonth(year: number, month: number, offset: number): string {
  const index = year * 12 + (month - 1) + offset;
  return `${pad(Math.floor(index / 12), 4)}-${pad((index % 12) + 1, 2)}-01`;
}

/**
 * The year that starts on the first of `startMonth` in `year` (its name is the year, or
 * "FY <year>" when it does not start in January) and its quarters Q1–Q4, each ending the day
 * before the next begins. Throws RangeError for a year outside 1–9998 or a month outside 1–12.
 */
export function yearWithQuarters(
  year: number,
  startMonth = 1,
  name?: string,
): { year: PeriodDates; quarters: PeriodDates[] } {
  if (!Number.isInteger(year) || year < 1 || year > 9998) throw new RangeError(`year out of range: ${year}`);
  if (!Number.isInteger(startMonth) || startMonth < 1 || startMonth > 12) {
    throw new RangeError(`startMonth must be 1 to 12, got ${startMonth}`);
  }
  const yearName = name ?? (startMonth === 1 ? String(year) : `FY ${year}`);
  const quarters = [0, 1, 2, 3].map((q) => ({
    name: `Q${q + 1} ${yearName}`,
    startDate: firstOfMonth(year, startMonth, q * 3),
    endDate: addDays(firstOfMonth(year, startMonth, q * 3 + 3), -1),
  }));
  return {
    year: {
      name: yearName,
      startDate: firstOfMonth(year, startMonth, 0),
      endDate: addDays(firstOfMonth(year, startMonth, 12), -1),
    },
    quarters,
  };
}
