import { parseArgs } from 'node:util';

/** What one chaos run does; every random choice follows `seed`. */
export interface ChaosOptions {
  seed: number;
  questions: number;
  automatic: number;
  followUps: number;
  /** Load window in minutes (messages and faults are spread over it). */
  minutes: number;
  /** Longest wait for the system to settle after the load, in minutes. */
  settleMinutes: number;
  keep: boolean;
  quick: boolean;
  subscribers: number;
  /** Seconds between random SIGKILLs: [min, max]. */
  killEvery: [number, number];
  /** The Redis restart comes back empty (its AOF removed), like a restart without persistence. */
  redisDataLoss: boolean;
  /** Ingest leader lock TTL given to the processes (INGEST_LOCK_TTL_SECONDS). */
  lockTtlSeconds: number;
}

const USAGE = `usage: npm run chaos -- [--seed N] [--questions N] [--minutes M] [--keep] [--quick]
  --seed N          seed of every random choice (default 1)
  --questions N     questions from the subscribers (default 1000; --quick: 100)
  --automatic N     automatic messages: auto-replies, bounces, list mail (default 100; --quick: 12)
  --follow-ups N    replies in the thread of an earlier question or acknowledgement (default 50; --quick: 8)
  --minutes M       load window (default 5; --quick: 1.5)
  --settle-minutes M  longest wait for the system to settle afterwards (default 10; --quick: 5)
  --redis-data-loss the Redis restart loses every key (AOF removed): queued jobs vanish
  --keep            keep the database, Redis data and run folder (default: dropped, logs kept)
  --quick           a short run for development and CI`;

/** Parse the command line; exits with the usage on a bad flag. */
export function parseOptions(argv: string[]): ChaosOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        seed: { type: 'string' },
        questions: { type: 'string' },
        automatic: { type: 'string' },
        'follow-ups': { type: 'string' },
        minutes: { type: 'string' },
        'settle-minutes': { type: 'string' },
        keep: { type: 'boolean' },
        'redis-data-loss': { type: 'boolean' },
        quick: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const quick = values.quick === true;
  const num = (key: string, fallback: number): number => {
    const raw = values[key];
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0) {
      process.stderr.write(`--${key} must be a non-negative number\n${USAGE}\n`);
      process.exit(2);
    }
    return n;
  };
  return {
    seed: Math.trunc(num('seed', 1)),
    questions: Math.trunc(num('questions', quick ? 100 : 1000)),
    automatic: Math.trunc(num('automatic', quick ? 12 : 100)),
    followUps: Math.trunc(num('follow-ups', quick ? 8 : 50)),
    minutes: num('minutes', quick ? 1.5 : 5),
    settleMinutes: num('settle-minutes', quick ? 5 : 10),
    keep: values.keep === true,
    redisDataLoss: values['redis-data-loss'] === true,
    quick,
    subscribers: 50,
    killEvery: quick ? [3, 6] : [3, 8],
    lockTtlSeconds: 5,
  };
}

/** A small seeded generator (mulberry32): the same seed gives the same run plan. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = (seed * 0x9e3779b1) >>> 0 || 0x12345678;
  }
  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Uniform in [min, max). */
  between(min: number, max: number): number {
    return min + (max - min) * this.next();
  }
  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return Math.floor(this.between(min, max + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }
}
