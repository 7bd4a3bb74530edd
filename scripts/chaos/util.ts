import { execFile } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Poll `check` until it returns a truthy value or `timeoutMs` passes. Returns the value, or
 * null on timeout (callers decide whether a timeout is a violation or a reason to stop).
 */
export async function waitFor<T>(check: () => Promise<T | null | undefined | false> | T | null | undefined | false, options: { timeoutMs: number; intervalMs?: number }): Promise<T | null> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const value = await Promise.resolve()
      .then(check)
      .catch(() => null);
    if (value) return value as T;
    if (Date.now() >= deadline) return null;
    await sleep(options.intervalMs ?? 200);
  }
}

/** A TCP port nobody listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Whether something accepts connections on 127.0.0.1:port. */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.connect(port, '127.0.0.1');
  });
}

/** Run a command; resolves with stdout, rejects with stderr in the message. */
export function run(cmd: string, args: string[], options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: options.timeoutMs ?? 60_000, env: options.env ?? process.env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')}: ${err.message} ${String(stderr).trim()}`.slice(0, 2000)));
      else resolve(String(stdout));
    });
  });
}

/**
 * The harness's own timeline: every event with its time since the start, to harness.log in
 * the run folder; `say` also prints it. Ids and counts only, never message content.
 */
export class Timeline {
  readonly t0 = Date.now();
  constructor(private readonly file: string) {}
  elapsed(): number {
    return (Date.now() - this.t0) / 1000;
  }
  note(event: string, data: Record<string, unknown> = {}): void {
    const line = `${JSON.stringify({ t: Number(this.elapsed().toFixed(3)), at: new Date().toISOString(), event, ...data })}\n`;
    appendFileSync(this.file, line);
  }
  say(event: string, data: Record<string, unknown> = {}): void {
    this.note(event, data);
    const extra = Object.entries(data)
      .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
      .join(' ');
    process.stdout.write(`[chaos ${this.elapsed().toFixed(1).padStart(6)}s] ${event}${extra ? ` ${extra}` : ''}\n`);
  }
}
