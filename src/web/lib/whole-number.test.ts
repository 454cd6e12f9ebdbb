import { describe, expect, it } from "vitest";
import { numberOf, wholeNumberProblem } from "./whole-number.js";

describe("wholeNumberProblem", () => {
  it.each([
    ["0", null],
    ["23", null],
    [" 7 ", null],
    ["+5", null],
    ["", "Reminder hour is required: enter a whole number from 0 to 23."],
    ["   ", "Reminder hour is required: enter a whole number from 0 to 23."],
    ["abc", 'Reminder hour must be a whole number from 0 to 23; "abc" is not a number.'],
    ["12abc", 'Reminder hour must be a whole number from 0 to 23; "12abc" is not a number.'],
    ["2,5", 'Reminder hour must be a whole number from 0 to 23; "2,5" is not a number.'],
    ["30", "Reminder hour must be a whole number from 0 to 23, not 30."],
    ["-3", "Reminder hour must be a whole number from 0 to 23, not -3."],
    ["2.5", "Reminder hour must be a whole number from 0 to 23, not 2.5."],
  ])("%j → %s", (text, expected) => {
    expect(wholeNumberProblem(text, "Reminder hour", 0, 23)).toBe(expected);
  });

  it("reads a number as typed, and nothing else", () => {
    expect(numberOf(" 42 ")).toBe(42);
    expect(numberOf("-3")).toBe(-3);
    expect(numberOf("0x10")).toBeNaN();
    expect(numberOf("1e2")).toBeNaN();
    expect(numberOf("")).toBeNaN();
  });
});
