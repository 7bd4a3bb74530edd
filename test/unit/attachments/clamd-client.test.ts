import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseScanReply, pingClamd, scanWithClamd } from '../../../src/attachments/clamd-client.ts';

// The real clamd is exercised in test/integration/attachments; here a stand-in server checks the
// framing and every way a connection can go wrong.

const servers: Server[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A TCP server on a free loopback port whose connections are handled by `onConnection`. */
async function fakeClamd(onConnection: (socket: Socket) => void): Promise<number> {
  const server = createServer((socket) => {
    sockets.push(socket);
    onConnection(socket);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

const tcp = (port: number, timeoutMs = 2000) => ({ address: { kind: 'tcp' as const, host: '127.0.0.1', port }, timeoutMs });

/** Read an INSTREAM request: the command, then length-prefixed chunks up to the zero length. */
function readInstream(data: Buffer): { command: string; chunks: Buffer[]; complete: boolean } {
  const nul = data.indexOf(0);
  const command = data.subarray(0, nul + 1).toString('latin1');
  const chunks: Buffer[] = [];
  let at = nul + 1;
  while (at + 4 <= data.length) {
    const length = data.readUInt32BE(at);
    if (length === 0) return { command, chunks, complete: true };
    chunks.push(data.subarray(at + 4, at + 4 + length));
    at += 4 + length;
  }
  return { command, chunks, complete: false };
}

describe('scanWithClamd against a stand-in clamd', () => {
  it('sends zINSTREAM, the content in length-prefixed chunks and a zero length, and reads the answer', async () => {
    let request: ReturnType<typeof readInstream> | null = null;
    const port = await fakeClamd((socket) => {
      let data = Buffer.alloc(0);
      socket.on('data', (chunk) => {
        data = Buffer.concat([data, chunk]);
        const parsed = readInstream(data);
        if (parsed.complete) {
          request = parsed;
          socket.end('stream: OK\0');
        }
      });
    });
    const content = Buffer.from('0123456789'.repeat(5) + 'xyz');
    expect(await scanWithClamd(content, { ...tcp(port), chunkBytes: 16 })).toEqual({ status: 'clean' });
    expect(request!.command).toBe('zINSTREAM\0');
    expect(request!.chunks.map((c) => c.length)).toEqual([16, 16, 16, 5]);
    expect(Buffer.concat(request!.chunks).equals(content)).toBe(true);
  });

  it('reads an infected answer with its signature name', async () => {
    const port = await fakeClamd((socket) => socket.on('data', (d) => readInstream(d).complete && socket.end('stream: Eicar-Test-Signature FOUND\0')));
    expect(await scanWithClamd(Buffer.from('x'), tcp(port))).toEqual({ status: 'infected', signature: 'Eicar-Test-Signature' });
  });

  it('is not scanned (timeout) when clamd accepts and never answers', async () => {
    const port = await fakeClamd(() => undefined);
    expect(await scanWithClamd(Buffer.from('x'), tcp(port, 300))).toEqual({
      status: 'not-scanned', code: 'timeout', reason: `clamd at tcp://127.0.0.1:${port} did not answer within 300 ms`,
    });
  });

  it('is not scanned (connection-lost) when clamd closes without an answer', async () => {
    const port = await fakeClamd((socket) => socket.on('data', () => socket.end()));
    expect(await scanWithClamd(Buffer.from('x'), tcp(port))).toMatchObject({ status: 'not-scanned', code: 'connection-lost' });
  });

  it('keeps the answer clamd sends before closing on content over its StreamMaxLength', async () => {
    const port = await fakeClamd((socket) => {
      socket.once('data', () => {
        socket.end('INSTREAM size limit exceeded. ERROR\0');
        socket.destroy();
      });
    });
    const result = await scanWithClamd(Buffer.alloc(8 * 1024 * 1024), tcp(port));
    expect(result).toMatchObject({ status: 'not-scanned', code: 'size-limit' });
  });

  it('is not scanned (unreachable) when nothing listens on the port', async () => {
    const port = await fakeClamd(() => undefined);
    await new Promise((r) => servers.pop()!.close(r));
    expect(await scanWithClamd(Buffer.from('x'), tcp(port))).toMatchObject({
      status: 'not-scanned', code: 'unreachable', reason: `clamd at tcp://127.0.0.1:${port} is not reachable (ECONNREFUSED)`,
    });
  });

  it('is not scanned (unreachable) when the unix socket does not exist', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'casedesk-clamd-'));
    try {
      const result = await scanWithClamd(Buffer.from('x'), { address: { kind: 'unix', path: join(dir, 'none.sock') }, timeoutMs: 1000 });
      expect(result).toMatchObject({ status: 'not-scanned', code: 'unreachable' });
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('pings: PONG is true, anything else false', async () => {
    const pong = await fakeClamd((socket) => socket.on('data', (d) => d.toString() === 'zPING\0' && socket.end('PONG\0')));
    const odd = await fakeClamd((socket) => socket.on('data', () => socket.end('UNKNOWN COMMAND\0')));
    expect(await pingClamd(tcp(pong))).toBe(true);
    expect(await pingClamd(tcp(odd))).toBe(false);
  });
});

describe('parseScanReply', () => {
  it.each([
    ['stream: OK', { status: 'clean' }],
    ['stream: OK\0', { status: 'clean' }],
    ['stream: Eicar-Test-Signature.UNOFFICIAL FOUND', { status: 'infected', signature: 'Eicar-Test-Signature.UNOFFICIAL' }],
    ['stream: Win.Test.EICAR_HDB-1 FOUND', { status: 'infected', signature: 'Win.Test.EICAR_HDB-1' }],
    ['INSTREAM size limit exceeded. ERROR', { status: 'not-scanned', code: 'size-limit' }],
    ["stream: Can't allocate memory ERROR", { status: 'not-scanned', code: 'clamd-error', reason: "clamd answered: stream: Can't allocate memory ERROR" }],
    ['UNKNOWN COMMAND', { status: 'not-scanned', code: 'protocol' }],
    ['', { status: 'not-scanned', code: 'protocol' }],
  ])('%j', (reply, expected) => {
    expect(parseScanReply(reply)).toMatchObject(expected);
  });
});
