/**
 * OKRs out (#13): the import template, spreadsheets (CSV, XLSX) of any explorer view or a
 * team's OKRs with their key results, and a PowerPoint deck for the quarterly review.
 *
 * The spreadsheets use the import's own columns (okr-import-parse.ts), so a file exported
 * and imported again updates what it came from: each row carries its reference (the id for
 * objects without one). Text cells that a spreadsheet would run as a formula get a leading
 * apostrophe (`neutraliseCell`); the import drops it again.
 *
 * Cost: the rows of the view, read a page at a time through the explorer's own query (its
 * filters, its guard), plus one query per page for references, parents, names and emails.
 */
import { stringify } from "csv-stringify/sync";
import ExcelJS from "exceljs";
import pptxModule from "pptxgenjs";
import { z } from "zod";
import { importQueries } from "../db/import-queries.js";
import { objectiveRepo } from "../db/repositories.js";
import { AppError } from "../domain/errors.js";
import { neutraliseCell } from "../domain/spreadsheet-cell.js";
import { STATUS_WORDS } from "../domain/words.js";
import type { Actor, Services } from "./context.js";
import { read } from "./context.js";
import type { ObjectiveDetail } from "./okr.service.js";
import { IMPORT_COLUMNS, type ImportField, TEMPLATE_FIELDS } from "./okr-import-parse.js";
import { parseInput } from "./schemas.js";
import { listObjectives, objectiveTrends, weeklyInstants } from "./view.service.js";

/** What a raw route answers (a file). */
export interface ExportFile {
  contentType: string;
  body: string | Buffer;
  filename: string;
}

// pptxgenjs's types describe its ES module as CommonJS; at run time the default import is the class.
const PptxGenJS = pptxModule as unknown as typeof pptxModule.default;

const XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const PPTX_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.presentation";
const PAGE = 200;

export const ExportQuerySchema = z.strictObject({
  format: z.enum(["csv", "xlsx"]).optional().describe("csv (default) or xlsx"),
  periodId: z.string().optional(),
  teamId: z.string().optional(),
  ownerId: z.string().optional(),
  involves: z.string().optional(),
  level: z.string().optional(),
  status: z.string().optional().describe("one status, or several separated by commas (as the explorer filters)"),
  state: z.string().optional(),
  q: z.string().optional(),
  progress: z
    .string()
    .regex(/^\d{1,3}-\d{1,3}$/, 'must be a range of percentages such as "20-80"')
    .optional()
    .describe("the explorer's progress range in percent, such as 20-80"),
  sort: z.string().optional().describe('the explorer\'s order: level, title, progress or status, "-" for descending'),
});

export const DeckQuerySchema = z.strictObject({
  periodId: z.string().describe("the period to review"),
  teamId: z.string().optional().describe("a team (and the teams under it); none: the whole organisation"),
});

export const TemplateQuerySchema = z.strictObject({ format: z.enum(["csv", "xlsx"]).optional() });

type Row = Partial<Record<ImportField, string | number | null>>;

/** The rows as a CSV text or an XLSX workbook, in the template's columns. */
async function sheetFile(rows: Row[], format: "csv" | "xlsx", name: string): Promise<ExportFile> {
  const headers = TEMPLATE_FIELDS.map((f) => IMPORT_COLUMNS[f].header);
  const cell = (v: string | number | null | undefined) => (v === null || v === undefined ? null : neutraliseCell(v));
  if (format === "csv") {
    const body = stringify([headers, ...rows.map((r) => TEMPLATE_FIELDS.map((f) => cell(r[f]) ?? ""))]);
    return { contentType: "text/csv; charset=utf-8", body: `\uFEFF${body}`, filename: `${name}.csv` };
  }
  const wb = new ExcelJS.Workbook();
  wb.creator = "Okra";
  const ws = wb.addWorksheet("OKRs", { views: [{ state: "frozen", ySplit: 1 }] });
  ws.columns = TEMPLATE_FIELDS.map((f) => ({
    header: IMPORT_COLUMNS[f].header,
    key: f,
    width: f === "title" || f === "description" ? 48 : f === "ref" || f === "parent" ? 22 : 14,
  }));
  ws.getRow(1).font = { bold: true };
  for (const r of rows) ws.addRow(Object.fromEntries(TEMPLATE_FIELDS.map((f) => [f, cell(r[f])])));
  const body = Buffer.from(await wb.xlsx.writeBuffer());
  return { contentType: XLSX_TYPE, body, filename: `${name}.xlsx` };
}

/** Okra's import template: the columns, and a few example rows showing each type of row. */
export async function okrTemplate(query: unknown): Promise<ExportFile> {
  const q = parseInput(TemplateQuerySchema, query, "query");
  const rows: Row[] = [
    {
      ref: "SUP-1",
      type: "Objective",
      title: "Customers get answers the same day",
      owner: "lead@example.com",
      team: "Support",
      period: "Q1 2027",
      level: "Team",
      description: "Fewer waits, fewer repeat contacts.",
    },
    {
      ref: "SUP-1.1",
      parent: "SUP-1",
      type: "Key Result",
      title: "Median first reply in hours",
      owner: "lead@example.com",
      krType: "Decrease",
      start: 20,
      target: 4,
      unit: "Number",
    },
    {
      ref: "SUP-1.2",
      parent: "SUP-1",
      type: "Key Result",
      title: "Share of tickets solved in one reply",
      krType: "Increase",
      start: "40%",
      target: "70%",
      unit: "%",
    },
    { parent: "SUP-1.1", type: "Check-in", date: "2027-01-11", current: 16, note: "New triage rota live" },
    {
      ref: "SUP-1-P1",
      parent: "SUP-1.1",
      type: "Project",
      title: "Macros for the ten most common questions",
      progress: "50%",
    },
  ];
  return sheetFile(rows, q.format ?? "csv", "okra-import-template");
}

/** A period of another organisation, or none, is 404: an export never answers an empty file for it. */
async function assertPeriod(svc: Services, actor: Actor, periodId: string): Promise<void> {
  await read(svc, actor, async ({ ctx }) => {
    if (!ctx.periods.has(periodId)) throw AppError.notFound("period", periodId);
  });
}

/** Every objective of an explorer view with its key results, read a page at a time as `actor` sees them. */
async function viewObjectives(svc: Services, actor: Actor, filters: Record<string, string | undefined>) {
  const out: ObjectiveDetail[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await listObjectives(svc, actor, {
      ...Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== undefined)),
      limit: PAGE,
      ...(cursor ? { cursor } : {}),
    });
    out.push(...page.items);
    if (!page.nextCursor) return out;
    cursor = page.nextCursor;
  }
}

const KR_TYPE_NAMES: Record<string, string> = {
  increase: "Increase",
  decrease: "Decrease",
  stayAbove: "Stay above",
  stayBelow: "Stay below",
  milestone: "Milestone",
  baseline: "Baseline",
};
const LEVEL_NAMES: Record<string, string> = { organization: "Organization", team: "Team", individual: "Individual" };

/**
 * The objectives of an explorer view (its filters: period, team, owner, level, statuses,
 * progress, state, text; and its order) with their key results, as CSV or XLSX in the
 * import's columns.
 */
export async function exportOkrs(svc: Services, actor: Actor, query: unknown): Promise<ExportFile> {
  const { format, ...filters } = parseInput(ExportQuerySchema, query, "query");
  if (filters.periodId !== undefined) await assertPeriod(svc, actor, filters.periodId);
  // The list applies every filter of the view (several statuses and a progress range too) and its order.
  const objectives = await viewObjectives(svc, actor, filters);
  return read(svc, actor, async ({ ex, scope, ctx, guard }) => {
    const krs = objectives.flatMap((o) => o.keyResults);
    const refs = await importQueries.refsOf(
      ex,
      scope,
      objectives.map((o) => o.id),
      krs.map((k) => k.id),
    );
    // A parent the caller may not see is left out, as the list and the tree leave it out.
    const hidden = await guard.hiddenNodes();
    const parents = new Map(
      [
        ...(await importQueries.parentsOf(
          ex,
          scope,
          objectives.map((o) => o.id),
        )),
      ].filter(([, parent]) => !hidden.has(parent)),
    );
    const parentRefs = await importQueries.refsOf(ex, scope, [...parents.values()], [...parents.values()]);
    const people = new Set([...objectives.flatMap((o) => o.ownerIds), ...krs.flatMap((k) => k.ownerIds)]);
    const names = await importQueries.namesOf(
      ex,
      scope,
      [...people],
      objectives.flatMap((o) => (o.teamId ? [o.teamId] : [])),
    );
    const owners = (ids: readonly string[]) =>
      ids
        .map((id) => names.people.get(id)?.email)
        .filter(Boolean)
        .join(", ");
    const percent = (p: number | null) => (p === null ? null : `${Math.round(p * 1000) / 10}%`);
    const rows: Row[] = [];
    for (const o of objectives) {
      const parent = parents.get(o.id);
      rows.push({
        ref: refs.get(o.id) ?? o.id,
        parent: parent ? (parentRefs.get(parent) ?? parent) : null,
        type: "Objective",
        title: o.title,
        description: o.description || null,
        owner: owners(o.ownerIds),
        team: o.teamId ? (names.teams.get(o.teamId) ?? null) : null,
        period: ctx.periods.get(o.periodId)?.name ?? null,
        level: LEVEL_NAMES[o.level] ?? o.level,
        progress: percent(o.progress),
        visibility: o.visibility === "private" ? "Private" : "Public",
        note: STATUS_WORDS[o.status],
      });
      for (const k of o.keyResults) {
        rows.push({
          ref: refs.get(k.id) ?? k.id,
          parent: refs.get(o.id) ?? o.id,
          type: "Key Result",
          title: k.title,
          description: k.description || null,
          owner: owners(k.ownerIds),
          krType: KR_TYPE_NAMES[k.type] ?? k.type,
          start: k.start,
          target: k.target,
          // Only what a check-in said: importing the file back must not record one more.
          current: !k.lastCheckInAt ? null : k.type === "milestone" ? (k.achieved ? 1 : 0) : k.current,
          unit: k.unit === "percent" ? "%" : k.unit === "currency" ? (k.currency ?? "Currency") : "Number",
          progress: percent(k.progress),
          date: k.lastCheckInAt ? k.lastCheckInAt.slice(0, 10) : null,
          note: STATUS_WORDS[k.status],
        });
      }
    }
    const period = filters.periodId ? ctx.periods.get(filters.periodId)?.name : undefined;
    return sheetFile(rows, format ?? "csv", `okra-okrs${period ? `-${period}` : ""}`);
  });
}

const STATUS_COLORS: Record<string, string> = {
  onTrack: "2F9E44",
  behind: "E8590C",
  atRisk: "E03131",
  notStarted: "868E96",
  draft: "868E96",
  closed: "495057",
};

/** A key result's number as a slide shows it: grouped digits, with its unit ("1,100,000 EUR", "45 %"). */
function figure(n: number | null | undefined, k: { unit: string; currency: string | null }): string {
  if (n === null || n === undefined) return "–";
  const text = n.toLocaleString("en-US", { maximumFractionDigits: 2 });
  return k.unit === "percent" ? `${text} %` : k.unit === "currency" && k.currency ? `${text} ${k.currency}` : text;
}

/**
 * A PowerPoint deck of a team's (and the teams under it) or the organisation's objectives of a
 * period, for the quarterly review: a title slide, then one slide per objective with its
 * progress, status, key results (progress bars and figures) and its trend over the period.
 */
export async function exportDeck(svc: Services, actor: Actor, query: unknown): Promise<ExportFile> {
  const q = parseInput(DeckQuerySchema, query, "query");
  await assertPeriod(svc, actor, q.periodId);
  const objectives = await viewObjectives(svc, actor, { periodId: q.periodId, teamId: q.teamId, state: undefined });
  const { ctx, teamName, orgName, instants, trends } = await read(
    svc,
    actor,
    async ({ ex, scope, ctx, org, nowMs }) => {
      const names = await importQueries.namesOf(ex, scope, [], q.teamId ? [q.teamId] : []);
      // The trend of each objective shown: its progress and the plan's, week by week.
      const instants = weeklyInstants(ctx, q.periodId, nowMs);
      const rows = await objectiveRepo.listByIds(
        ex,
        scope,
        objectives.map((o) => o.id),
      );
      const trends = await objectiveTrends(ex, scope, ctx, rows, instants);
      return { ctx, teamName: q.teamId ? names.teams.get(q.teamId) : undefined, orgName: org.name, instants, trends };
    },
  );
  if (q.teamId !== undefined && teamName === undefined) throw AppError.notFound("team", q.teamId);
  const weekLabels = instants.map((at) =>
    new Date(at).toLocaleDateString("en-GB", { day: "numeric", month: "short", timeZone: ctx.settings.timeZone }),
  );
  const period = ctx.periods.get(q.periodId);
  const pptx = new PptxGenJS();
  pptx.layout = "LAYOUT_WIDE";
  pptx.title = `${teamName ?? orgName} OKRs ${period?.name ?? ""}`.trim();
  pptx.company = orgName;

  const title = pptx.addSlide();
  title.background = { color: "0B7285" };
  title.addText(`${teamName ?? orgName}: OKR review`, {
    x: 0.7,
    y: 2.2,
    w: 12,
    h: 1.2,
    fontSize: 40,
    bold: true,
    color: "FFFFFF",
  });
  const onTrack = objectives.filter((o) => o.status === "onTrack").length;
  const mean = objectives.length ? objectives.reduce((n, o) => n + o.progress, 0) / objectives.length : 0;
  title.addText(
    `${period?.name ?? ""} · ${objectives.length} objective${objectives.length === 1 ? "" : "s"} · ${Math.round(mean * 100)} % on average · ${onTrack} on track`,
    { x: 0.7, y: 3.5, w: 12, h: 0.6, fontSize: 20, color: "E3FAFC" },
  );

  for (const o of objectives) {
    const slide = pptx.addSlide();
    slide.addText(o.title, {
      x: 0.5,
      y: 0.3,
      w: 10.5,
      h: 0.9,
      fontSize: 26,
      bold: true,
      color: "212529",
      fit: "shrink",
    });
    const color = STATUS_COLORS[o.status] ?? "495057";
    slide.addText(`${Math.round(o.progress * 100)} % · ${STATUS_WORDS[o.status]}`, {
      x: 11,
      y: 0.35,
      w: 2.1,
      h: 0.6,
      fontSize: 16,
      bold: true,
      color: "FFFFFF",
      fill: { color },
      align: "center",
    });
    // Key results on the left: title, figures, a bar and the percentage (the trend chart is on the right).
    const BAR_X = 4.9;
    const BAR_W = 1.7;
    let y = 1.4;
    for (const k of o.keyResults.slice(0, 6)) {
      const p = k.progress ?? 0;
      const figures =
        k.type === "milestone"
          ? k.achieved
            ? "achieved"
            : "not yet"
          : `${figure(k.current ?? k.start, k)} of ${figure(k.target, k)}`;
      slide.addText(`${k.title}`, { x: 0.5, y, w: 4.3, h: 0.45, fontSize: 14, color: "212529", fit: "shrink" });
      slide.addText(`${figures} · ${STATUS_WORDS[k.status]}`, {
        x: 0.5,
        y: y + 0.4,
        w: 4.3,
        h: 0.35,
        fontSize: 11,
        color: "495057",
      });
      slide.addShape(pptx.ShapeType.rect, {
        x: BAR_X,
        y: y + 0.15,
        w: BAR_W,
        h: 0.3,
        fill: { color: "E9ECEF" },
        line: { color: "E9ECEF" },
      });
      if (p > 0) {
        slide.addShape(pptx.ShapeType.rect, {
          x: BAR_X,
          y: y + 0.15,
          w: Math.max(0.05, BAR_W * Math.min(1, p)),
          h: 0.3,
          fill: { color: STATUS_COLORS[k.status] ?? "0B7285" },
          line: { color: STATUS_COLORS[k.status] ?? "0B7285" },
        });
      }
      slide.addText(`${Math.round(p * 100)} %`, {
        x: BAR_X + BAR_W + 0.1,
        y: y + 0.05,
        w: 0.9,
        h: 0.45,
        fontSize: 13,
        bold: true,
        color: "212529",
      });
      y += 0.9;
    }
    if (o.keyResults.length > 6) {
      slide.addText(`… and ${o.keyResults.length - 6} more key results`, {
        x: 0.5,
        y,
        w: 7,
        h: 0.4,
        fontSize: 11,
        color: "868E96",
      });
    }
    // The trend: progress week by week against the plan's straight line, from the period's start to now.
    const trend = trends.get(o.id) ?? [];
    if (trend.length) {
      slide.addChart(
        pptx.ChartType.line,
        [
          { name: "Progress", labels: weekLabels, values: trend.map((p) => Math.round(p.progress * 100)) },
          { name: "Expected", labels: weekLabels, values: trend.map((p) => Math.round(p.expectedProgress * 100)) },
        ],
        {
          x: 8,
          y: 1.4,
          w: 5,
          h: 3,
          chartColors: ["0B7285", "ADB5BD"],
          lineDataSymbol: "none",
          lineSize: 2,
          valAxisMaxVal: 100,
          valAxisMinVal: 0,
          valAxisLabelFormatCode: '0"%"',
          catAxisLabelFontSize: 9,
          valAxisLabelFontSize: 9,
          showLegend: true,
          legendPos: "b",
          legendFontSize: 10,
          showTitle: true,
          title: "Progress over the period",
          titleFontSize: 12,
        },
      );
    }
    slide.addNotes(o.description || o.title);
  }
  const body = (await pptx.write({ outputType: "nodebuffer" })) as Buffer;
  return {
    contentType: PPTX_TYPE,
    body,
    filename: `okra-review-${(teamName ?? orgName).replace(/\s+/g, "-")}-${period?.name ?? ""}.pptx`,
  };
}
