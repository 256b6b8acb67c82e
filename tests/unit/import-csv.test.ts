// The CSV an import reads: the head's checks (binary, UTF-8, header row, separator), each row
// through the one schema, quoting through csv-parse, and an export's neutralised cells coming back.
import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '@/lib/server/errors';
import { type Columns, columnsOf, csvParser, type Delimiter, inspectHead, rowInput, unneutralise } from '@/lib/server/jobs/csv';

const head = (text: string) => inspectHead(Buffer.from(text), true);

function fileError(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error.fieldErrors.file?.[0] ?? '';
  }
  throw new Error('expected a ValidationError');
}

async function records(text: string, delimiter: Delimiter): Promise<{ record: string[]; line: number }[]> {
  const out: { record: string[]; line: number }[] = [];
  for await (const { record, info } of Readable.from([Buffer.from(text)]).pipe(csvParser(delimiter)) as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    out.push({ record, line: info.lines });
  }
  return out;
}

describe('the head of an upload', () => {
  it('finds the separator and the columns, in any order and case, past a byte-order mark', () => {
    expect(head('name,email\nAda,ada@example.com\n')).toEqual({ delimiter: ',', columns: { name: 0, email: 1, role: null } });
    expect(head('\uFEFFEmail;Role;Name\r\n')).toEqual({ delimiter: ';', columns: { name: 2, email: 0, role: 1 } });
    expect(head('"name","email","createdAt"')).toEqual({ delimiter: ',', columns: { name: 0, email: 1, role: null } });
  });

  it('refuses binary data, text that is not UTF-8, and a file without a header row', () => {
    expect(fileError(() => inspectHead(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00]), true))).toMatch(/not a CSV file/);
    expect(fileError(() => inspectHead(Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0xe9, 0x0a]), true))).toMatch(/not a CSV file/);
    expect(fileError(() => head('Ada Lovelace,ada@example.com\n'))).toMatch(/no name and email column \(found: ada lovelace, ada@example.com\)/);
    expect(fileError(() => head('name,mail\n'))).toMatch(/no email column/);
    expect(fileError(() => head('\n'))).toMatch(/empty/);
    expect(fileError(() => inspectHead(Buffer.from(`name,email${'x'.repeat(70_000)}`), false))).toMatch(/longer than 64 KB/);
  });

  it('accepts a head cut inside a multi-byte character', () => {
    const bytes = Buffer.from('name,email\nZoë,zoe@example.com\n');
    const cut = bytes.subarray(0, bytes.indexOf(Buffer.from('ë')) + 1); // the first byte of ë only
    expect(inspectHead(cut, false).delimiter).toBe(',');
  });
});

describe('rows', () => {
  const columns: Columns = columnsOf(['name', 'email', 'role']);

  it('reads quoted separators, escaped quotes and line breaks inside quotes, with each record’s line', async () => {
    const text = 'name;email\n"Hopper; Grace";grace@example.com\n"Say ""hi""";hi@example.com\n\n"Two\nLines";two@example.com\n';
    expect(await records(text, ';')).toEqual([
      { record: ['name', 'email'], line: 1 },
      { record: ['Hopper; Grace', 'grace@example.com'], line: 2 },
      { record: ['Say "hi"', 'hi@example.com'], line: 3 },
      { record: ['Two\nLines', 'two@example.com'], line: 6 },
    ]);
  });

  it('validates each row with the one schema: normalised, or a failure per field', () => {
    expect(rowInput(['  Ada ', ' ADA@Example.com', 'Editor'], columns, 2)).toEqual({ input: { name: 'Ada', email: 'ada@example.com', role: 'editor' } });
    expect(rowInput(['Ada', 'ada@example.com', ''], columns, 2)).toEqual({ input: { name: 'Ada', email: 'ada@example.com' } });
    expect(rowInput(['', 'nope', 'boss'], columns, 7)).toEqual({
      failures: [
        { line: 7, field: 'name', message: 'Name is required' },
        { line: 7, field: 'email', message: 'Enter a valid email address' },
        { line: 7, field: 'role', message: 'Role must be none, viewer, editor or admin' },
      ],
    });
    expect(rowInput(['Short'], columns, 3)).toEqual({ failures: [{ line: 3, field: 'email', message: 'Email is required' }] });
    expect(rowInput(['x'.repeat(101), 'long@example.com'], columns, 4)).toEqual({ failures: [{ line: 4, field: 'name', message: 'Name must be at most 100 characters' }] });
  });

  it('takes back the quote an export puts before a formula, and nothing else', () => {
    for (const name of ['=SUM(A1)', '+1 Plus', '-2 Minus', '@At']) {
      const [[exported]] = [stringify([[name]], { escape_formulas: true }).trim().split('\n')];
      expect(unneutralise(exported ?? '')).toBe(name);
    }
    expect(unneutralise("O'Brien")).toBe("O'Brien");
    expect(unneutralise("'quoted'")).toBe("'quoted'");
  });
});
