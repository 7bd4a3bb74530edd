import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import type { Target } from './support.ts';

/**
 * Everything the database holds, as bytes an attacker with the file or a dump would see: the
 * SQLite file with its WAL, or a full pg_dump of the PostgreSQL database.
 */
export function databaseBytes(target: Target): Buffer {
  if (target.driver === 'postgresql') return execFileSync('pg_dump', ['--no-owner', '-d', target.url], { maxBuffer: 256 * 1024 * 1024 });
  return Buffer.concat([target.path, `${target.path}-wal`].filter((p) => existsSync(p)).map((p) => readFileSync(p)));
}

/** Which of the strings appear in the bytes (UTF-8, as stored). */
export function found(bytes: Buffer, needles: string[]): string[] {
  return needles.filter((n) => bytes.includes(Buffer.from(n, 'utf8')));
}
