import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { toCsv } from "./csv.js";

describe("toCsv", () => {
  it("quotes and neutralises text, keeps numbers bare", () => {
    const csv = toCsv([
      ["Objective", "Progress"],
      ['=HYPERLINK("http://x","y")', 42.5],
      ["@SUM(1)", -5],
      ["-2+3", 0],
      ["a;b,c\nd", 1],
    ]);
    expect(csv.split("\r\n")[1]).toBe('"\'=HYPERLINK(""http://x"",""y"")",42.5');
    expect(csv.split("\r\n")[2]).toBe('"\'@SUM(1)",-5');
    expect(parse(csv, { columns: true })).toEqual([
      { Objective: '\'=HYPERLINK("http://x","y")', Progress: "42.5" },
      { Objective: "'@SUM(1)", Progress: "-5" },
      { Objective: "'-2+3", Progress: "0" },
      { Objective: "a;b,c\nd", Progress: "1" },
    ]);
  });
});
