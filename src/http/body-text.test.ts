import { describe, expect, it } from "vitest";
import { charsetsOf, readUtf8Body } from "./body-text.js";

describe("charsetsOf", () => {
  const cases: [string | undefined, string[]][] = [
    [undefined, []],
    ["application/json", []],
    ["application/json; charset=utf-8", ["utf-8"]],
    ["application/json;charset=UTF8", ["UTF8"]],
    ['application/json; charset="latin1"', ["latin1"]],
    ["application/json; foo=bar; Charset = iso-8859-1", ["iso-8859-1"]],
    ["application/json; charset=", [""]],
  ];
  it.each(cases)("%s", (header, expected) => {
    expect(charsetsOf(header)).toEqual(expected);
  });
});

describe("readUtf8Body", () => {
  const json = Buffer.from('{"a":"é🚀你好"}', "utf8");
  it("reads UTF-8, with no charset or a UTF-8 one in any spelling", () => {
    for (const ct of [
      undefined,
      "application/json",
      "application/json; charset=utf-8",
      "application/json; charset=UTF8",
    ]) {
      expect(readUtf8Body(json, ct)).toEqual({ ok: true, text: '{"a":"é🚀你好"}' });
    }
  });
  it("drops a leading byte order mark", () => {
    expect(readUtf8Body(Buffer.from("\uFEFF{}", "utf8"), "application/json")).toEqual({ ok: true, text: "{}" });
  });
  it("refuses bytes that are not UTF-8, and another charset even when the bytes would do", () => {
    expect(readUtf8Body(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0xff, 0x7d]), "application/json")).toEqual({
      ok: false,
      reason: "encoding",
    });
    expect(readUtf8Body(Buffer.from([0xed, 0xa0, 0x80]), undefined)).toEqual({ ok: false, reason: "encoding" });
    expect(readUtf8Body(json, "application/json; charset=latin1")).toEqual({
      ok: false,
      reason: "charset",
      charset: "latin1",
    });
    expect(readUtf8Body(json, "application/json; charset=utf-16")).toMatchObject({ ok: false, reason: "charset" });
  });
});
