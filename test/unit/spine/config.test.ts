import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../../config/index.ts';
import { ConfigError } from '../../../src/shared/errors.ts';

describe('configuration', () => {
  it('has working defaults for one machine', () => {
    const config = parseConfig({});
    expect(config.database).toMatchObject({ driver: 'sqlite', path: './var/casedesk.sqlite' });
    expect(config.env.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(config.env.HTTP_PORT).toBe(3000);
    expect(config.env.QUEUE_PREFIX).toBe('casedesk');
    expect(config.env.IMAP_MAILBOX).toBe('INBOX');
    expect(config.env.PLANS).toEqual({ trial: 5, standard: 50, pro: 200 });
  });

  it('selects PostgreSQL from a postgres:// URL and derives the Message-ID domain from MAIL_FROM', () => {
    const config = parseConfig({ DATABASE_URL: 'postgres://u:p@db:5432/casedesk', MAIL_FROM: 'answers@casedesk.example', IMAP_SECURE: 'false', PLANS: 'basic:10, gold:100' });
    expect(config.database).toMatchObject({ driver: 'postgresql', url: 'postgres://u:p@db:5432/casedesk' });
    expect(config.messageIdDomain).toBe('casedesk.example');
    expect(config.env.IMAP_SECURE).toBe(false);
    expect(config.env.PLANS).toEqual({ basic: 10, gold: 100 });
  });

  it('reads the env file CASEDESK_ENV_FILE names, and none under the tests (a demo .env stays out)', () => {
    // The suite runs with CASEDESK_ENV_FILE=/dev/null (vitest.config.ts), whatever .env lies in the checkout.
    expect(process.env.CASEDESK_ENV_FILE).toBe('/dev/null');
    const dir = mkdtempSync(join(tmpdir(), 'casedesk-env-'));
    const saved = { file: process.env.CASEDESK_ENV_FILE, queue: process.env.QUEUE_PREFIX };
    try {
      delete process.env.QUEUE_PREFIX;
      writeFileSync(join(dir, 'demo.env'), 'QUEUE_PREFIX=from-the-file\n');
      process.env.CASEDESK_ENV_FILE = join(dir, 'demo.env');
      expect(loadConfig().env.QUEUE_PREFIX).toBe('from-the-file');
      delete process.env.QUEUE_PREFIX;
      process.env.CASEDESK_ENV_FILE = '/dev/null';
      expect(loadConfig().env.QUEUE_PREFIX).toBe('casedesk');
    } finally {
      process.env.CASEDESK_ENV_FILE = saved.file;
      if (saved.queue === undefined) delete process.env.QUEUE_PREFIX;
      else process.env.QUEUE_PREFIX = saved.queue;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('treats empty values as unset (KEY= lines in .env)', () => {
    expect(parseConfig({ IMAP_USER: '', HTTP_PORT: '' }).env.HTTP_PORT).toBe(3000);
  });

  it.each([
    ['true', true], ['1', true], ['yes', true], ['on', true],
    ['false', false], ['0', false], ['no', false], ['off', false],
  ])('reads the boolean %j as %s', (value, expected) => {
    expect(parseConfig({ IMAP_SECURE: value, SMTP_SECURE: value }).env).toMatchObject({ IMAP_SECURE: expected, SMTP_SECURE: expected });
  });

  it.each(['TRUE', 'Yes', 'y', 'enabled', 'disabled', '2', 'maybe'])('rejects the boolean %j (only the lower-case spellings above)', (value) => {
    expect(() => parseConfig({ IMAP_TLS_REJECT_UNAUTHORIZED: value })).toThrow(ConfigError);
  });

  it('keeps the boolean defaults when unset', () => {
    expect(parseConfig({}).env).toMatchObject({ IMAP_SECURE: true, IMAP_TLS_REJECT_UNAUTHORIZED: true, SMTP_SECURE: false, SMTP_TLS_REJECT_UNAUTHORIZED: true });
  });

  it('lists every bad key at once', () => {
    let error: unknown;
    try {
      parseConfig({ HTTP_PORT: 'eighty', IMAP_SECURE: 'maybe', MAIL_FROM: 'not-an-address', REDIS_URL: 'http://x', PLANS: 'gold' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const keys = (error as ConfigError).issues.map((i) => i.split(':')[0]).sort();
    expect(keys).toEqual(['HTTP_PORT', 'IMAP_SECURE', 'MAIL_FROM', 'PLANS', 'REDIS_URL']);
  });

  it('defaults sender authentication to report, no trusted servers, 20 notices per domain-hour and 20 acks a day', () => {
    expect(parseConfig({}).env).toMatchObject({ AUTHSERV_IDS: [], SENDER_AUTH: 'report', NOTICE_DOMAIN_HOURLY: 20, ACK_DAILY_MAX: 20 });
  });

  it('reads AUTHSERV_IDS as a lower-cased, de-duplicated list and the caps as integers', () => {
    const env = parseConfig({ AUTHSERV_IDS: ' MX.Clinic.test, mx2.clinic.test,,mx.clinic.test ', SENDER_AUTH: 'enforce', NOTICE_DOMAIN_HOURLY: '5', ACK_DAILY_MAX: '0' }).env;
    expect(env).toMatchObject({ AUTHSERV_IDS: ['mx.clinic.test', 'mx2.clinic.test'], SENDER_AUTH: 'enforce', NOTICE_DOMAIN_HOURLY: 5, ACK_DAILY_MAX: 0 });
  });

  it.each([
    ['SENDER_AUTH', 'strict'], ['SENDER_AUTH', 'Enforce'], ['AUTHSERV_IDS', 'mx.example.com; other'], ['NOTICE_DOMAIN_HOURLY', '-1'], ['ACK_DAILY_MAX', '2.5'],
  ])('rejects %s=%j', (key, value) => {
    expect(() => parseConfig({ [key]: value })).toThrow(ConfigError);
  });

  describe('DATA_KEY (encryption at rest)', () => {
    const key = Buffer.alloc(32, 7).toString('base64');

    it('carries DATA_KEY / DATA_KEY_FILE to the database settings', () => {
      expect(parseConfig({ DATA_KEY: key }).database.dataKey).toEqual({ key, file: undefined, nodeEnv: 'development' });
      expect(parseConfig({ DATA_KEY_FILE: '/run/secrets/k' }).database.dataKey).toMatchObject({ file: '/run/secrets/k' });
    });

    it('refuses a key that is not 32 bytes of base64, without quoting it', () => {
      const bad = Buffer.alloc(16, 7).toString('base64');
      expect(() => parseConfig({ DATA_KEY: bad })).toThrow(/DATA_KEY: expected 32 bytes of base64/);
      expect(() => parseConfig({ DATA_KEY: bad })).not.toThrow(new RegExp(bad.replace(/[+/=]/g, '.')));
      expect(() => parseConfig({ DATA_KEY: key, DATA_KEY_FILE: '/k' })).toThrow(/not both/);
    });

    it('refuses to start in production without a key (one line), runs in development without one', () => {
      expect(() => parseConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
      try {
        parseConfig({ NODE_ENV: 'production' });
      } catch (err) {
        expect((err as ConfigError).issues).toEqual(['DATA_KEY: DATA_KEY or DATA_KEY_FILE is required when NODE_ENV=production (message content is stored encrypted)']);
      }
      expect(parseConfig({ NODE_ENV: 'production', DATA_KEY: key }).database.dataKey?.nodeEnv).toBe('production');
      expect(parseConfig({}).database.dataKey).toEqual({ key: undefined, file: undefined, nodeEnv: 'development' });
    });

    it('reads the retention settings: raw 90 days by default, cases off', () => {
      expect(parseConfig({}).env).toMatchObject({ RETAIN_RAW_DAYS: 90, RETAIN_CASE_DAYS: null });
      expect(parseConfig({ RETAIN_RAW_DAYS: 'off', RETAIN_CASE_DAYS: '365' }).env).toMatchObject({ RETAIN_RAW_DAYS: null, RETAIN_CASE_DAYS: 365 });
    });
  });
});
