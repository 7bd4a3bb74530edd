import { connect, type Socket } from 'node:net';
import { formatClamavAddress, type ClamavAddress } from './clamav-url.ts';
import type { ScanErrorCode, ScanResult } from './types.ts';

export interface ClamdOptions {
  address: ClamavAddress;
  /** Time limit for the whole exchange (connect, send, answer), in milliseconds. */
  timeoutMs: number;
  /** INSTREAM chunk size in bytes (default 64 KiB). */
  chunkBytes?: number;
}

type Exchange = { ok: true; reply: string } | { ok: false; code: ScanErrorCode; reason: string };

const DEFAULT_CHUNK = 64 * 1024;

/**
 * Scan bytes with clamd over INSTREAM (the z-prefixed, NUL-terminated variant): `zINSTREAM\0`,
 * then chunks each led by a 4-byte big-endian length, then a zero length; clamd answers
 * `stream: OK`, `stream: <signature> FOUND`, or `… ERROR`. Never rejects: clamd down, slow,
 * closing early or answering oddly all resolve `not-scanned` with a code and a reason, so the
 * pipeline records the attachment as not scanned and goes on.
 *
 * A hand-written client rather than the `clamscan` package: the protocol is four commands, and
 * this keeps one time limit over the whole exchange and the never-throw contract exact.
 */
export async function scanWithClamd(bytes: Uint8Array, options: ClamdOptions): Promise<ScanResult> {
  const result = await exchange(options, 'zINSTREAM\0', bytes);
  return result.ok ? parseScanReply(result.reply) : { status: 'not-scanned', code: result.code, reason: result.reason };
}

/** Whether clamd answers PING with PONG within the time limit. */
export async function pingClamd(options: ClamdOptions): Promise<boolean> {
  const result = await exchange(options, 'zPING\0');
  return result.ok && result.reply.trim() === 'PONG';
}

/** clamd's VERSION answer (`ClamAV 1.4.6/…`), or null when it does not answer. */
export async function clamdVersion(options: ClamdOptions): Promise<string | null> {
  const result = await exchange(options, 'zVERSION\0');
  return result.ok && result.reply.startsWith('ClamAV') ? result.reply.trim() : null;
}

/**
 * Read clamd's answer to INSTREAM. `stream: OK` is clean; `stream: <name> FOUND` is infected
 * with that signature; an answer ending in ERROR (size limit, out of memory, a broken stream)
 * and anything unexpected mean the content was not scanned.
 */
export function parseScanReply(reply: string): ScanResult {
  const text = reply.replace(/\0+$/, '').trim();
  if (/^stream: OK$/.test(text)) return { status: 'clean' };
  const found = /^stream: (.+) FOUND$/.exec(text);
  if (found) return { status: 'infected', signature: found[1]!.trim() };
  if (/size limit exceeded/i.test(text)) {
    return { status: 'not-scanned', code: 'size-limit', reason: 'clamd refused the content as larger than its StreamMaxLength' };
  }
  if (/ERROR$/.test(text)) return { status: 'not-scanned', code: 'clamd-error', reason: `clamd answered: ${text.slice(0, 200)}` };
  return { status: 'not-scanned', code: 'protocol', reason: `unexpected clamd answer: ${text.slice(0, 200)}` };
}

/** Map a socket error (before any answer) to why the scan did not happen. */
export function classifySocketError(err: NodeJS.ErrnoException, where: string): { code: ScanErrorCode; reason: string } {
  const code = err.code ?? '';
  if (['ECONNREFUSED', 'ENOENT', 'EHOSTUNREACH', 'ENETUNREACH', 'EACCES', 'ENOTFOUND', 'EAI_AGAIN', 'ENOTSOCK'].includes(code)) {
    return { code: 'unreachable', reason: `clamd at ${where} is not reachable (${code})` };
  }
  return { code: 'connection-lost', reason: `connection to clamd at ${where} failed (${code || err.message.slice(0, 100)})` };
}

/** One command (and for INSTREAM its body) on a fresh connection; resolves with clamd's answer or why there is none. */
function exchange(options: ClamdOptions, command: string, body?: Uint8Array): Promise<Exchange> {
  const where = formatClamavAddress(options.address);
  return new Promise((resolve) => {
    const socket = options.address.kind === 'tcp'
      ? connect({ host: options.address.host, port: options.address.port })
      : connect({ path: options.address.path });
    const received: Buffer[] = [];
    let settled = false;
    const finish = (result: Exchange): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const answered = (): Exchange | null => {
      if (received.length === 0) return null;
      const all = Buffer.concat(received);
      const nul = all.indexOf(0);
      return { ok: true, reply: all.subarray(0, nul === -1 ? all.length : nul).toString('utf8') };
    };
    const timer = setTimeout(() => {
      finish({ ok: false, code: 'timeout', reason: `clamd at ${where} did not answer within ${options.timeoutMs} ms` });
    }, options.timeoutMs);
    socket.on('connect', () => {
      sendCommand(socket, command, body, options.chunkBytes ?? DEFAULT_CHUNK, () => settled).catch((err: Error) => {
        // A write that fails after clamd answered (it closes early on a size limit) is expected.
        finish(answered() ?? { ok: false, code: 'connection-lost', reason: `sending to clamd at ${where} failed: ${err.message.slice(0, 100)}` });
      });
    });
    socket.on('data', (chunk: Buffer) => {
      received.push(chunk);
      if (chunk.includes(0)) finish(answered()!);
    });
    socket.on('end', () => {
      finish(answered() ?? { ok: false, code: 'connection-lost', reason: `clamd at ${where} closed the connection without an answer` });
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      finish(answered() ?? { ok: false, ...classifySocketError(err, where) });
    });
  });
}

async function sendCommand(socket: Socket, command: string, body: Uint8Array | undefined, chunkBytes: number, stopped: () => boolean): Promise<void> {
  await write(socket, Buffer.from(command, 'latin1'));
  if (body === undefined) return;
  for (let offset = 0; offset < body.length && !stopped(); offset += chunkBytes) {
    const chunk = body.subarray(offset, Math.min(body.length, offset + chunkBytes));
    const length = Buffer.alloc(4);
    length.writeUInt32BE(chunk.length);
    await write(socket, Buffer.concat([length, chunk]));
  }
  if (!stopped()) await write(socket, Buffer.alloc(4));
}

/** Write and wait for the kernel buffer to drain when it is full (or for the socket to close). */
function write(socket: Socket, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    if (socket.destroyed) return reject(new Error('socket closed'));
    const flushed = socket.write(data, (err) => {
      if (err) reject(err);
    });
    if (flushed) return resolve();
    const done = (): void => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.on('drain', done);
    socket.on('close', done);
  });
}
