import { describe, expect, it } from "vitest";
import { bodyToSend, editableText, mentionQuery } from "./mention-text.js";

const ANN = "0b9c1c2e-1111-4a4a-8b8b-000000000001";
const ANN_LEE = "0b9c1c2e-1111-4a4a-8b8b-000000000002";

describe("the comment editor's text", () => {
  it("sends picked names as mentions, longest name first, and only where a name ends", () => {
    const picked = new Map([
      ["@Ann", ANN],
      ["@Ann Lee", ANN_LEE],
    ]);
    expect(bodyToSend("Hi @Ann Lee and @Ann, not @Annabel (a+b)", picked)).toBe(
      `Hi @[Ann Lee](${ANN_LEE}) and @[Ann](${ANN}), not @Annabel (a+b)`,
    );
    expect(bodyToSend("no mention", new Map())).toBe("no mention");
    expect(bodyToSend("@J. (QA)?", new Map([["@J. (QA)?", ANN]]))).toBe(`@[J. (QA)?](${ANN})`);
  });

  it("turns a stored body back into names, with the current name, and round-trips", () => {
    const body = `Ask @[Ann](${ANN}) today`;
    const { text, picked } = editableText(body, new Map([[ANN, "Ann Lovelace"]]));
    expect(text).toBe("Ask @Ann Lovelace today");
    expect(bodyToSend(text, picked)).toBe(`Ask @[Ann Lovelace](${ANN}) today`);
  });

  it.each([
    ["Hello @an", 9, { start: 6, term: "an" }],
    ["@", 1, { start: 0, term: "" }],
    ["mail ann@example.com", 20, null],
    ["@ann done", 9, null],
  ])("finds the @term before the caret in %j", (text, caret, expected) => {
    expect(mentionQuery(text, caret)).toEqual(expected);
  });
});
