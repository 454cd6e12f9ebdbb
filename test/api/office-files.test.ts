/**
 * The spreadsheets and decks Okra writes, opened by another program (#13): LibreOffice
 * headless converts the exported XLSX to CSV and the review deck to PDF (a file it cannot
 * read fails the conversion), and a workbook LibreOffice itself wrote is imported. Runs when
 * `soffice` is installed (`apt-get install libreoffice-calc-nogui libreoffice-impress-nogui`);
 * otherwise it says so in one line, and under CI that is a failure.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiHarness, startApi } from "../support/api.js";

const run = promisify(execFile);
const SOFFICE = ["/usr/bin/soffice", "/usr/bin/libreoffice"].find((p) => existsSync(p));
const IN_CI = Boolean(process.env.CI) && process.env.CI !== "false" && process.env.CI !== "0";
const NOW = Date.UTC(2027, 1, 15, 12);
// The files do not depend on the database: they are checked in the PGlite run only.
const SERVER_RUN = Boolean(process.env.OKRA_TEST_DATABASE_URL);

if (!SOFFICE && !SERVER_RUN) {
  console.log(
    "LibreOffice checks skipped: soffice not found (apt-get install libreoffice-calc-nogui libreoffice-impress-nogui to enable them)",
  );
}

describe.runIf(!SOFFICE && IN_CI && !SERVER_RUN)("LibreOffice under CI", () => {
  it("is installed, so the office-file checks run", () => {
    expect(SOFFICE, "CI must install libreoffice-calc-nogui and libreoffice-impress-nogui").toBeDefined();
  });
});

describe.runIf(SOFFICE && !SERVER_RUN)("files opened by LibreOffice", () => {
  let api: ApiHarness;
  let dir: string;
  const token = "okra_test_admin_token_0123456789";
  const download = async (url: string) => {
    const res = await api.app.inject({
      method: "GET",
      url: `/api/v1${url}`,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.statusCode, `${url}: ${res.body.slice(0, 200)}`).toBe(200);
    return res.rawPayload;
  };
  /** Converts `file` in `dir` with LibreOffice to `to` (an extension with an optional filter) and returns the new file. */
  const convert = async (file: string, to: string) => {
    await run(
      SOFFICE as string,
      [
        `-env:UserInstallation=file://${join(dir, "profile")}`,
        "--headless",
        "--convert-to",
        to,
        "--outdir",
        dir,
        join(dir, file),
      ],
      { timeout: 120_000 },
    );
    const out = join(dir, file.replace(/\.[^.]+$/, `.${to.split(":")[0]}`));
    expect(existsSync(out), `LibreOffice wrote no ${out}`).toBe(true);
    return out;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "okra-office-"));
    api = await startApi("pglite", NOW);
    // The template, filled in as it comes, gives the organisation something to export.
    const template = (await download("/imports/okrs/template?format=csv")).toString("utf8");
    writeFileSync(join(dir, "template.csv"), template);
  });
  afterAll(async () => {
    await api?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("imports a workbook LibreOffice wrote from the template", async () => {
    const xlsx = await convert("template.csv", "xlsx:Calc MS Excel 2007 XML");
    const content = readFileSync(xlsx).toString("base64");
    const done = await api.call("POST", "/imports/okrs", { format: "xlsx", content, createMissing: true });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body).toMatchObject({
      objectives: { created: 1 },
      keyResults: { created: 2 },
      initiatives: { created: 1 },
      checkIns: { created: 1 },
      problems: [],
    });
    const reply = (await api.call("GET", "/objectives?limit=10")).body.items[0].keyResults.find(
      (k: { title: string }) => k.title === "Median first reply in hours",
    );
    expect(reply).toMatchObject({ start: 20, target: 4, current: 16 });
  });

  it("reads the exported XLSX: the same rows as the CSV export", async () => {
    writeFileSync(join(dir, "export.xlsx"), await download("/exports/okrs?format=xlsx"));
    const csv = await convert("export.xlsx", "csv:Text - txt - csv (StarCalc):44,34,76");
    const fromLibreOffice = parse(readFileSync(csv, "utf8"), { relax_column_count: true }) as string[][];
    const ours = parse((await download("/exports/okrs?format=csv")).toString("utf8").replace(/^\uFEFF/, ""), {
      relax_column_count: true,
    }) as string[][];
    expect(fromLibreOffice[0]).toEqual(ours[0]);
    expect(fromLibreOffice).toHaveLength(ours.length);
    const column = (rows: string[][], name: string) => rows.slice(1).map((r) => r[(ours[0] ?? []).indexOf(name)]);
    for (const name of ["Reference", "Type", "Title", "Owner", "Team", "Time period", "Unit"]) {
      expect(column(fromLibreOffice, name), name).toEqual(column(ours, name));
    }
    // Numbers stay numbers: LibreOffice shows the same targets.
    expect(column(fromLibreOffice, "Target").map(Number)).toEqual(column(ours, "Target").map(Number));
  });

  it("opens the review deck: one PDF page per slide", async () => {
    const periodId = (await api.call("GET", "/periods?limit=50")).body.items.find(
      (p: { name: string }) => p.name === "Q1 2027",
    ).id;
    writeFileSync(join(dir, "deck.pptx"), await download(`/exports/deck?periodId=${periodId}`));
    const pdf = readFileSync(await convert("deck.pptx", "pdf")).toString("latin1");
    const pages = pdf.match(/\/Type\s*\/Page(?!s)/g) ?? [];
    const objectives = (await api.call("GET", `/objectives?periodId=${periodId}&limit=100`)).body.items;
    expect(objectives.length).toBeGreaterThan(0);
    expect(pages).toHaveLength(objectives.length + 1);
  });
});
