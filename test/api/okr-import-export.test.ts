/**
 * OKRs in and out through spreadsheets (#13), on a real database with real files: the
 * template downloaded and imported, a file in Viva Goals' explorer shape written by another
 * XLSX library (SheetJS), a validation report per row with nothing written, importing the same
 * file again updating instead of duplicating, check-in history keeping its dates, export →
 * import changing nothing, formulas neutralised, and the quarterly review deck as a real PPTX.
 */
import { parse } from "csv-parse/sync";
import JSZip from "jszip";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as XLSX from "xlsx";
import { createTokenForEmail } from "../../src/services/auth.service.js";
import { type ApiHarness, factories, startApi } from "../support/api.js";
import { DATABASE_KINDS } from "../support/databases.js";

const NOW = Date.UTC(2027, 1, 15, 12);

/** A workbook written by SheetJS (not the library Okra uses), as base64. */
function sheetJsWorkbook(rows: (string | number | Date | null)[][]): string {
  const wb = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet(rows, { cellDates: true }), "Explorer");
  return (XLSX.write(wb, { type: "buffer", bookType: "xlsx" }) as Buffer).toString("base64");
}

/** The rows of an XLSX workbook as SheetJS reads them. */
function readWithSheetJs(data: Buffer): string[][] {
  const wb = XLSX.read(data, { type: "buffer" });
  const ws = wb.Sheets[wb.SheetNames[0] as string];
  return XLSX.utils.sheet_to_json(ws as XLSX.WorkSheet, { header: 1, raw: false, defval: "" }) as string[][];
}

describe.each(DATABASE_KINDS)("OKR import and export on %s", (kind) => {
  let api: ApiHarness;
  let memberToken: string;
  const objectivesCount = async () => (await api.call("GET", "/objectives?limit=200")).body.items.length as number;
  const raw = (url: string, token?: string) =>
    api.app.inject({
      method: "GET",
      url: `/api/v1${url}`,
      headers: { authorization: `Bearer ${token ?? "okra_test_admin_token_0123456789"}` },
    });

  beforeAll(async () => {
    api = await startApi(kind, NOW);
    await factories(api).team({ name: "Platform" });
    await api.call("POST", "/users", { name: "Rae Member", email: "rae@example.com", invite: false });
    memberToken = (await createTokenForEmail(api.database, "rae@example.com")).token;
  });
  afterAll(async () => {
    await api?.close();
  });

  it("imports its own template: a dry run lists what is missing, then it is created when asked", async () => {
    const template = await raw("/imports/okrs/template?format=csv");
    expect(template.statusCode).toBe(200);
    expect(template.headers["content-type"]).toMatch(/^text\/csv/);
    const content = template.body;
    expect(content.split("\n")[0]).toContain("Reference,Parent reference,Type,Title");

    const dry = await api.call("POST", "/imports/okrs", { format: "csv", content, dryRun: true });
    expect(dry.status).toBe(200);
    expect(dry.body.missing).toEqual({ people: ["lead@example.com"], teams: ["Support"], periods: ["Q1 2027"] });
    expect(dry.body.problems.map((p: { column: string }) => p.column)).toEqual([
      "Owner",
      "Team",
      "Time period",
      "Owner",
    ]);
    expect(await objectivesCount()).toBe(0);

    const refused = await api.call("POST", "/imports/okrs", { format: "csv", content });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details[0]).toBe(
      'row 2, Owner: nobody in Okra has the email lead@example.com; invite them first, or import with "create missing"',
    );
    expect(await objectivesCount()).toBe(0);

    const done = await api.call("POST", "/imports/okrs", { format: "csv", content, createMissing: true });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({
      dryRun: false,
      objectives: { created: 1, updated: 0, unchanged: 0 },
      keyResults: { created: 2, updated: 0, unchanged: 0 },
      initiatives: { created: 1, updated: 0, unchanged: 0 },
      checkIns: { created: 1, skipped: 0 },
      createdMissing: { people: 1, teams: 1, periods: 1 },
      problems: [],
    });
    const [objective] = (await api.call("GET", "/objectives?limit=10")).body.items;
    expect(objective.title).toBe("Customers get answers the same day");
    expect(objective.level).toBe("team");
    const reply = objective.keyResults.find((k: { title: string }) => k.title === "Median first reply in hours");
    expect(reply).toMatchObject({ type: "decrease", start: 20, target: 4, current: 16 });
    // The check-in keeps its date; the roll-up moved: (20 − 16) / (20 − 4) = 25 % on that key result.
    const history = (await api.call("GET", `/key-results/${reply.id}/check-ins`)).body.items;
    expect(history.map((c: { at: string }) => c.at)).toEqual(["2027-01-11T12:00:00.000Z"]);
    expect(reply.progress).toBeCloseTo(0.25, 5);
    const period = (await api.call("GET", "/periods?limit=50")).body.items.find(
      (p: { name: string }) => p.name === "Q1 2027",
    );
    expect(period).toMatchObject({ startDate: "2027-01-01", endDate: "2027-03-31", kind: "quarter" });

    // The same file again updates nothing and duplicates nothing.
    const again = await api.call("POST", "/imports/okrs", { format: "csv", content });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({
      objectives: { created: 0, updated: 0, unchanged: 1 },
      keyResults: { created: 0, updated: 0, unchanged: 2 },
      initiatives: { created: 0, updated: 0, unchanged: 1 },
      checkIns: { created: 0, skipped: 1 },
    });
    expect(await objectivesCount()).toBe(1);
    // One audit record for the import, with its counts.
    const audit = (await api.call("GET", "/audit?limit=50")).body.items.filter(
      (a: { action: string }) => a.action === "okrs.imported",
    );
    expect(audit).toHaveLength(2);
  });

  it("reads Viva Goals' explorer shape from an XLSX another program wrote, and updates by reference", async () => {
    const header = [
      "OKR reference",
      "Parent reference",
      "Title",
      "Type",
      "Owner",
      "Team",
      "Time period",
      "Start",
      "Target",
      "Current",
      "Unit",
      "Description",
      "Status",
      "Progress",
      "Date",
      "Last modified by",
    ];
    const rows = (title: string, checkInDate: string | Date): (string | number | Date | null)[][] => [
      header,
      [
        "V-10",
        "",
        title,
        "Objective",
        "Rae Member",
        "Platform",
        "Q1 2027",
        null,
        null,
        null,
        "",
        "From Viva",
        "On track",
        "40%",
        null,
        "x",
      ],
      [
        "V-11",
        "V-10",
        "Weekly active teams",
        "Key Result",
        "rae@example.com",
        "",
        "",
        100,
        250,
        160,
        "",
        "",
        "",
        "",
        null,
        "",
      ],
      ["V-12", "V-10", "Conversion", "Key Result", "", "", "", "2%", "5%", "3.5%", "%", "", "", "", null, ""],
      [
        "V-13",
        "V-11",
        "Onboarding checklist",
        "Project",
        "rae@example.com",
        "",
        "",
        null,
        null,
        null,
        "",
        "",
        "In progress",
        "50%",
        null,
        "",
      ],
      ["", "V-11", "", "Check-in", "", "", "", null, null, 120, "", "", "", "", checkInDate, ""],
    ];
    const file = sheetJsWorkbook(rows("Grow the platform's reach", new Date("2027-01-18T00:00:00Z")));
    const dry = await api.call("POST", "/imports/okrs", { format: "xlsx", content: file, dryRun: true });
    expect(dry.status).toBe(200);
    expect(dry.body.problems).toEqual([]);
    expect(dry.body.ignoredColumns).toEqual(["Last modified by"]);
    expect(dry.body.preview.map((p: { action: string }) => p.action)).toEqual([
      "create",
      "create",
      "create",
      "create",
      "create",
    ]);

    const done = await api.call("POST", "/imports/okrs", { format: "xlsx", content: file });
    expect(done.status).toBe(200);
    const objective = (await api.call("GET", "/objectives?q=reach&limit=5")).body.items[0];
    expect(objective).toMatchObject({ title: "Grow the platform's reach", level: "team" });
    const conversion = objective.keyResults.find((k: { title: string }) => k.title === "Conversion");
    expect(conversion).toMatchObject({ unit: "percent", type: "increase", start: 2, target: 5, current: 3.5 });
    const reach = objective.keyResults.find((k: { title: string }) => k.title === "Weekly active teams");
    const checkIns = (await api.call("GET", `/key-results/${reach.id}/check-ins`)).body.items;
    expect(checkIns.map((c: { at: string; value: number }) => [c.at.slice(0, 10), c.value])).toEqual([
      ["2027-01-18", 120],
    ]);

    // Renamed in the sheet: the same objective changes its title; nothing is added.
    const renamed = rows("Grow the platform's reach, twice", "2027-01-18");
    const update = await api.call("POST", "/imports/okrs", { format: "xlsx", content: sheetJsWorkbook(renamed) });
    expect(update.status).toBe(200);
    expect(update.body.objectives).toEqual({ created: 0, updated: 1, unchanged: 0 });
    expect(update.body.checkIns).toEqual({ created: 0, skipped: 1 });
    expect((await api.call("GET", `/objectives/${objective.id}`)).body.title).toBe("Grow the platform's reach, twice");
  });

  it("reports every problem per row and how to fix it, and writes nothing", async () => {
    const before = await objectivesCount();
    const content = [
      "Reference,Parent reference,Type,Title,Owner,Time period,Start,Target,Key result type",
      "P-1,,Objective,Good objective,rae@example.com,Q1 2027,,,",
      "P-2,P-1,Key Result,Bad number,,,ten,20,",
      "P-3,P-404,Key Result,Orphan,,,0,10,",
      "P-4,,Goalpost,Unknown type,,,,,",
      "P-5,P-1,Key Result,Backwards,,,50,10,Increase",
      "P-1,,Objective,Same reference,,Q1 2027,,,",
      "P-6,,Objective,Nobody's,Nobody Known,Q1 2027,,,",
    ].join("\n");
    const dry = await api.call("POST", "/imports/okrs", { format: "csv", content, dryRun: true });
    expect(dry.status).toBe(200);
    const problems = dry.body.problems.map(
      (p: { row: number; column: string; message: string }) => `${p.row} ${p.column}: ${p.message}`,
    );
    expect(problems).toEqual([
      '3 Start: "ten" is not a number; write digits such as 1200 or 12.5 (a % sign is fine)',
      '4 Parent reference: "P-404" is neither a row of this file nor an objective in Okra; check the reference',
      '5 Type: "Goalpost" is not a type Okra knows: write Objective, Key Result, Project (or Initiative) or Check-in',
      "6 Target: 10 must be above the start (50) for a key result that increases",
      '7 Reference: "P-1" is also used on row 2; each row needs its own reference',
      '8 Owner: nobody in Okra is named "Nobody Known"; write the owner\'s email (then "create missing" can add them)',
    ]);
    const refused = await api.call("POST", "/imports/okrs", { format: "csv", content });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details).toHaveLength(6);
    expect(await objectivesCount()).toBe(before);
    const notAFile = await api.call("POST", "/imports/okrs", {
      format: "xlsx",
      content: Buffer.from("hello").toString("base64"),
    });
    expect(notAFile.status).toBe(400);
    expect(notAFile.body.error.details[0]).toMatch(/^content: is not an XLSX workbook/);
  });

  it("exports a view as XLSX and CSV that import back unchanged, with formulas neutralised", async () => {
    const periodId = (await api.call("GET", "/periods?limit=50")).body.items.find(
      (p: { name: string }) => p.name === "Q1 2027",
    ).id;
    await factories(api).objective(periodId, {
      title: '=HYPERLINK("http://evil.example","click")',
      level: "organization",
    });
    const xlsx = await raw(`/exports/okrs?format=xlsx&periodId=${periodId}`);
    expect(xlsx.statusCode).toBe(200);
    expect(xlsx.headers["content-disposition"]).toBe('attachment; filename="okra-okrs-Q1-2027.xlsx"');
    const sheet = readWithSheetJs(xlsx.rawPayload);
    expect(sheet[0]?.slice(0, 4)).toEqual(["Reference", "Parent reference", "Type", "Title"]);
    const titles = sheet.map((r) => r[3]);
    expect(titles).toContain('\'=HYPERLINK("http://evil.example","click")');
    expect(titles).toContain("Grow the platform's reach, twice");

    const csv = await raw(`/exports/okrs?format=csv&periodId=${periodId}`);
    expect(csv.body).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
    const count = await objectivesCount();
    for (const [format, content] of [
      ["xlsx", xlsx.rawPayload.toString("base64")],
      ["csv", csv.body],
    ] as const) {
      const back = await api.call("POST", "/imports/okrs", { format, content });
      expect(back.status, JSON.stringify(back.body)).toBe(200);
      expect(back.body.objectives.created).toBe(0);
      expect(back.body.objectives.updated).toBe(0);
      expect(back.body.keyResults).toMatchObject({ created: 0, updated: 0 });
      expect(back.body.checkIns.created).toBe(0);
    }
    expect(await objectivesCount()).toBe(count);
    // The title came back exact, apostrophe dropped.
    expect((await api.call("GET", "/objectives?q=hyperlink&limit=5")).body.items[0].title).toBe(
      '=HYPERLINK("http://evil.example","click")',
    );
  });

  it("exports the explorer's own filters too: several statuses and a progress range", async () => {
    const made = factories(api);
    const periodId = (await api.call("GET", "/periods?limit=50")).body.items[0]?.id ?? (await made.period()).id;
    for (const title of ["Filtered one", "Filtered two"]) {
      const o = await made.objective(periodId, { title, level: "organization" });
      const kr = await made.keyResult(o.id, { title: `${title} KR` });
      await made.checkIn(kr.id, { value: title === "Filtered one" ? 80 : 5 });
    }
    const all = (await api.call("GET", "/objectives?limit=200")).body.items as {
      title: string;
      status: string;
      progress: number;
    }[];
    const objectiveTitles = async (query: string) => {
      const res = await raw(`/exports/okrs?format=csv&${query}`);
      expect(res.statusCode, res.body).toBe(200);
      const rows = parse(res.body.replace(/^\uFEFF/, ""), { relax_column_count: true }) as string[][];
      // Titles as the import reads them back (a neutralised formula loses its apostrophe).
      return rows.filter((r) => r[2] === "Objective").map((r) => (r[3] ?? "").replace(/^'(?=[=+\-@])/, ""));
    };
    const statuses = [...new Set(all.map((o) => o.status))].slice(0, 2);
    expect(statuses.length).toBeGreaterThan(0);
    expect((await objectiveTitles(`status=${statuses.join(",")}`)).sort()).toEqual(
      all
        .filter((o) => statuses.includes(o.status))
        .map((o) => o.title)
        .sort(),
    );
    const someProgress = all.filter((o) => o.progress > 0).map((o) => Math.floor(o.progress * 100))[0] ?? 0;
    expect((await objectiveTitles(`progress=${someProgress}-100`)).sort()).toEqual(
      all
        .filter((o) => o.progress * 100 >= someProgress)
        .map((o) => o.title)
        .sort(),
    );
    // A range outside 0–100, or upside down, is refused with the rule rather than answered empty.
    const outside = await raw("/exports/okrs?progress=101-100");
    expect(outside.statusCode).toBe(400);
    expect(outside.body).toMatch(/progress: must be \\"min-max\\" with 0 ≤ min ≤ max ≤ 100/);
    const bad = await raw("/exports/okrs?progress=lots");
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toMatch(/progress: must be a range of percentages such as \\"20-80\\"/);
  });

  it("builds the quarterly review deck: a title slide and one per objective", async () => {
    const periodId = (await api.call("GET", "/periods?limit=50")).body.items.find(
      (p: { name: string }) => p.name === "Q1 2027",
    ).id;
    const res = await raw(`/exports/deck?periodId=${periodId}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe(
      "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    );
    const zip = await JSZip.loadAsync(res.rawPayload);
    const slides = Object.keys(zip.files).filter((f) => /^ppt\/slides\/slide\d+\.xml$/.test(f));
    const objectives = (await api.call("GET", `/objectives?periodId=${periodId}&limit=100`)).body.items;
    expect(slides).toHaveLength(objectives.length + 1);
    const all = (await Promise.all(slides.map((f) => zip.file(f)?.async("string")))).join("\n");
    // Each objective's slide charts its trend: progress and the plan, week by week.
    const charts = Object.keys(zip.files).filter((f) => /^ppt\/charts\/chart\d+\.xml$/.test(f));
    expect(charts).toHaveLength(objectives.length);
    const chart = (await zip.file(charts[0] as string)?.async("string")) ?? "";
    expect(chart).toContain("<c:lineChart>");
    expect(chart).toContain("Expected");
    expect(all).toContain("Weekly active teams");
    expect(all).toContain("Customers get answers the same day");
    // A period that is not this organisation's is not found, never an empty deck or sheet.
    const elsewhere = "7b0c8a52-3f7e-4f1e-9d2a-6c1e5b4a9f00";
    expect((await raw(`/exports/deck?periodId=${elsewhere}`)).statusCode).toBe(404);
    expect((await raw(`/exports/okrs?periodId=${elsewhere}`)).statusCode).toBe(404);
    // Nor is a team that is not one (the fuzzer's find: a team id that is no id at all answered 500).
    for (const teamId of [elsewhere, "YTg0YjE1ZjgtZmRkMS00YjQ5"]) {
      const res = await raw(`/exports/deck?periodId=${periodId}&teamId=${teamId}`);
      expect(res.statusCode, teamId).toBe(404);
      expect(JSON.parse(res.body).error.code).toBe("NOT_FOUND");
    }
    expect((await raw(`/exports/deck?periodId=${periodId}&teamId=%00`)).statusCode).toBe(400);
  });

  it("refuses a private objective under a public parent, as POST /alignments does, unless the setting allows it", async () => {
    const content = [
      "Reference,Parent reference,Type,Title,Time period,Visibility",
      "PUB-1,,Objective,Be the partner of choice in Benelux,Q1 2027,Public",
      "PRIV-1,PUB-1,Objective,Buy the reseller in Ghent,Q1 2027,Private",
    ].join("\n");
    const refused = await api.call("POST", "/imports/okrs", { format: "csv", content, createMissing: true });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details.join("\n")).toMatch(
      /row 3, Parent reference: this objective is private and "PUB-1" is public; a private objective cannot align under a public one/,
    );
    const search = async () =>
      (await api.call("GET", `/objectives?q=${encodeURIComponent("reseller in Ghent")}`)).body.items.length;
    expect(await search()).toBe(0);
    expect((await api.call("PATCH", "/settings", { privateUnderPublic: true })).status).toBe(200);
    try {
      const allowed = await api.call("POST", "/imports/okrs", { format: "csv", content, createMissing: true });
      expect(allowed.status, JSON.stringify(allowed.body)).toBe(200);
      expect(await search()).toBe(1);
    } finally {
      expect((await api.call("PATCH", "/settings", { privateUnderPublic: false })).status).toBe(200);
    }
  });

  it("lets only admins import; members may export what they see", async () => {
    const auth = { authorization: `Bearer ${memberToken}` };
    const res = await api.call("POST", "/imports/okrs", { format: "csv", content: "Type,Title\nObjective,x" }, auth);
    expect(res.status).toBe(403);
    expect((await raw("/exports/okrs?format=csv", memberToken)).statusCode).toBe(200);
  });
});
