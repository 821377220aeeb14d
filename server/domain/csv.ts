/**
 * The one CSV writer of every export (audit trail, reports): RFC 4180 (comma-separated, CRLF, fields
 * with commas, quotes or line breaks quoted, quotes doubled), UTF-8 with a byte-order mark first so
 * spreadsheets pick the encoding, and formula defusing: a text cell starting with = + - @ tab or CR,
 * which a spreadsheet would run as a formula, gets a leading apostrophe. Numbers stay numbers (-5 is
 * written as -5). Dates are ISO 8601; other objects are JSON. No imports.
 */

export type CsvValue = string | number | bigint | boolean | null | undefined | Date | object;

export const CSV_BOM = '\uFEFF';

/** One field. */
export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  let text = typeof value === 'string' ? value : value instanceof Date ? value.toISOString() : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CRLF-terminated line. */
export function csvLine(values: readonly CsvValue[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}

/** The start of a file: the byte-order mark and the header line (for writers that add rows one by one). */
export function csvHeader(columns: readonly string[]): string {
  return CSV_BOM + csvLine(columns);
}

/** A whole file: BOM, header, one line per row in column order. */
export function toCsv<T extends Record<string, CsvValue>>(columns: readonly (keyof T & string)[], rows: readonly T[]): string {
  let csv = csvHeader(columns);
  for (const r of rows) csv += csvLine(columns.map((c) => r[c]));
  return csv;
}
