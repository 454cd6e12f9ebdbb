/**
 * Import and export routes: people and teams from the CSV files of Viva Goals' HRIS import;
 * OKRs from spreadsheets (CSV, XLSX) and out again, and the quarterly review deck.
 * Spread into the route table (`apiRoutes`) like any other route.
 */
import { OkrImportSummaryShape, PeopleImportSummaryShape } from "../contract/index.js";
import { importPeople, PeopleImportSchema } from "../services/hris-import.service.js";
import {
  DeckQuerySchema,
  ExportQuerySchema,
  exportDeck,
  exportOkrs,
  okrTemplate,
  TemplateQuerySchema,
} from "../services/okr-export.service.js";
import { importOkrs, OkrImportSchema } from "../services/okr-import.service.js";
import type { RouteDef } from "./routes.js";

export const importRoutes: RouteDef[] = [
  {
    method: "POST",
    url: "/imports/people",
    permission: "admin",
    tag: "people",
    summary: "Import people and teams from Viva Goals HRIS CSV files",
    description:
      "Send the files' text as `usersCsv` (User Email, User Name, Teams, Manager Email, Is Org Admin) and/or " +
      "`teamsCsv` (Team name, Team Owner, Parent Team). People are matched by email and teams by name, " +
      "case-insensitively: new ones are created, existing ones updated; nobody missing from the file is deleted " +
      "or deactivated, and an organisation owner is never demoted. One transaction: when any row is invalid, " +
      'nothing is written and the answer is 400 VALIDATION with every problem as "users.csv line N: message" ' +
      "(the header is line 1). `dryRun: true` validates and counts without writing.",
    body: PeopleImportSchema,
    response: PeopleImportSummaryShape,
    status: 200,
    handler: (c) => importPeople(c.svc, c.actor, c.body),
  },
  {
    method: "POST",
    url: "/imports/okrs",
    permission: "admin",
    tag: "okrs",
    summary: "Import OKRs from a spreadsheet (CSV or XLSX; Viva Goals' shapes or Okra's template)",
    description:
      "One row per objective, key result, project (initiative) or check-in; columns as in `GET /imports/okrs/template` " +
      "or Viva Goals' import template and explorer export (Reference, Parent reference, Type, Title, Owner, Team, " +
      "Time period, Start, Target, Current, Unit, …). Rows are matched by their reference: importing the same file " +
      "again updates instead of duplicating. `dryRun: true` answers the plan and every problem per row without " +
      'writing. Otherwise a file with any problem is refused (400, each as "row N, Column: message") and a good one ' +
      "is written in one transaction. `createMissing: true` creates the people (by email), teams and periods " +
      '("Q1 2027") the file names that Okra lacks. Check-in rows keep their dates.',
    body: OkrImportSchema,
    response: OkrImportSummaryShape,
    status: 200,
    bodyLimit: 64 * 1024 * 1024,
    handler: (c) => importOkrs(c.svc, c.actor, c.body),
  },
  {
    method: "GET",
    url: "/imports/okrs/template",
    permission: "read",
    tag: "okrs",
    summary: "Okra's OKR import template, with example rows (CSV or XLSX)",
    query: TemplateQuerySchema,
    response: null,
    raw: true,
    handler: (c) => okrTemplate(c.query),
  },
  {
    method: "GET",
    url: "/exports/okrs",
    permission: "read",
    tag: "okrs",
    summary: "Export an explorer view's objectives with their key results (CSV or XLSX, the import's columns)",
    description:
      "Takes the explorer's filters (periodId, teamId, ownerId, involves, level, status, progress, state, q), its `sort` and `format`. " +
      "Cells a spreadsheet would run as a formula start with an apostrophe.",
    query: ExportQuerySchema,
    response: null,
    raw: true,
    handler: (c) => exportOkrs(c.svc, c.actor, c.query),
  },
  {
    method: "GET",
    url: "/exports/deck",
    permission: "read",
    tag: "okrs",
    summary: "A PowerPoint deck of a team's or the organisation's objectives of a period (quarterly review)",
    query: DeckQuerySchema,
    response: null,
    raw: true,
    handler: (c) => exportDeck(c.svc, c.actor, c.query),
  },
];
