/**
 * An objective's status as SQL, from its stored figures at one instant (okr-method §4, as
 * domain/status.ts `computeStatus` applies the rules to an objective: no manual status, no
 * control type): exactly, for the dashboard's counts, and widened, for the lists' prefilter.
 */
import { type SQL, sql } from "drizzle-orm";
import * as s from "./schema.js";

const o = s.objectives;
const kr = s.keyResults;

/**
 * The inputs of an objective's status at one instant that do not depend on the row: every
 * objective of a period shares its span, so expected progress is one number (okr-method §4).
 */
export interface StatusInstant {
  atMs: number;
  /** Expected progress of the period at that instant. */
  expected: number;
  /** The period's start and end (epoch ms) and the grace after the later of start and creation (rule 3). */
  startMs: number;
  endMs: number;
  graceMs: number;
  /** Whether the period has ended (rule 5). */
  ended: boolean;
  /** The "behind" threshold in progress points (setting). */
  behindThreshold: number;
}

/**
 * An objective's status at `at`, from its stored figures, as SQL: the rules of okr-method §4 as
 * `computeStatus` applies them to an objective (no manual status, no control type). The API
 * test compares it with the status every objective reads with, so the two cannot drift apart.
 */
/**
 * Rule 3's grace as SQL (`graceEndMs`): `at` falls before the later of the period's start and
 * the row's creation (when known at `at`) plus the grace days, and before the period's end.
 */
export function inGraceSql(createdAt: typeof o.createdAt | typeof kr.createdAt, at: StatusInstant): SQL {
  return sql`(${instant(at.atMs)} < ${graceEndSql(createdAt, at)} and ${instant(at.atMs)} < ${instant(at.endMs)})`;
}

/** An instant (epoch ms) as a SQL timestamptz. */
const instant = (ms: number) => sql`${new Date(ms).toISOString()}::timestamptz`;

/** When rule 3's grace ends for a row created at `createdAt`: the later of the start and its creation (when known at `at`), plus the grace. */
function graceEndSql(createdAt: typeof o.createdAt | typeof kr.createdAt, at: StatusInstant): SQL {
  const startTs = instant(at.startMs);
  const atTs = instant(at.atMs);
  // To the millisecond, as the rule reads instants in JavaScript (the database keeps microseconds).
  const created = sql`date_trunc('milliseconds', ${createdAt})`;
  const graceFrom = sql`(case when ${created} > ${startTs} and ${created} <= ${atTs} then ${created} else ${startTs} end)`;
  return sql`(${graceFrom} + ${at.graceMs}::double precision * interval '1 millisecond')`;
}

export function objectiveStatusSql(at: StatusInstant): SQL<string> {
  const checkedIn = sql`(${o.firstCheckInAt} is not null and date_trunc('milliseconds', ${o.firstCheckInAt}) <= ${new Date(at.atMs).toISOString()}::timestamptz)`;
  const gap = sql`round((${at.expected}::numeric - least(greatest(${o.progress}, 0), 1)::numeric), 6)`;
  const inGrace = inGraceSql(o.createdAt, at);
  return sql<string>`(case
    when ${o.state} = 'draft' then 'draft'
    when ${o.state} = 'closed' then 'closed'
    when not ${checkedIn} and ${inGrace} then 'notStarted'
    when ${o.progress} >= 1 then 'onTrack'
    when ${at.ended}::boolean then 'atRisk'
    when ${gap} <= 0 then 'onTrack'
    when ${gap} <= ${at.behindThreshold}::numeric then 'behind'
    else 'atRisk' end)`;
}

/**
 * Objectives that may have one of `wanted` statuses at `at` by their stored figures: a superset
 * of those that do. Every comparison near a threshold is widened (a second for instants, 1e-6
 * for progress against the plan, where the exact rule rounds to six decimals in JavaScript), so
 * an objective with a wanted status always matches and one on a threshold may match its
 * neighbour too; the caller works out each candidate's exact status with `computeStatus`.
 */
export function objectiveMayHaveStatusSql(wanted: ReadonlySet<string>, at: StatusInstant): SQL {
  const active = sql`${o.state} not in ('draft', 'closed')`;
  const graceEnd = graceEndSql(o.createdAt, at);
  const [early, late] = [instant(at.atMs - 1000), instant(at.atMs + 1000)];
  const mayWait = at.ended
    ? sql`false`
    : sql`((${o.firstCheckInAt} is null or ${o.firstCheckInAt} > ${early}) and ${graceEnd} > ${early})`;
  const mayMove = at.ended ? sql`true` : sql`((${o.firstCheckInAt} <= ${late}) or ${graceEnd} <= ${late})`;
  // How far behind the plan: expected minus progress clamped to [0, 1].
  const gap = sql`(${at.expected}::float8 - greatest(0, least(1, ${o.progress})))`;
  const moving: Record<string, SQL> = {
    onTrack: at.ended ? sql`${o.progress} >= 1` : sql`(${o.progress} >= 1 or ${gap} <= 1e-6::float8)`,
    behind: at.ended
      ? sql`false`
      : sql`(${o.progress} < 1 and ${gap} > -1e-6::float8 and ${gap} <= ${at.behindThreshold + 1e-6}::float8)`,
    atRisk: at.ended
      ? sql`${o.progress} < 1`
      : sql`(${o.progress} < 1 and ${gap} > ${at.behindThreshold - 1e-6}::float8)`,
  };
  const parts: SQL[] = [];
  if (wanted.has("draft")) parts.push(sql`${o.state} = 'draft'`);
  if (wanted.has("closed")) parts.push(sql`${o.state} = 'closed'`);
  if (wanted.has("notStarted")) parts.push(sql`(${active} and ${mayWait})`);
  const picked = Object.keys(moving).filter((x) => wanted.has(x));
  if (picked.length) {
    parts.push(
      sql`(${active} and ${mayMove} and (${sql.join(
        picked.map((x) => moving[x]!),
        sql` or `,
      )}))`,
    );
  }
  // Wrapped so the planner takes it as one opaque condition (half the rows) rather than
  // multiplying a guess for each part: it then walks the list's index and stops at the page
  // (0.2 ms for a common status in a period of 50,000) instead of sorting the period (11 ms).
  return parts.length ? sql`coalesce(${sql.join(parts, sql` or `)}, false)` : sql`false`;
}
