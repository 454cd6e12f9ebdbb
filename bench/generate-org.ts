/**
 * A realistic organisation of N people, bulk-loaded into the base tables and then brought to
 * consistent stored figures by the engine's recompute (what `okra recompute` runs).
 *
 * Shape (deterministic for a given seed and size):
 * - teams nested three deep: divisions → departments (~6 teams each) → teams of ~8 people;
 *   each team's first member leads it (team owner), department and division heads are the
 *   leads of their first team, the CEO (person 0, an organisation owner) heads everything;
 * - four quarters (the current one and the three before it) and their year(s);
 * - per quarter: 4 organisation objectives, one objective per division, department and team,
 *   and one per person, each with 2–4 key results (3 on average); every objective is aligned
 *   to its parent's (person → team → department → division → organisation);
 * - weekly check-ins (Monday working hours) from each quarter's start up to now, moving toward
 *   the target with noise; ~8 % of key results never get one, ~12 % go stale mid-quarter.
 *
 * As a module: `generateOrg(database, { people })`. As a CLI:
 *
 *   npx tsx bench/generate-org.ts --people 10000 [--database-url URL | --data-dir DIR]
 *                                 [--seed N] [--checkin-quarters 1-4]
 *
 * Without --database-url (or DATABASE_URL) it loads into the embedded database in --data-dir
 * (OKRA_DATA_DIR, ./data). It prints how long the load and the recompute took.
 */
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import type pg from "pg";
import { type Database, openDatabase } from "../src/db/database.js";
import { grantOrgScope } from "../src/db/org-scope.js";
import { graphQueries, inTransaction, lockOrganization, organizationRepo } from "../src/db/repositories.js";
import { titleTokenQueries } from "../src/db/title-token-queries.js";
import { seededRandom } from "../src/domain/seeded-random.js";
import { loadOrgContext, recomputeStored } from "../src/services/evaluation.js";

const DAY = 86_400_000;
const WEEK = 7 * DAY;
const TEAM_SIZE = 8;
const TEAMS_PER_DEPARTMENT = 6;
const DEPARTMENTS_PER_DIVISION = 10;
const ORG_OBJECTIVES = 4;

export interface GenerateOptions {
  /** How many people (at least 8). */
  people: number;
  /** The PRNG seed; the same seed and size give the same organisation (ids included). */
  seed?: number;
  /** The clock: the current quarter is the one holding it; no check-in is dated after it. */
  nowMs?: number;
  /** How many quarters, counting back from the current one, get check-ins (1–4, default 4). */
  checkInQuarters?: number;
  /** The organisation's name (default "Scale org <people>"). */
  name?: string;
  /** The organisation's time zone (an IANA name; default UTC, the setting's own default). */
  timeZone?: string;
  /** Rows per INSERT statement. */
  chunk?: number;
  /** Skip the recompute (the stored figures then hold what a key result holds before its first check-in). */
  skipRecompute?: boolean;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

/** What the benchmarks need to address the organisation. */
export interface GeneratedOrg {
  orgId: string;
  name: string;
  /** The CEO, an organisation owner. */
  adminEmail: string;
  /** An individual contributor in the middle of the organisation (not a lead). */
  memberEmail: string;
  memberId: string;
  /** Sixteen more individual contributors spread over the organisation (concurrent clients). */
  sampleMembers: { email: string; id: string }[];
  /** The member's team (a leaf team) and the periods. */
  teamId: string;
  currentPeriodId: string;
  previousPeriodId: string;
  yearPeriodIds: string[];
  counts: {
    people: number;
    teams: number;
    objectives: number;
    keyResults: number;
    alignments: number;
    checkIns: number;
  };
  loadMs: number;
  recompute: RecomputeResult;
}

export interface RecomputeResult {
  ms: number;
  /** `engine`: the body of recomputeAll for this organisation; `chunked`: see recomputeOrg. */
  mode: "engine" | "chunked";
  /** Why the engine's one-transaction recompute could not run (then `chunked` did). */
  engineError: string | null;
  rewritten: { keyResults: number; objectives: number };
}

const FIRST = [
  "Ada",
  "Ben",
  "Chloé",
  "Dev",
  "Elif",
  "Femi",
  "Greta",
  "Hiro",
  "Ines",
  "Jonas",
  "Kavya",
  "Liam",
  "Mei",
  "Noor",
  "Oskar",
  "Priya",
  "Quinn",
  "Rosa",
  "Sami",
  "Tariq",
  "Uma",
  "Vera",
  "Wen",
  "Yara",
  "Zeno",
];
const LAST = [
  "Abara",
  "Berg",
  "Costa",
  "Dubois",
  "Eze",
  "Fischer",
  "Garcia",
  "Haddad",
  "Ito",
  "Jensen",
  "Kowalski",
  "Larsen",
  "Moreau",
  "Nakamura",
  "Okafor",
  "Petrov",
  "Quispe",
  "Rossi",
  "Silva",
  "Tanaka",
  "Ueda",
  "Varga",
  "Weber",
  "Xu",
  "Yilmaz",
  "Zhou",
];
const VERBS = ["Grow", "Delight", "Simplify", "Accelerate", "Strengthen", "Scale", "Modernise", "Win", "Protect"];
const THINGS = [
  "self-serve onboarding",
  "enterprise revenue",
  "platform reliability",
  "customer retention",
  "the partner channel",
  "release cadence",
  "data quality",
  "support experience",
  "hiring pipeline",
  "unit economics",
  "mobile engagement",
  "security posture",
  "developer productivity",
];
const METRICS = [
  "weekly active accounts",
  "net revenue retention (%)",
  "p95 API latency (ms)",
  "support tickets per 1k users",
  "qualified pipeline (EUR)",
  "NPS",
  "activation rate (%)",
  "deploys per week",
  "open critical bugs",
  "time to first value (days)",
  "trial conversion (%)",
  "churned accounts",
];
const NOTES = [
  "",
  "",
  "",
  "",
  "On track after the launch.",
  "Slipped: waiting on data.",
  "Good week.",
  "Blocked by hiring.",
];

/** A quarter or year as the periods table holds it. */
interface PeriodDef {
  id: string;
  name: string;
  kind: "year" | "quarter";
  startDate: string;
  endDate: string;
  parentId: string | null;
  startMs: number;
  endMs: number;
}

const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The current quarter and the three before it, with the years they fall in. */
function makePeriods(nowMs: number, uuid: () => string): { years: PeriodDef[]; quarters: PeriodDef[] } {
  const now = new Date(nowMs);
  const currentIndex = now.getUTCFullYear() * 4 + Math.floor(now.getUTCMonth() / 3);
  const years = new Map<number, PeriodDef>();
  const quarters: PeriodDef[] = [];
  for (let index = currentIndex - 3; index <= currentIndex; index++) {
    const year = Math.floor(index / 4);
    const q = index % 4;
    if (!years.has(year)) {
      const startMs = Date.UTC(year, 0, 1);
      const endMs = Date.UTC(year + 1, 0, 1);
      years.set(year, {
        id: uuid(),
        name: `${year}`,
        kind: "year",
        startDate: isoDate(startMs),
        endDate: isoDate(endMs - DAY),
        parentId: null,
        startMs,
        endMs,
      });
    }
    const startMs = Date.UTC(year, q * 3, 1);
    const endMs = Date.UTC(year, q * 3 + 3, 1);
    quarters.push({
      id: uuid(),
      name: `Q${q + 1} ${year}`,
      kind: "quarter",
      startDate: isoDate(startMs),
      endDate: isoDate(endMs - DAY),
      parentId: years.get(year)!.id,
      startMs,
      endMs,
    });
  }
  return { years: [...years.values()], quarters };
}

/** A connection for raw statements: array parameters (unnest) bulk-insert on both databases. */
interface Raw {
  query(text: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  release(): void;
}

interface PgliteLike {
  query(text: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

async function rawConnection(database: Database): Promise<Raw> {
  const client = (database.db as unknown as { $client: unknown }).$client;
  if (database.kind === "postgres") {
    const c = await (client as pg.Pool).connect();
    return { query: (text, params) => c.query(text, params), release: () => c.release() };
  }
  const lite = client as PgliteLike;
  return { query: (text, params) => lite.query(text, params), release: () => {} };
}

interface Column {
  name: string;
  /** The element type of the array parameter. */
  type: string;
  /** Wraps the unnested value (`array[x]` for a one-element uuid[] column). */
  wrap?: (ref: string) => string;
}

/** Accumulates rows column by column and inserts them `chunk` at a time with one unnest() each. */
class Loader {
  private cols: unknown[][];
  rows = 0;
  private readonly sql: string;

  constructor(
    private readonly raw: Raw,
    table: string,
    columns: Column[],
    private readonly chunk: number,
  ) {
    this.cols = columns.map(() => []);
    const refs = columns.map((_, i) => `c${i}`);
    this.sql =
      `insert into ${table} (${columns.map((c) => c.name).join(", ")}) ` +
      `select ${columns.map((c, i) => (c.wrap ? c.wrap(refs[i]!) : refs[i])).join(", ")} ` +
      `from unnest(${columns.map((c, i) => `$${i + 1}::${c.type}[]`).join(", ")}) as u(${refs.join(", ")})`;
  }

  async add(row: unknown[]): Promise<void> {
    for (let i = 0; i < row.length; i++) this.cols[i]!.push(row[i]);
    this.rows++;
    if (this.cols[0]!.length >= this.chunk) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.cols[0]!.length === 0) return;
    const params = this.cols;
    this.cols = params.map(() => []);
    await this.raw.query(this.sql, params);
  }
}

const uuidCol = (name: string): Column => ({ name, type: "uuid" });
const textCol = (name: string): Column => ({ name, type: "text" });
const ownersCol: Column = { name: "owner_ids", type: "uuid", wrap: (r) => `array[${r}]::uuid[]` };

interface Person {
  id: string;
  name: string;
  email: string;
  managerId: string | null;
  teamIndex: number;
}

interface TeamDef {
  id: string;
  name: string;
  parentId: string | null;
  level: "division" | "department" | "team";
  /** The team's lead (team owner): for departments and divisions, the head. */
  leadId: string;
  /** For leaf teams: the members (lead first). */
  members: string[];
  /** Parent in this list (index), or -1. */
  parent: number;
}

/** Generates the organisation and bulk-loads it, then runs the recompute. Returns ids and timings. */
export async function generateOrg(database: Database, options: GenerateOptions): Promise<GeneratedOrg> {
  const people = Math.max(TEAM_SIZE, Math.floor(options.people));
  const nowMs = options.nowMs ?? Date.now();
  const seed = (options.seed ?? 42) ^ Math.imul(people, 2654435761);
  const rand = seededRandom(seed);
  const chunk = options.chunk ?? 5000;
  const log = options.log ?? (() => {});
  const checkInQuarters = Math.min(4, Math.max(1, options.checkInQuarters ?? 4));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const between = (lo: number, hi: number) => lo + rand() * (hi - lo);
  const hex = () =>
    Math.floor(rand() * 0x100000000)
      .toString(16)
      .padStart(8, "0");
  const uuid = () => {
    const h = hex() + hex() + hex() + hex();
    const variant = ((Number.parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  };

  const orgId = uuid();
  const name = options.name ?? `Scale org ${people}`;
  const slug = `scale${people}-${(seed >>> 0).toString(36)}`;
  const { years, quarters } = makePeriods(nowMs, uuid);

  // People in teams of TEAM_SIZE; teams in departments, departments in divisions.
  const teamCount = Math.ceil(people / TEAM_SIZE);
  const departmentCount = Math.ceil(teamCount / TEAMS_PER_DEPARTMENT);
  const divisionCount = Math.ceil(departmentCount / DEPARTMENTS_PER_DIVISION);
  const persons: Person[] = [];
  for (let i = 0; i < people; i++) {
    const first = FIRST[i % FIRST.length]!;
    const last = LAST[Math.floor(i / FIRST.length) % LAST.length]!;
    persons.push({
      id: uuid(),
      name: `${first} ${last} ${i}`,
      email: `${first
        .toLowerCase()
        .normalize("NFD")
        .replace(/[^a-z]/g, "")}.${last.toLowerCase()}.${i}@${slug}.example`,
      managerId: null,
      teamIndex: Math.floor(i / TEAM_SIZE),
    });
  }
  const teams: TeamDef[] = [];
  const divisionIdx: number[] = [];
  const departmentIdx: number[] = [];
  const leafIdx: number[] = [];
  const leadOfLeaf = (t: number) => persons[t * TEAM_SIZE]!.id;
  for (let d = 0; d < divisionCount; d++) {
    divisionIdx.push(teams.length);
    teams.push({
      id: uuid(),
      name: `Division ${d + 1}`,
      parentId: null,
      level: "division",
      leadId: leadOfLeaf(d * DEPARTMENTS_PER_DIVISION * TEAMS_PER_DEPARTMENT),
      members: [],
      parent: -1,
    });
  }
  for (let p = 0; p < departmentCount; p++) {
    const div = divisionIdx[Math.floor(p / DEPARTMENTS_PER_DIVISION)]!;
    departmentIdx.push(teams.length);
    teams.push({
      id: uuid(),
      name: `Department ${p + 1}`,
      parentId: teams[div]!.id,
      level: "department",
      leadId: leadOfLeaf(p * TEAMS_PER_DEPARTMENT),
      members: [],
      parent: div,
    });
  }
  for (let t = 0; t < teamCount; t++) {
    const dep = departmentIdx[Math.floor(t / TEAMS_PER_DEPARTMENT)]!;
    leafIdx.push(teams.length);
    const members = persons.slice(t * TEAM_SIZE, (t + 1) * TEAM_SIZE).map((p) => p.id);
    teams.push({
      id: uuid(),
      name: `Team ${t + 1}`,
      parentId: teams[dep]!.id,
      level: "team",
      leadId: members[0]!,
      members,
      parent: dep,
    });
  }
  // Managers: members → their team's lead → the department head → the division head → the CEO.
  const ceo = persons[0]!;
  for (let t = 0; t < teamCount; t++) {
    const team = teams[leafIdx[t]!]!;
    const dep = teams[team.parent]!;
    const div = teams[dep.parent]!;
    for (const id of team.members) {
      const p = persons[t * TEAM_SIZE + team.members.indexOf(id)]!;
      if (p === ceo) continue;
      if (id !== team.leadId) p.managerId = team.leadId;
      else if (id !== dep.leadId) p.managerId = dep.leadId;
      else if (id !== div.leadId) p.managerId = div.leadId;
      else p.managerId = ceo.id;
    }
  }
  // The member the benchmarks act as: not a lead, in the middle of the organisation.
  const memberTeam = Math.floor(teamCount / 2);
  const member = persons[Math.min(people - 1, memberTeam * TEAM_SIZE + 3)]!;
  const sampleMembers = Array.from({ length: 16 }, (_, i) => {
    const p = persons[Math.floor(((i + 0.5) * teamCount) / 16) * TEAM_SIZE + 1 + (i % (TEAM_SIZE - 1))];
    return p ?? persons[people - 1]!;
  }).map((p) => ({ email: p.email, id: p.id }));

  const counts = { people, teams: teams.length, objectives: 0, keyResults: 0, alignments: 0, checkIns: 0 };
  const loadStart = performance.now();
  const raw = await rawConnection(database);
  const firstOrg = Number((await raw.query("select count(*)::int as n from organizations")).rows[0]?.n ?? 0) === 0;
  try {
    await raw.query("begin");
    const createdMs = quarters[0]!.startMs - 30 * DAY;
    const created = new Date(createdMs).toISOString();
    await raw.query(
      "insert into organizations (id, name, settings, created_at, updated_at) values ($1, $2, $3, $4, $4)",
      [orgId, name, JSON.stringify(options.timeZone ? { timeZone: options.timeZone } : {}), created],
    );
    const users = new Loader(
      raw,
      "users",
      [
        uuidCol("id"),
        uuidCol("org_id"),
        textCol("name"),
        textCol("email"),
        uuidCol("manager_id"),
        textCol("role"),
        { name: "is_instance_admin", type: "boolean" },
        { name: "created_at", type: "timestamptz" },
      ],
      chunk,
    );
    for (const p of persons) {
      const isCeo = p === ceo;
      await users.add([
        p.id,
        orgId,
        p.name,
        p.email,
        p.managerId,
        isCeo ? "owner" : "member",
        isCeo && firstOrg,
        created,
      ]);
    }
    await users.flush();
    const teamLoader = new Loader(
      raw,
      "teams",
      [
        uuidCol("id"),
        uuidCol("org_id"),
        textCol("name"),
        uuidCol("parent_id"),
        { name: "created_at", type: "timestamptz" },
      ],
      chunk,
    );
    const memberLoader = new Loader(
      raw,
      "team_members",
      [uuidCol("org_id"), uuidCol("team_id"), uuidCol("user_id"), textCol("role")],
      chunk,
    );
    for (const t of teams) {
      await teamLoader.add([t.id, orgId, t.name, t.parentId, created]);
      if (t.level === "team") {
        for (const m of t.members) await memberLoader.add([orgId, t.id, m, m === t.leadId ? "owner" : "member"]);
      } else {
        await memberLoader.add([orgId, t.id, t.leadId, "owner"]);
      }
    }
    await teamLoader.flush();
    await memberLoader.flush();
    const periodLoader = new Loader(
      raw,
      "periods",
      [
        uuidCol("id"),
        uuidCol("org_id"),
        textCol("name"),
        textCol("kind"),
        { name: "start_date", type: "date" },
        { name: "end_date", type: "date" },
        uuidCol("parent_id"),
        { name: "created_at", type: "timestamptz" },
      ],
      chunk,
    );
    for (const p of [...years, ...quarters]) {
      await periodLoader.add([p.id, orgId, p.name, p.kind, p.startDate, p.endDate, p.parentId, created]);
    }
    await periodLoader.flush();
    await raw.query("commit");
    log(`  ${people} people in ${teams.length} teams loaded`);

    const objectiveLoader = new Loader(
      raw,
      "objectives",
      [
        uuidCol("id"),
        uuidCol("org_id"),
        textCol("title"),
        textCol("level"),
        uuidCol("team_id"),
        uuidCol("period_id"),
        ownersCol,
        { name: "committed", type: "boolean" },
        { name: "created_at", type: "timestamptz" },
      ],
      chunk,
    );
    const krLoader = new Loader(
      raw,
      "key_results",
      [
        uuidCol("id"),
        uuidCol("org_id"),
        uuidCol("objective_id"),
        textCol("title"),
        ownersCol,
        textCol("type"),
        textCol("unit"),
        textCol("currency"),
        { name: "start", type: "numeric" },
        { name: "target", type: "numeric" },
        { name: "position", type: "int" },
        { name: "progress", type: "float8" },
        { name: "current", type: "numeric" },
        { name: "created_at", type: "timestamptz" },
      ],
      chunk,
    );
    const alignmentLoader = new Loader(
      raw,
      "alignments",
      [
        uuidCol("id"),
        uuidCol("org_id"),
        textCol("child_type"),
        uuidCol("child_id"),
        textCol("parent_type"),
        uuidCol("parent_id"),
        { name: "created_at", type: "timestamptz" },
      ],
      chunk,
    );
    const checkInLoader = new Loader(
      raw,
      "check_ins",
      [
        uuidCol("id"),
        uuidCol("org_id"),
        uuidCol("key_result_id"),
        { name: "value", type: "numeric" },
        { name: "achieved", type: "boolean" },
        { name: "confidence", type: "smallint" },
        textCol("note"),
        uuidCol("author_id"),
        { name: "at", type: "timestamptz" },
        { name: "created_at", type: "timestamptz" },
        { name: "updated_at", type: "timestamptz" },
      ],
      chunk,
    );

    for (const [qi, quarter] of quarters.entries()) {
      await raw.query("begin");
      const withCheckIns = qi >= quarters.length - checkInQuarters;
      const objCreated = new Date(quarter.startMs - between(1, 10) * DAY).toISOString();
      const lastWeekMs = Math.min(quarter.endMs, nowMs);

      const addKeyResults = async (objectiveId: string, ownerId: string, n: number) => {
        for (let k = 0; k < n; k++) {
          const id = uuid();
          const r = rand();
          const type =
            r < 0.72
              ? "increase"
              : r < 0.87
                ? "decrease"
                : r < 0.93
                  ? "stayAbove"
                  : r < 0.97
                    ? "milestone"
                    : "stayBelow";
          const unit = pick(["number", "number", "percent", "currency"] as const);
          const base = Math.round(between(10, 1000));
          let start: number | null = null;
          let target: number | null = null;
          if (type === "increase") [start, target] = [base, Math.round(base * between(1.2, 2.5))];
          else if (type === "decrease") [start, target] = [base, Math.round(base * between(0.3, 0.8))];
          else if (type === "stayAbove" || type === "stayBelow") target = base;
          await krLoader.add([
            id,
            orgId,
            objectiveId,
            `${pick(["Raise", "Reach", "Cut", "Hold"])} ${pick(METRICS)}`,
            ownerId,
            type,
            unit,
            unit === "currency" ? "EUR" : null,
            start,
            target,
            k,
            // What a key result holds from its creation until its first check-in (as the API stores it).
            0,
            start,
            objCreated,
          ]);
          counts.keyResults++;
          if (!withCheckIns) continue;
          // Check-in behaviour: never (8 %), stale after a few weeks (12 %), else weekly with gaps.
          const habit = rand();
          if (habit < 0.08) continue;
          const staleAfter = habit < 0.2 ? Math.floor(between(1, 7)) : Number.POSITIVE_INFINITY;
          const pace = between(0.3, 1.3);
          const doneWeek = Math.floor(between(3, 16));
          let week = 0;
          for (let at = quarter.startMs + between(0.3, 0.45) * DAY; at <= lastWeekMs; at += WEEK, week++) {
            if (week >= staleAfter) break;
            if (rand() < 0.1) continue;
            const atMs = Math.min(nowMs - 60_000, at + between(-0.05, 0.3) * DAY);
            const elapsed = (atMs - quarter.startMs) / (quarter.endMs - quarter.startMs);
            let value: string | null = null;
            let achieved: boolean | null = null;
            if (type === "milestone") achieved = week >= doneWeek;
            else if (start !== null && target !== null) {
              const f = pace * elapsed + between(-0.08, 0.08);
              value = (start + (target - start) * f).toFixed(1);
            } else value = (target! * between(0.85, 1.15)).toFixed(1);
            const confidence = rand() < 0.5 ? Math.floor(between(4, 10)) : null;
            const atIso = new Date(atMs).toISOString();
            const createdIso = new Date(atMs + between(0, 120) * 1000).toISOString();
            await checkInLoader.add([
              uuid(),
              orgId,
              id,
              value,
              achieved,
              confidence,
              pick(NOTES),
              ownerId,
              atIso,
              createdIso,
              createdIso,
            ]);
            counts.checkIns++;
          }
        }
      };
      const addObjective = async (
        level: "organization" | "team" | "individual",
        teamId: string | null,
        ownerId: string,
        parentObjectiveId: string | null,
      ) => {
        const id = uuid();
        await objectiveLoader.add([
          id,
          orgId,
          `${pick(VERBS)} ${pick(THINGS)}`,
          level,
          teamId,
          quarter.id,
          ownerId,
          rand() < 0.2,
          objCreated,
        ]);
        counts.objectives++;
        if (parentObjectiveId) {
          await alignmentLoader.add([uuid(), orgId, "objective", id, "objective", parentObjectiveId, objCreated]);
          counts.alignments++;
        }
        await addKeyResults(id, ownerId, 2 + Math.floor(rand() * 3));
        return id;
      };

      const orgObjectives: string[] = [];
      for (let i = 0; i < ORG_OBJECTIVES; i++)
        orgObjectives.push(await addObjective("organization", null, ceo.id, null));
      const teamObjective = new Map<number, string>();
      for (const [i, t] of teams.entries()) {
        // Parents come before their children in `teams`, so the parent's objective exists.
        const parent = t.parent === -1 ? orgObjectives[i % ORG_OBJECTIVES]! : teamObjective.get(t.parent)!;
        teamObjective.set(i, await addObjective("team", t.id, t.leadId, parent));
      }
      for (const p of persons) {
        const ti = leafIdx[p.teamIndex]!;
        await addObjective("individual", teams[ti]!.id, p.id, teamObjective.get(ti)!);
      }
      await objectiveLoader.flush();
      await krLoader.flush();
      await alignmentLoader.flush();
      await checkInLoader.flush();
      await raw.query("commit");
      log(
        `  ${quarter.name}: ${counts.objectives} objectives, ${counts.keyResults} key results, ${counts.checkIns} check-ins so far`,
      );
    }
    // Fresh statistics for the planner after the bulk load (PGlite included).
    for (const t of [
      "users",
      "teams",
      "team_members",
      "periods",
      "objectives",
      "key_results",
      "alignments",
      "check_ins",
    ]) {
      await raw.query(`analyze ${t}`);
    }
  } catch (err) {
    await raw.query("rollback").catch(() => {});
    throw err;
  } finally {
    raw.release();
  }
  const loadMs = performance.now() - loadStart;
  log(`  loaded in ${(loadMs / 1000).toFixed(1)} s; recomputing…`);
  const recompute: RecomputeResult = options.skipRecompute
    ? { ms: 0, mode: "engine", engineError: null, rewritten: { keyResults: 0, objectives: 0 } }
    : await recomputeOrg(database, orgId, nowMs, log);
  return {
    orgId,
    name,
    adminEmail: ceo.email,
    memberEmail: member.email,
    memberId: member.id,
    sampleMembers,
    teamId: teams[leafIdx[member.teamIndex]!]!.id,
    currentPeriodId: quarters[3]!.id,
    previousPeriodId: quarters[2]!.id,
    yearPeriodIds: years.map((y) => y.id),
    counts,
    loadMs,
    recompute,
  };
}

/**
 * Brings one organisation's stored figures in line with its base tables. First as `okra
 * recompute` does (recomputeAll's body, for this organisation only: one transaction under the
 * organisation's lock, every key result's own figures, then the whole graph). When that fails
 * (the error is returned), the same engine function in slices: `recomputeStored` for 10,000 key
 * results at a time with their ancestors. Any order is right: a node's last recomputation comes
 * with the slice of its last descendant key result, after its children's.
 */
export async function recomputeOrg(
  database: Database,
  orgId: string,
  nowMs: number,
  log: (line: string) => void = () => {},
): Promise<RecomputeResult> {
  const scope = grantOrgScope(orgId);
  // The coach's title index, from the objectives the load queued (as okra recompute rebuilds it).
  const indexed = performance.now();
  const titles = await inTransaction(database.db, (tx) => titleTokenQueries.drain(tx, scope));
  log(`  title index: ${titles.done} objectives in ${((performance.now() - indexed) / 1000).toFixed(1)} s`);
  const started = performance.now();
  let engineError: string | null = null;
  try {
    const rewritten = await inTransaction(database.db, async (tx) => {
      await lockOrganization(tx, scope);
      const org = await organizationRepo.get(tx, scope);
      const ctx = await loadOrgContext(tx, scope, org);
      const krs = await graphQueries.allKeyResults(tx, scope);
      return recomputeStored(
        tx,
        scope,
        ctx,
        krs.map((k) => k.id),
        nowMs,
      );
    });
    return { ms: performance.now() - started, mode: "engine", engineError, rewritten };
  } catch (err) {
    engineError = (err as Error).message.split("\n")[0]!.slice(0, 300);
    log(`  the one-transaction recompute failed (${engineError}); recomputing in slices`);
  }
  const chunkedStart = performance.now();
  const ids = await database.db.query.keyResults.findMany({
    columns: { id: true },
    where: (k, { and, eq, isNull }) => and(eq(k.orgId, orgId), isNull(k.deletedAt)),
  });
  const rewritten = { keyResults: 0, objectives: 0 };
  const SLICE = 10_000;
  for (let at = 0; at < ids.length; at += SLICE) {
    const slice = ids.slice(at, at + SLICE).map((k) => k.id);
    const r = await inTransaction(database.db, async (tx) => {
      await lockOrganization(tx, scope);
      const org = await organizationRepo.get(tx, scope);
      const ctx = await loadOrgContext(tx, scope, org);
      return recomputeStored(tx, scope, ctx, slice, nowMs, false);
    });
    rewritten.keyResults += r.keyResults;
    rewritten.objectives += r.objectives;
    if ((at / SLICE) % 10 === 9) log(`  recomputed ${at + slice.length} of ${ids.length} key results`);
  }
  return { ms: performance.now() - chunkedStart, mode: "chunked", engineError, rewritten };
}

async function main() {
  const args = process.argv.slice(2);
  const opt = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  if (args.includes("--help")) {
    console.log(
      "npx tsx bench/generate-org.ts --people N [--database-url URL | --data-dir DIR] [--seed N] [--checkin-quarters 1-4]",
    );
    return;
  }
  const people = Number(opt("people") ?? 1000);
  const databaseUrl = opt("database-url") ?? process.env.DATABASE_URL;
  const dataDir = opt("data-dir") ?? process.env.OKRA_DATA_DIR ?? "./data";
  const database = await openDatabase(databaseUrl ? { databaseUrl } : { dataDir });
  try {
    await database.migrate();
    console.log(`Generating ${people} people into ${database.kind} (${database.location})…`);
    const seed = opt("seed");
    const quarters = opt("checkin-quarters");
    const org = await generateOrg(database, {
      people,
      ...(seed !== undefined && { seed: Number(seed) }),
      ...(quarters !== undefined && { checkInQuarters: Number(quarters) }),
      log: (line) => console.log(line),
    });
    const c = org.counts;
    console.log(
      `${org.name}: ${c.people} people, ${c.teams} teams, ${c.objectives} objectives, ${c.keyResults} key results, ` +
        `${c.alignments} alignments, ${c.checkIns} check-ins`,
    );
    console.log(`  bulk load   ${(org.loadMs / 1000).toFixed(1)} s`);
    console.log(
      `  recompute   ${(org.recompute.ms / 1000).toFixed(1)} s (${org.recompute.mode}; rewrote ${org.recompute.rewritten.keyResults} key results and ${org.recompute.rewritten.objectives} objectives)`,
    );
    if (org.recompute.engineError)
      console.log(`  okra recompute's single transaction failed: ${org.recompute.engineError}`);
    console.log(`  admin: ${org.adminEmail}   member: ${org.memberEmail}`);
    console.log("  API token: npx okra token create --email <one of those>");
  } finally {
    await database.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
