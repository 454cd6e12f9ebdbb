/**
 * OKRs as code: the shape of an OKR file (a team's or the organisation's OKRs of a period,
 * written in YAML), and how the coach reads one offline. `docs/okrs-as-code.md` describes the
 * format; `docs/okrs.schema.json` is generated from `OkrFileSchema` (see `okrFileJsonSchema`).
 * Pure: parsing the YAML text and talking to the database live in other layers.
 */
import { z } from "zod";
import type { CoachInput, CoachObjective, Finding } from "./coach.js";
import { runCoach } from "./coach.js";
import { DAY_MS } from "./periods.js";
import { DEFAULT_SETTINGS, KR_TYPES, LEVELS, MANUAL_STATUSES, ROLLUP_METHODS, UNITS } from "./types.js";

/** The format's version: a file says which one it is written in. */
export const OKR_FILE_VERSION = 1;

const REF_RE = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}$/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const INSTANT_RE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

const Ref = z
  .string()
  .regex(REF_RE, "must be a reference: letters, digits and . _ : / - (up to 200), starting with a letter or digit")
  .describe("A stable reference, unique per organisation among objectives, key results and initiatives.");
/** A name that YAML may read as a number (a period called 2026): both are accepted. */
const Name = z.union([z.string().min(1, "must not be empty").max(200), z.number()]);
const Email = z.email({ message: "must be an email address" });
const Emails = z.array(Email).describe("People by email address.");
const Decimal = z
  .union([z.number(), z.string().regex(/^[+-]?(\d+(\.\d*)?|\.\d+)$/, 'must be a number such as 12.5 or "12.5"')])
  .describe("A number; a decimal string keeps more than 15 digits exactly.");
const IsoDate = z.string().regex(DATE_RE, "must be a date written YYYY-MM-DD");
const Weight = z.number().positive("must be more than 0").max(1000, "must be at most 1000");
const Instant = z.string().regex(INSTANT_RE, "must be a date (YYYY-MM-DD) or an instant (YYYY-MM-DDTHH:MM:SSZ)");

const AlignmentRefSchema = z.union([
  Ref,
  z.strictObject({
    ref: Ref,
    weight: Weight.optional().describe("Relative weight in the parent's roll-up (default 1)."),
    contributes: z.boolean().optional().describe("false: shown as aligned but not counted (default true)."),
  }),
]);

const CheckInSchema = z.strictObject({
  at: Instant,
  value: Decimal.optional(),
  achieved: z.boolean().optional().describe("For a milestone: reached or not."),
  status: z.enum(MANUAL_STATUSES).optional(),
  confidence: z.number().int("must be a whole number").min(1, "must be 1 to 10").max(10, "must be 1 to 10").optional(),
  note: z.string().max(20000).optional(),
  by: Email.optional().describe("Who checked in (default: whoever applies the file; others' names need an admin)."),
});

const KeyResultFileSchema = z.strictObject({
  ref: Ref,
  title: z.string().min(1, "must not be empty").max(500),
  description: z.string().max(20000).optional(),
  type: z.enum(KR_TYPES),
  unit: z.enum(UNITS).optional().describe("Default: number."),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, "must be an ISO 4217 code such as EUR")
    .optional(),
  start: Decimal.optional(),
  target: Decimal.optional(),
  owners: Emails.optional(),
  delegates: Emails.optional().describe("People who may check in on the owners' behalf."),
  weight: Weight.optional().describe("Relative weight in its objective (default 1)."),
  startDate: IsoDate.optional().describe("Its own span; default: its objective's period."),
  endDate: IsoDate.optional(),
  plan: z.array(z.strictObject({ date: IsoDate, value: Decimal })).optional(),
  rollup: z.enum(ROLLUP_METHODS).optional().describe("Takes its progress from what aligns to it, by this method."),
  baselineConfirmed: z.boolean().optional(),
  alignedTo: z.array(AlignmentRefSchema).optional().describe("Objectives or key results it contributes to."),
  checkIns: z.array(CheckInSchema).optional().describe("History: added when missing, never changed or removed."),
});

const InitiativeFileSchema = z.strictObject({
  ref: Ref,
  title: z.string().min(1, "must not be empty").max(500),
  description: z.string().max(20000).optional(),
  owners: Emails.optional(),
  state: z.enum(["planned", "inProgress", "done", "cancelled"]).optional().describe("Default: planned."),
  progress: z.number().min(0, "must be 0 to 1").max(1, "must be 0 to 1").optional(),
  weight: Weight.optional(),
  keyResult: Ref.optional().describe("The key result of the same objective it serves."),
  startDate: IsoDate.optional(),
  endDate: IsoDate.optional(),
});

const ObjectiveFileSchema = z.strictObject({
  ref: Ref,
  title: z.string().min(1, "must not be empty").max(500),
  description: z.string().max(20000).optional(),
  level: z.enum(LEVELS),
  team: Name.optional().describe("The team's name (required for level team)."),
  period: Name.optional().describe("The period's name; default: the file's period."),
  owners: Emails.optional(),
  visibility: z.enum(["public", "private"]).optional().describe("Default: public."),
  committed: z.boolean().optional().describe("Default: false (aspirational)."),
  state: z
    .enum(["draft", "active", "closed"])
    .optional()
    .describe("Default: active. closed closes an open objective (see closing); reopening happens in Okra."),
  closing: z
    .strictObject({
      at: Instant.optional().describe("When it was closed (default: when the file is applied)."),
      by: Email.optional().describe("Who closed it (default: whoever applies the file; others' names need an admin)."),
      score: z.number().min(0, "must be 0.0 to 1.0").max(1, "must be 0.0 to 1.0").optional(),
      note: z.string().max(20000).optional(),
      learnings: z.string().max(20000).optional(),
      next: z.string().max(20000).optional(),
    })
    .optional()
    .describe(
      "How a closed objective was closed: recorded once, when apply closes it (default score: the suggested one).",
    ),
  created: Instant.optional().describe(
    "When it was set (history, as in a migration): recorded for it and the key results and initiatives created with it, only when apply creates it.",
  ),
  alignedTo: z.array(AlignmentRefSchema).optional().describe("Objectives or key results it contributes to."),
  keyResults: z.array(KeyResultFileSchema).optional(),
  initiatives: z.array(InitiativeFileSchema).optional(),
});

const PeriodFileSchema = z.strictObject({
  name: Name,
  kind: z.enum(["year", "quarter", "custom"]).optional().describe("Default: from a conventional name."),
  start: IsoDate.optional().describe("Its first day; may be left out for a conventional or relative name."),
  end: IsoDate.optional().describe("Its last day (inclusive); may be left out with start."),
  parent: Name.optional(),
  closed: z
    .union([z.literal(true), Instant])
    .optional()
    .describe(
      "Closes the period when it is open (true: when applied; or when it was closed). Reopening happens in Okra.",
    ),
});

const KpiFileSchema = z.strictObject({
  name: z.string().min(1, "must not be empty").max(300),
  description: z.string().max(20000).optional(),
  unit: z.enum(UNITS).optional().describe("Default: number."),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, "must be an ISO 4217 code such as EUR")
    .optional(),
  healthyMin: Decimal.optional().describe("Healthy at or above this."),
  healthyMax: Decimal.optional().describe("Healthy at or below this."),
  owners: Emails.optional(),
  team: Name.optional(),
  objectives: z.array(Ref).optional().describe("Objectives it informs, by ref."),
  values: z
    .array(z.strictObject({ at: Instant, value: Decimal, note: z.string().max(20000).optional() }))
    .optional()
    .describe("Readings: added when missing at that moment, never changed or removed."),
});

const TeamFileSchema = z.strictObject({
  name: Name,
  parent: Name.nullable().optional(),
  description: z.string().max(5000).optional(),
  owners: Emails.optional(),
  members: Emails.optional(),
});

const PersonFileSchema = z.strictObject({
  email: Email,
  name: z.string().min(1, "must not be empty").max(200),
  manager: Email.optional(),
  role: z.enum(["admin", "member", "observer"]).optional(),
});

/** A whole OKR file. */
export const OkrFileSchema = z
  .strictObject({
    version: z.literal(OKR_FILE_VERSION).describe("The format's version: 1."),
    period: Name.optional().describe("The period of the file's objectives (each may name another)."),
    team: Name.optional().describe("Whose OKRs these are: the file then covers only this team's objectives."),
    periods: z.array(PeriodFileSchema).optional().describe("Periods to create when missing (by name)."),
    people: z.array(PersonFileSchema).optional().describe("People to create when missing (by email)."),
    teams: z.array(TeamFileSchema).optional().describe("Teams to create or update (by name)."),
    objectives: z.array(ObjectiveFileSchema).optional(),
    kpis: z.array(KpiFileSchema).optional().describe("KPIs to create or update (by name), with their readings."),
  })
  .describe("Okra OKRs as code: a team's or an organisation's objectives, key results and initiatives.");

export type OkrFile = z.infer<typeof OkrFileSchema>;
export type ObjectiveFile = z.infer<typeof ObjectiveFileSchema>;
export type KeyResultFile = z.infer<typeof KeyResultFileSchema>;
export type InitiativeFile = z.infer<typeof InitiativeFileSchema>;
export type AlignmentRef = z.infer<typeof AlignmentRefSchema>;
export type CheckInFile = z.infer<typeof CheckInSchema>;
export type PeriodFile = z.infer<typeof PeriodFileSchema>;
export type KpiFile = z.infer<typeof KpiFileSchema>;

/** The JSON Schema (draft 2020-12) of an OKR file, for editors and other tools. */
export function okrFileJsonSchema(): Record<string, unknown> {
  return {
    $id: "https://okra.dev/schemas/okrs.schema.json",
    title: "Okra OKR file",
    ...allowExtensions(z.toJSONSchema(OkrFileSchema, { target: "draft-2020-12" })),
  };
}

/** Every closed object of a JSON Schema also admits `x-…` keys, which apply and lint ignore. */
function allowExtensions<T>(node: T): T {
  if (Array.isArray(node)) return node.map(allowExtensions) as T;
  if (node === null || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = allowExtensions(v);
  if (out.additionalProperties === false) out.patternProperties = { [EXTENSION_KEY.source]: {} };
  return out as T;
}

/** Keys of a file's own tools (`x-demo: …`): the format ignores them. */
const EXTENSION_KEY = /^x-/;

/** A parsed file without its `x-…` keys, at any depth: what the schema then checks. */
export function withoutExtensions(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutExtensions);
  if (value === null || typeof value !== "object" || value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (!EXTENSION_KEY.test(k)) out[k] = withoutExtensions(v);
  return out;
}

/**
 * The conventional name a relative period name stands for on the day `today` (YYYY-MM-DD, the
 * organisation's date): "this quarter", "last quarter", "next quarter", "this year", "last
 * year", "next year", and a quarter or half of one of those years ("Q1 this year", "H2 next
 * year"). Other names come back unchanged.
 */
export function resolvePeriodName(name: string, today: string): string {
  const n = name.trim().toLowerCase().replace(/\s+/g, " ");
  const year = Number(today.slice(0, 4));
  const quarter = Math.floor((Number(today.slice(5, 7)) - 1) / 3) + 1;
  const shift = { last: -1, this: 0, next: 1 } as const;
  let m = /^(last|this|next) year$/.exec(n);
  if (m) return String(year + shift[m[1] as keyof typeof shift]);
  m = /^(last|this|next) quarter$/.exec(n);
  if (m) {
    const q = year * 4 + quarter - 1 + shift[m[1] as keyof typeof shift];
    return `Q${(q % 4) + 1} ${Math.floor(q / 4)}`;
  }
  m = /^([qh][1-4]) (last|this|next) year$/.exec(n);
  if (m && (m[1]![0] === "q" || Number(m[1]![1]) <= 2)) {
    return `${m[1]!.toUpperCase()} ${year + shift[m[2] as keyof typeof shift]}`;
  }
  return name;
}

/** A name as text (YAML reads `2026` as a number). */
export function nameOf(n: string | number): string {
  return String(n);
}

/** An alignment entry's parts, with the defaults applied. */
export function alignmentOf(a: AlignmentRef): { ref: string; weight: number; contributes: boolean } {
  return typeof a === "string"
    ? { ref: a, weight: 1, contributes: true }
    : { ref: a.ref, weight: a.weight ?? 1, contributes: a.contributes ?? true };
}

/**
 * Problems the schema cannot see, as `path: message`: a ref used twice in the file, an
 * alignment to the item itself or its own parts, an initiative's key result that is not its
 * objective's, a team objective without a team, an objective without a period, a period that
 * ends before it starts, a team or period listed twice.
 */
export function okrFileProblems(file: OkrFile): string[] {
  const problems: string[] = [];
  const seen = new Map<string, string>();
  const claim = (ref: string, path: string) => {
    const first = seen.get(ref);
    if (first) problems.push(`${path}.ref: "${ref}" is already used at ${first}; each ref must be unique`);
    else seen.set(ref, path);
  };
  const objectives = file.objectives ?? [];
  for (const [i, o] of objectives.entries()) {
    const at = `objectives[${i}]`;
    claim(o.ref, at);
    for (const [j, k] of (o.keyResults ?? []).entries()) claim(k.ref, `${at}.keyResults[${j}]`);
    for (const [j, n] of (o.initiatives ?? []).entries()) claim(n.ref, `${at}.initiatives[${j}]`);
    if (o.level === "team" && o.team === undefined) {
      problems.push(`${at}.team: a team-level objective needs its team; give team, or choose another level`);
    }
    if (o.period === undefined && file.period === undefined) {
      problems.push(`${at}.period: give the objective a period, or the file a period at the top`);
    }
    const own = new Set((o.keyResults ?? []).map((k) => k.ref));
    for (const [j, n] of (o.initiatives ?? []).entries()) {
      if (n.keyResult !== undefined && !own.has(n.keyResult)) {
        problems.push(`${at}.initiatives[${j}].keyResult: "${n.keyResult}" is not a key result of this objective`);
      }
    }
    for (const [j, a] of (o.alignedTo ?? []).entries()) {
      const ref = alignmentOf(a).ref;
      if (ref === o.ref || own.has(ref)) {
        problems.push(`${at}.alignedTo[${j}]: an objective cannot align to itself or its own key results`);
      }
    }
    for (const [j, k] of (o.keyResults ?? []).entries()) {
      for (const [m, a] of (k.alignedTo ?? []).entries()) {
        const ref = alignmentOf(a).ref;
        if (ref === k.ref || ref === o.ref) {
          problems.push(
            `${at}.keyResults[${j}].alignedTo[${m}]: a key result cannot align to itself or its own objective`,
          );
        }
      }
    }
  }
  const periodNames = new Set((file.periods ?? []).map((p) => nameOf(p.name)));
  for (const [i, p] of (file.periods ?? []).entries()) {
    if ((p.start === undefined) !== (p.end === undefined)) {
      problems.push(
        `periods[${i}]: give both start and end, or neither (for a name such as "Q3 2026" or "next quarter")`,
      );
    } else if (p.start !== undefined && p.end !== undefined && p.end < p.start) {
      problems.push(`periods[${i}].end: must be on or after start (${p.start})`);
    } else if (p.start === undefined && !periodDatesOfName(resolvePeriodName(nameOf(p.name), "2000-01-01"))) {
      problems.push(
        `periods[${i}]: "${nameOf(p.name)}" is not a name Okra can date (such as "2026", "Q3 2026", "this quarter"); give its start and end`,
      );
    }
  }
  const kpiNames = new Set((file.kpis ?? []).map((k) => k.name));
  if (kpiNames.size !== (file.kpis ?? []).length) problems.push("kpis: each KPI may be listed only once");
  for (const [i, o] of objectives.entries()) {
    if (o.closing !== undefined && o.state !== "closed") {
      problems.push(`objectives[${i}].closing: only a closed objective has a closing; add state: closed or remove it`);
    }
  }
  const teamNames = new Set((file.teams ?? []).map((t) => nameOf(t.name)));
  for (const [i, t] of (file.teams ?? []).entries()) {
    if (t.parent !== undefined && t.parent !== null && nameOf(t.parent) === nameOf(t.name)) {
      problems.push(`teams[${i}].parent: a team cannot be its own parent`);
    }
  }
  if (teamNames.size !== (file.teams ?? []).length) problems.push("teams: each team may be listed only once");
  if (periodNames.size !== (file.periods ?? []).length) problems.push("periods: each period may be listed only once");
  return problems;
}

/**
 * The dates a conventional period name stands for: "2026" is the year, "Q1 2026" (or
 * "2026 Q1", "2026-Q1") its first quarter, "H2 2026" its second half; null for other names.
 */
export function periodDatesOfName(name: string): { start: string; end: string } | null {
  const n = name.trim();
  const iso = (y: number, m: number, d: number) => new Date(Date.UTC(y, m, d)).toISOString().slice(0, 10);
  const lastDay = (y: number, m: number) => iso(y, m + 1, 0);
  let m = /^(\d{4})$/.exec(n);
  if (m) return { start: `${m[1]}-01-01`, end: `${m[1]}-12-31` };
  m = /^Q([1-4])[\s-]+(\d{4})$/i.exec(n);
  const q = m ? [Number(m[1]), Number(m[2])] : /^(\d{4})[\s-]+Q([1-4])$/i.exec(n)?.slice(1).reverse().map(Number);
  if (q) {
    const [quarter = 1, y = 0] = q;
    return { start: iso(y, (quarter - 1) * 3, 1), end: lastDay(y, quarter * 3 - 1) };
  }
  m = /^H([12])[\s-]+(\d{4})$/i.exec(n);
  if (m) {
    const h = Number(m[1]);
    const y = Number(m[2]);
    return { start: iso(y, (h - 1) * 6, 1), end: lastDay(y, h * 6 - 1) };
  }
  return null;
}

/** Coach checks that judge progress and check-ins over time: a file states a plan, so lint leaves them out. */
export const PROGRESS_CHECKS: readonly string[] = ["stale", "no-progress", "no-check-in", "too-safe"];

/** The coach's input for the OKRs of a file: ids are refs, owners are emails, spans come from the periods. */
export function coachInputOfFile(file: OkrFile, nowMs: number): CoachInput {
  const today = new Date(nowMs).toISOString().slice(0, 10);
  const resolved = (name: string | number) => resolvePeriodName(nameOf(name), today);
  const dates = new Map<string, { start: string; end: string }>();
  for (const p of file.periods ?? []) {
    if (p.start !== undefined && p.end !== undefined) dates.set(resolved(p.name), { start: p.start, end: p.end });
  }
  const periodOf = (name: string) => dates.get(name) ?? periodDatesOfName(name);
  const objectives: CoachObjective[] = (file.objectives ?? []).map((o) => {
    const periodName = o.period ?? file.period;
    const period = periodName === undefined ? null : resolved(periodName);
    const span = period === null ? null : periodOf(period);
    return {
      id: o.ref,
      title: o.title,
      level: o.level,
      ownerIds: o.owners ?? [],
      periodId: period,
      span: span
        ? { startMs: Date.parse(`${span.start}T00:00:00Z`), endMs: Date.parse(`${span.end}T00:00:00Z`) + DAY_MS }
        : null,
      periodStartDate: span?.start ?? null,
      periodEndDate: span?.end ?? null,
      committed: o.committed ?? false,
      state: o.state ?? "active",
      score: null,
      progress: 0,
      aligned: (o.alignedTo ?? []).length > 0,
      initiativeCount: (o.initiatives ?? []).length,
      keyResults: (o.keyResults ?? []).map((k) => {
        const moments = (k.checkIns ?? []).map((c) => Date.parse(c.at.length === 10 ? `${c.at}T00:00:00Z` : c.at));
        return {
          id: k.ref,
          title: k.title,
          type: k.type,
          start: k.start === undefined ? null : Number(k.start),
          target: k.target === undefined ? null : Number(k.target),
          ownerIds: k.owners ?? [],
          baselineConfirmed: k.baselineConfirmed ?? true,
          startDate: k.startDate ?? null,
          endDate: k.endDate ?? null,
          firstCheckInMs: moments.length ? Math.min(...moments) : null,
          lastCheckInMs: moments.length ? Math.max(...moments) : null,
        };
      }),
    };
  });
  return { objectives, nowMs, settings: DEFAULT_SETTINGS };
}

/** The coach's findings on a file's OKRs, without the checks of progress over time (`PROGRESS_CHECKS`). */
export function lintOkrFile(file: OkrFile, nowMs: number): Finding[] {
  return runCoach(coachInputOfFile(file, nowMs)).filter((f) => !PROGRESS_CHECKS.includes(f.checkId));
}
