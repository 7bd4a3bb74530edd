import { z } from 'zod';

/**
 * Environment booleans: zod's own string-to-boolean parser, held to the spellings CaseDesk has
 * always accepted (lower case: true/false, 1/0, yes/no, on/off); anything else is rejected loudly.
 */
const bool = z.stringbool({ truthy: ['true', '1', 'yes', 'on'], falsy: ['false', '0', 'no', 'off'], case: 'sensitive' });

const port = z.coerce.number().int().min(1).max(65535);

/** A master key: 32 bytes, base64 (`openssl rand -base64 32`). The message never quotes the value. */
const masterKey = z
  .string()
  .trim()
  .refine((v) => /^[A-Za-z0-9+/]+={0,2}$/.test(v) && Buffer.from(v, 'base64').length === 32 && Buffer.from(v, 'base64').toString('base64') === v, {
    message: 'expected 32 bytes of base64 (openssl rand -base64 32)',
  });

/** Days, or `off` / 0 for "never". */
const retentionDays = z.union([z.literal('off').transform(() => null), z.coerce.number().int().min(0).transform((n) => (n === 0 ? null : n))]);
const optionalString = z.string().min(1).optional();

/** Plans and their monthly question quotas; overridable with PLANS='trial:5,standard:50,pro:200'. */
const plans = z
  .string()
  .regex(/^\s*[a-z][a-z0-9_-]*:\d+\s*(,\s*[a-z][a-z0-9_-]*:\d+\s*)*$/, 'expected name:quota[,name:quota…]')
  .transform((s) =>
    Object.fromEntries(
      s.split(',').map((pair) => {
        const [name, quota] = pair.trim().split(':');
        return [name, Number(quota)];
      }),
    ) as Record<string, number>,
  );

/**
 * AUTHSERV_IDS: comma-separated authserv-ids (RFC 8601) of the receiving servers whose
 * Authentication-Results header CaseDesk trusts; lower-cased, blanks dropped, duplicates removed.
 */
const authservIds = z
  .string()
  .transform((s) => [...new Set(s.split(',').map((id) => id.trim().toLowerCase()).filter((id) => id !== ''))])
  .pipe(z.array(z.string().regex(/^[a-z0-9][a-z0-9.-]{0,252}$/, 'expected host-like authserv-ids such as mx.example.com')));

/**
 * The whole configuration, read from the environment once at start-up. Every key of the
 * environment CaseDesk reads is here; nothing else in the code base touches process.env.
 */
export const envSchema = z
  .object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  DATABASE_URL: z
    .string()
    .min(1)
    .default('./var/casedesk.sqlite')
    .refine((v) => !/^[a-z]+:\/\//i.test(v) || /^(postgres|postgresql|sqlite|file):\/\//i.test(v), {
      message: 'expected a SQLite file path, sqlite://path, or postgres://…',
    }),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'expected redis://… or rediss://…').default('redis://127.0.0.1:6379'),
  QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only').default('casedesk'),

  IMAP_HOST: z.string().min(1).default('127.0.0.1'),
  IMAP_PORT: port.default(993),
  IMAP_SECURE: bool.default(true),
  IMAP_TLS_REJECT_UNAUTHORIZED: bool.default(true),
  IMAP_USER: optionalString,
  IMAP_PASSWORD: optionalString,
  IMAP_MAILBOX: z.string().min(1).default('INBOX'),
  /** Safety-net poll interval next to IDLE (IDLE connections can die silently). */
  IMAP_POLL_SECONDS: z.coerce.number().positive().default(30),

  SMTP_HOST: z.string().min(1).default('127.0.0.1'),
  SMTP_PORT: port.default(587),
  SMTP_SECURE: bool.default(false),
  SMTP_TLS_REJECT_UNAUTHORIZED: bool.default(true),
  SMTP_USER: optionalString,
  SMTP_PASSWORD: optionalString,
  MAIL_FROM: z.string().email('expected an email address such as answers@casedesk.example').default('casedesk@localhost.localdomain'),
  MAIL_FROM_NAME: z.string().min(1).default('CaseDesk'),
  /** Domain of our own Message-IDs; defaults to the domain of MAIL_FROM. */
  MESSAGE_ID_DOMAIN: optionalString,

  HTTP_PORT: port.default(3000),
  HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  PUBLIC_URL: z.string().url().optional(),
  /** Bearer token for a Prometheus scraper on /metrics (otherwise an admin session is needed). */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),

  /** Raw-size cap before parsing, in bytes (default 25 MB). */
  MAX_MESSAGE_BYTES: z.coerce.number().int().positive().default(25 * 1024 * 1024),
  /** Time limit for parsing one message, in milliseconds. */
  PARSE_TIMEOUT_MS: z.coerce.number().int().positive().default(20_000),
  MAX_MIME_DEPTH: z.coerce.number().int().positive().default(50),
  MAX_MIME_PARTS: z.coerce.number().int().positive().default(500),

  /** Largest attachment stored, scanned and read, in bytes (default 15 MB); larger ones are listed as over the limit. */
  MAX_ATTACHMENT_BYTES: z.coerce.number().int().positive().default(15 * 1024 * 1024),
  /** Where clamd listens: tcp://host:port or unix:/path/clamd.sock (Debian's clamav-daemon socket by default). */
  CLAMAV_URL: z
    .string()
    .trim()
    .regex(/^(tcp:\/\/(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?\/?|unix:(\/\/)?\/\S+|\/\S+)$/i, 'expected tcp://host:port or unix:/path/to/clamd.sock')
    .default('unix:/run/clamav/clamd.ctl'),
  /** Time limit for one clamd scan, in milliseconds; a slow or hung clamd leaves the attachment not scanned. */
  CLAMAV_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  /** How often attachments left not scanned (clamd was down) are scanned again, in seconds. */
  ATTACHMENT_RESCAN_SECONDS: z.coerce.number().positive().default(300),
  /** Time limit for reading one attachment's text, in milliseconds. */
  ATTACHMENT_TEXT_TIMEOUT_MS: z.coerce.number().int().positive().default(20_000),
  /** Text kept per attachment, in characters; the rest is cut, visibly. */
  ATTACHMENT_TEXT_MAX_CHARS: z.coerce.number().int().positive().default(500_000),

  /** The reply time promised in the acknowledgement, in words. */
  REPLY_PROMISE: z.string().min(1).default('within 1 business day'),
  /** Hours from receipt to a draft's due time in the review queue. */
  REPLY_DUE_HOURS: z.coerce.number().positive().default(24),
  PLANS: plans.default({ trial: 5, standard: 50, pro: 200 }),
  /** Where strangers are told to ask about a subscription (shown in the not-subscribed notice). */
  SUBSCRIPTION_CONTACT: optionalString,

  /** Receiving servers whose Authentication-Results are trusted (none by default: CaseDesk checks DKIM/DMARC itself). */
  AUTHSERV_IDS: authservIds.default([]),
  /** off: no check; report: badge unverified senders; enforce: hold forged subscriber mail, no backscatter. */
  SENDER_AUTH: z.enum(['off', 'report', 'enforce']).default('report'),
  /** Automatic notices per sender domain per hour. */
  NOTICE_DOMAIN_HOURLY: z.coerce.number().int().min(0).default(20),
  /** `received` acknowledgements per verified subscriber per 24 hours. */
  ACK_DAILY_MAX: z.coerce.number().int().min(0).default(20),

  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(200).default(4),
  /**
   * At start-up, how long to keep trying Redis, IMAP and SMTP while they cannot be reached (a
   * server restarting beside us, a container starting in parallel); 0: fail at once (exit 2).
   */
  STARTUP_WAIT_SECONDS: z.coerce.number().min(0).default(0),
  /** Ingest leader lock TTL: how soon another process takes over a mailbox after its leader died. */
  INGEST_LOCK_TTL_SECONDS: z.coerce.number().positive().default(30),
  /** BullMQ job lock: how soon a job of a killed worker is picked up again (stalled-job check). */
  JOB_LOCK_SECONDS: z.coerce.number().positive().default(30),
  /** A reply left mid-send this long is taken to be a crash mid-send and flagged `unknown` (never resent blindly). */
  SEND_STUCK_AFTER_SECONDS: z.coerce.number().positive().default(120),
  /** When a release is imported, answers sent within this many days are checked against it (src/impact). */
  IMPACT_LOOKBACK_DAYS: z.coerce.number().int().positive().default(180),
  /**
   * `bcc`: every reply and notice is BCC'd to the service mailbox (MAIL_FROM); ingest recognises
   * our own Message-ID coming back and confirms an `unknown` send. `off`: no copy. Default: `bcc`
   * when the mailbox is ours (IMAP_USER is MAIL_FROM), `off` otherwise.
   */
  SENT_COPY: z.enum(['bcc', 'off']).optional(),
  /** An `unknown` send whose copy has not come back after this many minutes is offered to a human (resend / mark sent). */
  UNKNOWN_RESEND_MINUTES: z.coerce.number().positive().default(15),

  /** Master key that wraps the data keys encrypting message content (base64, 32 bytes). */
  DATA_KEY: masterKey.optional(),
  /** A file holding DATA_KEY (a mounted secret); set one of the two. */
  DATA_KEY_FILE: optionalString,
  /** `casedesk keys rotate` only: the new master key (or --new-key-file). */
  DATA_KEY_NEW: masterKey.optional(),
  /** Raw sources older than this many days are purged (off / 0: kept). */
  RETAIN_RAW_DAYS: retentionDays.default(90),
  /** Content of cases closed longer than this many days is purged (default off). */
  RETAIN_CASE_DAYS: retentionDays.default(null),
  })
  .superRefine((env, ctx) => {
    if (env.DATA_KEY && env.DATA_KEY_FILE) ctx.addIssue({ code: 'custom', path: ['DATA_KEY_FILE'], message: 'set DATA_KEY or DATA_KEY_FILE, not both' });
    if (env.NODE_ENV === 'production' && !env.DATA_KEY && !env.DATA_KEY_FILE) {
      ctx.addIssue({ code: 'custom', path: ['DATA_KEY'], message: 'DATA_KEY or DATA_KEY_FILE is required when NODE_ENV=production (message content is stored encrypted)' });
    }
  });

export type Env = z.infer<typeof envSchema>;
