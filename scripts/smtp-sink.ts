/**
 * A local SMTP sink for the demo (scripts/run-local.sh starts it): accepts every message on
 * 127.0.0.1:2525, writes it as an .eml file under var/outbox-sink/, and logs one line per message
 * with its Message-ID and recipients. Nothing is relayed anywhere.
 *
 *   node --import tsx scripts/smtp-sink.ts        (SMTP_SINK_PORT, SMTP_SINK_DIR override)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SMTPServer } from 'smtp-server';

const port = Number(process.env.SMTP_SINK_PORT ?? 2525);
const dir = resolve(process.env.SMTP_SINK_DIR ?? 'var/outbox-sink');
mkdirSync(dir, { recursive: true });

/** The Message-ID header of a raw message (unfolded), or '(none)'. Only the header block is read. */
function messageIdOf(raw: Buffer): string {
  const end = raw.indexOf('\r\n\r\n');
  const head = raw.subarray(0, end === -1 ? Math.min(raw.length, 64 * 1024) : end).toString('utf8').replace(/\r?\n[ \t]+/g, ' ');
  return /^message-id:\s*(.+)$/im.exec(head)?.[1].trim() ?? '(none)';
}

function log(line: string): void {
  process.stdout.write(`${new Date().toISOString()} smtp-sink: ${line}\n`);
}

let count = 0;
const server = new SMTPServer({
  secure: false,
  disabledCommands: ['STARTTLS'],
  authOptional: true,
  allowInsecureAuth: true,
  logger: false,
  size: 50 * 1024 * 1024,
  onAuth: (auth, _session, cb) => cb(null, { user: auth.username ?? 'demo' }),
  onData(stream, session, cb) {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('error', (err) => cb(err));
    stream.on('end', () => {
      const raw = Buffer.concat(chunks);
      const messageId = messageIdOf(raw);
      const to = session.envelope.rcptTo.map((r) => r.address).join(', ');
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const safeId = messageId.replace(/[^A-Za-z0-9@._-]+/g, '').slice(0, 80) || 'no-id';
      const file = join(dir, `${stamp}-${++count}-${safeId}.eml`);
      try {
        writeFileSync(file, raw);
      } catch (err) {
        return cb(err as Error);
      }
      log(`${messageId} -> ${to} (${raw.length} bytes) ${file}`);
      cb(null, `saved as ${file}`);
    });
  },
});

server.on('error', (err) => log(`error: ${err.message}`));
server.listen(port, '127.0.0.1', () => log(`listening on 127.0.0.1:${port}, writing to ${dir}`));

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    log(`${signal}, closing`);
    server.close(() => process.exit(0));
  });
}
