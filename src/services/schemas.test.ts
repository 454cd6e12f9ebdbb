import { describe, expect, it } from "vitest";
import { z } from "zod";
import { AppError } from "../domain/errors.js";
import { parseInput } from "./schemas.js";

const Schema = z.strictObject({
  name: z.string(),
  active: z.boolean().optional(),
  ownerIds: z.array(z.string()).optional(),
  limit: z.coerce.number().int().optional(),
});

const problems = (input: unknown, where = ""): string[] => {
  try {
    parseInput(Schema, input, where);
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return (err as AppError).details as string[];
  }
  throw new Error("parseInput accepted the input");
};

describe("parseInput's messages", () => {
  it("says a missing field is required", () => {
    expect(problems({})).toEqual(["name: is required"]);
  });

  it("says what a field of the wrong type should be, and what it was", () => {
    expect(problems({ name: 123 })).toEqual(["name: must be text, not 123"]);
    expect(problems({ name: null })).toEqual(["name: must be text, not null"]);
    expect(problems({ name: "Ada", active: "no" })).toEqual(['active: must be true or false, not the text "no"']);
    expect(problems({ name: "Ada", ownerIds: [1, "x"] })).toEqual(["ownerIds.0: must be text, not 1"]);
    expect(problems({ name: "Ada", ownerIds: "x" })).toEqual(['ownerIds: must be a list, not the text "x"']);
    expect(problems({ name: ["Ada"] })).toEqual(["name: must be text, not a list"]);
  });

  it("reads query strings the same way", () => {
    expect(problems({ name: "Ada", limit: "abc" }, "query")).toEqual(['limit: must be a number, not the text "abc"']);
    expect(problems({ name: ["a", "b"] }, "query")).toEqual(["name: must be text, not a list"]);
  });

  it("names unknown fields", () => {
    expect(problems({ name: "Ada", colour: "red" })[0]).toMatch(/^colour: unknown field/);
  });
});
