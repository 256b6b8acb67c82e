import 'server-only';
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { env } from '@/lib/server/env';
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '@/lib/server/errors';
import { type Columns, type Delimiter, inspectHead } from './csv';

// An import's upload, taken in full before the job starts (the job outlives the request): streamed
// to a file of its own, never held in memory, refused past IMPORT_MAX_BYTES (413), and refused
// before any row is written when it is not a CSV with a header row (400) or not text/csv (415).

const HEAD_BYTES = 64 * 1024;

/** Where uploads wait for their job (deleted when it ends). */
export const IMPORT_DIR = path.join(tmpdir(), 'roster-imports');

export type Upload = { id: string; file: string; bytes: number; delimiter: Delimiter; columns: Columns };

/** Stores the request's CSV body; the caller owns the file (and deletes it) from then on. */
export async function receiveCsv(request: Request): Promise<Upload> {
  // A script's token skips the cross-site checks that look at the type; the type still decides.
  if (!/^(text|application)\/csv\s*(;|$)/i.test(request.headers.get('content-type') ?? '')) throw new UnsupportedMediaTypeError('text/csv');
  const limit = env.IMPORT_MAX_BYTES;
  const tooLarge = () => new PayloadTooLargeError(limit);
  if (Number(request.headers.get('content-length') ?? 0) > limit) throw tooLarge();
  const id = randomUUID();
  await mkdir(IMPORT_DIR, { recursive: true });
  const file = path.join(IMPORT_DIR, `${id}.csv`);
  const out = createWriteStream(file, { flags: 'wx', mode: 0o600 });
  const head: Buffer[] = [];
  let headBytes = 0;
  let bytes = 0;
  try {
    const reader = request.body?.getReader();
    for (let chunk = await reader?.read(); chunk && !chunk.done; chunk = await reader?.read()) {
      bytes += chunk.value.byteLength;
      if (bytes > limit) {
        await reader?.cancel();
        throw tooLarge();
      }
      if (headBytes < HEAD_BYTES) {
        head.push(Buffer.from(chunk.value.subarray(0, HEAD_BYTES - headBytes)));
        headBytes += Math.min(chunk.value.byteLength, HEAD_BYTES - headBytes);
      }
      if (!out.write(chunk.value)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    }
    out.end();
    await finished(out);
    if (bytes === 0) throw new ValidationError({ file: ['The file is empty: send a CSV with a header row (name,email) and a row per user'] });
    const { delimiter, columns } = inspectHead(Buffer.concat(head), bytes <= HEAD_BYTES);
    return { id, file, bytes, delimiter, columns };
  } catch (error) {
    out.destroy();
    await rm(file, { force: true });
    throw error;
  }
}

/** The file name an upload gives (`?fileName=` or the X-File-Name header): its last part, printable, at most 200 characters. */
export function uploadName(request: Request): string {
  const given = new URL(request.url).searchParams.get('fileName') ?? request.headers.get('x-file-name') ?? '';
  const base = given.split(/[\\/]/).pop() ?? '';
  const clean = base.replace(/[\u0000-\u001f\u007f-\u009f]/g, '').trim().slice(0, 200);
  return clean || 'import.csv';
}
