import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

/** The Redis tests use: the machine's (or services.sh's) server unless TEST_REDIS_URL says otherwise. */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A queue prefix no other test (or test run) shares: `test-<uuid>`. */
export function uniqueQueuePrefix(): string {
  return `test-${randomUUID()}`;
}

/**
 * Delete every key under `prefix` (BullMQ keys are `<prefix>:<queue>:…`); returns how many went.
 * SCAN + UNLINK, so it never blocks the shared server the way KEYS would.
 */
export async function deleteQueuePrefix(prefix: string, url = TEST_REDIS_URL): Promise<number> {
  if (!/^test-[0-9a-f-]{36}$/.test(prefix)) throw new Error(`refusing to delete keys of a non-test prefix: ${prefix}`);
  const redis = new Redis(url, { maxRetriesPerRequest: 3, lazyConnect: true });
  await redis.connect();
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}

/** A fresh prefix and its cleanup, for `beforeEach`/`afterEach` or a try/finally. */
export function createQueuePrefix(url = TEST_REDIS_URL): { prefix: string; cleanup(): Promise<number> } {
  const prefix = uniqueQueuePrefix();
  return { prefix, cleanup: () => deleteQueuePrefix(prefix, url) };
}
