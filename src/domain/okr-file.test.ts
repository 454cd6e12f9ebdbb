/**
 * The OKR file format's pure parts: relative period names, `x-` keys, and the problems of the
 * periods list.
 */
import { describe, expect, it } from "vitest";
import {
  OkrFileSchema,
  okrFileJsonSchema,
  okrFileProblems,
  periodDatesOfName,
  resolvePeriodName,
  withoutExtensions,
} from "./okr-file.js";

describe("resolvePeriodName", () => {
  it("names quarters and years relative to the day", () => {
    const on = (today: string) => (name: string) => resolvePeriodName(name, today);
    const may = on("2026-05-20");
    expect(["this quarter", "last quarter", "next quarter"].map(may)).toEqual(["Q2 2026", "Q1 2026", "Q3 2026"]);
    expect(["this year", "Last Year", "next  year"].map(may)).toEqual(["2026", "2025", "2027"]);
    expect(["Q1 this year", "q4 next year", "H2 last year"].map(may)).toEqual(["Q1 2026", "Q4 2027", "H2 2025"]);
    // Across the turn of the year, both ways.
    expect(on("2026-01-02")("last quarter")).toBe("Q4 2025");
    expect(on("2026-12-31")("next quarter")).toBe("Q1 2027");
    expect(on("2026-03-31")("this quarter")).toBe("Q1 2026");
    expect(on("2026-04-01")("this quarter")).toBe("Q2 2026");
  });

  it("leaves every other name as it is", () => {
    for (const name of ["Q3 2026", "FY 2026", "H3 this year", "this month", "the quarter"]) {
      expect(resolvePeriodName(name, "2026-05-20")).toBe(name);
    }
    expect(periodDatesOfName(resolvePeriodName("next quarter", "2026-11-20"))).toEqual({
      start: "2027-01-01",
      end: "2027-03-31",
    });
  });
});

describe("x- keys", () => {
  it("are dropped at any depth before the schema checks a file, and allowed by the JSON Schema", () => {
    const raw = {
      version: 1,
      "x-tool": { generatedBy: "a script" },
      period: "this quarter",
      objectives: [
        {
          ref: "o1",
          title: "An objective",
          level: "organization",
          "x-demo": { pace: 0.9 },
          keyResults: [{ ref: "k1", title: "A key result", type: "increase", "x-note": "kept out" }],
        },
      ],
    };
    expect(OkrFileSchema.safeParse(raw).success).toBe(false);
    const parsed = OkrFileSchema.parse(withoutExtensions(raw));
    expect(JSON.stringify(parsed)).not.toContain("x-");
    expect(parsed.objectives?.[0]?.keyResults?.[0]?.title).toBe("A key result");

    const schema = JSON.stringify(okrFileJsonSchema());
    const closed = schema.match(/"additionalProperties":false/g)?.length ?? 0;
    expect(closed).toBeGreaterThan(5);
    expect(schema.match(/"patternProperties":\{"\^x-":\{\}\}/g)?.length).toBe(closed);
  });
});

describe("periods of a file", () => {
  const problems = (periods: unknown[]) => okrFileProblems(OkrFileSchema.parse({ version: 1, periods }));

  it("may leave out the dates of a name that has them", () => {
    expect(problems([{ name: "Q3 2026" }, { name: "last quarter", closed: true }, { name: 2027 }])).toEqual([]);
  });

  it("needs both dates, or a name that has them", () => {
    expect(problems([{ name: "Sprint 9" }])).toEqual([
      'periods[0]: "Sprint 9" is not a name Okra can date (such as "2026", "Q3 2026", "this quarter"); give its start and end',
    ]);
    expect(problems([{ name: "Sprint 9", start: "2026-05-01" }])).toEqual([
      'periods[0]: give both start and end, or neither (for a name such as "Q3 2026" or "next quarter")',
    ]);
    expect(problems([{ name: "Sprint 9", start: "2026-05-01", end: "2026-05-14" }])).toEqual([]);
  });
});
