/**
 * The organisation's rhythm settings (#12, okr-method §7): its check-in cadence (teams may set
 * their own), when reminders and the weekly digest go out, and after how many missed reminders
 * a person's manager hears of it. Kept in the organisation's settings document.
 */
import type { OrganizationRow } from "../db/repositories.js";
import { type Cadence, DEFAULT_CADENCE } from "../domain/cadence.js";

export interface RhythmSettings {
  /** The organisation's cadence; a team without its own follows its nearest ancestor's, else this. */
  cadence: Cadence;
  /** Local hour (0–23, the organisation's time zone) from which the day's reminders go out. */
  reminderHour: number;
  /** ISO weekday (1 = Monday) of the weekly digest, sent from `reminderHour`. */
  digestWeekday: number;
  /** After this many reminders in a row with no check-in, the person's manager is told; 0: never. */
  escalateAfterMissed: number;
  /** How often each data-linked key result's source is read, in minutes; 0: only on "sync now". */
  dataSyncMinutes: DataSyncMinutes;
}

/** The data-sync intervals an organisation may choose (every 15 minutes to daily, or off). */
export const DATA_SYNC_MINUTES = [0, 15, 60, 360, 1440] as const;
export type DataSyncMinutes = (typeof DATA_SYNC_MINUTES)[number];

export const DEFAULT_RHYTHM: RhythmSettings = {
  cadence: DEFAULT_CADENCE,
  reminderHour: 9,
  digestWeekday: 1,
  escalateAfterMissed: 3,
  dataSyncMinutes: 60,
};

/** The rhythm in effect: what was saved, with the defaults for anything never saved. */
export function rhythmOf(org: Pick<OrganizationRow, "settings">): RhythmSettings {
  const s = (org.settings ?? {}) as Partial<RhythmSettings>;
  return {
    cadence: s.cadence ?? DEFAULT_RHYTHM.cadence,
    reminderHour: s.reminderHour ?? DEFAULT_RHYTHM.reminderHour,
    digestWeekday: s.digestWeekday ?? DEFAULT_RHYTHM.digestWeekday,
    escalateAfterMissed: s.escalateAfterMissed ?? DEFAULT_RHYTHM.escalateAfterMissed,
    dataSyncMinutes: s.dataSyncMinutes ?? DEFAULT_RHYTHM.dataSyncMinutes,
  };
}
