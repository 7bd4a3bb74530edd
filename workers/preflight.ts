import { ImapFlow } from 'imapflow';
import { Redis } from 'ioredis';
import nodemailer from 'nodemailer';
import type { Config } from '../config/index.ts';
import { causeText, ConnectionError, isConnectionFailure, redactUrl } from '../src/shared/connection-error.ts';
import type { Role } from '../src/shared/roles.ts';

const TIMEOUT_MS = 10_000;

/** Redis answers PING, once, without retrying (a retrying client would wait forever). */
export async function checkRedis(url: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null, connectTimeout: TIMEOUT_MS });
  let lastError: unknown = null;
  redis.on('error', (err) => (lastError = err)); // reported below, once: the socket's error says why
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    throw new ConnectionError('REDIS_URL', redactUrl(url), lastError ?? err);
  } finally {
    redis.disconnect();
  }
}

/** The mailbox: connect, log in, see the mailbox. A refused login names IMAP_USER/IMAP_PASSWORD. */
export async function checkImap(env: Config['env']): Promise<void> {
  const client = new ImapFlow({
    host: env.IMAP_HOST, port: env.IMAP_PORT, secure: env.IMAP_SECURE, logger: false, connectionTimeout: TIMEOUT_MS, greetingTimeout: TIMEOUT_MS,
    auth: { user: env.IMAP_USER ?? '', pass: env.IMAP_PASSWORD ?? '' }, tls: { rejectUnauthorized: env.IMAP_TLS_REJECT_UNAUTHORIZED },
  });
  client.on('error', () => undefined);
  const target = `imap${env.IMAP_SECURE ? 's' : ''}://${env.IMAP_USER ?? ''}@${env.IMAP_HOST}:${env.IMAP_PORT}/${env.IMAP_MAILBOX}`;
  try {
    await client.connect();
    await client.status(env.IMAP_MAILBOX, { messages: true });
    await client.logout();
  } catch (err) {
    client.close();
    const auth = (err as { authenticationFailed?: boolean }).authenticationFailed;
    const mailbox = /nonexistent|not exist|unknown mailbox/i.test(String((err as { responseText?: string }).responseText ?? ''));
    throw new ConnectionError(auth ? 'IMAP_USER/IMAP_PASSWORD' : mailbox ? 'IMAP_MAILBOX' : 'IMAP_HOST/IMAP_PORT', target, err);
  }
}

/** The SMTP server greets us (and accepts the login, when one is configured). */
export async function checkSmtp(env: Config['env']): Promise<void> {
  const transport = nodemailer.createTransport({
    host: env.SMTP_HOST, port: env.SMTP_PORT, secure: env.SMTP_SECURE, connectionTimeout: TIMEOUT_MS, greetingTimeout: TIMEOUT_MS, socketTimeout: TIMEOUT_MS,
    auth: env.SMTP_USER ? { user: env.SMTP_USER, pass: env.SMTP_PASSWORD ?? '' } : undefined, tls: { rejectUnauthorized: env.SMTP_TLS_REJECT_UNAUTHORIZED },
  });
  try {
    await transport.verify();
  } catch (err) {
    const auth = (err as { code?: string }).code === 'EAUTH';
    throw new ConnectionError(auth ? 'SMTP_USER/SMTP_PASSWORD' : 'SMTP_HOST/SMTP_PORT', `smtp://${env.SMTP_USER ? `${env.SMTP_USER}@` : ''}${env.SMTP_HOST}:${env.SMTP_PORT}`, err);
  } finally {
    transport.close();
  }
}

/**
 * Before anything starts: every service the roles need answers (the database is checked when it
 * opens). With STARTUP_WAIT_SECONDS, a service that cannot be reached yet (refused, reset, timed
 * out: a Redis or mail server restarting beside us) is tried again each second until that long
 * has passed; a refused login or a missing mailbox fails at once.
 */
export async function preflight(config: Config, roles: Role[], onWait: (what: string) => void = () => undefined): Promise<void> {
  const deadline = Date.now() + config.env.STARTUP_WAIT_SECONDS * 1000;
  const patiently = (check: () => Promise<void>) => untilReachable(check, deadline, onWait);
  await patiently(() => checkRedis(config.env.REDIS_URL));
  if (roles.includes('ingest')) await patiently(() => checkImap(config.env));
  if (roles.includes('send')) await patiently(() => checkSmtp(config.env));
}

const RETRY_MS = 1_000;

/** `check` until it passes, retrying while what failed was reaching the server (not a login) and `deadline` is ahead. */
export async function untilReachable(check: () => Promise<void>, deadline: number, onWait: (what: string) => void): Promise<void> {
  let told = false;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      const unreachable = err instanceof ConnectionError && /HOST|PORT|URL/.test(err.setting) && isConnectionFailure(err.cause) && !/authentication|password|does not exist/i.test(causeText(err.cause));
      if (!unreachable || Date.now() + RETRY_MS > deadline) throw err;
      if (!told) onWait(err.message);
      told = true;
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  }
}
