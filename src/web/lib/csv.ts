/**
 * CSV files the browser builds (the explorer's export): RFC 4180 with CRLF line ends. Every text
 * cell is quoted and neutralised against formula injection (`neutraliseCell`), as the server's
 * audit export does; numbers are written bare so spreadsheets keep them numeric.
 */
import { type CellValue, neutraliseCell } from "../../domain/spreadsheet-cell.js";

function csvCell(value: CellValue): string {
  const safe = neutraliseCell(value);
  return typeof safe === "string" ? `"${safe.replace(/"/g, '""')}"` : String(safe);
}

/** The rows as CSV text; the first row is usually the header. */
export function toCsv(rows: readonly (readonly CellValue[])[]): string {
  return rows.map((row) => row.map(csvCell).join(",")).join("\r\n");
}
