import { describe, expect, it } from "vitest";
import { bidiControlProblem, findBidiControls } from "./bidi-controls.js";

describe("bidirectional controls", () => {
  const cases: [string, string, string[]][] = [
    ["plain text", "Delight our customers", []],
    ["right-to-left override", "invoice\u202Etxt.exe", ["U+202E"]],
    [
      "every embedding and override",
      "\u202A\u202B\u202C\u202D\u202E",
      ["U+202A", "U+202B", "U+202C", "U+202D", "U+202E"],
    ],
    ["every isolate", "a\u2066b\u2067c\u2068d\u2069", ["U+2066", "U+2067", "U+2068", "U+2069"]],
    ["each once, in order of appearance", "\u2069x\u202Ey\u2069", ["U+2069", "U+202E"]],
    ["left-to-right and right-to-left marks are kept", "abc\u200Edef\u200F", []],
    ["the Arabic letter mark is kept", "\u0627\u061C\u0628", []],
    ["Hebrew, Arabic, CJK and emoji", "שלום مرحبا 你好 🚀", []],
  ];
  it.each(cases)("%s", (_name, text, found) => {
    expect(findBidiControls(text)).toEqual(found);
    expect(bidiControlProblem(text)).toBe(
      found.length ? `must not contain bidirectional control characters (${found.join(", ")}); remove them` : null,
    );
  });
});
