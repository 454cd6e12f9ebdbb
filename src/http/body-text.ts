/**
 * Reading a request body as text: Okra accepts UTF-8 only (RFC 8259 §8.1 requires it of JSON
 * exchanged between systems). A body whose bytes are not UTF-8, or whose Content-Type declares
 * another charset, is refused rather than read with replacement characters, which would store
 * text other than what was sent. The API and SCIM parsers word the refusal in their own formats.
 */

/** Fatal: a byte sequence that is not UTF-8 throws instead of becoming U+FFFD. Strips a leading BOM. */
const UTF8 = new TextDecoder("utf-8", { fatal: true });
const PARAMETER = /;\s*([^=;\s]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;\s]*)/g;

export type BodyText =
  | { ok: true; text: string }
  /** The Content-Type names a charset other than UTF-8 (`charset` as sent). */
  | { ok: false; reason: "charset"; charset: string }
  /** The bytes are not valid UTF-8. */
  | { ok: false; reason: "encoding" };

/** The charset parameters of a Content-Type header (unquoted, as sent); none when it names none. */
export function charsetsOf(contentType: string | undefined): string[] {
  if (!contentType) return [];
  const out: string[] = [];
  for (const m of contentType.matchAll(PARAMETER)) {
    if (m[1]?.toLowerCase() !== "charset") continue;
    const raw = m[2] ?? "";
    out.push(raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, "$1") : raw);
  }
  return out;
}

/**
 * The body as text when it is UTF-8 and the Content-Type declares no other charset (`utf-8` and
 * `utf8` in any case, or none); otherwise why not. A leading byte order mark is dropped, as
 * RFC 8259 allows.
 */
export function readUtf8Body(body: Buffer, contentType: string | undefined): BodyText {
  const other = charsetsOf(contentType).find((c) => !/^utf-?8$/i.test(c.trim()));
  if (other !== undefined) return { ok: false, reason: "charset", charset: other };
  try {
    return { ok: true, text: UTF8.decode(body) };
  } catch {
    return { ok: false, reason: "encoding" };
  }
}
