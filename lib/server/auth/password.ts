import 'server-only';
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

// Passwords, stored as scrypt hashes (memory-hard: each guess costs 64 MiB, so a stolen table is
// slow to crack on GPUs too). Node's own scrypt runs on libuv's thread pool, off the event loop.
// The stored form names its parameters, so raising them later still verifies older hashes:
// `scrypt$<log2 N>$<r>$<p>$<salt>$<hash>` (base64url).

const LOG_N = 16;
const R = 8;
const P = 1;
const KEY_BYTES = 32;

function derive(password: string, salt: Buffer, logN: number, r: number, p: number): Promise<Buffer> {
  const N = 2 ** logN;
  // scrypt needs 128·N·r bytes; Node refuses past 32 MiB unless told the limit.
  const maxmem = 256 * N * r;
  return new Promise((resolve, reject) => scrypt(password.normalize('NFKC'), salt, KEY_BYTES, { N, r, p, maxmem }, (error, key) => (error ? reject(error) : resolve(key))));
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, LOG_N, R, P);
  return ['scrypt', LOG_N, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** A well-formed hash no password matches: checked when there is no account, so the answer takes as long. */
const NOBODY = `scrypt$${LOG_N}$${R}$${P}$${'A'.repeat(22)}$${'A'.repeat(43)}`;

/** Whether `password` is the one `stored` was made from; a missing or unreadable hash matches nothing (after the same work). */
export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const parts = stored?.split('$') ?? [];
  const readable = parts.length === 6 && parts[0] === 'scrypt' && Number(parts[1]) >= 10 && Number(parts[1]) <= 20;
  const [, logN, r, p, salt, hash] = readable ? parts : NOBODY.split('$');
  const expected = Buffer.from(hash ?? '', 'base64url');
  const key = await derive(password, Buffer.from(salt ?? '', 'base64url'), Number(logN), Number(r), Number(p));
  return readable && key.length === expected.length && timingSafeEqual(key, expected);
}
