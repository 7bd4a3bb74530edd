import { Redis } from 'ioredis';

/**
 * A Redis connection. BullMQ workers need `maxRetriesPerRequest: null` (blocking commands
 * must wait through reconnects instead of failing), so every connection is made that way.
 */
export function createRedis(url: string, options: { lazyConnect?: boolean } = {}): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: options.lazyConnect ?? false });
}

export type { Redis };

/**
 * A Redis connection for request handlers (the web page): a command fails at once while Redis is
 * unreachable (no offline queue, one retry) instead of waiting for a reconnect, so a request
 * answers 503 instead of hanging. It reconnects by itself when Redis is back.
 */
export function createRequestRedis(url: string): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, enableReadyCheck: true, connectTimeout: 2_000, retryStrategy: (times) => Math.min(times * 200, 2_000) });
  redis.on('error', () => undefined); // the failed command reports it; the connection retries on its own
  return redis;
}
