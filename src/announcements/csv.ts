/**
 * One CSV cell (RFC 4180 quoting). A cell a spreadsheet would read as a formula (starting with
 * `=`, `+`, `-`, `@`, TAB or CR) gets a leading `'`, so an address or a name a parent typed
 * cannot run as a formula in the school office's spreadsheet (CSV injection).
 */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "";
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV line, CRLF-terminated. */
export function csvLine(values: readonly (string | number | null | undefined)[]): string {
  return `${values.map(csvCell).join(",")}\r\n`;
}
