import { randomUUID } from 'node:crypto';
import type { Redis } from '../shared/redis.ts';

/**
 * One ingest leader per mailbox: a Redis key with a TTL, renewed while the leader lives. A
 * leader that dies stops renewing and another process takes over after the TTL; a leader that
 * finds its key gone or taken stops ingesting at once.
 */
export class LeaderLock {
  private readonly token = randomUUID();

  constructor(
    private readonly redis: Redis,
    readonly key: string,
    private readonly ttlMs = 30_000,
  ) {}

  /** Take the lock if free (or already ours). */
  async acquire(): Promise<boolean> {
    const ok = await this.redis.set(this.key, this.token, 'PX', this.ttlMs, 'NX');
    if (ok === 'OK') return true;
    return (await this.redis.get(this.key)) === this.token;
  }

  /** Extend the TTL; false when the lock is no longer ours. */
  async renew(): Promise<boolean> {
    const result = await this.redis.eval(
      "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end",
      1,
      this.key,
      this.token,
      String(this.ttlMs),
    );
    return result === 1;
  }

  async release(): Promise<void> {
    await this.redis.eval(
      "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end",
      1,
      this.key,
      this.token,
    );
  }
}
