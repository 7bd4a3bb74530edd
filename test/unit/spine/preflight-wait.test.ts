import { describe, expect, it } from 'vitest';
import { ConnectionError } from '../../../src/shared/connection-error.ts';
import { untilReachable } from '../../../workers/preflight.ts';

const refused = () => new ConnectionError('REDIS_URL', 'redis://127.0.0.1:6390', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6390'), { code: 'ECONNREFUSED' }));
const badLogin = () => new ConnectionError('IMAP_USER/IMAP_PASSWORD', 'imap://a@127.0.0.1:143/INBOX', Object.assign(new Error('Authentication failed'), { authenticationFailed: true }));

describe('STARTUP_WAIT_SECONDS: a service restarting beside us at start-up', () => {
  it('is tried again until it answers', async () => {
    let calls = 0;
    const waits: string[] = [];
    await untilReachable(async () => {
      calls++;
      if (calls < 3) throw refused();
    }, Date.now() + 10_000, (why) => waits.push(why));
    expect(calls).toBe(3);
    expect(waits).toEqual([expect.stringMatching(/^cannot connect: REDIS_URL .*ECONNREFUSED/)]);
  }, 10_000);

  it('fails with the connection error once the wait is over, and at once without a wait', async () => {
    const t = Date.now();
    await expect(untilReachable(async () => { throw refused(); }, Date.now() + 1_500, () => undefined)).rejects.toThrow(/REDIS_URL/);
    expect(Date.now() - t).toBeGreaterThanOrEqual(900);
    let calls = 0;
    await expect(untilReachable(async () => { calls++; throw refused(); }, Date.now(), () => undefined)).rejects.toThrow(/ECONNREFUSED/);
    expect(calls).toBe(1);
  }, 10_000);

  it('does not wait for a refused login or another failure', async () => {
    let calls = 0;
    await expect(untilReachable(async () => { calls++; throw badLogin(); }, Date.now() + 10_000, () => undefined)).rejects.toThrow(/IMAP_USER/);
    await expect(untilReachable(async () => { calls++; throw new Error('a bug'); }, Date.now() + 10_000, () => undefined)).rejects.toThrow('a bug');
    expect(calls).toBe(2);
  });
});
