/**
 * The demo workspace: Fernhill, a fictional mid-size B2B analytics company, is an OKR file,
 * `demo/fernhill.okrs.yaml` (docs/okrs-as-code.md), applied by the same code path as
 * `okra apply`. The file names its periods relatively ("this quarter", "last quarter"), so the
 * demo is always current; its `x-demo` keys, which apply ignores, say how each key result has
 * been moving (a pace, a milestone's moment, a status), and this module writes from them the
 * history a real company would have: weekly check-ins up to now, phased plans, KPI readings,
 * the closings of last quarter, and when each objective was set. Deterministic for a given
 * `nowMs`.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import type { Database } from "../db/database.js";
import {
  type CheckInFile,
  type KeyResultFile,
  nameOf,
  type OkrFile,
  OkrFileSchema,
  okrFileProblems,
  periodDatesOfName,
  resolvePeriodName,
  withoutExtensions,
} from "../domain/okr-file.js";
import { DAY_MS } from "../domain/periods.js";
import { seededRandom } from "../domain/seeded-random.js";
import { DEFAULT_ORGANIZATION_NAME } from "./auth.service.js";
import { type Actor, read, type Services } from "./context.js";
import { applyOkrFile } from "./okr-file-apply.service.js";
import { updateSettings } from "./view.service.js";

/** The demo company's name, given to an organisation that still has the default one. */
export const DEMO_ORGANIZATION_NAME = "Fernhill";

/** The demo's OKR file. */
export const DEMO_FILE = new URL("../../demo/fernhill.okrs.yaml", import.meta.url);

const NOTES = [
  "Steady week.",
  "Two deals moved forward, one slipped to next week.",
  "Blocked on another team; raised it in the weekly sync.",
  "Figure taken from the Monday report.",
  "Better than expected after the release.",
  "Public holiday, a quieter week.",
  "The new routine is starting to pay off.",
  "Corrected last week's number after an audit of the data.",
  "Good signal from customer calls this week.",
  "Half the team was at the offsite.",
];

const HOUR_MS = 3_600_000;
const ISO_DAY = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** A time box as instants: `endMs` is the end of its last day (exclusive). */
interface Box {
  startMs: number;
  endMs: number;
}

/** How a key result has been moving, from its `x-demo` key. */
interface Motion {
  /** 1 = exactly on plan, below 1 behind, above 1 ahead; "none": never checked in; "stale": stopped weeks ago. */
  pace?: number | "none" | "stale";
  /** Milestones: the fraction of the span at which it was reached (never, when absent). */
  achievedAt?: number;
  /** A manual status its owner put on the latest check-in. */
  lastStatus?: "notStarted" | "onTrack" | "behind" | "atRisk";
  /** Phased targets: a slow first quarter, then the straight line. */
  phased?: boolean;
  /** Runs over this period (a quarter inside a yearly objective) rather than its objective's. */
  span?: string;
  /** Its values are measured, not counted: fractions even between whole start and target (a rate, seconds). */
  fractional?: boolean;
}

/**
 * Rounds like a person would report it: whole numbers for things counted (a plain number from
 * a whole start to a whole target: offers, days, releases) and for large ranges, else two decimals.
 */
function reportable(k: KeyResultFile, motion: Motion, x: number): number {
  const s = Number(k.start ?? 0);
  const t = Number(k.target ?? s);
  const wholeEnds = Number.isInteger(s) && Number.isInteger(t);
  const counted = (k.unit ?? "number") === "number" && !motion.fractional;
  const whole = wholeEnds && (counted || Math.abs(t - s) >= 10);
  return Number(x.toFixed(whole ? 0 : 2));
}

/** A whole number from `lo` to `hi`, both included, picked by `u` in [0, 1). */
const between = (lo: number, hi: number, u: number) => lo + Math.floor(u * (hi - lo + 1));

/**
 * The owner's confidence (1–10) at a check-in, from how the key result stands then, on the
 * method's status bands (okr-method.md §4): on plan or ahead 7–9, up to 25 points short 5–6,
 * further behind 2–4; a manual status speaks for itself. `shortfall` is the expected progress
 * minus the actual one (null when the type has no plan line).
 */
function confidenceOf(shortfall: number | null, status: string | null, u: number): number {
  if (status === "atRisk") return between(2, 4, u);
  if (status === "behind") return between(5, 6, u);
  if (status === "onTrack") return between(7, 9, u);
  if (shortfall === null) return between(5, 7, u);
  if (shortfall <= 0) return between(7, 9, u);
  if (shortfall <= 0.25) return between(5, 6, u);
  return between(2, 4, u);
}

/**
 * The check-in moments of one KR: weekly on `weekday` (0 = Sunday) between 09:00 and
 * 17:00 UTC, from the first such day of the span up to `untilMs` (inclusive).
 */
function weeklyMoments(startMs: number, untilMs: number, weekday: number, rand: () => number): number[] {
  let day = startMs;
  while (new Date(day).getUTCDay() !== weekday) day += DAY_MS;
  const out: number[] = [];
  for (; day <= untilMs; day += 7 * DAY_MS) {
    const at = day + 9 * HOUR_MS + Math.floor(rand() * 8 * 60) * 60_000;
    if (at <= untilMs) out.push(at);
  }
  return out;
}

/** One KR's check-in history up to `nowMs`: the values follow its pace toward the target. */
function history(
  k: KeyResultFile,
  motion: Motion,
  span: Box,
  nowMs: number,
  ordinal: number,
  by: string,
  rand: () => number,
): CheckInFile[] {
  const pace = motion.pace ?? 1;
  if (pace === "none") return [];
  const speed = pace === "stale" ? 0.8 : pace;
  const until = Math.min(nowMs, span.endMs - 1);
  // A stale KR stopped being updated three to four weeks ago.
  const stopAt = pace === "stale" ? nowMs - 22 * DAY_MS : until;
  const weekday = [1, 2, 1, 4, 3, 1, 5, 2][ordinal % 8]!;
  const moments = weeklyMoments(span.startMs, stopAt, weekday, rand);
  const weekFrac = (7 * DAY_MS) / (span.endMs - span.startMs);
  const s = Number(k.start ?? 0);
  const t = Number(k.target ?? s);
  const rows: CheckInFile[] = [];
  for (const [i, at] of moments.entries()) {
    const f = (at - span.startMs) / (span.endMs - span.startMs);
    let value: number | null = null;
    let achieved: boolean | null = null;
    switch (k.type) {
      case "milestone":
        achieved = motion.achievedAt !== undefined && f >= motion.achievedAt;
        break;
      case "stayAbove":
        // Mostly comfortably above the line, with the odd dip below it.
        value = t + (rand() < 0.85 ? rand() * 0.08 : -0.05 - rand() * 0.25);
        break;
      case "stayBelow":
        value = rand() < 0.8 ? Math.floor(rand() * (t + 1)) : t + 1;
        break;
      case "baseline":
        // Measuring first: readings scatter around a level nobody has committed to yet.
        value = 30 + rand() * 6;
        break;
      default: {
        // Teams on pace report a little ahead of the straight line (the line keeps moving
        // until the next check-in); noise of about half a week's progress keeps the path
        // believable and mostly monotone.
        const noise = (rand() - 0.5) * weekFrac * 1.2 * speed;
        value = s + (t - s) * Math.min(1.3, Math.max(0, (f + weekFrac) * speed + noise));
      }
    }
    const jitter = rand();
    const last = i === moments.length - 1;
    // Rarely, an owner who is slipping says so by hand.
    const status =
      last && motion.lastStatus ? motion.lastStatus : speed < 0.8 && f > 0.3 && rand() < 0.05 ? "behind" : null;
    const reported = value === null ? null : reportable(k, motion, value);
    // How far short of the plan line it stands: a milestone that will be reached on time is on
    // plan, one that never is slips as its span goes by; a stay-above or stay-below KR on the wrong side of its line is at risk at once.
    const shortfall =
      k.type === "milestone"
        ? achieved || motion.achievedAt !== undefined
          ? 0
          : f - 0.25
        : k.type === "stayAbove"
          ? (reported ?? t) >= t
            ? 0
            : 0.5
          : k.type === "stayBelow"
            ? (reported ?? t) <= t
              ? 0
              : 0.5
            : reported === null || k.type === "baseline" || t === s
              ? null
              : f - (reported - s) / (t - s);
    const confidence = confidenceOf(shortfall, status, jitter);
    const note =
      i === 0 && k.type !== "milestone"
        ? "First reading of the period."
        : rand() < 0.22
          ? NOTES[Math.floor(rand() * NOTES.length)]!
          : "";
    rows.push({
      at: new Date(at).toISOString(),
      ...(reported !== null && { value: reported }),
      ...(achieved !== null && { achieved }),
      ...(status && { status }),
      confidence,
      ...(note && { note }),
      by,
    });
  }
  return rows;
}

type Raw = Record<string, unknown>;
const extension = (node: unknown): Raw => ((node as Raw | undefined)?.["x-demo"] as Raw | undefined) ?? {};

/**
 * The demo file as of `nowMs`: its relative periods as they stand, and the history its
 * `x-demo` keys describe written out as check-ins, plans, readings, closings and creation
 * dates. Throws when the file does not follow the format (a bug in the file, not the caller's).
 */
export function demoFile(nowMs: number, text = readFileSync(DEMO_FILE, "utf8")): OkrFile {
  const raw = parse(text) as Raw;
  const today = ISO_DAY(nowMs);
  const rand = seededRandom(Math.floor(nowMs / 60_000) ^ 0x0c7a);
  const boxOf = (name: string | number): Box => {
    const dates = periodDatesOfName(resolvePeriodName(nameOf(name), today));
    if (!dates) throw new Error(`demo file: the period "${name}" has no dates`);
    return { startMs: Date.parse(`${dates.start}T00:00:00Z`), endMs: Date.parse(`${dates.end}T00:00:00Z`) + DAY_MS };
  };
  // Last quarter was closed in its first working days after the end.
  const closedAt = (box: Box) => new Date(Math.min(nowMs, box.endMs + 2 * DAY_MS + 15 * HOUR_MS)).toISOString();

  for (const p of (raw.periods as Raw[] | undefined) ?? []) {
    if (extension(p).closed === true) p.closed = closedAt(boxOf(p.name as string));
  }
  let ordinal = 0;
  for (const o of (raw.objectives as Raw[] | undefined) ?? []) {
    const box = boxOf((o.period ?? raw.period) as string);
    const owners = (o.owners as string[] | undefined) ?? [];
    // Set at the start of its period, as a team does at planning time.
    o.created = new Date(Math.min(box.startMs, nowMs)).toISOString();
    if (o.state === "closed") o.closing = { ...(o.closing as Raw), at: closedAt(box), by: owners[0] };
    for (const k of (o.keyResults as Raw[] | undefined) ?? []) {
      ordinal++;
      const kr = k as unknown as KeyResultFile;
      const motion = extension(k) as Motion;
      const span = motion.span ? boxOf(motion.span) : box;
      if (motion.span) {
        k.startDate = ISO_DAY(span.startMs);
        k.endDate = ISO_DAY(span.endMs - DAY_MS);
      }
      if (motion.phased && kr.start !== undefined && kr.target !== undefined) {
        // Slow first quarter, faster second, then straight on to the target.
        const start = new Date(span.startMs);
        k.plan = [
          [3, 0.1],
          [6, 0.4],
        ].map(([months, share]) => ({
          date: ISO_DAY(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + months!, 1) - DAY_MS),
          value: reportable(kr, motion, Number(kr.start) + (Number(kr.target) - Number(kr.start)) * share!),
        }));
      }
      if (kr.rollup || o.state === "draft") continue;
      const by = (kr.owners ?? owners)[0] ?? owners[0]!;
      const checkIns = history(kr, motion, span, nowMs, ordinal, by, rand);
      if (checkIns.length) k.checkIns = checkIns;
    }
  }
  // KPIs with a weekly reading since the start of the year (a mean-reverting walk).
  const year = boxOf("this year");
  for (const k of (raw.kpis as Raw[] | undefined) ?? []) {
    const { centre, drift } = extension(k) as { centre: number; drift: number };
    let v = centre;
    k.values = weeklyMoments(year.startMs, nowMs, 1, rand).map((at) => {
      v += (centre - v) * 0.3 + (rand() - 0.5) * 2 * drift;
      return { at: new Date(at).toISOString(), value: v.toFixed(k.unit === "percent" ? 3 : 0) };
    });
  }

  const file = OkrFileSchema.parse(withoutExtensions(raw));
  const problems = okrFileProblems(file);
  if (problems.length) throw new Error(`demo file: ${problems.join("; ")}`);
  return file;
}

/**
 * Loads the demo workspace of Fernhill into the actor's organisation by applying the demo
 * file (`demoFile`) as `okra apply` would: 24 people under a CEO, seven teams (Engineering
 * with Platform and Mobile), this year and its quarters, about 40 objectives on three aligned
 * levels with about 120 key results of every type, weekly check-ins up to `nowMs`,
 * initiatives, KPIs, and last quarter closed with scores.
 *
 * One write transaction (all or nothing). When the organisation already holds an objective it
 * changes nothing and returns `loaded: false`. The admin `actor` stays as it is; periods,
 * people and teams with the same names are reused.
 */
export async function loadDemo(
  database: Database,
  actor: Actor,
  nowMs: number,
): Promise<{ loaded: boolean; summary: string }> {
  const svc: Services = { database, now: () => nowMs, emit: () => {} };
  const file = demoFile(nowMs);
  // Its history reads as its people made it, when they did, not as the admin's doing at load time.
  const result = await applyOkrFile(svc, actor, file, { onlyIntoEmpty: true, asAuthored: true });
  if (!result.applied) return { loaded: false, summary: "the workspace already holds objectives" };
  // The organisation takes the demo company's name unless its operator named it (OKRA_ORG_NAME).
  const org = await read(svc, actor, async ({ org }) => org);
  if (org.name === DEFAULT_ORGANIZATION_NAME) await updateSettings(svc, actor, { name: DEMO_ORGANIZATION_NAME });
  const objectives = file.objectives ?? [];
  const keyResults = objectives.flatMap((o) => o.keyResults ?? []);
  const checkIns = keyResults.flatMap((k) => k.checkIns ?? []).length;
  const n = (x: number) => x.toLocaleString("en-US");
  return {
    loaded: true,
    summary: `${file.teams?.length ?? 0} teams, ${(file.people?.length ?? 0) + 1} people, ${objectives.length} objectives, ${n(keyResults.length)} key results, ${n(checkIns)} check-ins`,
  };
}
