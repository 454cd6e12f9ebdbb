/**
 * Reading a data-linked key result's value (#13, pull): fetch the source's URL through the
 * outbound guard (public addresses only unless the instance allows private ones, no redirects,
 * one deadline, a size cap), then find one number in the answer — a JSONPath in JSON, or a
 * cell in CSV. Every failure is a `SourceReadError` whose message says, in words, what went
 * wrong and how to fix it; it is stored on the key result and never replaces good data.
 */
import { parse as parseCsv } from "csv-parse/sync";
import { JSONPath } from "jsonpath-plus";
import { CELL_RE, type KeyResultSource } from "./data-source-schema.js";
import { createOutboundFetch } from "./outbound.js";
import { DecimalSchema } from "./schemas.js";

export { type KeyResultSource, KeyResultSourceSchema } from "./data-source-schema.js";

/** A source that could not be read; the message is shown on the key result. */
export class SourceReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SourceReadError";
  }
}

/** How long reading a source may take (DNS, connection, answer). */
export const SOURCE_TIMEOUT_MS = 10_000;
/** The largest answer read. */
export const SOURCE_MAX_BYTES = 2_097_152;

/** A value read from a source, as an exact decimal string, or a SourceReadError. */
function asDecimal(found: unknown, where: string): string {
  const shown = JSON.stringify(found)?.slice(0, 60) ?? String(found);
  if (typeof found !== "number" && typeof found !== "string") {
    throw new SourceReadError(`${where} holds ${shown}, which is not a number.`);
  }
  const parsed = DecimalSchema.safeParse(typeof found === "string" ? found.trim() : found);
  if (!parsed.success) throw new SourceReadError(`${where} holds ${shown}, which is not a number.`);
  return parsed.data;
}

/**
 * The one number a JSONPath finds in a JSON text. Throws SourceReadError when the text is not
 * JSON, the path finds nothing or more than one value, or the value is not a number (a JSON
 * number, or a string holding a plain decimal such as "12.5").
 */
export function valueFromJson(text: string, path: string): string {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new SourceReadError("The answer is not valid JSON.");
  }
  let found: unknown[];
  try {
    // "safe": filter expressions run in jsonpath-plus's own evaluator, never as JavaScript.
    found = JSONPath({ path, json: json as object, wrap: true, eval: "safe" }) as unknown[];
  } catch (err) {
    throw new SourceReadError(`The JSONPath ${path} could not be applied: ${(err as Error).message}.`);
  }
  if (!Array.isArray(found) || found.length === 0) {
    throw new SourceReadError(`The JSONPath ${path} finds nothing in the answer; check the path against the JSON.`);
  }
  if (found.length > 1) {
    throw new SourceReadError(
      `The JSONPath ${path} finds ${found.length} values; it must find exactly one (narrow it, e.g. with an index [0]).`,
    );
  }
  return asDecimal(found[0], `The JSONPath ${path}`);
}

/** Column letters to a 0-based index: A → 0, Z → 25, AA → 26. */
function columnIndex(letters: string): number {
  let n = 0;
  for (const ch of letters) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

/** The separator of a CSV text: the first line's tab or semicolon when it has no comma, else a comma. */
function separatorOf(text: string): string {
  const first = text.slice(0, text.search(/\r?\n|$/));
  if (first.includes(",")) return ",";
  if (first.includes("\t")) return "\t";
  return first.includes(";") ? ";" : ",";
}

/**
 * The number in one cell (A1 notation: `B3` is column B of the file's third line, the header
 * line counting as line 1) of a CSV text, separated by commas (or, when its first line has
 * none, tabs or semicolons). Throws SourceReadError when the CSV cannot be read, has no such cell, or the
 * cell is not a number.
 */
export function valueFromCsv(text: string, cell: string): string {
  const m = CELL_RE.exec(cell.toUpperCase());
  if (!m) throw new SourceReadError(`The cell ${cell} is not in A1 notation.`);
  const col = columnIndex(m[1] as string);
  const line = Number(m[2]);
  let rows: string[][];
  try {
    rows = parseCsv(text.replace(/^\uFEFF/, ""), {
      delimiter: separatorOf(text),
      relax_column_count: true,
      skip_empty_lines: false,
      to_line: line,
    }) as string[][];
  } catch (err) {
    throw new SourceReadError(`The answer is not a CSV file that can be read: ${(err as Error).message}.`);
  }
  const row = rows[line - 1];
  if (!row) throw new SourceReadError(`The CSV has no line ${line} (it has ${rows.length}).`);
  const value = row[col];
  if (value === undefined) {
    throw new SourceReadError(`The CSV has no cell ${cell}: line ${line} has ${row.length} column(s).`);
  }
  if (value.trim() === "") throw new SourceReadError(`The cell ${cell} is empty.`);
  return asDecimal(value, `The cell ${cell}`);
}

/**
 * Fetches the source and reads its value (an exact decimal string). Private addresses are
 * refused unless `allowPrivate`. Throws SourceReadError saying what went wrong: unreachable
 * (one message whatever the reason, as the outbound guard wants), an HTTP error status, or
 * what `valueFromJson` / `valueFromCsv` found.
 */
export async function readSource(source: KeyResultSource, opts: { allowPrivate: boolean }): Promise<string> {
  const fetcher = createOutboundFetch({
    allowPrivate: opts.allowPrivate,
    timeoutMs: SOURCE_TIMEOUT_MS,
    maxBytes: SOURCE_MAX_BYTES,
  });
  let res: Response;
  try {
    res = await fetcher(source.url, {
      headers: {
        accept: source.kind === "json" ? "application/json" : "text/csv, text/plain;q=0.9",
        "user-agent": "Okra data link",
      },
    });
  } catch {
    throw new SourceReadError(
      "The URL could not be reached: no answer in time, the connection failed, the answer was too large, or the address is not a public one (private addresses need the instance's OKRA_ALLOW_PRIVATE_URLS).",
    );
  }
  if (res.status < 200 || res.status >= 300) {
    const redirect = res.status >= 300 && res.status < 400 ? " (redirects are not followed: use the final URL)" : "";
    throw new SourceReadError(
      `The URL answered HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ""}${redirect}.`,
    );
  }
  const text = await res.text();
  return source.kind === "json" ? valueFromJson(text, source.path) : valueFromCsv(text, source.cell);
}

/**
 * The URL as shown to those who may not edit the key result: scheme, host and path only. A
 * query string or user name often carries a key to the other system.
 */
export function maskSourceUrl(raw: string): string {
  try {
    const url = new URL(raw);
    return `${url.protocol}//${url.host}${url.pathname}${url.search ? "?…" : ""}`;
  } catch {
    return "";
  }
}
