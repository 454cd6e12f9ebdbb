import { describe, expect, it } from "vitest";
import { bodyParts, mentionedIds, mentionToken, plainBody, reactionEmoji } from "./mentions.js";

const A = "0b9c1c2e-1111-4a4a-8b8b-000000000001";
const B = "0b9c1c2e-1111-4a4a-8b8b-000000000002";

describe("mentions", () => {
  it.each([
    ["no mention", "Looks good", []],
    ["one", `Thanks @[Ada Admin](${A})!`, [A]],
    ["two, one twice", `@[Ada](${A}) and @[Bo](${B}) and @[Ada](${A})`, [A, B]],
    ["upper-case id", `@[Ada](${A.toUpperCase()})`, [A]],
    ["not an id", "@[Ada](not-an-id)", []],
    ["a plain @email is text", "ask ada@example.com", []],
    ["a name with a line break is not a mention", `@[Ada\nAdmin](${A})`, []],
  ])("%s", (_name, body, ids) => {
    expect(mentionedIds(body)).toEqual(ids);
  });

  it("splits a body into text and mentions and back", () => {
    const body = `Hi @[Ada](${A}), see this`;
    expect(bodyParts(body)).toEqual([{ text: "Hi " }, { mention: { id: A, name: "Ada" } }, { text: ", see this" }]);
    expect(plainBody(body)).toBe("Hi @Ada, see this");
    expect(plainBody(body, new Map([[A, "Ada Lovelace"]]))).toBe("Hi @Ada Lovelace, see this");
  });

  it("writes a token the parser reads back, whatever the name holds", () => {
    const token = mentionToken({ id: A, name: "Odd ] name\nhere" });
    expect(mentionedIds(`x ${token} y`)).toEqual([A]);
    expect(mentionToken({ id: B, name: "]]" })).toBe(`@[someone](${B})`);
  });

  it.each([
    ["👍", "👍"],
    ["❤", "❤️"],
    ["❤️", "❤️"],
    ["🙏", "🙏"],
    ["💩", null],
    ["", null],
    ["👍👍", null],
  ])("reaction %s", (text, expected) => {
    expect(reactionEmoji(text)).toBe(expected);
  });
});
