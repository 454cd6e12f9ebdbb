/**
 * Importing people and teams from Viva Goals HRIS CSV files (hris-import.service.ts):
 * the service is called directly with the bootstrap admin's actor, and its effects are
 * read back through the real API (GET /users, /teams, /audit).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { PeopleImportSummaryShape } from "../../src/contract/index.js";
import { grantOrgScope } from "../../src/db/org-scope.js";
import { importRoutes } from "../../src/http/routes-import.js";
import type { Actor, Services } from "../../src/services/context.js";
import { importPeople, PeopleImportSchema } from "../../src/services/hris-import.service.js";
import { type ApiHarness, factories, startApi } from "../support/api.js";
import { DATABASE_KINDS } from "../support/databases.js";

const csv = (...lines: string[]) => `${lines.join("\n")}\n`;

// A small company. Ken's manager (Linus) and Linus's (Grace) appear later in the file; Hedy's
// name holds a comma and her manager's email another case; Linus's teams are comma-separated
// inside quotes; "Design" is named only here, so the import creates it.
const USERS = [
  "User Email,User Name,Teams,Manager Email,Is Org Admin",
  "ken@acme.test,Ken Thompson,Platform,linus@acme.test,no",
  'linus@acme.test,Linus Torvalds,"Engineering, Platform",grace@acme.test,FALSE',
  "grace@acme.test,Grace Hopper,Acme,,TRUE",
  "margaret@acme.test,Margaret Hamilton,Sales;Acme,grace@acme.test,",
  "dennis@acme.test,Dennis Ritchie,Platform,ken@acme.test,0",
  "barbara@acme.test,Barbara Liskov,Engineering,linus@acme.test,yes",
  "alan@acme.test,Alan Kay,Design,grace@acme.test,",
  "frances@acme.test,Frances Allen,Sales,margaret@acme.test,",
  "edsger@acme.test,Edsger Dijkstra,Platform;Design,linus@acme.test,",
  '"hedy@acme.test","Lamarr, Hedy",Sales,Margaret@ACME.test,false',
];
/** The users file as Excel on Windows writes it: a UTF-8 byte-order mark and CRLF line ends. */
const USERS_EXCEL = `\uFEFF${USERS.join("\r\n")}\r\n`;

// Nested teams: Acme > Engineering > Platform, Acme > Sales; Platform's parent comes later.
// The header's case and spaces differ from the canonical "Team name,Team Owner,Parent Team".
const TEAMS = csv(
  " Team Name , team owner ,PARENT TEAM",
  "Platform,linus@acme.test,Engineering",
  "Engineering,grace@acme.test;linus@acme.test,Acme",
  "Acme,grace@acme.test,",
  "Sales,margaret@acme.test,Acme",
);

interface UserView {
  id: string;
  name: string;
  email: string;
  managerId: string | null;
  teamIds: string[];
  role: string;
  active: boolean;
  version: number;
}
interface TeamView {
  id: string;
  name: string;
  parentId: string | null;
  ownerIds: string[];
  memberIds: string[];
  version: number;
}

describe.each(DATABASE_KINDS)("HRIS people import on %s", (kind) => {
  let api: ApiHarness;
  let svc: Services;
  let admin: Actor;

  beforeAll(async () => {
    api = await startApi(kind, Date.UTC(2026, 1, 15, 12));
    svc = { database: api.database, now: () => api.clock.now, emit: () => {} };
    const me = (await api.call("GET", "/me")).body;
    admin = {
      userId: me.user.id,
      orgId: me.organization.id,
      scope: grantOrgScope(me.organization.id),
      role: "owner",
      access: "write",
      isInstanceAdmin: true,
    };
  });
  afterAll(() => api.close());

  const actorFor = (user: UserView, role = user.role): Actor => ({
    ...admin,
    userId: user.id,
    role,
    isInstanceAdmin: false,
  });

  async function state() {
    const users: UserView[] = (await api.call("GET", "/users?limit=500")).body.items;
    const teams: TeamView[] = (await api.call("GET", "/teams?limit=500")).body.items;
    const user = (email: string) => {
      const u = users.find((x) => x.email.toLowerCase() === email.toLowerCase());
      if (!u) throw new Error(`no person ${email}`);
      return u;
    };
    const team = (name: string) => {
      const t = teams.find((x) => x.name === name);
      if (!t) throw new Error(`no team ${name}`);
      return t;
    };
    const teamNames = (email: string) =>
      user(email)
        .teamIds.map((id) => teams.find((t) => t.id === id)?.name)
        .sort();
    const emails = (ids: string[]) => ids.map((id) => users.find((u) => u.id === id)?.email).sort();
    return { users, teams, user, team, teamNames, emails };
  }

  async function auditCount() {
    return (await api.call("GET", "/audit?limit=500")).body.items.length as number;
  }

  /** The VALIDATION error's details, or fails when the import succeeds or fails otherwise. */
  async function problemsOf(body: unknown, actor = admin): Promise<string[]> {
    const err = await importPeople(svc, actor, body).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: "VALIDATION" });
    return (err as { details: string[] }).details;
  }

  it("creates people and teams from an Excel file (BOM, CRLF, quoted cells): managers and parents named before they appear", async () => {
    const auditBefore = await auditCount();
    const summary = await importPeople(svc, admin, { usersCsv: USERS_EXCEL, teamsCsv: TEAMS });
    expect(summary).toEqual({
      dryRun: false,
      people: { created: 10, updated: 0, unchanged: 0 },
      teams: { created: 5, updated: 0, unchanged: 0 },
      problems: [],
    });
    const s = await state();
    expect(s.users).toHaveLength(11); // the bootstrap admin too
    expect(s.user("ken@acme.test")).toMatchObject({
      name: "Ken Thompson",
      managerId: s.user("linus@acme.test").id,
      role: "member",
      active: true,
      version: 1,
    });
    expect(s.user("linus@acme.test").managerId).toBe(s.user("grace@acme.test").id);
    expect(s.user("grace@acme.test")).toMatchObject({ managerId: null, role: "admin" });
    expect(s.user("barbara@acme.test").role).toBe("admin");
    expect(s.user("hedy@acme.test")).toMatchObject({
      name: "Lamarr, Hedy",
      managerId: s.user("margaret@acme.test").id,
    });
    expect(s.users.filter((u) => u.role === "admin").map((u) => u.email)).toEqual(
      expect.arrayContaining(["grace@acme.test", "barbara@acme.test"]),
    );
    expect(s.users.filter((u) => u.role === "admin")).toHaveLength(2);

    expect(s.teams.map((t) => t.name).sort()).toEqual(["Acme", "Design", "Engineering", "Platform", "Sales"]);
    expect(s.team("Platform").parentId).toBe(s.team("Engineering").id);
    expect(s.team("Engineering").parentId).toBe(s.team("Acme").id);
    expect(s.team("Sales").parentId).toBe(s.team("Acme").id);
    expect(s.team("Acme").parentId).toBeNull();
    expect(s.team("Design").parentId).toBeNull();
    // Owners are members with role owner, whether or not their own row lists the team.
    expect(s.emails(s.team("Engineering").ownerIds)).toEqual(["grace@acme.test", "linus@acme.test"]);
    expect(s.emails(s.team("Engineering").memberIds)).toEqual([
      "barbara@acme.test",
      "grace@acme.test",
      "linus@acme.test",
    ]);
    expect(s.emails(s.team("Platform").ownerIds)).toEqual(["linus@acme.test"]);
    expect(s.emails(s.team("Platform").memberIds)).toEqual([
      "dennis@acme.test",
      "edsger@acme.test",
      "ken@acme.test",
      "linus@acme.test",
    ]);
    expect(s.emails(s.team("Design").ownerIds)).toEqual([]);
    expect(s.teamNames("grace@acme.test")).toEqual(["Acme", "Engineering"]);
    expect(s.teamNames("linus@acme.test")).toEqual(["Engineering", "Platform"]);
    expect(s.teamNames("margaret@acme.test")).toEqual(["Acme", "Sales"]);
    expect(s.teamNames("edsger@acme.test")).toEqual(["Design", "Platform"]);

    // One audit event per created object, in the import's transaction.
    const events = (await api.call("GET", "/audit?limit=500")).body.items.slice(auditBefore);
    expect(events.filter((e: { action: string }) => e.action === "user.created")).toHaveLength(10);
    expect(events.filter((e: { action: string }) => e.action === "team.created")).toHaveLength(5);
    expect(events).toHaveLength(15);
    const kenCreated = events.find((e: { objectId: string }) => e.objectId === s.user("ken@acme.test").id);
    expect(kenCreated).toMatchObject({ actorId: admin.userId, before: null, after: { email: "ken@acme.test" } });
  });

  it("re-importing the same files (here without BOM and with LF) changes nothing", async () => {
    const before = await state();
    const auditBefore = await auditCount();
    const summary = await importPeople(svc, admin, { usersCsv: csv(...USERS), teamsCsv: TEAMS });
    expect(summary).toEqual({
      dryRun: false,
      people: { created: 0, updated: 0, unchanged: 10 },
      teams: { created: 0, updated: 0, unchanged: 5 },
      problems: [],
    });
    const after = await state();
    expect(after.users).toEqual(before.users);
    expect(after.teams).toEqual(before.teams);
    expect(await auditCount()).toBe(auditBefore);
  });

  it("updates names, managers and teams, and keeps people missing from the file", async () => {
    const before = await state();
    const file = csv(
      "User Email,User Name,Teams,Manager Email,Is Org Admin",
      "KEN@acme.test,Kenneth Thompson,Platform,linus@acme.test,no", // renamed (email matched in another case)
      "linus@acme.test,Linus Torvalds,Engineering;Platform,grace@acme.test,no",
      "grace@acme.test,Grace Hopper,Acme,,yes",
      "margaret@acme.test,Margaret Hamilton,Sales;Acme,grace@acme.test,",
      "dennis@acme.test,Dennis Ritchie,Platform,linus@acme.test,", // new manager
      "barbara@acme.test,Barbara Liskov,Engineering,linus@acme.test,yes",
      "alan@acme.test,Alan Kay,Design,grace@acme.test,",
      "edsger@acme.test,Edsger Dijkstra,Design,linus@acme.test,", // leaves Platform
      // Frances and Hedy are not in this file.
    );
    const summary = await importPeople(svc, admin, { usersCsv: file });
    expect(summary).toEqual({
      dryRun: false,
      people: { created: 0, updated: 3, unchanged: 5 },
      teams: { created: 0, updated: 1, unchanged: 4 },
      problems: [],
    });
    const s = await state();
    const ken = s.user("ken@acme.test");
    expect(ken).toMatchObject({ name: "Kenneth Thompson", email: "ken@acme.test", version: 2 });
    expect(s.user("dennis@acme.test").managerId).toBe(s.user("linus@acme.test").id);
    expect(s.teamNames("edsger@acme.test")).toEqual(["Design"]);
    expect(s.emails(s.team("Platform").memberIds)).not.toContain("edsger@acme.test");
    expect(s.team("Platform").version).toBe(before.team("Platform").version + 1);
    // Nobody is deleted or deactivated for being absent from the file.
    expect(s.users).toHaveLength(before.users.length);
    expect(s.user("frances@acme.test")).toEqual(before.user("frances@acme.test"));
    expect(s.user("hedy@acme.test")).toEqual(before.user("hedy@acme.test"));
    // The audit trail has the person before and after.
    const trail = (await api.call("GET", `/audit?objectType=user&objectId=${ken.id}`)).body.items;
    expect(trail.at(-1)).toMatchObject({
      action: "user.updated",
      before: { name: "Ken Thompson" },
      after: { name: "Kenneth Thompson" },
    });
  });

  it("Is Org Admin promotes and demotes admins, never an owner; a missing column leaves that field alone", async () => {
    const before = await state();
    const file = csv(
      "User Email,User Name,Is Org Admin",
      "admin@example.com,Ada Admin,TRUE", // the organisation's owner: admin would be a demotion
      "alan@acme.test,Alan Kay,True",
      "barbara@acme.test,Barbara Liskov,",
      "ken@acme.test,Kenneth Thompson,N",
    );
    const summary = await importPeople(svc, admin, { usersCsv: file });
    expect(summary.people).toEqual({ created: 0, updated: 2, unchanged: 2 });
    const s = await state();
    expect(s.user("admin@example.com").role).toBe("owner");
    expect(s.user("alan@acme.test")).toMatchObject({
      role: "admin",
      managerId: before.user("alan@acme.test").managerId,
      teamIds: before.user("alan@acme.test").teamIds,
    });
    expect(s.user("barbara@acme.test").role).toBe("member");
    expect(s.user("ken@acme.test").role).toBe("member");
    // A second owner (not the caller): neither TRUE (admin) nor FALSE (member) demotes them.
    await factories(api).user({ name: "Olu Owner", email: "olu@acme.test", role: "owner" });
    for (const flag of ["TRUE", "false"]) {
      const file = csv("User Email,User Name,Is Org Admin", `OLU@acme.test,Olu Owner,${flag}`);
      expect(await importPeople(svc, admin, { usersCsv: file })).toMatchObject({
        people: { created: 0, updated: 0, unchanged: 1 },
        problems: [],
      });
      expect((await state()).user("olu@acme.test").role).toBe("owner");
    }

    // An admin cannot take their own admin role away by import: kept, and said so.
    const grace = s.user("grace@acme.test");
    const own = await importPeople(svc, actorFor(grace), {
      usersCsv: csv("User Email,User Name,Is Org Admin", "grace@acme.test,Grace Hopper,no"),
    });
    expect(own.people).toEqual({ created: 0, updated: 0, unchanged: 1 });
    expect(own.problems).toEqual([
      expect.stringMatching(/^users\.csv line 2: Is Org Admin: you cannot remove your own admin role/),
    ]);
    expect((await state()).user("grace@acme.test").role).toBe("admin");
  });

  it("reports every bad row with its line (header = line 1) and writes nothing", async () => {
    const before = await state();
    const auditBefore = await auditCount();
    const details = await problemsOf({
      usersCsv: csv(
        "User Email,User Name,Teams,Manager Email,Is Org Admin",
        "zoe@acme.test,Zoe Valid,Platform,ken@acme.test,", // fine, but must not be written
        "bob(at)acme.test,Bob,,,",
        "yan@acme.test,Yan Li,Platform,ghost@acme.test,",
        "xi@acme.test,,Platform,,",
        "wu@acme.test,Wu,,,maybe",
        "ZOE@acme.test,Zoe Again,,,",
        "vic@acme.test,Vic,,not an email,",
      ),
      teamsCsv: csv(
        "Team name,Team Owner,Parent Team",
        "Marketing,phantom@acme.test,Acme",
        "Research,grace@acme.test,Nowhere",
        "research,,",
      ),
    });
    expect(details).toEqual([
      'users.csv line 3: User Email: "bob(at)acme.test" is not an email address',
      "users.csv line 4: Manager Email: no person with the email ghost@acme.test is in users.csv or Okra",
      "users.csv line 5: User Name: is empty",
      'users.csv line 6: Is Org Admin: "maybe" must be TRUE or FALSE (yes/no and 1/0 work too; empty means FALSE)',
      "users.csv line 7: User Email: ZOE@acme.test is already on line 2; list each person once",
      'users.csv line 8: Manager Email: "not an email" is not an email address',
      "teams.csv line 2: Team Owner: no person with the email phantom@acme.test is in users.csv or Okra",
      'teams.csv line 3: Parent Team: no team named "Nowhere" is in teams.csv, users.csv or Okra',
      'teams.csv line 4: Team name: "research" is already on line 3; list each team once',
    ]);
    const after = await state();
    expect(after.users).toEqual(before.users);
    expect(after.teams).toEqual(before.teams);
    expect(await auditCount()).toBe(auditBefore);
  });

  it("refuses a manager loop, whether through stored managers or within the file", async () => {
    // Stored: Ken → Linus → Grace. Making Grace report to Ken closes a loop.
    const details = await problemsOf({
      usersCsv: csv(
        "User Email,User Name,Manager Email",
        "grace@acme.test,Grace Hopper,ken@acme.test",
        "ann@acme.test,Ann,ben@acme.test",
        "ben@acme.test,Ben,ann@acme.test",
        "cy@acme.test,Cy,CY@acme.test",
      ),
    });
    expect(details).toEqual([
      "users.csv line 2: Manager Email: grace@acme.test → ken@acme.test → linus@acme.test → grace@acme.test is a loop; a person cannot report to themselves or to someone who reports to them",
      "users.csv line 3: Manager Email: ann@acme.test → ben@acme.test → ann@acme.test is a loop; a person cannot report to themselves or to someone who reports to them",
      "users.csv line 5: Manager Email: a person cannot be their own manager",
    ]);
    expect((await state()).user("grace@acme.test").managerId).toBeNull();
  });

  it("refuses a team parent loop", async () => {
    // Stored: Platform → Engineering → Acme. Nesting Acme under Platform closes a loop.
    const details = await problemsOf({
      teamsCsv: csv("Team name,Parent Team", "Acme,Platform", "Xeno,Yodel", "Yodel,Xeno", "Zed,zed"),
    });
    expect(details).toEqual([
      'teams.csv line 2: Parent Team: "Acme" → "Platform" → "Engineering" → "Acme" is a loop; a team cannot be nested inside itself or one of its sub-teams',
      'teams.csv line 3: Parent Team: "Xeno" → "Yodel" → "Xeno" is a loop; a team cannot be nested inside itself or one of its sub-teams',
      "teams.csv line 5: Parent Team: a team cannot be its own parent",
    ]);
    const s = await state();
    expect(s.team("Acme").parentId).toBeNull();
    expect(s.teams.map((t) => t.name)).not.toContain("Xeno");
  });

  it("names a missing required column and lists the columns found", async () => {
    const details = await problemsOf({
      usersCsv: csv("Email,User Name,Teams", "x@acme.test,X,"),
      teamsCsv: csv("Name,Owner", "Q,"),
    });
    expect(details).toEqual([
      'users.csv line 1: the column "User Email" is missing (columns found: "Email", "User Name", "Teams")',
      'teams.csv line 1: the column "Team name" is missing (columns found: "Name", "Owner")',
    ]);
    expect(await problemsOf({ usersCsv: " \n" })).toEqual([
      'users.csv line 1: is empty; it needs a header line with the columns "User Email" and "User Name"',
    ]);
    expect(await problemsOf({ teamsCsv: csv("Team name,Team name", "A,B") })).toEqual([
      'teams.csv line 1: the column "Team name" appears 2 times; keep one',
    ]);
  });

  it("counts spreadsheet lines across quoted line breaks and blank lines; reports broken CSV", async () => {
    const header = "User Email,User Name,Department,Teams";
    const first = 'lin@acme.test,Lin Wei,"R&D\nLab","Platform, Design"';
    expect(await problemsOf({ usersCsv: csv(header, first, "", "bad@acme.test,Bad,R&D,Platform,Extra") })).toEqual([
      "users.csv line 4: has 5 cells but the header has 4; put cells that contain a comma in double quotes",
    ]);
    expect(await problemsOf({ usersCsv: csv(header, 'x@acme.test,"Unclosed,R&D,') })).toEqual([
      expect.stringMatching(/^users\.csv line \d+: is not valid CSV \(/),
    ]);
    // The same file without the broken row imports; the extra Department column is ignored.
    const summary = await importPeople(svc, admin, { usersCsv: csv(header, first, "") });
    expect(summary.people).toEqual({ created: 1, updated: 0, unchanged: 0 });
    const s = await state();
    expect(s.teamNames("lin@acme.test")).toEqual(["Design", "Platform"]);
    expect(s.user("lin@acme.test")).toMatchObject({ name: "Lin Wei", role: "member", managerId: null });
  });

  it("a dry run validates and counts without writing", async () => {
    const before = await state();
    const auditBefore = await auditCount();
    const body = {
      dryRun: true,
      usersCsv: csv(
        "User Email,User Name,Teams,Manager Email",
        "nia@acme.test,Nia New,Research,grace@acme.test",
        "ken@acme.test,Ken Thompson,Platform,linus@acme.test",
      ),
      teamsCsv: csv("Team name,Parent Team", "Research,Engineering"),
    };
    expect(await importPeople(svc, admin, body)).toEqual({
      dryRun: true,
      people: { created: 1, updated: 1, unchanged: 0 },
      teams: { created: 1, updated: 0, unchanged: 1 },
      problems: [],
    });
    const after = await state();
    expect(after.users).toEqual(before.users);
    expect(after.teams).toEqual(before.teams);
    expect(await auditCount()).toBe(auditBefore);
    // A dry run reports problems exactly as the import would.
    expect(
      await problemsOf({
        ...body,
        usersCsv: csv("User Email,User Name,Manager Email", "nia@acme.test,Nia,nobody@acme.test"),
      }),
    ).toEqual(["users.csv line 2: Manager Email: no person with the email nobody@acme.test is in users.csv or Okra"]);
  });

  it("only organisation owners and admins may import; the body needs a CSV", async () => {
    const f = factories(api);
    const member: UserView = await f.user({ name: "Mo Member", email: "mo@acme.test" });
    for (const role of ["member", "observer"]) {
      await expect(importPeople(svc, actorFor(member, role), { usersCsv: csv(...USERS) })).rejects.toMatchObject({
        code: "FORBIDDEN",
      });
      // Refused before the body is looked at.
      await expect(importPeople(svc, actorFor(member, role), {})).rejects.toMatchObject({ code: "FORBIDDEN" });
    }
    expect(await problemsOf({})).toEqual([
      "body: send usersCsv, teamsCsv or both: the text of the CSV files to import",
    ]);
    expect(await problemsOf({ usersCsv: 5, extra: true })).toEqual(
      expect.arrayContaining([
        "extra: unknown field; remove it (check the spelling against the API reference)",
        expect.stringMatching(/^usersCsv: /),
      ]),
    );
    expect(await problemsOf({ teamsCsv: csv("Team name"), dryRun: "yes" })).toEqual([
      expect.stringMatching(/^dryRun: /),
    ]);
  });

  it("the route's contract: admin permission, documented shapes, the service's answer", async () => {
    const route = importRoutes.find((r) => r.method === "POST" && r.url === "/imports/people");
    expect(route).toMatchObject({ permission: "admin", tag: "people", status: 200 });
    expect(route?.body).toBe(PeopleImportSchema);
    expect(() => z.toJSONSchema(PeopleImportSchema, { io: "input", unrepresentable: "any" })).not.toThrow();
    const out = await route?.handler({
      svc,
      actor: admin,
      id: "",
      body: { usersCsv: csv(...USERS), dryRun: true },
      query: {},
      ifMatch: undefined,
    });
    expect(PeopleImportSummaryShape.strict().parse(out)).toMatchObject({ dryRun: true });
  });
});
