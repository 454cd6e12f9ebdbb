/**
 * Formula injection (OWASP "CSV Injection"): a spreadsheet opening an export treats a cell
 * that starts with `=`, `+`, `-`, `@`, a tab or a carriage return as a formula, so a title
 * such as `=HYPERLINK("http://evil","click")` would run on the reader's machine. Every CSV
 * and XLSX export passes its cells through `neutraliseCell`.
 */

/** A cell of an export: text, a number or a flag; null and undefined are empty. */
export type CellValue = string | number | boolean | null | undefined;

/** The characters that open a formula (OWASP's list), possibly after leading white space. */
const FORMULA_START = /^[\s\u00A0\uFEFF]*[=+\-@]|^[\t\r]/;
/** A plain decimal number such as -5, +2.5 or -1e3: a spreadsheet reads it as that number, never a formula. */
const PLAIN_NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * The cell as it is safe to export: text that a spreadsheet would read as a formula gets a
 * leading apostrophe (`'=HYPERLINK(…)`: shown as text, the apostrophe hidden by Excel and
 * LibreOffice), as OWASP recommends. Also text whose formula character follows leading white
 * space, which some spreadsheets trim. Numbers and flags stay as they are, and so does text that
 * is exactly a plain decimal number (`"-5"`, how Okra carries exact values): it cannot run
 * anything, and prefixing it would turn a number into text. null and undefined become "".
 * Never throws.
 */
export function neutraliseCell(value: string): string;
export function neutraliseCell<T extends number | boolean>(value: T): T;
export function neutraliseCell(value: CellValue): string | number | boolean;
export function neutraliseCell(value: CellValue): string | number | boolean {
  if (value === null || value === undefined) return "";
  if (typeof value !== "string") return value;
  if (PLAIN_NUMBER.test(value)) return value;
  return FORMULA_START.test(value) ? `'${value}` : value;
}
