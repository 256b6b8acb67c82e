import 'server-only';
import { type Options, parse as parseStream } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import { ValidationError } from '@/lib/server/errors';
import { IMPORT_MAX_LINE_BYTES } from '@/lib/shared/jobs';
import { fieldErrorsOf, type UserInput, userInputSchema } from '@/lib/shared/validation';
import type { RowFailure } from '@/lib/server/users/import';

// The CSV an import reads: UTF-8 (with or without a byte-order mark), comma- or semicolon-separated
// (whichever the header row uses), a header row naming the columns: name and email, and role
// (optional). Other columns (an export's createdAt, say) are ignored, so an export imports as it is.
// csv-parse reads it as a stream: quoting, escaped quotes and line breaks inside quotes.

export type Delimiter = ',' | ';';
/** Where each field is in a row (a column index), from the header. */
export type Columns = { name: number; email: number; role: number | null };

const BOM = '\uFEFF';
export const HEADER_MESSAGE = 'The first line must be a header row naming the columns: name, email and (optionally) role';
export const BINARY_MESSAGE = 'This is not a CSV file: it holds binary data (or text that is not UTF-8)';

/**
 * What the start of an upload says about the whole: its separator and columns, or a
 * ValidationError (400) for a file that is binary, not UTF-8, or has no header row with name and
 * email. `head` is the file's first bytes (up to 64 KB); `complete` when that is the whole file.
 */
export function inspectHead(head: Buffer, complete: boolean): { delimiter: Delimiter; columns: Columns } {
  const invalid = (message: string) => new ValidationError({ file: [message] });
  if (head.includes(0)) throw invalid(BINARY_MESSAGE);
  let text: string;
  try {
    // A multi-byte character cut off at the end of the head is not an error; anything else is.
    text = new TextDecoder('utf-8', { fatal: true }).decode(complete ? head : head.subarray(0, lastCompleteChar(head)));
  } catch {
    throw invalid(BINARY_MESSAGE);
  }
  if (text.startsWith(BOM)) text = text.slice(1);
  const end = text.search(/\r?\n/);
  if (end === -1 && !complete) throw invalid(`${HEADER_MESSAGE}; the first line is longer than 64 KB`);
  const header = end === -1 ? text : text.slice(0, end);
  if (header.trim() === '') throw invalid(`${HEADER_MESSAGE}; the file is empty or starts with an empty line`);
  const delimiter: Delimiter = count(header, ';') > count(header, ',') ? ';' : ',';
  let cells: string[];
  try {
    [cells = []] = parseSync(header, { delimiter, relax_quotes: true }) as string[][];
  } catch {
    throw invalid(HEADER_MESSAGE);
  }
  return { delimiter, columns: columnsOf(cells) };
}

/** The columns a header row names; a ValidationError when name or email is missing. */
export function columnsOf(header: string[]): Columns {
  const names = header.map((cell) => cell.replace(BOM, '').trim().toLowerCase());
  const name = names.indexOf('name');
  const email = names.indexOf('email');
  if (name === -1 || email === -1) {
    const missing = [name === -1 ? 'name' : null, email === -1 ? 'email' : null].filter(Boolean).join(' and ');
    throw new ValidationError({ file: [`${HEADER_MESSAGE}; it has no ${missing} column (found: ${names.join(', ').slice(0, 200) || 'nothing'})`] });
  }
  const role = names.indexOf('role');
  return { name, email, role: role === -1 ? null : role };
}

const count = (text: string, char: string) => text.split(char).length - 1;

/** The length of `bytes` without a UTF-8 sequence cut off at its end. */
function lastCompleteChar(bytes: Buffer): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const byte = bytes[bytes.length - back] ?? 0;
    if ((byte & 0xc0) === 0x80) continue; // a continuation byte: look further back for its lead
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return needed > back ? bytes.length - back : bytes.length;
  }
  return bytes.length;
}

/** The streaming parser for a file with `delimiter`: records as arrays of cells, with their line. */
export function csvParser(delimiter: Delimiter) {
  const options: Options = {
    bom: true,
    delimiter,
    info: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    max_record_size: IMPORT_MAX_LINE_BYTES,
  };
  return parseStream(options);
}

/**
 * A spreadsheet-safe cell back as it was: an export puts ' before a cell that begins with =, +, -,
 * @, tab or carriage return (OWASP's CSV-injection advice), so an import takes that ' away again.
 */
export function unneutralise(cell: string): string {
  return /^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell;
}

/** A record as a user (the one schema's rules), or its failures: one per field that is wrong. */
export function rowInput(record: string[], columns: Columns, line: number): { input: UserInput } | { failures: RowFailure[] } {
  const cell = (index: number | null) => (index === null ? undefined : record[index]);
  const role = cell(columns.role)?.trim();
  const raw = { name: unneutralise(cell(columns.name) ?? ''), email: unneutralise(cell(columns.email) ?? ''), ...(role ? { role: role.toLowerCase() } : {}) };
  const parsed = userInputSchema.safeParse(raw);
  if (parsed.success) return { input: parsed.data };
  const errors = fieldErrorsOf(parsed.error);
  return { failures: Object.entries(errors).flatMap(([field, messages]) => (messages ?? []).map((message) => ({ line, field, message }))) };
}
