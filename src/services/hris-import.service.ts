/**
 * Importing people and teams from the two CSV files of Viva Goals' HRIS import:
 *
 * - users: `User Email`, `User Name`, `Teams`, `Manager Email`, `Is Org Admin`;
 * - teams: `Team name`, `Team Owner`, `Parent Team`.
 *
 * People are matched by email and teams by name (both case-insensitively): new ones are
 * created, existing ones updated, and nobody missing from the file is deleted or
 * deactivated. An optional column that a file does not have leaves that field alone.
 * The whole import is one transaction: one bad row and nothing is written.
 */
import { parse } from "csv-parse/sync";
import { z } from "zod";
import type { Executor } from "../db/database.js";
import type { OrgScope } from "../db/org-scope.js";
import { type TeamRow, teamQueries, teamRepo, type UserRow, userQueries, userRepo } from "../db/repositories.js";
import { isAdmin, isRole, personChangeDenial } from "../domain/access.js";
import { bidiControlProblem } from "../domain/bidi-controls.js";
import { AppError } from "../domain/errors.js";
import { settlePersonChange } from "./account.service.js";
import { type Actor, credentialSetter, mutate, read, type Services, type Write } from "./context.js";
import { presentTeam, presentUser } from "./presenters.js";
import { parseInput } from "./schemas.js";

export const PeopleImportSchema = z
  .strictObject({
    usersCsv: z
      .string()
      .optional()
      .describe("The users file as text: User Email, User Name, Teams, Manager Email, Is Org Admin"),
    teamsCsv: z.string().optional().describe("The teams file as text: Team name, Team Owner, Parent Team"),
    dryRun: z.boolean().optional().describe("Validate and count the changes without writing anything"),
  })
  .refine((b) => b.usersCsv !== undefined || b.teamsCsv !== undefined, {
    message: "send usersCsv, teamsCsv or both: the text of the CSV files to import",
  });
export type PeopleImport = z.output<typeof PeopleImportSchema>;

export interface ImportCounts {
  created: number;
  updated: number;
  unchanged: number;
}

export interface PeopleImportSummary {
  dryRun: boolean;
  people: ImportCounts;
  teams: ImportCounts;
  /** Rows applied only in part, as "users.csv line N: message" (blocking problems throw instead). */
  problems: string[];
}

/** The names the files go by in problems, as the spreadsheet user knows them. */
const USERS_FILE = "users.csv";
const TEAMS_FILE = "teams.csv";

interface ColumnDef<K extends string> {
  key: K;
  header: string;
  required: boolean;
}

const USER_COLUMNS = [
  { key: "email", header: "User Email", required: true },
  { key: "name", header: "User Name", required: true },
  { key: "teams", header: "Teams", required: false },
  { key: "manager", header: "Manager Email", required: false },
  { key: "isOrgAdmin", header: "Is Org Admin", required: false },
] as const satisfies readonly ColumnDef<string>[];

const TEAM_COLUMNS = [
  { key: "name", header: "Team name", required: true },
  { key: "owners", header: "Team Owner", required: false },
  { key: "parent", header: "Parent Team", required: false },
] as const satisfies readonly ColumnDef<string>[];

type UserKey = (typeof USER_COLUMNS)[number]["key"];
type TeamKey = (typeof TEAM_COLUMNS)[number]["key"];

const MAX_NAME = 200;
const EmailSchema = z.email();
const TRUE_WORDS = new Set(["true", "yes", "y", "1"]);
const FALSE_WORDS = new Set(["false", "no", "n", "0", ""]);

// ---------------------------------------------------------------- problems

interface Problem {
  file: string;
  line: number;
  message: string;
}

class ProblemList {
  readonly items: Problem[] = [];
  add(file: string, line: number, message: string): void {
    this.items.push({ file, line, message });
  }
  get size(): number {
    return this.items.length;
  }
  /** "users.csv line N: message", users file first, then by line (stable within a line). */
  format(): string[] {
    const order = (f: string) => (f === USERS_FILE ? 0 : 1);
    return this.items
      .map((p, i) => ({ p, i }))
      .sort((a, b) => order(a.p.file) - order(b.p.file) || a.p.line - b.p.line || a.i - b.i)
      .map(({ p }) => `${p.file} line ${p.line}: ${p.message}`);
  }
}

function rejectAll(problems: ProblemList): AppError {
  const list = problems.format();
  const shown = list.slice(0, 5).join("; ");
  const more = list.length > 5 ? `; … and ${list.length - 5} more (see details)` : "";
  return AppError.validation(
    list,
    `Nothing was imported: the files have ${list.length} problem(s); fix them and import again. ${shown}${more}`,
  );
}

// ---------------------------------------------------------------- CSV

interface CsvRow<K extends string> {
  /** The row number a spreadsheet shows: the header is line 1. */
  line: number;
  /** Trimmed cells of the columns the file has. */
  cells: Partial<Record<K, string>>;
}

interface CsvFile<K extends string> {
  has: ReadonlySet<K>;
  rows: CsvRow<K>[];
}

const normaliseHeader = (h: string) => h.trim().replace(/\s+/g, " ").toLowerCase();

/**
 * Parses one file (UTF-8 BOM, CRLF and quoted cells included) and maps its header to
 * `columns`. Returns null when the file cannot be read at all; row problems go to `problems`.
 */
function readCsv<K extends string>(
  file: string,
  text: string,
  columns: readonly ColumnDef<K>[],
  problems: ProblemList,
): CsvFile<K> | null {
  let records: string[][];
  try {
    records = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: false }) as string[][];
  } catch (err) {
    const e = err as { code?: unknown; message?: string; lines?: number };
    if (typeof e.code !== "string" || !e.code.startsWith("CSV_")) throw err;
    problems.add(file, e.lines ?? 1, `is not valid CSV (${e.message ?? e.code})`);
    return null;
  }
  // Records and spreadsheet rows correspond one to one (a quoted line break stays inside
  // its cell), so a record's index gives the line number the user sees.
  const isBlank = (r: string[]) => r.every((c) => c.trim() === "");
  const headerIndex = records.findIndex((r) => !isBlank(r));
  const required = columns.filter((c) => c.required).map((c) => `"${c.header}"`);
  const header = records[headerIndex];
  if (!header) {
    problems.add(file, 1, `is empty; it needs a header line with the columns ${required.join(" and ")}`);
    return null;
  }
  const headerLine = headerIndex + 1;
  const found = header.map((h) => h.trim()).filter(Boolean);
  const index = new Map<K, number>();
  let broken = false;
  for (const c of columns) {
    const at = header.flatMap((h, i) => (normaliseHeader(h) === normaliseHeader(c.header) ? [i] : []));
    if (at.length > 1) {
      problems.add(file, headerLine, `the column "${c.header}" appears ${at.length} times; keep one`);
      broken = true;
    } else if (at[0] !== undefined) {
      index.set(c.key, at[0]);
    } else if (c.required) {
      problems.add(
        file,
        headerLine,
        `the column "${c.header}" is missing (columns found: ${found.length ? found.map((h) => `"${h}"`).join(", ") : "none"})`,
      );
      broken = true;
    }
  }
  if (broken) return null;
  const rows: CsvRow<K>[] = [];
  for (let i = headerIndex + 1; i < records.length; i++) {
    const record = records[i]!;
    if (isBlank(record)) continue;
    const line = i + 1;
    if (record.slice(header.length).some((c) => c.trim() !== "")) {
      problems.add(
        file,
        line,
        `has ${record.length} cells but the header has ${header.length}; put cells that contain a comma in double quotes`,
      );
      continue;
    }
    const cells: Partial<Record<K, string>> = {};
    for (const [key, at] of index) cells[key] = (record[at] ?? "").trim();
    rows.push({ line, cells });
  }
  return { has: new Set(index.keys()), rows };
}

/** Team names of a Teams cell: separated by `;` (or `,` inside a quoted cell), de-duplicated. */
function splitNames(cell: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const part of cell.split(/[;,]/)) {
    const name = part.trim();
    if (name && !seen.has(name.toLowerCase())) {
      seen.add(name.toLowerCase());
      out.push(name);
    }
  }
  return out;
}

function parseFlag(cell: string): boolean | null {
  const v = cell.trim().toLowerCase();
  if (TRUE_WORDS.has(v)) return true;
  if (FALSE_WORDS.has(v)) return false;
  return null;
}

const isEmail = (v: string) => EmailSchema.safeParse(v).success;

// ---------------------------------------------------------------- the plan

interface PersonNode {
  /** Null for a person the import creates, until it is written. */
  id: string | null;
  row: UserRow | null;
  email: string;
  name: string;
  role: string;
  manager: PersonNode | null;
  /** Whether the manager comes from the file (else the stored one stays). */
  managerFromFile: boolean;
  /** The users.csv line naming this person, if any. */
  line: number | null;
  /** The Teams cell of the person's row, when the file has that column. */
  teams: Set<TeamNode> | null;
}

interface TeamNode {
  id: string | null;
  row: TeamRow | null;
  name: string;
  parent: TeamNode | null;
  parentFromFile: boolean;
  /** The teams.csv line naming this team, if any. */
  line: number | null;
  /** Named in either file (counted in the summary). */
  named: boolean;
  /** The Team Owner cell, when teams.csv has that column. */
  owners: Set<PersonNode> | null;
}

type Role = "owner" | "member";
type Membership = Map<PersonNode, Role>;

/** The organisation's people and teams: as stored, then as the files make them. */
interface Org {
  people: PersonNode[];
  teams: TeamNode[];
  personByEmail: Map<string, PersonNode>;
  teamByName: Map<string, TeamNode | typeof AMBIGUOUS>;
  /** Team memberships as stored. */
  before: Map<TeamNode, Membership>;
  /** The API shapes as stored, for the audit trail. */
  userViews: Map<string, unknown>;
  teamViews: Map<string, unknown>;
}

interface Plan extends Org {
  /** Team memberships as they will be. */
  after: Map<TeamNode, Membership>;
  changedPeople: Set<PersonNode>;
  changedTeams: Set<TeamNode>;
  notes: ProblemList;
}

interface ParsedFiles {
  users: CsvFile<UserKey> | null;
  teams: CsvFile<TeamKey> | null;
}

/** What reading the rows works with. */
interface Reading {
  org: Org;
  files: ParsedFiles;
  actor: Actor;
  /** Blocking problems. */
  problems: ProblemList;
  /** Rows applied in part (answered in the summary). */
  notes: ProblemList;
}

const AMBIGUOUS = Symbol("ambiguous");

const ambiguousTeam = (name: string) =>
  `two or more teams in Okra are named "${name}"; rename them so each name is used once, then import again`;

/** Where a name or email may come from, for "no such …" problems: "users.csv or Okra". */
function sources(files: ParsedFiles, which: "people" | "teams"): string {
  const places = [which === "teams" && files.teams ? TEAMS_FILE : null, files.users ? USERS_FILE : null, "Okra"].filter(
    (p): p is string => p !== null,
  );
  return places.length > 1 ? `${places.slice(0, -1).join(", ")} or ${places.at(-1)}` : "Okra";
}

/** Each loop of a one-parent graph once (every node has at most one `up`). */
function findLoops<N>(nodes: readonly N[], up: (n: N) => N | null): N[][] {
  const state = new Map<N, "path" | "done">();
  const loops: N[][] = [];
  for (const start of nodes) {
    const path: N[] = [];
    let cur: N | null = start;
    while (cur && !state.has(cur)) {
      state.set(cur, "path");
      path.push(cur);
      cur = up(cur);
    }
    if (cur && state.get(cur) === "path") loops.push(path.slice(path.indexOf(cur)));
    for (const n of path) state.set(n, "done");
  }
  return loops;
}

/** Reports a loop on the earliest file line that sets one of its links, as "a → b → a". */
function reportLoop<N extends { line: number | null }>(
  loop: N[],
  fromFile: (n: N) => boolean,
  label: (n: N) => string,
  report: (line: number, chain: string) => void,
): void {
  const first = loop.filter((n) => fromFile(n) && n.line !== null).sort((a, b) => a.line! - b.line!)[0];
  if (!first) return; // a loop already stored: not this import's doing
  const at = loop.indexOf(first);
  report(first.line!, [...loop.slice(at), ...loop.slice(0, at), first].map(label).join(" → "));
}

const sameSet = <T>(a: ReadonlySet<T>, b: ReadonlySet<T>) => a.size === b.size && [...a].every((x) => b.has(x));

function sameMembership(a: Membership | undefined, b: Membership | undefined): boolean {
  const x = a ?? new Map<PersonNode, Role>();
  const y = b ?? new Map<PersonNode, Role>();
  return x.size === y.size && [...x].every(([p, r]) => y.get(p) === r);
}

function groupByTeam<M extends { teamId: string }>(rows: readonly M[]): Map<string, M[]> {
  const out = new Map<string, M[]>();
  for (const m of rows) out.set(m.teamId, [...(out.get(m.teamId) ?? []), m]);
  return out;
}

/** Loads every person (deactivated ones too: their emails are taken) and every live team. */
async function loadOrg(ex: Executor, scope: OrgScope): Promise<Org> {
  const userRows = await userRepo.list(ex, scope);
  const teamRows = await teamRepo.list(ex, scope);
  const memberRows = await teamQueries.members(ex, scope);
  const teamIdsByUser = await userQueries.teamIdsByUser(ex, scope);

  const people = userRows.map(
    (row): PersonNode => ({
      id: row.id,
      row,
      email: row.email,
      name: row.name,
      role: row.role,
      manager: null,
      managerFromFile: false,
      line: null,
      teams: null,
    }),
  );
  const personById = new Map(people.map((p) => [p.id!, p]));
  for (const p of people) p.manager = p.row?.managerId ? (personById.get(p.row.managerId) ?? null) : null;

  const teams = teamRows.map(
    (row): TeamNode => ({
      id: row.id,
      row,
      name: row.name,
      parent: null,
      parentFromFile: false,
      line: null,
      named: false,
      owners: null,
    }),
  );
  const teamById = new Map(teams.map((t) => [t.id!, t]));
  const teamByName = new Map<string, TeamNode | typeof AMBIGUOUS>();
  for (const t of teams) {
    t.parent = t.row?.parentId ? (teamById.get(t.row.parentId) ?? null) : null;
    const key = t.name.toLowerCase();
    teamByName.set(key, teamByName.has(key) ? AMBIGUOUS : t);
  }

  const before = new Map<TeamNode, Membership>();
  for (const m of memberRows) {
    const team = teamById.get(m.teamId);
    const person = personById.get(m.userId);
    if (!team || !person) continue; // a deleted team's leftover
    if (!before.has(team)) before.set(team, new Map());
    before.get(team)!.set(person, m.role === "owner" ? "owner" : "member");
  }

  const membersOf = groupByTeam(memberRows);
  return {
    people,
    teams,
    personByEmail: new Map(people.map((p) => [p.email.toLowerCase(), p])),
    teamByName,
    before,
    userViews: new Map(userRows.map((u) => [u.id, presentUser(u, teamIdsByUser.get(u.id) ?? [])])),
    teamViews: new Map(teamRows.map((t) => [t.id, presentTeam(t, membersOf.get(t.id) ?? [])])),
  };
}

/** A team the import creates (from teams.csv, or named only in a Teams cell of users.csv). */
function addTeam(org: Org, name: string): TeamNode {
  const node: TeamNode = {
    id: null,
    row: null,
    name,
    parent: null,
    parentFromFile: false,
    line: null,
    named: true,
    owners: null,
  };
  org.teams.push(node);
  org.teamByName.set(name.toLowerCase(), node);
  return node;
}

/** teams.csv, first pass: the teams themselves (before users.csv, so the teams file's spelling wins). */
function readTeamRows({ org, files, problems }: Reading): Map<TeamNode, CsvRow<TeamKey>> {
  const rows = new Map<TeamNode, CsvRow<TeamKey>>();
  const lines = new Map<string, number>();
  for (const r of files.teams?.rows ?? []) {
    const name = r.cells.name ?? "";
    if (!name) {
      problems.add(TEAMS_FILE, r.line, "Team name: is empty");
      continue;
    }
    if (name.length > MAX_NAME) {
      problems.add(TEAMS_FILE, r.line, `Team name: must be at most ${MAX_NAME} characters`);
      continue;
    }
    const bidi = bidiControlProblem(name);
    if (bidi) {
      problems.add(TEAMS_FILE, r.line, `Team name: ${bidi}`);
      continue;
    }
    const earlier = lines.get(name.toLowerCase());
    if (earlier !== undefined) {
      problems.add(TEAMS_FILE, r.line, `Team name: "${name}" is already on line ${earlier}; list each team once`);
      continue;
    }
    lines.set(name.toLowerCase(), r.line);
    const found = org.teamByName.get(name.toLowerCase());
    if (found === AMBIGUOUS) {
      problems.add(TEAMS_FILE, r.line, `Team name: ${ambiguousTeam(name)}`);
      continue;
    }
    const node = found ?? addTeam(org, name);
    node.name = name;
    node.line = r.line;
    node.named = true;
    rows.set(node, r);
  }
  return rows;
}

/** users.csv, first pass: the people, their names and organisation roles. */
function readUserRows({ org, files, actor, problems, notes }: Reading): Map<PersonNode, CsvRow<UserKey>> {
  const rows = new Map<PersonNode, CsvRow<UserKey>>();
  const lines = new Map<string, number>();
  const hasFlag = files.users?.has.has("isOrgAdmin") ?? false;
  for (const r of files.users?.rows ?? []) {
    const email = r.cells.email ?? "";
    const name = r.cells.name ?? "";
    const before = problems.size;
    if (!email) problems.add(USERS_FILE, r.line, "User Email: is empty");
    else if (!isEmail(email)) problems.add(USERS_FILE, r.line, `User Email: "${email}" is not an email address`);
    if (!name) problems.add(USERS_FILE, r.line, "User Name: is empty");
    else if (name.length > MAX_NAME) {
      problems.add(USERS_FILE, r.line, `User Name: must be at most ${MAX_NAME} characters`);
    } else if (bidiControlProblem(name)) {
      problems.add(USERS_FILE, r.line, `User Name: ${bidiControlProblem(name)}`);
    }
    const flag = hasFlag ? parseFlag(r.cells.isOrgAdmin ?? "") : undefined;
    if (flag === null) {
      problems.add(
        USERS_FILE,
        r.line,
        `Is Org Admin: "${r.cells.isOrgAdmin}" must be TRUE or FALSE (yes/no and 1/0 work too; empty means FALSE)`,
      );
    }
    if (problems.size > before || flag === null) continue;
    const earlier = lines.get(email.toLowerCase());
    if (earlier !== undefined) {
      problems.add(USERS_FILE, r.line, `User Email: ${email} is already on line ${earlier}; list each person once`);
      continue;
    }
    lines.set(email.toLowerCase(), r.line);
    let node = org.personByEmail.get(email.toLowerCase());
    if (!node) {
      node = {
        id: null,
        row: null,
        email,
        name,
        role: flag ? "admin" : "member",
        manager: null,
        managerFromFile: false,
        line: r.line,
        teams: null,
      };
      org.people.push(node);
      org.personByEmail.set(email.toLowerCase(), node);
    } else {
      node.name = name;
      node.line = r.line;
      const role = flag === undefined ? node.role : roleAfterImport(node.role, flag);
      // The same rule as every other path that changes a person: only over people the importer outranks.
      const denial =
        role === node.role || !node.row
          ? null
          : personChangeDenial(
              actor,
              { id: node.row.id, role: node.role, isInstanceAdmin: node.row.isInstanceAdmin },
              { role },
            );
      if (role !== node.role && node.id === actor.userId) {
        // Taking one's own admin rights away mid-import is almost always a file that does not know the admin.
        notes.add(
          USERS_FILE,
          r.line,
          `Is Org Admin: you cannot remove your own ${node.role} role, so it was kept; ask another admin to change it`,
        );
      } else if (denial) {
        notes.add(USERS_FILE, r.line, `Is Org Admin: ${email} stays ${node.role}. ${denial}`);
      } else {
        node.role = role;
      }
    }
    rows.set(node, r);
  }
  return rows;
}

/** users.csv, second pass: teams (created when neither file nor Okra has the name) and managers. */
function linkUserRows({ org, files, problems }: Reading, rows: Map<PersonNode, CsvRow<UserKey>>): void {
  for (const [node, r] of rows) {
    if (files.users?.has.has("teams")) {
      node.teams = new Set();
      for (const name of splitNames(r.cells.teams ?? "")) {
        const found = org.teamByName.get(name.toLowerCase());
        if (name.length > MAX_NAME) {
          problems.add(USERS_FILE, r.line, `Teams: "${name.slice(0, 40)}…" must be at most ${MAX_NAME} characters`);
        } else if (bidiControlProblem(name)) {
          problems.add(USERS_FILE, r.line, `Teams: ${bidiControlProblem(name)}`);
        } else if (found === AMBIGUOUS) {
          problems.add(USERS_FILE, r.line, `Teams: ${ambiguousTeam(name)}`);
        } else {
          const team = found ?? addTeam(org, name);
          team.named = true;
          node.teams.add(team);
        }
      }
    }
    if (files.users?.has.has("manager")) {
      const email = r.cells.manager ?? "";
      const manager = org.personByEmail.get(email.toLowerCase());
      node.managerFromFile = true;
      if (!email) {
        node.manager = null;
      } else if (!isEmail(email)) {
        problems.add(USERS_FILE, r.line, `Manager Email: "${email}" is not an email address`);
      } else if (!manager) {
        problems.add(
          USERS_FILE,
          r.line,
          `Manager Email: no person with the email ${email} is in ${sources(files, "people")}`,
        );
      } else if (manager === node) {
        problems.add(USERS_FILE, r.line, "Manager Email: a person cannot be their own manager");
      } else {
        node.manager = manager;
      }
    }
  }
}

/** teams.csv, second pass: parents and owners (every team and person is known by now). */
function linkTeamRows({ org, files, problems }: Reading, rows: Map<TeamNode, CsvRow<TeamKey>>): void {
  for (const [node, r] of rows) {
    if (files.teams?.has.has("parent")) {
      const name = r.cells.parent ?? "";
      const parent = org.teamByName.get(name.toLowerCase());
      node.parentFromFile = true;
      if (!name) {
        node.parent = null;
      } else if (parent === AMBIGUOUS) {
        problems.add(TEAMS_FILE, r.line, `Parent Team: ${ambiguousTeam(name)}`);
      } else if (!parent) {
        problems.add(TEAMS_FILE, r.line, `Parent Team: no team named "${name}" is in ${sources(files, "teams")}`);
      } else if (parent === node) {
        problems.add(TEAMS_FILE, r.line, "Parent Team: a team cannot be its own parent");
      } else {
        node.parent = parent;
      }
    }
    if (files.teams?.has.has("owners")) {
      node.owners = new Set();
      for (const email of splitNames(r.cells.owners ?? "")) {
        const owner = org.personByEmail.get(email.toLowerCase());
        if (!isEmail(email)) {
          problems.add(TEAMS_FILE, r.line, `Team Owner: "${email}" is not an email address`);
        } else if (!owner) {
          problems.add(
            TEAMS_FILE,
            r.line,
            `Team Owner: no person with the email ${email} is in ${sources(files, "people")}`,
          );
        } else {
          node.owners.add(owner);
        }
      }
    }
  }
}

/** Management chains and team nesting must stay free of loops. */
function checkLoops(org: Org, problems: ProblemList): void {
  for (const loop of findLoops(org.people, (p) => p.manager)) {
    reportLoop(
      loop,
      (p) => p.managerFromFile,
      (p) => p.email,
      (line, chain) =>
        problems.add(
          USERS_FILE,
          line,
          `Manager Email: ${chain} is a loop; a person cannot report to themselves or to someone who reports to them`,
        ),
    );
  }
  for (const loop of findLoops(org.teams, (t) => t.parent)) {
    reportLoop(
      loop,
      (t) => t.parentFromFile,
      (t) => `"${t.name}"`,
      (line, chain) =>
        problems.add(
          TEAMS_FILE,
          line,
          `Parent Team: ${chain} is a loop; a team cannot be nested inside itself or one of its sub-teams`,
        ),
    );
  }
}

/**
 * Team memberships after the import: the users file decides who belongs to a team, the
 * teams file who owns it, and an owner is always a member. What a file does not say stays.
 */
function membershipsAfter(org: Org): Map<TeamNode, Membership> {
  const listed = new Map<TeamNode, Set<PersonNode>>();
  for (const p of org.people) {
    for (const t of p.teams ?? []) {
      if (!listed.has(t)) listed.set(t, new Set());
      listed.get(t)!.add(p);
    }
  }
  const after = new Map<TeamNode, Membership>();
  for (const t of org.teams) {
    const stored = org.before.get(t) ?? new Map<PersonNode, Role>();
    const owners = t.owners ?? [...stored].filter(([, role]) => role === "owner").map(([p]) => p);
    const next: Membership = new Map();
    for (const [p] of stored) if (p.teams === null) next.set(p, "member");
    for (const p of listed.get(t) ?? []) next.set(p, "member");
    for (const p of owners) next.set(p, "owner");
    if (next.size) after.set(t, next);
  }
  return after;
}

/** The stored people and teams whose API shape the import changes. */
function changesOf(org: Org, after: Map<TeamNode, Membership>) {
  const teamsOf = (m: Map<TeamNode, Membership>) => {
    const out = new Map<PersonNode, Set<TeamNode>>();
    for (const [t, members] of m) {
      for (const p of members.keys()) {
        if (!out.has(p)) out.set(p, new Set());
        out.get(p)!.add(t);
      }
    }
    return out;
  };
  const teamsBefore = teamsOf(org.before);
  const teamsAfter = teamsOf(after);
  const none = new Set<TeamNode>();
  const changedPeople = new Set<PersonNode>();
  for (const p of org.people) {
    if (
      p.row &&
      (p.name !== p.row.name ||
        p.role !== p.row.role ||
        managerIdOf(p) !== p.row.managerId ||
        !sameSet(teamsBefore.get(p) ?? none, teamsAfter.get(p) ?? none))
    ) {
      changedPeople.add(p);
    }
  }
  const changedTeams = new Set<TeamNode>();
  for (const t of org.teams) {
    if (
      t.row &&
      (t.name !== t.row.name || parentIdOf(t) !== t.row.parentId || !sameMembership(org.before.get(t), after.get(t)))
    ) {
      changedTeams.add(t);
    }
  }
  return { changedPeople, changedTeams };
}

/** The manager id to store: the file's, else the stored one (ids of new people exist once written). */
function managerIdOf(p: PersonNode): string | null {
  return p.managerFromFile || !p.row ? (p.manager?.id ?? null) : p.row.managerId;
}

function parentIdOf(t: TeamNode): string | null {
  return t.parentFromFile || !t.row ? (t.parent?.id ?? null) : t.row.parentId;
}

/**
 * Loads the organisation's people and teams and works out what the files change. Throws
 * VALIDATION listing every problem when any row is invalid.
 */
async function buildPlan(
  ex: Executor,
  scope: OrgScope,
  actor: Actor,
  files: ParsedFiles,
  problems: ProblemList,
): Promise<Plan> {
  const org = await loadOrg(ex, scope);
  const reading: Reading = { org, files, actor, problems, notes: new ProblemList() };
  const teamRows = readTeamRows(reading);
  const userRows = readUserRows(reading);
  linkUserRows(reading, userRows);
  linkTeamRows(reading, teamRows);
  checkLoops(org, problems);
  if (problems.size) throw rejectAll(problems);
  const after = membershipsAfter(org);
  return { ...org, after, ...changesOf(org, after), notes: reading.notes };
}

/** The organisation role after the import: Is Org Admin promotes to admin; an owner is never demoted. */
function roleAfterImport(current: string, isOrgAdmin: boolean): string {
  if (current === "owner") return current;
  if (isOrgAdmin) return "admin";
  return current === "admin" ? "member" : current;
}

function summarize(plan: Plan, dryRun: boolean): PeopleImportSummary {
  const people: ImportCounts = { created: 0, updated: 0, unchanged: 0 };
  for (const p of plan.people) {
    if (!p.row) people.created++;
    else if (plan.changedPeople.has(p)) people.updated++;
    else if (p.line !== null) people.unchanged++;
  }
  const teams: ImportCounts = { created: 0, updated: 0, unchanged: 0 };
  for (const t of plan.teams) {
    if (!t.row) teams.created++;
    else if (plan.changedTeams.has(t)) teams.updated++;
    else if (t.named) teams.unchanged++;
  }
  return { dryRun, people, teams, problems: plan.notes.format() };
}

/** Writes the plan: creates first (links need ids), then links, memberships, and the audit trail. */
async function applyPlan(w: Write, plan: Plan): Promise<void> {
  const { tx, scope } = w;
  const created = { people: [] as PersonNode[], teams: [] as TeamNode[] };
  for (const t of plan.teams) {
    if (t.row) continue;
    t.id = (await teamRepo.insert(tx, scope, { name: t.name, description: "", parentId: null })).id;
    created.teams.push(t);
  }
  for (const p of plan.people) {
    if (p.row) continue;
    p.id = (
      await userRepo.insert(tx, scope, {
        name: p.name,
        email: p.email,
        role: p.role,
        managerId: null,
        emailSetBy: credentialSetter(w.actor),
      })
    ).id;
    created.people.push(p);
  }
  // A new object's links are part of its creation: version 1 still.
  for (const t of created.teams) {
    if (t.parent) await teamRepo.update(tx, scope, t.id!, { parentId: parentIdOf(t) }, { bumpVersion: false });
  }
  for (const t of plan.changedTeams) {
    await teamRepo.update(tx, scope, t.id!, { name: t.name, parentId: parentIdOf(t) });
  }
  for (const p of created.people) {
    if (p.manager) await userRepo.update(tx, scope, p.id!, { managerId: managerIdOf(p) }, { bumpVersion: false });
  }
  for (const p of plan.changedPeople) {
    await userRepo.update(tx, scope, p.id!, { name: p.name, role: p.role, managerId: managerIdOf(p) });
    if (p.row && p.row.role !== p.role) {
      await settlePersonChange(tx, scope, p.id!, { role: true }, w.nowMs, w.audit, credentialSetter(w.actor));
    }
  }
  for (const t of plan.teams) {
    const next = plan.after.get(t);
    if (sameMembership(plan.before.get(t), next)) continue;
    const members = [...(next ?? new Map<PersonNode, Role>())];
    await teamQueries.setMembers(
      tx,
      scope,
      t.id!,
      members.filter(([, role]) => role === "owner").map(([p]) => p.id!),
      members.map(([p]) => p.id!),
    );
  }

  // The audit trail records each object as GET answers it, before and after.
  const userRows = new Map((await userRepo.list(tx, scope)).map((u) => [u.id, u]));
  const teamIds = await userQueries.teamIdsByUser(tx, scope);
  const userView = (p: PersonNode) => presentUser(userRows.get(p.id!)!, teamIds.get(p.id!) ?? []);
  const teamRows = new Map((await teamRepo.list(tx, scope)).map((t) => [t.id, t]));
  const membersOf = groupByTeam(await teamQueries.members(tx, scope));
  const teamView = (t: TeamNode) => presentTeam(teamRows.get(t.id!)!, membersOf.get(t.id!) ?? []);

  for (const t of created.teams) await w.audit("team.created", "team", t.id!, null, teamView(t));
  for (const p of created.people) await w.audit("user.created", "user", p.id!, null, userView(p));
  for (const t of plan.changedTeams) {
    await w.audit("team.updated", "team", t.id!, plan.teamViews.get(t.id!) ?? null, teamView(t));
  }
  for (const p of plan.changedPeople) {
    await w.audit("user.updated", "user", p.id!, plan.userViews.get(p.id!) ?? null, userView(p));
  }
}

function parseFiles(input: PeopleImport, problems: ProblemList): ParsedFiles {
  return {
    users: input.usersCsv === undefined ? null : readCsv(USERS_FILE, input.usersCsv, USER_COLUMNS, problems),
    teams: input.teamsCsv === undefined ? null : readCsv(TEAMS_FILE, input.teamsCsv, TEAM_COLUMNS, problems),
  };
}

/**
 * Imports people and teams from Viva Goals HRIS CSV files (`usersCsv`, `teamsCsv`, at least
 * one) in one transaction, or with `dryRun` only validates and counts. People are upserted by
 * email and teams by name, case-insensitively; nobody is deleted or deactivated, and an
 * organisation owner is never demoted. Throws FORBIDDEN unless the caller is an organisation
 * owner or admin, and VALIDATION listing every problem as "users.csv line N: message" when
 * any row is invalid (then nothing is written).
 */
export async function importPeople(svc: Services, actor: Actor, body: unknown): Promise<PeopleImportSummary> {
  if (!isAdmin({ userId: actor.userId, role: isRole(actor.role) ? actor.role : "observer" })) {
    throw new AppError("FORBIDDEN", "Only organisation owners and admins can import people and teams.");
  }
  const input = parseInput(PeopleImportSchema, body);
  const problems = new ProblemList();
  const files = parseFiles(input, problems);
  // A file that cannot be read at all (not CSV, no header, a missing column): nothing to check it against.
  if ((input.usersCsv !== undefined && !files.users) || (input.teamsCsv !== undefined && !files.teams)) {
    throw rejectAll(problems);
  }
  if (input.dryRun) {
    return read(svc, actor, async ({ ex, scope }) =>
      summarize(await buildPlan(ex, scope, actor, files, problems), true),
    );
  }
  return mutate(svc, actor, async (w) => {
    const plan = await buildPlan(w.tx, w.scope, actor, files, problems);
    await applyPlan(w, plan);
    return summarize(plan, false);
  });
}
