import { describe, expect, it } from "vitest";
import { yearWithQuarters } from "./period-calendar.js";

describe("yearWithQuarters", () => {
  it("splits a calendar year into four quarters of whole months", () => {
    const { year, quarters } = yearWithQuarters(2028);
    expect(year).toEqual({ name: "2028", startDate: "2028-01-01", endDate: "2028-12-31" });
    expect(quarters).toEqual([
      { name: "Q1 2028", startDate: "2028-01-01", endDate: "2028-03-31" },
      { name: "Q2 2028", startDate: "2028-04-01", endDate: "2028-06-30" },
      { name: "Q3 2028", startDate: "2028-07-01", endDate: "2028-09-30" },
      { name: "Q4 2028", startDate: "2028-10-01", endDate: "2028-12-31" },
    ]);
  });

  it("runs a fiscal year across the new year, leap day included", () => {
    const { year, quarters } = yearWithQuarters(2027, 10);
    expect(year).toEqual({ name: "FY 2027", startDate: "2027-10-01", endDate: "2028-09-30" });
    expect(quarters.map((q) => [q.startDate, q.endDate])).toEqual([
      ["2027-10-01", "2027-12-31"],
      ["2028-01-01", "2028-03-31"],
      ["2028-04-01", "2028-06-30"],
      ["2028-07-01", "2028-09-30"],
    ]);
    expect(yearWithQuarters(2024, 12).quarters[0]).toEqual({
      name: "Q1 FY 2024",
      startDate: "2024-12-01",
      endDate: "2025-02-28",
    });
  });

  it("names the quarters after a given year name, and refuses impossible input", () => {
    expect(yearWithQuarters(2026, 1, "Year of focus").quarters[3]?.name).toBe("Q4 Year of focus");
    expect(() => yearWithQuarters(2026, 13)).toThrow(RangeError);
    expect(() => yearWithQuarters(0)).toThrow(RangeError);
  });
});
