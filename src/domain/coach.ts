/**
 * The coach (okr-method.md §8): quality checks with stable ids over a set of OKRs.
 * The same pure code runs in the browser as people type, on the server, in `okra lint`
 * and in reports, so it never throws on half-finished input.
 */
import { addDays, DAY_MS, dayStartMs, isIsoDate, isValidTimeZone } from "./periods.js";
import { roundScore } from "./scoring.js";
import { graceEndMs, graceStartMs } from "./status.js";
import type { KrType, Level, MethodSettings, Span } from "./types.js";
import { KR_TYPE_WORDS } from "./words.js";

/** `error` blocks publishing an OKR set, `warn` advises, `info` suggests. */
export type Severity = "error" | "warn" | "info";

/** The principle a check serves; `outcomes` stands for "outcomes over output". */
export type Principle = "focus" | "measurability" | "ownership" | "alignment" | "outcomes";

/** One quality check: its stable id, how serious it is, and why it exists. */
export interface CoachCheck {
  id: string;
  severity: Severity;
  /** What the check is called where people read it (never the id). */
  name: string;
  principle: Principle;
  /** The reason behind the check, naming its principle first. */
  reason: string;
}

/** All 18 checks of §8, in the rulebook table's order. */
export const COACH_CHECKS: readonly CoachCheck[] = [
  {
    id: "kr-measurable",
    name: "Not measurable yet",
    severity: "error",
    principle: "measurability",
    reason:
      "Measurability: a key result is only a key result if anyone can tell, from numbers, how far it has come; that takes a start and a target.",
  },
  {
    id: "kr-owner",
    name: "Key result without an owner",
    severity: "warn",
    principle: "ownership",
    reason:
      "Ownership: a key result that belongs to nobody is updated by nobody; one named person should answer for it.",
  },
  {
    id: "objective-owner",
    name: "Objective without an owner",
    severity: "error",
    principle: "ownership",
    reason: "Ownership: an objective needs someone who steers it, reports on it and closes it.",
  },
  {
    id: "objective-period",
    name: "Objective without a period",
    severity: "error",
    principle: "focus",
    reason: "Focus: OKRs are time-boxed; without a period there is no deadline to plan against and nothing to score.",
  },
  {
    id: "kr-count",
    name: "Too few or too many key results",
    severity: "warn",
    principle: "focus",
    reason:
      "Focus: three to five key results describe success from enough angles; a single one is easy to game, a long list spreads attention thin.",
  },
  {
    id: "objective-count",
    name: "Too many objectives for one person",
    severity: "warn",
    principle: "focus",
    reason:
      "Focus: a person can truly pursue three to five objectives in one period; beyond that, everything gets a little.",
  },
  {
    id: "initiative-count",
    name: "Many initiatives",
    severity: "info",
    principle: "focus",
    reason:
      "Focus: many initiatives under one objective split the effort; back the few bets most likely to move the numbers.",
  },
  {
    id: "objective-numeric",
    name: "A number in the objective",
    severity: "info",
    principle: "outcomes",
    reason:
      "Outcomes over output: the objective names the destination in words; numbers belong in the key results that measure the way there.",
  },
  {
    id: "kr-task-like",
    name: "Reads like a task",
    severity: "warn",
    principle: "outcomes",
    reason:
      "Outcomes over output: finishing a piece of work is not the goal; a key result measures the change that work is meant to cause.",
  },
  {
    id: "kr-baseline",
    name: "Start value not confirmed",
    severity: "warn",
    principle: "measurability",
    reason:
      "Measurability: progress is counted from the start value, so a guessed baseline makes every percentage a guess.",
  },
  {
    id: "objective-too-long",
    name: "Long objective title",
    severity: "info",
    principle: "focus",
    reason:
      "Focus: an objective people can repeat from memory guides their choices; a long one is skimmed and forgotten.",
  },
  {
    id: "unaligned",
    name: "Not aligned",
    severity: "warn",
    principle: "alignment",
    reason:
      "Alignment: a team or personal objective should show which higher objective or key result it moves, so effort adds up.",
  },
  {
    id: "period-mismatch",
    name: "Dates outside the period",
    severity: "warn",
    principle: "focus",
    reason:
      "Focus: a key result is judged within its objective's period; dates outside it make status and scoring misleading.",
  },
  {
    id: "stale",
    name: "No recent check-in",
    severity: "warn",
    principle: "ownership",
    reason: "Ownership: regular check-ins keep status honest and bring problems up while there is still time to act.",
  },
  {
    id: "too-safe",
    name: "Maybe too safe",
    severity: "info",
    principle: "outcomes",
    reason:
      "Outcomes over output: aspirational OKRs are meant to stretch, with about 0.7 counting as success; scores near 1.0 again and again suggest targets set within easy reach.",
  },
  {
    id: "no-progress",
    name: "No progress yet",
    severity: "warn",
    principle: "outcomes",
    reason:
      "Outcomes over output: half the period has gone by without a measured result; better to face that now than at closing.",
  },
  {
    id: "no-check-in",
    name: "No check-in yet",
    severity: "warn",
    principle: "ownership",
    reason: "Ownership: the first check-in shows someone has picked the key result up and knows where it stands.",
  },
  {
    id: "duplicate",
    name: "Looks like a duplicate",
    severity: "info",
    principle: "alignment",
    reason:
      "Alignment: two near-identical objectives in one period usually mean two groups chasing the same thing separately.",
  },
];

const CHECKS_BY_ID: ReadonlyMap<string, CoachCheck> = new Map(COACH_CHECKS.map((c) => [c.id, c]));

/** A key result as the coach sees it. */
export interface CoachKeyResult {
  id: string;
  title: string;
  type: KrType;
  start: number | null;
  target: number | null;
  ownerIds: readonly string[];
  baselineConfirmed: boolean;
  /** The KR's own dates (ISO `YYYY-MM-DD`); null means "the objective's period". */
  startDate: string | null;
  endDate: string | null;
  /** Earliest and latest check-in instants, or null when there is none. */
  firstCheckInMs: number | null;
  lastCheckInMs: number | null;
  /** When it was created (epoch ms): `no-check-in` counts from the later of this and the start. */
  createdMs?: number | null;
}

/** An objective as the coach sees it, with its key results. */
export interface CoachObjective {
  id: string;
  title: string;
  level: Level;
  ownerIds: readonly string[];
  periodId: string | null;
  /** The period's span, or null. */
  span: Span | null;
  periodStartDate: string | null;
  periodEndDate: string | null;
  committed: boolean;
  state: "draft" | "active" | "closed";
  score: number | null;
  progress: number;
  aligned: boolean;
  initiativeCount: number;
  keyResults: readonly CoachKeyResult[];
  /** When it was created (epoch ms): one created in the second half of its period is not flagged `no-progress`. */
  createdMs?: number | null;
}

/** The set of OKRs to check and the moment to check them at. */
export interface CoachInput {
  objectives: readonly CoachObjective[];
  nowMs: number;
  settings: MethodSettings;
  /** For too-safe's second rule: per owner, the average objective score of each earlier closed period, most recent last. */
  ownerScoreHistory?: ReadonlyMap<string, readonly number[]>;
  /**
   * When `objectives` are only part of their periods (a page in view): for each of them that
   * has one, the title of the first earlier objective of its period it is near-identical to
   * (`duplicate`'s answer as a whole run finds it, which the caller looks up in the period's
   * title index). The per-person findings, which need the whole period, are then left out.
   */
  twins?: ReadonlyMap<string, string>;
}

/** One thing the coach found, on one objective, key result or person. */
export interface Finding {
  checkId: string;
  severity: Severity;
  objectType: "objective" | "keyResult" | "user";
  objectId: string;
  message: string;
  reason: string;
}

/**
 * Activity verbs that make a key result read like a task, in their base form.
 * Matched as whole words anywhere in the title, so "Ship the offline mode" and "We will
 * launch the portal" are caught while "Releases shipped on time" is not.
 */
const ACTIVITY_VERBS = [
  "write",
  "launch",
  "hold",
  "build",
  "send",
  "create",
  "implement",
  "publish",
  "organize",
  "organise",
  "run",
  "complete",
  "deliver",
  "ship",
  "deploy",
  "develop",
  "conduct",
  "host",
  "set up",
  "roll out",
  "migrate",
  "introduce",
  "install",
  "integrate",
  "redesign",
  "rebuild",
  "refactor",
  "prepare",
  "finish",
  "attend",
];

// An activity reads as an imperative: the verb opens the title ("Write 12 guides") or follows
// "will"/"to" ("We will launch…"). A verb mid-title is usually a noun or a result
// ("Design reviews completed", "Releases shipped") and is left alone.
const ACTIVITY_RE = new RegExp(
  `(?:^\\s*|\\b(?:will|to)\\s+)(${ACTIVITY_VERBS.map((v) => v.replace(" ", "\\s+")).join("|")})\\b`,
  "i",
);

/** The first activity verb in a title, lower-cased, or null. */
function activityVerb(title: string): string | null {
  const m = ACTIVITY_RE.exec(title);
  return m ? m[1]!.toLowerCase().replace(/\s+/g, " ") : null;
}

/** A title in quotes for a message, shortened when it would swamp the sentence. */
function quote(title: string): string {
  const t = title.trim();
  const chars = [...t];
  return `"${chars.length > 80 ? `${chars.slice(0, 77).join("")}…` : t}"`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function days(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

/**
 * A title reduced for comparison: lower case, accents dropped, apostrophes and hyphens
 * removed ("e-mail" = "email"), other punctuation turned into spaces, runs of spaces collapsed.
 */
export function normaliseTitle(title: string): string {
  return title
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/['’\u2010-\u2015-]/g, "")
    .replace(/[^\p{L}\p{N}\s]/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/**
 * Whether the edit distance (Levenshtein) of `a` and `b` is at most `max`. Only the band
 * |i − j| ≤ max of the table can hold such a distance, so only that band is computed, and
 * the scan stops as soon as a whole row exceeds `max`.
 */
function withinEditDistance(a: string, b: string, max: number): boolean {
  const m = a.length;
  const n = b.length;
  if (Math.abs(m - n) > max) return false;
  if (max === 0) return a === b;
  const beyond = max + 1;
  let prev = new Int32Array(n + 1).fill(beyond);
  let cur = new Int32Array(n + 1);
  for (let j = 0; j <= Math.min(n, max); j++) prev[j] = j;
  for (let i = 1; i <= m; i++) {
    cur.fill(beyond);
    if (i <= max) cur[0] = i;
    let rowMin = cur[0]!;
    const hi = Math.min(n, i + max);
    for (let j = Math.max(1, i - max); j <= hi; j++) {
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return false;
    [prev, cur] = [cur, prev];
  }
  return prev[n]! <= max;
}

/** A normalised title with its set of words, prepared once for comparisons. */
interface ComparableTitle {
  title: string;
  norm: string;
  words: ReadonlySet<string>;
}

function comparable(title: string): ComparableTitle {
  const norm = normaliseTitle(title);
  return { title, norm, words: new Set(norm.split(" ")) };
}

/**
 * Whether two titles are near-identical: equal once normalised, or a similarity of at
 * least 0.9 by either measure — normalised Levenshtein (1 − distance / longer length),
 * which catches typos and small wording changes, or Jaccard over the sets of words, which
 * catches the same words in another order.
 */
function nearIdentical(x: ComparableTitle, y: ComparableTitle): boolean {
  if (x.norm === y.norm) return true;
  const longer = Math.max(x.norm.length, y.norm.length);
  // 1 − d/longer ≥ 0.9  ⇔  10·d ≤ longer; integer arithmetic keeps the boundary exact.
  if (withinEditDistance(x.norm, y.norm, Math.floor(longer / 10))) return true;
  // Jaccard ≥ 0.9 ⇔ 10·shared ≥ 9·union; shared ≤ the smaller set and union ≥ the larger one.
  const [small, large] = x.words.size <= y.words.size ? [x.words, y.words] : [y.words, x.words];
  if (10 * small.size < 9 * large.size) return false;
  let shared = 0;
  for (const w of small) if (large.has(w)) shared++;
  const union = small.size + large.size - shared;
  return 10 * shared >= 9 * union;
}

/** Whether two titles are near-identical by the coach's `duplicate` rule ({@link nearIdentical}). */
export function nearIdenticalTitles(a: string, b: string): boolean {
  return nearIdentical(comparable(a), comparable(b));
}

/** Whether a title is near-identical to `title` ({@link nearIdentical}), with `title` prepared once. */
export function nearIdenticalTo(title: string): (other: string) => boolean {
  const x = comparable(title);
  return (other) => nearIdentical(x, comparable(other));
}

/** The character trigrams {@link twinsOf} compares titles by (a typo changes at most three). */
const GRAM = 3;

/**
 * The tokens {@link twinsOf} indexes a title by: its distinct words (`w word`), each
 * occurrence of each character trigram (`g1 abc`, `g2 abc` for the second…) and the whole
 * normalised title (`n title`); none for a title that normalises to nothing.
 */
interface TitleTokens {
  words: string[];
  grams: string[];
  whole: string;
}

function tokensOf(t: ComparableTitle): TitleTokens | null {
  if (t.norm === "") return null;
  const words = [...t.words].map((w) => `w ${w}`);
  const seen = new Map<string, number>();
  const grams: string[] = [];
  for (let i = 0; i + GRAM <= t.norm.length; i++) {
    const g = t.norm.slice(i, i + GRAM);
    const k = (seen.get(g) ?? 0) + 1;
    seen.set(g, k);
    grams.push(`g${k} ${g}`);
  }
  return { words, grams, whole: `n ${t.norm}` };
}

/**
 * The tokens of a title that every near-identical title shares one of (prefix filtering),
 * taking the rarest first by `rank` (any order is sound; rarer ones find fewer candidates):
 * two word sets of Jaccard ≥ 0.9 share one of each set's first `|w| − ⌈0.9·|w|⌉ + 1` words,
 * and two titles within edit distance d share at least `|grams| − 3·d` trigram occurrences,
 * hence one of each title's first `3·⌊length / 9⌋ + 1` (d is at most a tenth of the longer
 * title, which is at most 10/9 of the shorter); equal titles share the whole one.
 */
function titlePrefix(tokens: TitleTokens, rank: (a: string, b: string) => number): string[] {
  const { words, grams, whole } = tokens;
  const norm = whole.slice(2);
  return [
    ...[...words].sort(rank).slice(0, words.length - Math.ceil((9 * words.length) / 10) + 1),
    ...[...grams].sort(rank).slice(0, GRAM * Math.floor(norm.length / 9) + 1),
    whole,
  ];
}

/**
 * For each title (in order), the first earlier one it is near-identical to, or undefined:
 * the answer of comparing every pair, found without doing so. With every token occurrence of
 * all the titles ordered rarest first, two near-identical titles share a token of both their
 * prefixes ({@link titlePrefix}: the first token of one they share comes early in both). Each
 * title is compared only with the earlier titles sharing one of its prefix tokens, in order,
 * so the first match is the one a full scan would find.
 */
function twinsOf(titles: readonly ComparableTitle[]): (ComparableTitle | undefined)[] {
  const tokens = titles.map(tokensOf);
  const frequency = new Map<string, number>();
  for (const t of tokens) {
    if (!t) continue;
    for (const token of [...t.words, ...t.grams]) frequency.set(token, (frequency.get(token) ?? 0) + 1);
  }
  const rarestFirst = (a: string, b: string) => frequency.get(a)! - frequency.get(b)! || (a < b ? -1 : a > b ? 1 : 0);
  const index = new Map<string, number[]>();
  return titles.map((title, i) => {
    const t = tokens[i];
    if (!t) return undefined;
    const prefix = titlePrefix(t, rarestFirst);
    const candidates = new Set<number>();
    for (const token of prefix) for (const j of index.get(token) ?? []) candidates.add(j);
    const twin = [...candidates].sort((a, b) => a - b).find((j) => nearIdentical(titles[j]!, title));
    for (const token of prefix) {
      const list = index.get(token);
      if (list) list.push(i);
      else index.set(token, [i]);
    }
    return twin === undefined ? undefined : titles[twin];
  });
}

/** Instant at which the ISO date `date` begins, or null when the date or zone is unusable. */
function safeDayStart(date: string, timeZone: string): number | null {
  if (!isIsoDate(date) || !isValidTimeZone(timeZone)) return null;
  try {
    return dayStartMs(date, timeZone);
  } catch {
    return null;
  }
}

/**
 * The span the KR's time-based checks use: its own dates where set and valid, each end
 * falling back to the objective's period; null when neither gives a usable span.
 */
function keyResultSpan(kr: CoachKeyResult, objective: CoachObjective, timeZone: string): Span | null {
  let endMs: number | null = null;
  if (kr.endDate !== null && isIsoDate(kr.endDate)) {
    try {
      endMs = safeDayStart(addDays(kr.endDate, 1), timeZone);
    } catch {
      // The day after 9999-12-31 does not exist: fall back to the objective's end.
    }
  }
  const startMs = (kr.startDate !== null ? safeDayStart(kr.startDate, timeZone) : null) ?? objective.span?.startMs;
  endMs ??= objective.span?.endMs ?? null;
  if (startMs === undefined || endMs === null || endMs <= startMs) return objective.span;
  return { startMs, endMs };
}

type Emit = (checkId: string, objectType: Finding["objectType"], objectId: string, message: string) => void;

/** An {@link Emit} that adds each finding, with its check's severity and reason, to `out`. */
function emitTo(out: Finding[]): Emit {
  return (checkId, objectType, objectId, message) => {
    const check = CHECKS_BY_ID.get(checkId)!;
    out.push({ checkId, severity: check.severity, objectType, objectId, message, reason: check.reason });
  };
}

/** Checks on one objective itself, in table order (duplicate is handled by the caller). */
function checkObjective(o: CoachObjective, input: CoachInput, emit: Emit): void {
  const { nowMs } = input;
  const title = quote(o.title);
  if (o.ownerIds.length === 0) {
    emit("objective-owner", "objective", o.id, `${title} has no owner. Name the person or team who drives it.`);
  }
  if (o.periodId === null) {
    emit(
      "objective-period",
      "objective",
      o.id,
      `${title} is not in any period. Put it in a quarter, a year or a custom period so it has a deadline.`,
    );
  }
  const krCount = o.keyResults.length;
  if (krCount < 2) {
    emit(
      "kr-count",
      "objective",
      o.id,
      `${title} has ${plural(krCount, "key result")}. Add key results until 3 to 5 together show what success looks like (2 is the minimum).`,
    );
  } else if (krCount > 5) {
    emit(
      "kr-count",
      "objective",
      o.id,
      `${title} has ${krCount} key results. Keep the 3 to 5 that matter most and drop or move the other ${krCount - 5}.`,
    );
  }
  if (o.initiativeCount > 5) {
    emit(
      "initiative-count",
      "objective",
      o.id,
      `${title} has ${o.initiativeCount} initiatives. Keep the 5 or fewer you believe will move its key results most.`,
    );
  }
  // A figure stands on its own: digits inside a word or a name (e2e, B2B, Q3, IPv6) are not one.
  const figure = /(?<![\p{L}\d.,])\d+(?:[.,]\d+)*\s*%?|%/u.exec(o.title);
  if (figure) {
    emit(
      "objective-numeric",
      "objective",
      o.id,
      `${title} contains "${figure[0].trim()}". A figure in an objective is often a key result in disguise: state the ambition in words and move the number into a key result.`,
    );
  }
  const length = [...o.title.trim()].length;
  if (length > 120) {
    emit(
      "objective-too-long",
      "objective",
      o.id,
      `The objective title is ${length} characters long (${title}). Cut it to 120 or fewer; put detail in the description.`,
    );
  }
  if ((o.level === "team" || o.level === "individual") && !o.aligned) {
    emit(
      "unaligned",
      "objective",
      o.id,
      `${title} is ${o.level === "team" ? "a team" : "an individual"} objective that aligns to nothing. Link it to the higher objective or key result it moves.`,
    );
  }
  // Drafts have not started running, so time-based checks wait until they are active.
  if (o.state === "active" && o.span !== null && o.span.endMs > o.span.startMs) {
    const halfway = o.span.startMs + (o.span.endMs - o.span.startMs) / 2;
    const lateAddition =
      o.createdMs !== null && o.createdMs !== undefined && o.createdMs >= halfway && o.createdMs <= nowMs;
    if (nowMs >= halfway && o.progress <= 0 && !lateAddition) {
      const elapsed = Math.min(100, Math.round(((nowMs - o.span.startMs) / (o.span.endMs - o.span.startMs)) * 100));
      emit(
        "no-progress",
        "objective",
        o.id,
        `${title} is ${elapsed} % of the way through its period with progress still at 0 %. Check in on its key results, or rethink the plan while there is time.`,
      );
    }
  }
}

/** Checks on one key result, in table order. */
function checkKeyResult(kr: CoachKeyResult, o: CoachObjective, input: CoachInput, emit: Emit): void {
  const { nowMs, settings } = input;
  const title = quote(kr.title);
  const hasStart = kr.start !== null && Number.isFinite(kr.start);
  const hasTarget = kr.target !== null && Number.isFinite(kr.target);
  const fromTo = kr.type === "increase" || kr.type === "decrease";
  const control = kr.type === "stayAbove" || kr.type === "stayBelow";

  const missing: string[] = [];
  if (fromTo && !hasStart) missing.push("a start value");
  if ((fromTo || control) && !hasTarget) missing.push("a target");
  if (missing.length > 0) {
    emit(
      "kr-measurable",
      "keyResult",
      kr.id,
      `${title} is a "${KR_TYPE_WORDS[kr.type]}" key result without ${missing.join(" or ")}. Enter ${missing.length > 1 ? "both" : "it"} so its progress can be measured.`,
    );
  }
  if (kr.ownerIds.length === 0) {
    emit("kr-owner", "keyResult", kr.id, `${title} has no owner. Name the person who checks in on it.`);
  }
  if (kr.type === "milestone") {
    emit(
      "kr-task-like",
      "keyResult",
      kr.id,
      `${title} is a milestone, done or not done, which usually means a task. Measure the result it is meant to bring instead (and list the work as an initiative).`,
    );
  } else {
    const verb = activityVerb(kr.title);
    if (verb !== null) {
      emit(
        "kr-task-like",
        "keyResult",
        kr.id,
        `${title} reads like an activity ("${verb}"). Say what should change once it is done, as a number that moves, and keep the activity as an initiative.`,
      );
    }
  }
  // Without any start value kr-measurable already speaks; a second finding would add nothing.
  if (fromTo && hasStart && !kr.baselineConfirmed) {
    emit(
      "kr-baseline",
      "keyResult",
      kr.id,
      `The start value ${kr.start} of ${title} was never confirmed. Measure where it stands today and confirm the baseline.`,
    );
  }
  if (o.periodStartDate !== null && o.periodEndDate !== null) {
    const ps = o.periodStartDate;
    const pe = o.periodEndDate;
    const outside = [kr.startDate, kr.endDate].filter((d): d is string => d !== null && (d < ps || d > pe));
    if (outside.length > 0) {
      emit(
        "period-mismatch",
        "keyResult",
        kr.id,
        `${title} has ${outside.length > 1 ? "dates" : "a date"} (${outside.join(", ")}) outside its objective's period ${ps} – ${pe}. Move ${outside.length > 1 ? "them" : "it"} inside the period, or move the key result to a period that fits.`,
      );
    }
  }

  // Time-based checks: only on running objectives (drafts have not started, closed ones are done).
  if (o.state !== "active") return;
  const span = keyResultSpan(kr, o, settings.timeZone);
  if (span === null) return;
  const checkedIn = kr.firstCheckInMs !== null && kr.firstCheckInMs <= nowMs;
  if (
    checkedIn &&
    kr.lastCheckInMs !== null &&
    nowMs >= span.startMs &&
    nowMs < span.endMs &&
    nowMs - kr.lastCheckInMs > settings.cadenceDays * DAY_MS
  ) {
    emit(
      "stale",
      "keyResult",
      kr.id,
      `${title} was last checked in ${plural(days(nowMs - kr.lastCheckInMs), "day")} ago; the cadence is every ${plural(settings.cadenceDays, "day")}. Record where it stands now.`,
    );
  }
  if (!checkedIn && nowMs >= graceEndMs(span, kr.createdMs, nowMs, settings)) {
    const since = graceStartMs(span, kr.createdMs, nowMs);
    const added = since !== span.startMs;
    emit(
      "no-check-in",
      "keyResult",
      kr.id,
      `${title} has had no check-in in the ${plural(days(nowMs - since), "day")} since it ${added ? "was added" : "started"}. Record its current value so status and forecast have something to go on.`,
    );
  }
}

/**
 * Runs every check of {@link COACH_CHECKS} over the objectives at `input.nowMs`.
 *
 * Order (deterministic): objectives in input order, each with its own findings in table
 * order followed by its KRs' findings (KRs in input order, each in table order); then the
 * per-person findings — `objective-count` by first appearance of owner and period, then
 * `too-safe` in `ownerScoreHistory` order. With `twins` (a part of the period), the
 * findings of the objectives given are those a run over the whole period gives them, and no
 * per-person finding is made.
 *
 * Scope decisions:
 * - A closed objective is finished and read-only: only `too-safe` looks at it, and it is
 *   neither counted for `objective-count` nor compared for `duplicate`.
 * - Drafts get every structural check (that is when fixing is cheapest) but no time-based
 *   one (`stale`, `no-progress`, `no-check-in`).
 * - A KR's time-based checks use its own dates when set (resolved in `settings.timeZone`),
 *   else the objective's period. `stale` applies only while now is inside that span and
 *   only to KRs with a check-in; a KR that never had one gets `no-check-in` instead.
 *   `no-check-in` and `no-progress` keep applying after the span has ended, until the
 *   objective is closed.
 * - `no-progress` fires from the exact midpoint of the span on.
 * - `duplicate` compares objectives with the same non-null `periodId` and flags the later
 *   one in input order, naming the first earlier objective it matches.
 *
 * Never throws.
 */
export function runCoach(input: CoachInput): Finding[] {
  const { byObjective, people } = coachFindings(input);
  return [...byObjective.flat(), ...people];
}

/** What an owner's `objective-count` finding reads of their objectives. */
export type CoachOwned = Pick<CoachObjective, "periodId" | "ownerIds" | "periodStartDate" | "periodEndDate"> & {
  state: string;
};

/**
 * `duplicate` over whole periods: for each objective compared (open ones with a period and a
 * title), in input order, the title of the first earlier one of its period it is near-identical to.
 */
export function earlierTwinTitles(
  objectives: readonly { id: string; title: string; state: string; periodId: string | null }[],
): Map<string, string> {
  const compared = new Map<string, { id: string; title: ComparableTitle }[]>();
  for (const o of objectives) {
    if (o.state === "closed" || o.periodId === null) continue;
    const title = comparable(o.title);
    if (title.norm === "") continue;
    const list = compared.get(o.periodId);
    if (list) list.push({ id: o.id, title });
    else compared.set(o.periodId, [{ id: o.id, title }]);
  }
  const twinOf = new Map<string, string>();
  for (const list of compared.values()) {
    for (const [k, twin] of twinsOf(list.map((x) => x.title)).entries()) if (twin) twinOf.set(list[k]!.id, twin.title);
  }
  return twinOf;
}

/**
 * The coach's findings in the order of a whole run: for each objective of the input (in
 * order), its own findings and its key results'; then, unless `twins` says the
 * objectives are only part of their periods, the findings about people.
 */
export function coachFindings(input: CoachInput): { byObjective: Finding[][]; people: Finding[] } {
  const part = input.twins;
  const twinOf = part ?? earlierTwinTitles(input.objectives);
  const byObjective = input.objectives.map((o) => {
    const findings: Finding[] = [];
    const emit = emitTo(findings);
    if (o.state === "closed") {
      if (!o.committed && o.score !== null && roundScore(o.score) > 0.8) {
        emit(
          "too-safe",
          "objective",
          o.id,
          `${quote(o.title)} was aspirational and closed at ${roundScore(o.score).toFixed(1)}, above 0.8. Next period, set a target you are only about 70 % sure to reach.`,
        );
      }
      return findings;
    }

    checkObjective(o, input, emit);

    const twin = twinOf.get(o.id);
    if (twin !== undefined) {
      emit(
        "duplicate",
        "objective",
        o.id,
        `${quote(o.title)} is nearly the same as ${quote(twin)} in the same period. Merge the two, or align one under the other if they really differ.`,
      );
    }

    for (const kr of o.keyResults) checkKeyResult(kr, o, input, emit);
    return findings;
  });
  return { byObjective, people: part ? [] : coachPeopleFindings(input.objectives, input.ownerScoreHistory) };
}

/**
 * The findings about people: an owner of more than five open objectives in a period, and an
 * owner whose last two closed periods both averaged 0.9 or more. They need every objective of
 * the periods checked (`objectives`, in the order of a whole run) and the owners' history.
 */
export function coachPeopleFindings(
  objectives: readonly CoachOwned[],
  ownerScoreHistory: ReadonlyMap<string, readonly number[]> | undefined,
): Finding[] {
  const findings: Finding[] = [];
  const emit = emitTo(findings);
  const perOwnerPeriod = new Map<string, { ownerId: string; period: string; count: number }>();
  for (const o of objectives) {
    if (o.state === "closed" || o.periodId === null) continue;
    for (const ownerId of new Set(o.ownerIds)) {
      const key = JSON.stringify([ownerId, o.periodId]);
      const period =
        o.periodStartDate !== null && o.periodEndDate !== null
          ? `${o.periodStartDate} – ${o.periodEndDate}`
          : `"${o.periodId}"`;
      const entry = perOwnerPeriod.get(key) ?? { ownerId, period, count: 0 };
      entry.count++;
      perOwnerPeriod.set(key, entry);
    }
  }
  for (const { ownerId, period, count } of perOwnerPeriod.values()) {
    if (count > 5) {
      emit(
        "objective-count",
        "user",
        ownerId,
        `This person owns ${count} open objectives in the period ${period}. Choose the 3 to 5 that matter most and postpone, hand over or drop the other ${count - 5}.`,
      );
    }
  }

  for (const [ownerId, history] of ownerScoreHistory ?? []) {
    const lastTwo = history.slice(-2);
    // Averages carry binary noise (2.7 / 3); compare on 6 decimals like status does.
    if (lastTwo.length === 2 && lastTwo.every((s) => Math.round(s * 1e6) / 1e6 >= 0.9)) {
      emit(
        "too-safe",
        "user",
        ownerId,
        `This person's OKRs averaged ${lastTwo.map((s) => s.toFixed(2)).join(" and then ")} over the last two closed periods, at or above 0.9 both times. Set targets that stretch further; about 0.7 is success.`,
      );
    }
  }
  return findings;
}

/** "a", "a and b", "a, b and c". */
function naturalList(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? "";
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

/**
 * A title fitted into the middle of a sentence: trimmed, closing punctuation dropped,
 * and a capitalised first word lower-cased ("Delight" → "delight"). Words that are all
 * capitals or carry inner capitals ("NPS", "iOS", "McKinsey") are left alone; a proper
 * noun in first place ("Berlin") cannot be told apart and is lower-cased too.
 */
function inSentence(title: string): string {
  const t = title.trim().replace(/[.!;:\s]+$/u, "");
  // An ordinary capitalised word ("Delight", "Churn") or the article "A"; not "I", "A/B" or "NPS".
  const ordinary = /^(?:\p{Lu}\p{Ll}+(?![\p{L}\p{N}])|A(?=\s))/u.test(t);
  return ordinary ? t.charAt(0).toLowerCase() + t.slice(1) : t;
}

/**
 * The objective's one-line summary: "I will <objective> as measured by <key results> via
 * <initiatives>." Lists are joined with commas and a final "and"; a part with nothing in it
 * (no key results, no initiatives) is left out, and blank titles are skipped. A title that
 * already opens with "I will" is not doubled.
 */
export function okrSentence(
  objectiveTitle: string,
  keyResultTitles: readonly string[],
  initiativeTitles: readonly string[],
): string {
  const krs = keyResultTitles.map(inSentence).filter((t) => t !== "");
  const initiatives = initiativeTitles.map(inSentence).filter((t) => t !== "");
  let sentence = `I will ${inSentence(objectiveTitle.trim().replace(/^i will\s+/i, ""))}`;
  if (krs.length > 0) sentence += ` as measured by ${naturalList(krs)}`;
  if (initiatives.length > 0) sentence += ` via ${naturalList(initiatives)}`;
  return `${sentence}.`;
}
