// Deletes the end-to-end SQLite database before the server starts, so every run begins empty
// (`npm start` then creates and migrates it). Refuses to touch a file outside tests/.tmp/, so a
// mistyped DATABASE_URL can never wipe a developer's own database.
import { rmSync } from 'node:fs';
import path from 'node:path';

const url = process.env.DATABASE_URL ?? '';
const file = path.resolve(url.replace(/^file:/, ''));
const allowed = path.resolve('tests/.tmp') + path.sep;

if (!url.startsWith('file:') || !file.startsWith(allowed)) {
  console.error(`fresh-database: DATABASE_URL must name a file under ${allowed}, got "${url}"`);
  process.exit(1);
}
for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(file + suffix, { force: true });
