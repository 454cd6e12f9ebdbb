/**
 * Reading an OKR spreadsheet (#13): a CSV text or an XLSX workbook's first sheet, one row per
 * objective, key result, initiative (Viva's "Project") or check-in, in the column shapes of
 * Viva Goals' import template and explorer export as well as Okra's own template.
 *
 * Headers are matched loosely (case, spaces and punctuation do not matter) against each
 * field's names; unknown columns are ignored and listed. Each row becomes an `ImportRow` with
 * its cells read into typed fields, or problems naming the row, the column and how to fix it.
 * Nothing here reads the database: owners, teams, periods and references are resolved by the
 * service (okr-import.service.ts).
 */
import { parse } from "csv-parse/sync";
import ExcelJS from "exceljs";
import { isIsoDate } from "../domain/periods.js";

/** What a row is. */
export type RowKind = "objective" | "keyResult" | "initiative" | "checkIn";

/** The fields a sheet may carry; `names` are the headers each is known by (normalised). */
export const IMPORT_COLUMNS = {
  ref: { header: "Reference", names: ["reference", "okrreference", "ref", "okrid", "id", "referenceid", "okrref"] },
  parent: {
    header: "Parent reference",
    names: ["parentreference", "parentokrreference", "parent", "parentid", "parentokr", "alignedto", "parentref"],
  },
  type: { header: "Type", names: ["type", "okrtype", "entitytype", "kind"] },
  title: { header: "Title", names: ["title", "name", "okrtitle", "okrname"] },
  description: { header: "Description", names: ["description", "details"] },
  owner: {
    header: "Owner",
    names: ["owner", "owners", "owneremail", "owneremails", "ownername", "assignee", "assignedto"],
  },
  team: { header: "Team", names: ["team", "teamname", "teams"] },
  period: { header: "Time period", names: ["timeperiod", "period", "quarter", "cycle"] },
  level: { header: "Level", names: ["level", "okrlevel"] },
  krType: { header: "Key result type", names: ["keyresulttype", "krtype", "metrictype", "measurement", "direction"] },
  start: { header: "Start", names: ["start", "startvalue", "baseline", "initialvalue", "from"] },
  target: { header: "Target", names: ["target", "targetvalue", "goal", "to"] },
  current: { header: "Current", names: ["current", "currentvalue", "latestvalue", "value", "checkinvalue"] },
  unit: { header: "Unit", names: ["unit", "metricunit", "unitofmeasure", "units"] },
  status: { header: "Status", names: ["status", "state"] },
  progress: { header: "Progress", names: ["progress", "percentcomplete", "completion"] },
  date: { header: "Date", names: ["date", "checkindate", "checkedinat", "updatedat", "lastupdated"] },
  note: { header: "Note", names: ["note", "checkinnote", "comment", "notes"] },
  visibility: { header: "Visibility", names: ["visibility", "private"] },
} as const;

export type ImportField = keyof typeof IMPORT_COLUMNS;

/** Okra's own template: its columns in order (the downloadable file and the docs). */
export const TEMPLATE_FIELDS: readonly ImportField[] = [
  "ref",
  "parent",
  "type",
  "title",
  "description",
  "owner",
  "team",
  "period",
  "level",
  "krType",
  "start",
  "target",
  "current",
  "unit",
  "progress",
  "date",
  "note",
  "visibility",
];

/** A problem with one cell (or row): the row's number as the spreadsheet shows it, the column's header. */
export interface RowProblem {
  row: number;
  column: string | null;
  message: string;
}

/** One row read from the sheet; numbers are decimal strings, dates ISO. */
export interface ImportRow {
  row: number;
  kind: RowKind;
  ref: string | null;
  parent: string | null;
  title: string;
  description: string | null;
  /** Emails or names, as given (resolved by the service). */
  owners: string[];
  team: string | null;
  period: string | null;
  level: "organization" | "team" | "individual" | null;
  krType: "increase" | "decrease" | "stayAbove" | "stayBelow" | "milestone" | null;
  start: string | null;
  target: string | null;
  current: string | null;
  unit: "number" | "percent" | "currency" | null;
  currency: string | null;
  /** 0–1. */
  progress: number | null;
  date: string | null;
  note: string | null;
  visibility: "public" | "private" | null;
  /** An initiative's state from its status cell. */
  initiativeState: "planned" | "inProgress" | "done" | "cancelled" | null;
}

export interface ParsedSheet {
  rows: ImportRow[];
  problems: RowProblem[];
  /** Headers matched to fields, and those ignored. */
  columns: { field: ImportField; header: string }[];
  ignored: string[];
}

const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, "");

/** Cells of a CSV text (a BOM, `;` or tab separators are fine). */
export function csvCells(text: string): string[][] {
  const body = text.replace(/^\uFEFF/, "");
  const firstLine = body.slice(0, body.indexOf("\n") >>> 0);
  const counts = [",", ";", "\t"].map((d) => [d, firstLine.split(d).length] as const);
  const delimiter = counts.sort((a, b) => b[1] - a[1])[0]?.[0] ?? ",";
  return parse(body, { delimiter, relax_column_count: true, skip_empty_lines: true, bom: true }) as string[][];
}

/** Cells of an XLSX workbook's first worksheet, as text (dates as YYYY-MM-DD). */
export async function xlsxCells(data: Buffer): Promise<string[][]> {
  const wb = new ExcelJS.Workbook();
  // exceljs types its load() with an older Buffer type than Node 20's.
  await wb.xlsx.load(data as unknown as ArrayBuffer);
  const ws = wb.worksheets[0];
  if (!ws) return [];
  const out: string[][] = [];
  ws.eachRow({ includeEmpty: false }, (row) => {
    const cells: string[] = [];
    row.eachCell({ includeEmpty: true }, (cell, col) => {
      cells[col - 1] = cellText(cell.value);
    });
    out.push(Array.from(cells, (c) => c ?? ""));
  });
  return out;
}

function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return "";
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === "object") {
    if ("richText" in v) return v.richText.map((r) => r.text).join("");
    if ("result" in v) return cellText(v.result as ExcelJS.CellValue);
    if ("text" in v) return String(v.text);
    if ("error" in v) return "";
  }
  return String(v);
}

const KINDS: Record<string, RowKind> = {
  objective: "objective",
  obj: "objective",
  goal: "objective",
  keyresult: "keyResult",
  kr: "keyResult",
  project: "initiative",
  initiative: "initiative",
  projectorinitiative: "initiative",
  task: "initiative",
  checkin: "checkIn",
  update: "checkIn",
};

const LEVELS: Record<string, ImportRow["level"]> = {
  organization: "organization",
  organisation: "organization",
  org: "organization",
  company: "organization",
  team: "team",
  individual: "individual",
  personal: "individual",
  person: "individual",
};

const KR_TYPES: Record<string, ImportRow["krType"]> = {
  increase: "increase",
  increaseto: "increase",
  decrease: "decrease",
  decreaseto: "decrease",
  reduce: "decrease",
  stayabove: "stayAbove",
  maintainabove: "stayAbove",
  keepabove: "stayAbove",
  stayat: "stayAbove",
  staybelow: "stayBelow",
  maintainbelow: "stayBelow",
  keepbelow: "stayBelow",
  milestone: "milestone",
  achieved: "milestone",
  binary: "milestone",
  completed: "milestone",
};

const INITIATIVE_STATES: Record<string, ImportRow["initiativeState"]> = {
  notstarted: "planned",
  planned: "planned",
  todo: "planned",
  inprogress: "inProgress",
  ontrack: "inProgress",
  behind: "inProgress",
  atrisk: "inProgress",
  done: "done",
  completed: "done",
  closed: "done",
  cancelled: "cancelled",
  canceled: "cancelled",
  postponed: "cancelled",
};

const CURRENCIES: Record<string, string> = { $: "USD", "€": "EUR", "£": "GBP", "¥": "JPY" };

/** Reads a number cell: "1,234.5", "45 %", "$1,200" (the unit it carries is returned too). */
function readNumber(raw: string): { value: string; percent: boolean; currency: string | null } | null {
  let s = raw.trim().replace(/\u00a0/g, " ");
  let percent = false;
  let currency: string | null = null;
  if (s.endsWith("%")) {
    percent = true;
    s = s.slice(0, -1).trim();
  }
  const sym = Object.keys(CURRENCIES).find((c) => s.startsWith(c) || s.endsWith(c));
  if (sym) {
    currency = CURRENCIES[sym] ?? null;
    s = s.replace(sym, "").trim();
  }
  s = s.replace(/[\s,](?=\d{3}(\D|$))/g, "");
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(s)) return null;
  const n = Number(s);
  if (!Number.isFinite(n) || Math.abs(n) >= 1e15) return null;
  return { value: s.replace(/^\+/, ""), percent, currency };
}

/** Reads a date cell: YYYY-MM-DD (a date-time keeps its day), or an Excel serial day number. */
function readDate(raw: string): string | null {
  const s = raw.trim();
  const iso = s.slice(0, 10);
  if (isIsoDate(iso) && (s.length === 10 || /^[T ]/.test(s.slice(10)))) return iso;
  if (/^\d{5}(\.\d+)?$/.test(s)) {
    // Days since 1899-12-30, as spreadsheets count them.
    const d = new Date(Date.UTC(1899, 11, 30) + Math.floor(Number(s)) * 86_400_000);
    return d.toISOString().slice(0, 10);
  }
  return null;
}

/**
 * Reads the cells (first non-empty row: the headers) into import rows. The row numbers are the
 * sheet's (the header is row 1). Every problem is collected; a row with one is left out.
 */
export function readSheet(cells: string[][]): ParsedSheet {
  const problems: RowProblem[] = [];
  const header = cells[0] ?? [];
  const columns: { field: ImportField; header: string; index: number }[] = [];
  const ignored: string[] = [];
  const taken = new Set<ImportField>();
  header.forEach((h, index) => {
    const key = norm(h);
    if (!key) return;
    const field = (Object.keys(IMPORT_COLUMNS) as ImportField[]).find(
      (f) => !taken.has(f) && (IMPORT_COLUMNS[f].names as readonly string[]).includes(key),
    );
    if (field) {
      taken.add(field);
      columns.push({ field, header: h.trim(), index });
    } else ignored.push(h.trim());
  });
  const headerOf = (f: ImportField) => columns.find((c) => c.field === f)?.header ?? IMPORT_COLUMNS[f].header;
  for (const need of ["title", "type"] as const) {
    if (!taken.has(need)) {
      problems.push({
        row: 1,
        column: null,
        message: `no "${IMPORT_COLUMNS[need].header}" column: the first row must name the columns (download the template for the names Okra reads)`,
      });
    }
  }
  if (problems.length)
    return { rows: [], problems, columns: columns.map(({ field, header }) => ({ field, header })), ignored };

  const rows: ImportRow[] = [];
  for (let i = 1; i < cells.length; i++) {
    const line = cells[i] ?? [];
    if (line.every((c) => !c?.trim())) continue;
    const rowNo = i + 1;
    const get = (f: ImportField) => {
      const c = columns.find((x) => x.field === f);
      const v = c ? (line[c.index] ?? "").trim() : "";
      // An export's apostrophe in front of what a spreadsheet would take for a formula.
      return v === "" ? null : /^'[\s\u00A0\uFEFF]*[=+\-@]/.test(v) ? v.slice(1) : v;
    };
    const before = problems.length;
    const bad = (f: ImportField, message: string) => problems.push({ row: rowNo, column: headerOf(f), message });

    const typeCell = get("type");
    const kind = typeCell ? KINDS[norm(typeCell)] : undefined;
    if (!kind) {
      bad(
        "type",
        `"${typeCell ?? ""}" is not a type Okra knows: write Objective, Key Result, Project (or Initiative) or Check-in`,
      );
      continue;
    }
    const title = get("title") ?? "";
    if (!title && kind !== "checkIn") bad("title", "is empty: every objective, key result and project needs a title");
    if (title.length > 500) bad("title", `is ${title.length} characters long; at most 500`);

    const num = (f: ImportField) => {
      const raw = get(f);
      if (raw === null) return null;
      const n = readNumber(raw);
      if (!n) bad(f, `"${raw}" is not a number; write digits such as 1200 or 12.5 (a % sign is fine)`);
      return n;
    };
    const start = num("start");
    const target = num("target");
    const current = num("current");
    let progress: number | null = null;
    const progressCell = get("progress");
    if (progressCell !== null) {
      const n = readNumber(progressCell);
      const value = n ? Number(n.value) : Number.NaN;
      // "45 %" and "45" are 45 %; "0.45" is too.
      const fraction = n && (n.percent || value > 1) ? value / 100 : value;
      if (!n || fraction < 0 || fraction > 1)
        bad("progress", `"${progressCell}" is not a progress: write 0 to 100 % (or 0 to 1)`);
      else progress = fraction;
    }
    const dateCell = get("date");
    const date = dateCell === null ? null : readDate(dateCell);
    if (dateCell !== null && date === null)
      bad("date", `"${dateCell}" is not a date; write it as YYYY-MM-DD, e.g. 2026-03-31`);

    const levelCell = get("level");
    const level = levelCell === null ? null : (LEVELS[norm(levelCell)] ?? undefined);
    if (level === undefined) bad("level", `"${levelCell}" is not a level: write Organization, Team or Individual`);
    const krTypeCell = get("krType");
    const krType = krTypeCell === null ? null : (KR_TYPES[norm(krTypeCell)] ?? undefined);
    if (krType === undefined) {
      bad(
        "krType",
        `"${krTypeCell}" is not a key result type: write Increase, Decrease, Stay above, Stay below or Milestone`,
      );
    }
    const unitCell = get("unit");
    let unit: ImportRow["unit"] = null;
    let currency: string | null = [start, target, current].find((n) => n?.currency)?.currency ?? null;
    if (unitCell !== null) {
      const u = unitCell.trim();
      if (u === "%" || norm(u) === "percent" || norm(u) === "percentage") unit = "percent";
      else if (CURRENCIES[u] || /^[A-Z]{3}$/.test(u)) {
        unit = "currency";
        currency = CURRENCIES[u] ?? u;
      } else unit = "number";
    } else if ([start, target, current].some((n) => n?.percent)) unit = "percent";
    else if (currency) unit = "currency";

    const visibilityCell = get("visibility");
    let visibility: ImportRow["visibility"] = null;
    if (visibilityCell !== null) {
      const v = norm(visibilityCell);
      if (v === "private" || v === "yes" || v === "true") visibility = "private";
      else if (v === "public" || v === "no" || v === "false" || v === "everyone") visibility = "public";
      else bad("visibility", `"${visibilityCell}" is not a visibility: write Public or Private`);
    }
    const statusCell = get("status");
    const initiativeState = kind === "initiative" && statusCell ? (INITIATIVE_STATES[norm(statusCell)] ?? null) : null;

    const owners = (get("owner") ?? "")
      .split(/[;,\n]/)
      .map((o) => o.trim())
      .filter(Boolean);
    const ref = get("ref");
    if (ref !== null && ref.length > 200) bad("ref", "is longer than 200 characters");
    const parent = get("parent");
    if (kind === "keyResult" && parent === null) {
      bad("parent", "is empty: a key result's parent reference names its objective");
    }
    if (kind === "checkIn") {
      if (parent === null) bad("parent", "is empty: a check-in's parent reference names its key result");
      if (date === null && dateCell === null) bad("date", "is empty: a check-in needs its date (YYYY-MM-DD)");
      if (current === null && progress === null) bad("current", "is empty: a check-in needs its value");
    }
    if (problems.length > before) continue;
    rows.push({
      row: rowNo,
      kind,
      ref,
      parent,
      title,
      description: get("description"),
      owners,
      team: get("team"),
      period: get("period"),
      level: level ?? null,
      krType: krType ?? null,
      start: start?.value ?? null,
      target: target?.value ?? null,
      current: current?.value ?? null,
      unit,
      currency,
      progress,
      date,
      note: get("note"),
      visibility,
      initiativeState,
    });
  }
  return { rows, problems, columns: columns.map(({ field, header }) => ({ field, header })), ignored };
}
