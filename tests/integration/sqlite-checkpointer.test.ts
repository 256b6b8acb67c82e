import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCheckpointer } from '@/lib/server/db/sqlite-checkpointer';
import { tempDir } from '../support/server';

// The worker copies the write-ahead log into the database beside the app's connection, which
// then never checkpoints in its own commits: the log is reset instead of growing.

let dir: string;
let remove: () => Promise<void>;
beforeAll(async () => ({ dir, remove } = await tempDir('checkpointer')));
afterAll(() => remove());

/** A database in WAL mode whose own connection never checkpoints, as the app's while the worker runs. */
function writer(name: string): { file: string; database: Database.Database } {
  const file = path.join(dir, name);
  const database = new Database(file);
  database.pragma('journal_mode = WAL');
  database.pragma('wal_autocheckpoint = 0');
  database.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)');
  return { file, database };
}

/** Ten transactions of 100 rows of 1 KB each, a pause after each; then the pages in the log. */
async function writeAndCountLog(database: Database.Database): Promise<number> {
  const insert = database.prepare('INSERT INTO t (body) VALUES (?)');
  const batch = database.transaction(() => {
    for (let i = 0; i < 100; i += 1) insert.run('x'.repeat(1_000));
  });
  for (let i = 0; i < 10; i += 1) {
    batch();
    await sleep(250);
  }
  // A checkpoint answers {busy, log, checkpointed}: `log` is the pages the log holds now.
  const [result] = database.pragma('wal_checkpoint(PASSIVE)') as [{ log: number }];
  return result.log;
}

describe('the SQLite checkpointer', () => {
  it('keeps the log to about one transaction while the app writes', async () => {
    const alone = writer('alone.db');
    const grown = await writeAndCountLog(alone.database);

    const helped = writer('helped.db');
    const states: boolean[] = [];
    startCheckpointer(helped.file, (running) => states.push(running));
    await expect.poll(() => states).toEqual([true]);
    const kept = await writeAndCountLog(helped.database);

    // Alone, the log holds all ten transactions (~260 pages); with the worker, the last one or two.
    expect(grown).toBeGreaterThan(200);
    expect(kept).toBeLessThan(grown / 3);
    const rows = helped.database.prepare('SELECT count(*) AS n FROM t').get() as { n: number };
    expect(rows.n).toBe(1_000);
    alone.database.close();
    helped.database.close();
  });

  it('says it stopped when it cannot open the file, so the app checkpoints for itself', async () => {
    const states: boolean[] = [];
    startCheckpointer(path.join(dir, 'missing.db'), (running) => states.push(running));
    await expect.poll(() => states).toEqual([false]);
  });
});
