import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type CellValue, neutraliseCell } from "./spreadsheet-cell.js";

describe("neutraliseCell", () => {
  const cases: [string, CellValue, string | number | boolean][] = [
    ["a formula", '=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'],
    ["a plus", "+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"],
    ["a minus followed by a formula", "-2+3", "'-2+3"],
    ["a minus and DDE", "-5+cmd|' /C calc'!A0", "'-5+cmd|' /C calc'!A0"],
    ["an at sign", "@SUM(1)", "'@SUM(1)"],
    ["a leading tab", "\tplain", "'\tplain"],
    ["a leading carriage return", "\rplain", "'\rplain"],
    ["a formula after spaces", "  =1+1", "'  =1+1"],
    ["a formula after a line feed", "\n@SUM(1)", "'\n@SUM(1)"],
    ["a formula after a no-break space", "\u00A0=1", "'\u00A0=1"],
    ["a lone minus", "-", "'-"],
    ["plain text", "Delight our customers", "Delight our customers"],
    ["a formula character inside", "a=b+c-d@e", "a=b+c-d@e"],
    ["an apostrophe already", "'=1", "'=1"],
    ["JSON", '{"title":"=1+1"}', '{"title":"=1+1"}'],
    ["an ISO instant", "2026-02-15T12:00:00.000Z", "2026-02-15T12:00:00.000Z"],
    ["the empty string", "", ""],
    ["a negative decimal string", "-5", "-5"],
    ["a signed decimal string", "+2.5", "+2.5"],
    ["a decimal with an exponent", "-1e3", "-1e3"],
    ["a negative number", -5, -5],
    ["a number", 42.5, 42.5],
    ["a flag", true, true],
    ["null", null, ""],
    ["undefined", undefined, ""],
  ];
  it.each(cases)("%s", (_name, input, expected) => {
    expect(neutraliseCell(input)).toBe(expected);
  });

  it("only ever prepends an apostrophe", () => {
    fc.assert(fc.property(fc.string({ unit: "binary" }), (s) => [s, `'${s}`].includes(neutraliseCell(s))));
  });

  it("neutralises a formula character after any leading white space, whatever follows", () => {
    const start = fc.tuple(
      fc.string({ unit: fc.constantFrom(" ", "\t", "\r", "\n", "\u00A0"), maxLength: 4 }),
      fc.constantFrom("=", "+", "-", "@"),
      fc.string({ unit: "binary", maxLength: 30 }),
    );
    fc.assert(
      fc.property(
        start
          .map(([ws, ch, tail]) => ws + ch + tail)
          .filter((s) => !/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(s)),
        (s) => neutraliseCell(s) === `'${s}`,
      ),
    );
  });
});
