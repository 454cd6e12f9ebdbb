/**
 * Import routes: people and teams from the CSV files of Viva Goals' HRIS import.
 * Spread into the route table (`apiRoutes`) like any other route.
 */
import { PeopleImportSummaryShape } from "../contract/index.js";
import { importPeople, PeopleImportSchema } from "../services/hris-import.service.js";
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
];
