/**
 * Importing OKRs from a spreadsheet (#13): CSV or XLSX, in Viva Goals' shapes or Okra's template
 * (okr-import-parse.ts reads the cells). Two steps:
 *
 * 1. Plan (reads only): resolve owners (email or name), teams and periods, match references to
 *    what exists (importing the same file again updates instead of duplicating), and say per
 *    row what will happen or what is wrong and how to fix it. People (by email), teams and
 *    periods (named like "Q1 2026") the file names but Okra lacks are listed, and created when
 *    asked (`createMissing`). A dry run answers the plan and writes nothing.
 * 2. Write: all of it in one transaction, in bulk (a statement per chunk of rows), then the
 *    engine recomputes only what the import touched. Check-in history keeps its dates; a
 *    check-in already recorded at the same instant is not added twice.
 *
 * The import is recorded in the audit trail once, with its counts and the file's row count.
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { Executor } from "../db/database.js";
import { importQueries } from "../db/import-queries.js";
import type { OrgScope } from "../db/org-scope.js";
import { type KeyResultRow, type ObjectiveRow, objectiveRepo } from "../db/repositories.js";
import * as s from "../db/schema.js";
import { AppError } from "../domain/errors.js";
import { type Actor, mutate, read, type Services } from "./context.js";
import {
  csvCells,
  type ImportRow,
  type ParsedSheet,
  type RowProblem,
  readSheet,
  xlsxCells,
} from "./okr-import-parse.js";
import { parseInput } from "./schemas.js";

export const OkrImportSchema = z.strictObject({
  format: z.enum(["csv", "xlsx"]).describe("csv: `content` is the file's text; xlsx: the file's bytes in base64"),
  content: z.string().min(1, "is empty: send the file's text (CSV) or its bytes in base64 (XLSX)"),
  dryRun: z.boolean().optional().describe("Plan and report per row without writing anything"),
  createMissing: z
    .boolean()
    .optional()
    .describe("Create the people (by email), teams and periods the file names that Okra does not have"),
});

type Counts = { created: number; updated: number; unchanged: number };

export interface OkrImportSummary {
  dryRun: boolean;
  rows: number;
  objectives: Counts;
  keyResults: Counts;
  initiatives: Counts;
  checkIns: { created: number; skipped: number };
  missing: { people: string[]; teams: string[]; periods: string[] };
  createdMissing: { people: number; teams: number; periods: number };
  problems: RowProblem[];
  /** The first rows with what happens to each (create, update, unchanged). */
  preview: {
    row: number;
    type: ImportRow["kind"];
    ref: string | null;
    title: string;
    action: "create" | "update" | "unchanged";
  }[];
  columns: { field: string; header: string }[];
  ignoredColumns: string[];
}

/** Progress of a write: phase and how far (rows). */
export type ImportProgress = (phase: string, done: number, total: number) => void;

const PREVIEW_ROWS = 200;
const NOON = "T12:00:00.000Z";

/** Reads the file into a sheet; a file that cannot be read is a 400 saying why. */
async function sheetOf(input: z.output<typeof OkrImportSchema>): Promise<ParsedSheet> {
  let cells: string[][];
  try {
    cells = input.format === "csv" ? csvCells(input.content) : await xlsxCells(Buffer.from(input.content, "base64"));
  } catch (err) {
    const why = err instanceof Error ? err.message.split("\n")[0] : String(err);
    throw AppError.validation([
      input.format === "csv"
        ? `content: is not a CSV file Okra can read (${why}); save the sheet as CSV (UTF-8)`
        : `content: is not an XLSX workbook (${why}); save the sheet as Excel Workbook (.xlsx) and send its bytes in base64`,
    ]);
  }
  if (cells.length < 2) throw AppError.validation(["content: has no rows under the header row"]);
  return readSheet(cells);
}

/** A period's dates from a name like "Q1 2026", "2026 Q1", "H2 2026" or "2026"; null otherwise. */
export function periodFromName(
  name: string,
): { kind: "quarter" | "year" | "custom"; startDate: string; endDate: string } | null {
  const n = name.trim().toUpperCase().replace(/\s+/g, " ");
  const last = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
  const q = /^(?:Q([1-4]) ?(?:FY)?(\d{4})|(?:FY)?(\d{4}) ?Q([1-4]))$/.exec(n);
  if (q) {
    const quarter = Number(q[1] ?? q[4]);
    const year = Number(q[2] ?? q[3]);
    const m = (quarter - 1) * 3 + 1;
    return { kind: "quarter", startDate: `${year}-${String(m).padStart(2, "0")}-01`, endDate: last(year, m + 2) };
  }
  const h = /^(?:H([12]) ?(\d{4})|(\d{4}) ?H([12]))$/.exec(n);
  if (h) {
    const half = Number(h[1] ?? h[4]);
    const year = Number(h[2] ?? h[3]);
    return half === 1
      ? { kind: "custom", startDate: `${year}-01-01`, endDate: `${year}-06-30` }
      : { kind: "custom", startDate: `${year}-07-01`, endDate: `${year}-12-31` };
  }
  const y = /^(?:FY ?)?(\d{4})$/.exec(n);
  if (y) return { kind: "year", startDate: `${y[1]}-01-01`, endDate: `${y[1]}-12-31` };
  return null;
}

/** An owner cell's parts: "Ana <ana@x.org>", "ana@x.org" or "Ana Lima". */
function ownerParts(raw: string): { email: string | null; name: string } {
  const angle = /^(.*)<([^>]+@[^>]+)>$/.exec(raw.trim());
  if (angle) return { email: angle[2]!.trim().toLowerCase(), name: angle[1]!.trim().replace(/^"|"$/g, "") };
  if (raw.includes("@")) return { email: raw.trim().toLowerCase(), name: raw.trim().split("@")[0] ?? raw };
  return { email: null, name: raw.trim() };
}

interface Plan {
  summary: OkrImportSummary;
  newPeople: { id: string; name: string; email: string }[];
  newTeams: { id: string; name: string }[];
  newPeriods: { id: string; name: string; kind: string; startDate: string; endDate: string }[];
  objectives: { insert: (typeof s.objectives.$inferInsert)[]; update: { id: string; values: Partial<ObjectiveRow> }[] };
  keyResults: { insert: (typeof s.keyResults.$inferInsert)[]; update: { id: string; values: Partial<KeyResultRow> }[] };
  initiatives: {
    insert: (typeof s.initiatives.$inferInsert)[];
    update: { id: string; values: Record<string, unknown> }[];
  };
  alignments: (typeof s.alignments.$inferInsert)[];
  checkIns: (typeof s.checkIns.$inferInsert)[];
  /** Key results whose own figures change (new, edited, or with new check-ins); objectives likewise. */
  touched: { keyResults: Set<string>; objectives: Set<string> };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const sameIds = (a: readonly string[], b: readonly string[]) => same([...a].sort(), [...b].sort());
const sameNumber = (a: string | null, b: string | null) =>
  a === null || b === null ? a === b : Number(a) === Number(b);

/** Resolves and checks every row; reads only. */
async function planImport(
  ex: Executor,
  scope: OrgScope,
  sheet: ParsedSheet,
  opts: {
    createMissing: boolean;
    dryRun: boolean;
    nowMs: number;
    actorId: string;
    /** The organisation's rule: whether a private objective may align under a public one. */
    privateUnderPublic: boolean;
  },
): Promise<Plan> {
  const problems = [...sheet.problems];
  const rows = sheet.rows;
  const bad = (r: ImportRow, column: string | null, message: string) => problems.push({ row: r.row, column, message });

  // People, teams and periods the file names.
  const ownerCells = new Map<string, { email: string | null; name: string }>();
  for (const r of rows) for (const o of r.owners) ownerCells.set(o, ownerParts(o));
  const emails = [...new Set([...ownerCells.values()].flatMap((p) => (p.email ? [p.email] : [])))];
  const names = [...new Set([...ownerCells.values()].flatMap((p) => (p.email ? [] : [p.name.toLowerCase()])))];
  const byEmail = new Map(
    (await importQueries.usersByEmails(ex, scope, emails)).map((u) => [u.email.toLowerCase(), u]),
  );
  const byName = new Map<string, string[]>();
  for (const u of await importQueries.usersByNames(ex, scope, names)) {
    byName.set(u.name.toLowerCase(), [...(byName.get(u.name.toLowerCase()) ?? []), u.id]);
  }
  const teamNames = [...new Set(rows.flatMap((r) => (r.team ? [r.team.toLowerCase()] : [])))];
  const teams = new Map(
    (await importQueries.teamsByNames(ex, scope, teamNames)).map((t) => [t.name.toLowerCase(), t.id]),
  );
  const periodNames = [...new Set(rows.flatMap((r) => (r.period ? [r.period.toLowerCase()] : [])))];
  const namedPeriods = await importQueries.periodsByNames(ex, scope, periodNames);
  const periods = new Map(namedPeriods.map((p) => [p.name.toLowerCase(), p.id]));
  // A closed period takes no new objective, and none moves into it (as POST and PATCH /objectives answer).
  const closedPeriods = new Map(namedPeriods.filter((p) => p.closedAt).map((p) => [p.id, p]));

  const plan: Plan = {
    summary: {
      dryRun: opts.dryRun,
      rows: rows.length + new Set(sheet.problems.map((p) => p.row)).size,
      objectives: { created: 0, updated: 0, unchanged: 0 },
      keyResults: { created: 0, updated: 0, unchanged: 0 },
      initiatives: { created: 0, updated: 0, unchanged: 0 },
      checkIns: { created: 0, skipped: 0 },
      missing: { people: [], teams: [], periods: [] },
      createdMissing: { people: 0, teams: 0, periods: 0 },
      problems,
      preview: [],
      columns: sheet.columns,
      ignoredColumns: sheet.ignored,
    },
    newPeople: [],
    newTeams: [],
    newPeriods: [],
    objectives: { insert: [], update: [] },
    keyResults: { insert: [], update: [] },
    initiatives: { insert: [], update: [] },
    alignments: [],
    checkIns: [],
    touched: { keyResults: new Set(), objectives: new Set() },
  };
  const missing = plan.summary.missing;

  const ownerIdsOf = (r: ImportRow): string[] | null => {
    const ids: string[] = [];
    let ok = true;
    for (const cell of r.owners) {
      const p = ownerCells.get(cell)!;
      if (p.email) {
        let id = byEmail.get(p.email)?.id;
        if (!id) {
          if (!missing.people.includes(p.email)) missing.people.push(p.email);
          if (opts.createMissing) {
            id = randomUUID();
            plan.newPeople.push({ id, name: p.name || p.email, email: p.email });
            byEmail.set(p.email, { id } as never);
          } else {
            bad(
              r,
              "Owner",
              `nobody in Okra has the email ${p.email}; invite them first, or import with "create missing"`,
            );
            ok = false;
            continue;
          }
        }
        ids.push(id);
      } else {
        const found = byName.get(p.name.toLowerCase()) ?? [];
        if (found.length === 1) ids.push(found[0]!);
        else {
          bad(
            r,
            "Owner",
            found.length
              ? `${found.length} people are named "${p.name}"; write the owner's email instead`
              : `nobody in Okra is named "${p.name}"; write the owner's email (then "create missing" can add them)`,
          );
          ok = false;
        }
      }
    }
    return ok ? [...new Set(ids)] : null;
  };
  const teamIdOf = (r: ImportRow): string | null | undefined => {
    if (!r.team) return null;
    const key = r.team.toLowerCase();
    let id = teams.get(key);
    if (!id) {
      if (!missing.teams.includes(r.team)) missing.teams.push(r.team);
      if (!opts.createMissing) {
        bad(r, "Team", `there is no team "${r.team}" in Okra; create it first, or import with "create missing"`);
        return undefined;
      }
      id = randomUUID();
      plan.newTeams.push({ id, name: r.team });
      teams.set(key, id);
    }
    return id;
  };
  const periodIdOf = (r: ImportRow): string | null | undefined => {
    if (!r.period) return null;
    const key = r.period.toLowerCase();
    let id = periods.get(key);
    if (!id) {
      if (!missing.periods.includes(r.period)) missing.periods.push(r.period);
      const dates = periodFromName(r.period);
      if (!opts.createMissing || !dates) {
        bad(
          r,
          "Time period",
          dates
            ? `there is no period "${r.period}" in Okra; create it first, or import with "create missing"`
            : `there is no period "${r.period}" in Okra, and its dates cannot be told from its name; create it first (or name it like "Q1 2026")`,
        );
        return undefined;
      }
      id = randomUUID();
      plan.newPeriods.push({ id, name: r.period, ...dates });
      periods.set(key, id);
    }
    return id;
  };

  // What the references point to: the file's own rows first, then what exists.
  const fileByRef = new Map<string, ImportRow>();
  for (const r of rows) {
    if (!r.ref) continue;
    if (fileByRef.has(r.ref))
      bad(
        r,
        "Reference",
        `"${r.ref}" is also used on row ${fileByRef.get(r.ref)!.row}; each row needs its own reference`,
      );
    else fileByRef.set(r.ref, r);
  }
  const refs = [...new Set(rows.flatMap((r) => [r.ref, r.parent].filter((x): x is string => !!x)))];
  const existing = await importQueries.byRefs(ex, scope, refs);
  const existingObjective = new Map(existing.objectives.map((o) => [o.ref!, o]));
  const existingKr = new Map(existing.keyResults.map((k) => [k.ref!, k]));
  const existingInitiative = new Map(existing.initiatives.map((i) => [i.ref!, i]));
  const kindOfExisting = (ref: string) =>
    existingObjective.has(ref)
      ? "objective"
      : existingKr.has(ref)
        ? "keyResult"
        : existingInitiative.has(ref)
          ? "initiative"
          : null;

  // Ids: an existing object's, else a new one per row.
  const idOfRow = new Map<ImportRow, string>();
  const objectiveOfKr = new Map<string, string>();
  for (const r of rows) {
    const old = r.ref ? kindOfExisting(r.ref) : null;
    if (old && old !== r.kind && r.kind !== "checkIn") {
      bad(
        r,
        "Type",
        `reference "${r.ref}" is already a${old === "objective" ? "n objective" : old === "keyResult" ? " key result" : "n initiative"} in Okra; a reference cannot change its type`,
      );
      continue;
    }
    const id =
      (r.ref && r.kind === "objective" && existingObjective.get(r.ref)?.id) ||
      (r.ref && r.kind === "keyResult" && existingKr.get(r.ref)?.id) ||
      (r.ref && r.kind === "initiative" && existingInitiative.get(r.ref)?.id) ||
      randomUUID();
    idOfRow.set(r, id);
  }
  for (const k of existing.keyResults) objectiveOfKr.set(k.id, k.objectiveId);
  /** Each objective's visibility as it will be: the file's rows, else as stored. */
  const visibilityOf = new Map(existing.objectives.map((o) => [o.id, o.visibility]));

  /** What a parent reference names: a row of the file or an existing object. */
  const parentOf = (
    r: ImportRow,
  ): { kind: "objective" | "keyResult" | "initiative" | "checkIn"; id: string } | null => {
    const ref = r.parent!;
    const inFile = fileByRef.get(ref);
    if (inFile && idOfRow.has(inFile)) return { kind: inFile.kind, id: idOfRow.get(inFile)! };
    const kind = kindOfExisting(ref);
    if (kind === "objective") return { kind, id: existingObjective.get(ref)!.id };
    if (kind === "keyResult") return { kind, id: existingKr.get(ref)!.id };
    if (kind === "initiative") return { kind, id: existingInitiative.get(ref)!.id };
    return null;
  };
  const noParent = (r: ImportRow, what: string) =>
    bad(r, "Parent reference", `"${r.parent}" is neither a row of this file nor ${what} in Okra; check the reference`);

  const preview = (r: ImportRow, action: "create" | "update" | "unchanged") => {
    if (plan.summary.preview.length < PREVIEW_ROWS) {
      plan.summary.preview.push({ row: r.row, type: r.kind, ref: r.ref, title: r.title, action });
    }
  };
  const now = new Date(opts.nowMs);
  const position = new Map<string, number>();
  const alignmentChildren: string[] = [];
  const wantedAlignments: {
    r: ImportRow;
    child: { type: "objective" | "keyResult"; id: string };
    parent: { type: "objective" | "keyResult"; id: string };
  }[] = [];
  const checkInKrs = new Set<string>();
  for (const r of rows) {
    if (r.kind === "checkIn" && r.parent) {
      const p = parentOf(r);
      if (p?.kind === "keyResult") checkInKrs.add(p.id);
    }
  }

  // Objectives.
  for (const r of rows.filter((x) => x.kind === "objective")) {
    const id = idOfRow.get(r);
    if (!id) continue;
    const old = r.ref ? existingObjective.get(r.ref) : undefined;
    const ownerIds = ownerIdsOf(r);
    const teamId = teamIdOf(r);
    const periodId = periodIdOf(r) ?? old?.periodId ?? null;
    if (!periodId) {
      if (!r.period) bad(r, "Time period", "is empty: a new objective needs its period, e.g. Q1 2026");
      continue;
    }
    const closed = closedPeriods.get(periodId);
    if (closed && (!old || old.periodId !== periodId)) {
      bad(
        r,
        "Time period",
        `the period "${closed.name}" is closed, so no objective can be ${old ? "moved to" : "created in"} it; name an open period, or reopen "${closed.name}" first`,
      );
      continue;
    }
    if (ownerIds === null || teamId === undefined) continue;
    const level = r.level ?? old?.level ?? (teamId ? "team" : ownerIds.length ? "individual" : "organization");
    if (level === "team" && !(teamId ?? old?.teamId)) {
      bad(r, "Team", "is empty: a team objective needs its team");
      continue;
    }
    const values = {
      title: r.title,
      description: r.description ?? old?.description ?? "",
      level,
      teamId: teamId ?? old?.teamId ?? null,
      periodId,
      ownerIds: r.owners.length ? ownerIds : (old?.ownerIds ?? []),
      visibility: r.visibility ?? old?.visibility ?? "public",
    };
    visibilityOf.set(id, values.visibility);
    if (r.parent) {
      const p = parentOf(r);
      if (!p || (p.kind !== "objective" && p.kind !== "keyResult")) {
        if (!p) noParent(r, "an objective or key result");
        else
          bad(
            r,
            "Parent reference",
            `"${r.parent}" is a${p.kind === "initiative" ? "n initiative" : " check-in"}; an objective aligns under an objective or a key result`,
          );
        continue;
      }
      if (p.id === id) {
        bad(r, "Parent reference", "names the row itself; an objective cannot align under itself");
        continue;
      }
      wantedAlignments.push({ r, child: { type: "objective", id }, parent: { type: p.kind, id: p.id } });
      alignmentChildren.push(id);
    }
    if (!old) {
      plan.objectives.insert.push({ id, orgId: scope.orgId, ref: r.ref, ...values, createdAt: now, updatedAt: now });
      plan.summary.objectives.created++;
      plan.touched.objectives.add(id);
      preview(r, "create");
    } else {
      const changed =
        old.title !== values.title ||
        old.description !== values.description ||
        old.level !== values.level ||
        old.teamId !== values.teamId ||
        old.periodId !== values.periodId ||
        old.visibility !== values.visibility ||
        !sameIds(old.ownerIds, values.ownerIds);
      if (changed) {
        plan.objectives.update.push({ id, values });
        plan.summary.objectives.updated++;
        plan.touched.objectives.add(id);
      } else plan.summary.objectives.unchanged++;
      preview(r, changed ? "update" : "unchanged");
    }
  }

  // Key results.
  for (const r of rows.filter((x) => x.kind === "keyResult")) {
    const id = idOfRow.get(r);
    if (!id || !r.parent) continue;
    const old = r.ref ? existingKr.get(r.ref) : undefined;
    const p = parentOf(r);
    if (p?.kind !== "objective") {
      if (!p) noParent(r, "an objective");
      else
        bad(
          r,
          "Parent reference",
          `"${r.parent}" is not an objective; a key result's parent reference names its objective`,
        );
      continue;
    }
    // Known before its own checks, so its projects and check-ins find their objective.
    objectiveOfKr.set(id, p.id);
    const ownerIds = ownerIdsOf(r);
    if (ownerIds === null) continue;
    const type =
      r.krType ??
      old?.type ??
      (r.target === null
        ? "milestone"
        : r.start !== null && Number(r.target) < Number(r.start)
          ? "decrease"
          : "increase");
    let start = r.start ?? old?.start ?? null;
    const target = r.target ?? old?.target ?? null;
    if (type === "increase" || type === "decrease") {
      if (target === null) {
        bad(
          r,
          "Target",
          `is empty: an ${type === "increase" ? "increasing" : "decreasing"} key result needs its target`,
        );
        continue;
      }
      if (start === null && type === "increase") start = "0";
      if (start === null) {
        bad(r, "Start", "is empty: a decreasing key result needs the value it starts from");
        continue;
      }
      if (type === "increase" ? Number(target) <= Number(start) : Number(target) >= Number(start)) {
        bad(
          r,
          "Target",
          `${target} must be ${type === "increase" ? "above" : "below"} the start (${start}) for a key result that ${type === "increase" ? "increases" : "decreases"}`,
        );
        continue;
      }
    } else if ((type === "stayAbove" || type === "stayBelow") && target === null) {
      bad(r, "Target", "is empty: a key result that stays above or below a line needs that line as its target");
      continue;
    }
    const milestone = type === "milestone";
    const values = {
      objectiveId: p.id,
      title: r.title,
      description: r.description ?? old?.description ?? "",
      ownerIds: r.owners.length ? ownerIds : (old?.ownerIds ?? []),
      type,
      unit: r.unit ?? old?.unit ?? "number",
      currency: r.unit === "currency" ? r.currency : (old?.currency ?? null),
      start: milestone || type === "stayAbove" || type === "stayBelow" ? null : start,
      target: milestone ? null : target,
    };
    const pos = position.get(p.id) ?? 0;
    position.set(p.id, pos + 1);
    if (!old) {
      plan.keyResults.insert.push({
        id,
        orgId: scope.orgId,
        ref: r.ref,
        ...values,
        position: pos,
        createdAt: now,
        updatedAt: now,
      });
      plan.summary.keyResults.created++;
      plan.touched.keyResults.add(id);
      preview(r, "create");
    } else {
      const changed =
        old.objectiveId !== values.objectiveId ||
        old.title !== values.title ||
        old.description !== values.description ||
        old.type !== values.type ||
        old.unit !== values.unit ||
        old.currency !== values.currency ||
        !sameNumber(old.start, values.start) ||
        !sameNumber(old.target, values.target) ||
        !sameIds(old.ownerIds, values.ownerIds);
      if (changed) {
        plan.keyResults.update.push({ id, values });
        plan.summary.keyResults.updated++;
        plan.touched.keyResults.add(id);
        if (old.objectiveId !== values.objectiveId) plan.touched.objectives.add(old.objectiveId);
      } else plan.summary.keyResults.unchanged++;
      preview(r, changed ? "update" : "unchanged");
    }
    // The current value, when the file has no check-in history for it: one check-in now.
    const latest = old?.latestValue ?? null;
    if (r.current !== null && !checkInKrs.has(id) && !(old && sameNumber(latest, r.current))) {
      plan.checkIns.push({
        id: randomUUID(),
        orgId: scope.orgId,
        keyResultId: id,
        value: milestone ? null : r.current,
        achieved: milestone ? Number(r.current) !== 0 : null,
        note: r.note ?? "Imported",
        authorId: opts.actorId,
        at: now,
        createdAt: now,
        updatedAt: now,
      });
      plan.touched.keyResults.add(id);
    }
  }

  // Initiatives.
  for (const r of rows.filter((x) => x.kind === "initiative")) {
    const id = idOfRow.get(r);
    if (!id) continue;
    const old = r.ref ? existingInitiative.get(r.ref) : undefined;
    const p = r.parent ? parentOf(r) : null;
    if (!r.parent) {
      bad(r, "Parent reference", "is empty: a project's parent reference names its objective or key result");
      continue;
    }
    if (!p || (p.kind !== "objective" && p.kind !== "keyResult")) {
      if (!p) noParent(r, "an objective or key result");
      else bad(r, "Parent reference", `"${r.parent}" is not an objective or key result`);
      continue;
    }
    const objectiveId = p.kind === "objective" ? p.id : objectiveOfKr.get(p.id);
    if (!objectiveId) {
      noParent(r, "an objective or key result");
      continue;
    }
    const ownerIds = ownerIdsOf(r);
    if (ownerIds === null) continue;
    const values = {
      objectiveId,
      keyResultId: p.kind === "keyResult" ? p.id : null,
      title: r.title,
      description: r.description ?? old?.description ?? "",
      ownerIds: r.owners.length ? ownerIds : (old?.ownerIds ?? []),
      state: r.initiativeState ?? old?.state ?? (r.progress === 1 ? "done" : "planned"),
      progress: r.progress ?? old?.progress ?? null,
    };
    if (!old) {
      plan.initiatives.insert.push({ id, orgId: scope.orgId, ref: r.ref, ...values, createdAt: now, updatedAt: now });
      plan.summary.initiatives.created++;
      plan.touched.objectives.add(objectiveId);
      preview(r, "create");
    } else {
      const changed =
        old.objectiveId !== values.objectiveId ||
        old.keyResultId !== values.keyResultId ||
        old.title !== values.title ||
        old.description !== values.description ||
        old.state !== values.state ||
        old.progress !== values.progress ||
        !sameIds(old.ownerIds, values.ownerIds);
      if (changed) {
        plan.initiatives.update.push({ id, values });
        plan.summary.initiatives.updated++;
        plan.touched.objectives.add(objectiveId);
      } else plan.summary.initiatives.unchanged++;
      preview(r, changed ? "update" : "unchanged");
    }
  }

  // Check-in history, with its dates; none twice at the same instant.
  const existingKrIds = new Set(existing.keyResults.map((k) => k.id));
  const seen = await importQueries.checkInInstants(
    ex,
    scope,
    [...checkInKrs].filter((id) => existingKrIds.has(id)),
  );
  const krTypes = new Map<string, string>([
    ...existing.keyResults.map((k) => [k.id, k.type] as const),
    ...plan.keyResults.insert.map((k) => [k.id as string, k.type] as const),
    ...plan.keyResults.update.map((k) => [k.id, k.values.type as string] as const),
  ]);
  for (const r of rows.filter((x) => x.kind === "checkIn")) {
    const p = parentOf(r);
    if (p?.kind !== "keyResult") {
      if (!p) noParent(r, "a key result");
      else
        bad(
          r,
          "Parent reference",
          `"${r.parent}" is not a key result; a check-in's parent reference names its key result`,
        );
      continue;
    }
    const at = new Date(`${r.date}${NOON}`);
    if (at.getTime() > opts.nowMs + 86_400_000) {
      bad(r, "Date", `${r.date} is in the future; a check-in records what was, so date it today or earlier`);
      continue;
    }
    const key = `${p.id}|${at.toISOString()}`;
    if (seen.has(key)) {
      plan.summary.checkIns.skipped++;
      preview(r, "unchanged");
      continue;
    }
    seen.add(key);
    const milestone = krTypes.get(p.id) === "milestone";
    const value = r.current ?? (r.progress !== null ? String(r.progress * 100) : null);
    plan.checkIns.push({
      id: randomUUID(),
      orgId: scope.orgId,
      keyResultId: p.id,
      value: milestone ? null : value,
      achieved: milestone ? Number(value) !== 0 : null,
      note: r.note ?? "",
      authorId: opts.actorId,
      at,
      createdAt: now,
      updatedAt: now,
    });
    plan.touched.keyResults.add(p.id);
    preview(r, "create");
  }
  plan.summary.checkIns.created = plan.checkIns.length;

  // Alignments: new ones only, and no loop within the file.
  const have = await importQueries.alignmentsOfChildren(ex, scope, alignmentChildren);
  const parentObjectiveOf = (a: (typeof wantedAlignments)[number]) =>
    a.parent.type === "keyResult" ? objectiveOfKr.get(a.parent.id) : a.parent.id;
  const unknownParents = wantedAlignments.flatMap((a) => {
    const id = parentObjectiveOf(a);
    return id && !visibilityOf.has(id) ? [id] : [];
  });
  for (const o of await objectiveRepo.listByIds(ex, scope, [...new Set(unknownParents)])) {
    visibilityOf.set(o.id, o.visibility);
  }
  const parentOfNode = new Map<string, string>();
  for (const a of wantedAlignments)
    parentOfNode.set(
      a.child.id,
      a.parent.type === "keyResult" ? (objectiveOfKr.get(a.parent.id) ?? a.parent.id) : a.parent.id,
    );
  for (const a of wantedAlignments) {
    const seenIds = new Set([a.child.id]);
    let up = parentOfNode.get(a.child.id);
    let loop = false;
    while (up) {
      if (seenIds.has(up)) {
        loop = up === a.child.id;
        break;
      }
      seenIds.add(up);
      up = parentOfNode.get(up);
    }
    if (loop) {
      bad(
        a.r,
        "Parent reference",
        `"${a.r.parent}" leads back to this row through the file's parent references; break the loop`,
      );
      continue;
    }
    // The rule `POST /alignments` applies: a private objective's progress must not show through a public parent.
    const parentObjective = parentObjectiveOf(a);
    if (
      !opts.privateUnderPublic &&
      visibilityOf.get(a.child.id) === "private" &&
      parentObjective !== undefined &&
      visibilityOf.get(parentObjective) !== "private"
    ) {
      bad(
        a.r,
        "Parent reference",
        `this objective is private and "${a.r.parent}" is public; a private objective cannot align under a public one (its progress would show through). Make it public, leave out the parent reference, or ask an admin to allow it in settings (privateUnderPublic)`,
      );
      continue;
    }
    if (have.has(`${a.child.id}|${a.parent.id}`)) continue;
    plan.alignments.push({
      id: randomUUID(),
      orgId: scope.orgId,
      childType: a.child.type,
      childId: a.child.id,
      parentType: a.parent.type,
      parentId: a.parent.id,
      createdAt: now,
      updatedAt: now,
    });
    plan.touched.objectives.add(a.child.id);
  }
  plan.summary.createdMissing = opts.createMissing
    ? { people: plan.newPeople.length, teams: plan.newTeams.length, periods: plan.newPeriods.length }
    : { people: 0, teams: 0, periods: 0 };
  problems.sort((a, b) => a.row - b.row);
  return plan;
}

/**
 * Imports OKRs from a CSV or XLSX file (see the module comment). A dry run answers the plan;
 * otherwise a file with problems is refused (400, every problem as "row N, Column: message")
 * and a good one is written in one transaction. `progress` hears how the write goes (the CLI's bar).
 */
export async function importOkrs(
  svc: Services,
  actor: Actor,
  body: unknown,
  progress?: ImportProgress,
): Promise<OkrImportSummary> {
  const input = parseInput(OkrImportSchema, body);
  const sheet = await sheetOf(input);
  const opts = { createMissing: input.createMissing === true, dryRun: input.dryRun === true, actorId: actor.userId };
  if (opts.dryRun) {
    return read(
      svc,
      actor,
      async (r) =>
        (
          await planImport(r.ex, r.scope, sheet, {
            ...opts,
            nowMs: r.nowMs,
            privateUnderPublic: r.guard.rules.privateUnderPublic,
          })
        ).summary,
    );
  }
  return mutate(svc, actor, async (w) => {
    const plan = await planImport(w.tx, w.scope, sheet, {
      ...opts,
      nowMs: w.nowMs,
      privateUnderPublic: w.guard.rules.privateUnderPublic,
    });
    if (plan.summary.problems.length) {
      throw AppError.validation(
        plan.summary.problems.map((p) => `row ${p.row}${p.column ? `, ${p.column}` : ""}: ${p.message}`),
      );
    }
    const total =
      plan.objectives.insert.length +
      plan.keyResults.insert.length +
      plan.initiatives.insert.length +
      plan.checkIns.length;
    let done = 0;
    const step = (phase: string, n: number) => {
      done += n;
      progress?.(phase, done, total);
    };
    const now = new Date(w.nowMs);
    for (const p of plan.newPeople) {
      await importQueries.insertPeople(w.tx, [
        { id: p.id, orgId: w.scope.orgId, name: p.name, email: p.email, createdAt: now, updatedAt: now },
      ]);
    }
    await importQueries.insertTeams(
      w.tx,
      plan.newTeams.map((t) => ({ id: t.id, orgId: w.scope.orgId, name: t.name, createdAt: now, updatedAt: now })),
    );
    await importQueries.insertPeriods(
      w.tx,
      plan.newPeriods.map((p) => ({ ...p, orgId: w.scope.orgId, createdAt: now, updatedAt: now })),
    );
    await importQueries.insertObjectives(w.tx, plan.objectives.insert);
    step("objectives", plan.objectives.insert.length);
    await importQueries.insertKeyResults(w.tx, plan.keyResults.insert);
    step("key results", plan.keyResults.insert.length);
    await importQueries.insertInitiatives(w.tx, plan.initiatives.insert);
    step("initiatives", plan.initiatives.insert.length);
    for (const u of plan.objectives.update)
      await importQueries.update(w.tx, w.scope, s.objectives, u.id, u.values, now);
    for (const u of plan.keyResults.update)
      await importQueries.update(w.tx, w.scope, s.keyResults, u.id, u.values, now);
    for (const u of plan.initiatives.update)
      await importQueries.update(w.tx, w.scope, s.initiatives, u.id, u.values, now);
    await importQueries.insertAlignments(w.tx, plan.alignments);
    await importQueries.insertCheckIns(w.tx, plan.checkIns);
    step("check-ins", plan.checkIns.length);
    w.touch([...plan.touched.keyResults], {
      objective: [...plan.touched.objectives],
      keyResult: [...plan.touched.keyResults],
    });
    const { preview: _preview, problems: _problems, ...counts } = plan.summary;
    await w.audit("okrs.imported", "organization", w.scope.orgId, null, { ...counts, format: input.format });
    progress?.("recompute", total, total);
    return plan.summary;
  });
}
