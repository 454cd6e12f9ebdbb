/**
 * The coach (okr-method.md §8): quality checks with stable ids, run the same way in the
 * browser as people type, on the server, in `okra lint` and in reports.
 */
import { DAY_MS } from "./periods.js";
import type { KrType, Level, MethodSettings, Span } from "./types.js";

export type Severity = "error" | "warn" | "info";
export type Principle = "focus" | "measurability" | "ownership" | "alignment" | "outcomes";

export interface CoachCheck {
  id: string;
  severity: Severity;
  principle: Principle;
  /** Why the check exists, in plain words. */
  reason: string;
}

/** Every check, in the rulebook's order. */
export const COACH_CHECKS: readonly CoachCheck[] = [
  {
    id: "kr-measurable",
    severity: "error",
    principle: "measurability",
    reason: "Measurability: without a starting point and a target nobody can tell whether the key result moved.",
  },
  {
    id: "kr-owner",
    severity: "warn",
    principle: "ownership",
    reason: "Ownership: a key result with nobody answering for it tends to drift.",
  },
  {
    id: "objective-owner",
    severity: "error",
    principle: "ownership",
    reason: "Ownership: every objective needs someone who drives it and reports on it.",
  },
  {
    id: "objective-period",
    severity: "error",
    principle: "focus",
    reason: "Focus: an objective without a time box has no deadline to plan against.",
  },
  {
    id: "kr-count",
    severity: "warn",
    principle: "focus",
    reason: "Focus: three to five key results describe success well; one is fragile, many dilute attention.",
  },
  {
    id: "objective-count",
    severity: "warn",
    principle: "focus",
    reason: "Focus: three to five objectives per owner and period is what people can really pursue.",
  },
  {
    id: "initiative-count",
    severity: "info",
    principle: "focus",
    reason: "Focus: a long list of initiatives under one objective spreads the effort thin.",
  },
  {
    id: "objective-numeric",
    severity: "info",
    principle: "outcomes",
    reason: "Outcomes: numbers belong in key results; the objective says where to go and why it matters.",
  },
  {
    id: "kr-task-like",
    severity: "warn",
    principle: "outcomes",
    reason: "Outcomes over output: a key result measures the change work causes, not the work itself.",
  },
  {
    id: "kr-baseline",
    severity: "warn",
    principle: "measurability",
    reason: "Measurability: progress is only meaningful from a confirmed starting value.",
  },
  {
    id: "objective-too-long",
    severity: "info",
    principle: "focus",
    reason: "Focus: a short objective is remembered and repeated; a long one is skimmed.",
  },
  {
    id: "unaligned",
    severity: "warn",
    principle: "alignment",
    reason: "Alignment: linking to a higher objective shows how the work serves the strategy.",
  },
  {
    id: "period-mismatch",
    severity: "warn",
    principle: "focus",
    reason: "Focus: a key result should be achievable within its objective's period.",
  },
  {
    id: "stale",
    severity: "warn",
    principle: "ownership",
    reason: "Ownership: regular check-ins keep the picture honest and surface problems early.",
  },
  {
    id: "too-safe",
    severity: "info",
    principle: "outcomes",
    reason:
      "Outcomes: aspirational OKRs should stretch; about 0.7 is success, so very high scores suggest targets set too low.",
  },
  {
    id: "no-progress",
    severity: "warn",
    principle: "outcomes",
    reason: "Outcomes: half the period has passed without any measured progress.",
  },
  {
    id: "no-check-in",
    severity: "warn",
    principle: "ownership",
    reason: "Ownership: the first check-in confirms the key result is being worked on.",
  },
  {
    id: "duplicate",
    severity: "info",
    principle: "alignment",
    reason:
      "Alignment: two near-identical objectives in one period usually mean duplicated effort; align one under the other or merge them.",
  },
];

const CHECK = new Map(COACH_CHECKS.map((c) => [c.id, c]));

export interface CoachKeyResult {
  id: string;
  title: string;
  type: KrType;
  start: number | null;
  target: number | null;
  ownerIds: readonly string[];
  baselineConfirmed: boolean;
  startDate: string | null;
  endDate: string | null;
  firstCheckInMs: number | null;
  lastCheckInMs: number | null;
}

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
}

export interface CoachInput {
  objectives: readonly CoachObjective[];
  nowMs: number;
  settings: MethodSettings;
  /** For too-safe's second rule: per owner, the average objective score of each earlier closed period, most recent last. */
  ownerScoreHistory?: ReadonlyMap<string, readonly number[]>;
}

export interface Finding {
  checkId: string;
  severity: Severity;
  objectType: "objective" | "keyResult" | "user";
  objectId: string;
  message: string;
  reason: string;
}

/** Activity verbs that make a key result read like a task. */
const TASK_VERBS = [
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
  "draft",
  "prepare",
  "roll out",
  "introduce",
  "migrate",
  "finish",
  "attend",
  "install",
  "integrate",
  "redesign",
  "rebuild",
  "refactor",
];
// An activity reads as an imperative: the verb opens the title ("Write 12 guides") or follows "will" or "to".
const TASK_RE = new RegExp(
  `(?:^|\\b(?:will|to)\\s+)(${TASK_VERBS.map((v) => v.replace(" ", "\\s+")).join("|")})\\b`,
  "i",
);

const quote = (s: string) => `"${s.length > 80 ? `${s.slice(0, 77)}…` : s}"`;

/** Lower case, punctuation and repeated spaces removed. */
function normalise(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s]/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** 1 − Levenshtein distance / longer length. */
function similarity(a: string, b: string): number {
  if (a === b) return 1;
  const m = a.length;
  const n = b.length;
  if (!m || !n) return 0;
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const cur = [i];
    for (let j = 1; j <= n; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return 1 - prev[n]! / Math.max(m, n);
}

/**
 * Runs every check over the objectives. Deterministic order: per objective (input
 * order) its findings then its KRs', then owner-level findings, then duplicates.
 * Drafts skip the time-based checks (they have not started); closed objectives get
 * only too-safe.
 */
export function runCoach(input: CoachInput): Finding[] {
  const out: Finding[] = [];
  const add = (checkId: string, objectType: Finding["objectType"], objectId: string, message: string) => {
    const c = CHECK.get(checkId)!;
    out.push({ checkId, severity: c.severity, objectType, objectId, message, reason: c.reason });
  };
  const { nowMs, settings } = input;

  for (const o of input.objectives) {
    if (o.state === "closed") {
      if (!o.committed && o.score !== null && o.score > 0.8) {
        add(
          "too-safe",
          "objective",
          o.id,
          `${quote(o.title)} closed at ${o.score.toFixed(1)} as an aspirational OKR; next time set a bolder target.`,
        );
      }
      continue;
    }
    const live = o.state === "active" && o.span !== null && nowMs >= o.span.startMs && nowMs < o.span.endMs;
    if (o.ownerIds.length === 0)
      add(
        "objective-owner",
        "objective",
        o.id,
        `${quote(o.title)} has no owner; name the person (or people) who drive it.`,
      );
    if (!o.periodId)
      add(
        "objective-period",
        "objective",
        o.id,
        `${quote(o.title)} has no period; put it in a quarter or year so it has a deadline.`,
      );
    const n = o.keyResults.length;
    if (n < 2 || n > 5) {
      add(
        "kr-count",
        "objective",
        o.id,
        `${quote(o.title)} has ${n} key result${n === 1 ? "" : "s"}; aim for 3 to 5 (2 is tolerated).`,
      );
    }
    if (o.initiativeCount > 5) {
      add(
        "initiative-count",
        "objective",
        o.id,
        `${quote(o.title)} has ${o.initiativeCount} initiatives; pick the few that move the key results most.`,
      );
    }
    if (/[\d%]/.test(o.title)) {
      add(
        "objective-numeric",
        "objective",
        o.id,
        `${quote(o.title)} contains a number; it may be a key result in disguise — move the figure into a key result.`,
      );
    }
    if (o.title.length > 120) {
      add(
        "objective-too-long",
        "objective",
        o.id,
        `The objective title is ${o.title.length} characters long; shorten it to under 120 so people remember it.`,
      );
    }
    if ((o.level === "team" || o.level === "individual") && !o.aligned) {
      add(
        "unaligned",
        "objective",
        o.id,
        `${quote(o.title)} is a ${o.level} objective aligned to nothing; link it to the objective or key result it serves.`,
      );
    }
    if (live && o.span && nowMs >= o.span.startMs + (o.span.endMs - o.span.startMs) / 2 && o.progress === 0) {
      add(
        "no-progress",
        "objective",
        o.id,
        `${quote(o.title)} is past the middle of its period with no progress yet; check whether it is still the right goal.`,
      );
    }

    for (const k of o.keyResults) {
      const needsStart = k.type === "increase" || k.type === "decrease";
      const needsTarget = needsStart || k.type === "stayAbove" || k.type === "stayBelow";
      const missing = [
        needsStart && k.start === null ? "a start value" : null,
        needsTarget && k.target === null ? "a target" : null,
      ].filter(Boolean);
      if (missing.length) {
        add(
          "kr-measurable",
          "keyResult",
          k.id,
          `${quote(k.title)} lacks ${missing.join(" and ")}; a ${k.type} key result cannot be measured without ${missing.length > 1 ? "them" : "it"}.`,
        );
      }
      if (k.ownerIds.length === 0)
        add("kr-owner", "keyResult", k.id, `${quote(k.title)} has no owner; name who checks in on it.`);
      if (k.type === "milestone") {
        add(
          "kr-task-like",
          "keyResult",
          k.id,
          `${quote(k.title)} is a milestone, which is usually a task; measure the result it should bring instead.`,
        );
      } else {
        const verb = TASK_RE.exec(k.title);
        if (verb) {
          add(
            "kr-task-like",
            "keyResult",
            k.id,
            `${quote(k.title)} reads like an activity ("${verb[1]!.toLowerCase()}"); state the measurable outcome it should cause.`,
          );
        }
      }
      if (needsStart && !k.baselineConfirmed) {
        add(
          "kr-baseline",
          "keyResult",
          k.id,
          `The start value of ${quote(k.title)} was never confirmed; measure the baseline and confirm it.`,
        );
      }
      if (o.periodStartDate && o.periodEndDate) {
        const before = k.startDate !== null && k.startDate < o.periodStartDate;
        const after = k.endDate !== null && k.endDate > o.periodEndDate;
        if (before || after) {
          add(
            "period-mismatch",
            "keyResult",
            k.id,
            `${quote(k.title)} runs ${k.startDate ?? o.periodStartDate} – ${k.endDate ?? o.periodEndDate}, outside its objective's period (${o.periodStartDate} – ${o.periodEndDate}).`,
          );
        }
      }
      if (live && o.span) {
        const hasCheckIn = k.firstCheckInMs !== null && k.firstCheckInMs <= nowMs;
        if (!hasCheckIn && nowMs >= o.span.startMs + settings.notStartedGraceDays * DAY_MS) {
          const days = Math.floor((nowMs - o.span.startMs) / DAY_MS);
          add(
            "no-check-in",
            "keyResult",
            k.id,
            `${quote(k.title)} has no check-in ${days} days into the period; record where it stands.`,
          );
        } else if (hasCheckIn && k.lastCheckInMs !== null && nowMs - k.lastCheckInMs > settings.cadenceDays * DAY_MS) {
          const days = Math.floor((nowMs - k.lastCheckInMs) / DAY_MS);
          add(
            "stale",
            "keyResult",
            k.id,
            `${quote(k.title)} was last checked in ${days} days ago (cadence: every ${settings.cadenceDays} days); check in.`,
          );
        }
      }
    }
  }

  // Owners with too many objectives in one period (closed ones no longer compete for attention).
  const perOwnerPeriod = new Map<string, number>();
  for (const o of input.objectives) {
    if (o.state === "closed" || !o.periodId) continue;
    for (const u of o.ownerIds)
      perOwnerPeriod.set(`${u}|${o.periodId}`, (perOwnerPeriod.get(`${u}|${o.periodId}`) ?? 0) + 1);
  }
  for (const [key, count] of perOwnerPeriod) {
    if (count > 5) {
      const [userId] = key.split("|") as [string];
      add("objective-count", "user", userId, `This person owns ${count} objectives in one period; focus on 3 to 5.`);
    }
  }
  for (const [userId, history] of input.ownerScoreHistory ?? []) {
    const last = history.slice(-2);
    if (last.length === 2 && last.every((s) => s >= 0.9)) {
      add(
        "too-safe",
        "user",
        userId,
        `This person's OKRs averaged ${last.map((s) => s.toFixed(1)).join(" and ")} in the last two periods; set more ambitious targets.`,
      );
    }
  }

  // Near-identical titles in one period: flag the later one.
  const seen: CoachObjective[] = [];
  for (const o of input.objectives) {
    const norm = normalise(o.title);
    const twin = seen.find((p) => p.periodId === o.periodId && similarity(normalise(p.title), norm) >= 0.9);
    if (twin)
      add(
        "duplicate",
        "objective",
        o.id,
        `${quote(o.title)} is nearly the same as ${quote(twin.title)} in this period; merge them or align one under the other.`,
      );
    seen.push(o);
  }
  return out;
}

/** "I will <objective> as measured by <KRs> via <initiatives>." */
export function okrSentence(
  objectiveTitle: string,
  keyResultTitles: readonly string[],
  initiativeTitles: readonly string[],
): string {
  const list = (xs: readonly string[]) =>
    xs.length <= 1 ? (xs[0] ?? "") : `${xs.slice(0, -1).join(", ")} and ${xs[xs.length - 1]}`;
  // Lower-case a capitalised first word, but leave acronyms ("NPS") alone.
  const lower = (s: string) => (/^\p{Lu}[\p{Ll}\s]/u.test(s) ? s.charAt(0).toLowerCase() + s.slice(1) : s);
  let out = `I will ${lower(objectiveTitle.trim())}`;
  if (keyResultTitles.length) out += ` as measured by ${list(keyResultTitles.map(lower))}`;
  if (initiativeTitles.length) out += ` via ${list(initiativeTitles.map(lower))}`;
  return `${out}.`;
}
