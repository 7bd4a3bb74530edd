import { Redis } from 'ioredis';
import type { DestinationStream } from 'pino';
import { TEST_REDIS_URL } from './redis.ts';

/** A pino destination that keeps every line written to it (the production logger writes here in tests). */
export function captureLog(): DestinationStream & { lines: string[] } {
  const lines: string[] = [];
  return { lines, write: (line: string) => void lines.push(line) };
}

/**
 * Every key under `<prefix>:` with its whole value, as text: strings, hashes (a BullMQ job's
 * data, failedReason, stacktrace, returnvalue), lists, sets, sorted sets and streams (events).
 */
export async function dumpRedisPrefix(prefix: string, url = TEST_REDIS_URL): Promise<{ keys: string[]; text: string }> {
  const redis = new Redis(url, { maxRetriesPerRequest: 3 });
  const keys: string[] = [];
  const parts: string[] = [];
  try {
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      keys.push(...found);
    } while (cursor !== '0');
    for (const key of keys) parts.push(`${key} ${JSON.stringify(await valueOf(redis, key))}`);
  } finally {
    redis.disconnect();
  }
  return { keys, text: parts.join('\n') };
}

async function valueOf(redis: Redis, key: string): Promise<unknown> {
  switch (await redis.type(key)) {
    case 'string':
      return redis.get(key);
    case 'hash':
      return redis.hgetall(key);
    case 'list':
      return redis.lrange(key, 0, -1);
    case 'set':
      return redis.smembers(key);
    case 'zset':
      return redis.zrange(key, '0', '-1', 'WITHSCORES');
    case 'stream':
      return redis.xrange(key, '-', '+');
    default:
      return null;
  }
}

/**
 * The planted values found in `text`: case-insensitive, and a value of digits and separators
 * (a date, a phone number) also when written with other separators or none (`04171952`).
 */
export function plantedIn(text: string, planted: string[]): string[] {
  const lower = text.toLowerCase();
  return planted.filter((p) => {
    if (lower.includes(p.toLowerCase())) return true;
    const digits = p.replace(/\D+/g, '');
    if (!/^[\d\s()./-]+$/.test(p) || digits.length < 7) return false;
    return new RegExp(`(?<!\\d)${[...digits].join('[\\s()./-]{0,2}')}(?!\\d)`).test(text);
  });
}
