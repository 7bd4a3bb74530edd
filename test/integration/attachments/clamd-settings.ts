import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseClamavUrl, type ClamavAddress } from '../../../src/attachments/clamav-url.ts';
import { pingClamd } from '../../../src/attachments/clamd-client.ts';
import { eicar } from '../../fixtures/attachments/make-files.ts';
import { freePort } from '../../support/ports.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;

/**
 * The clamd that `scripts/services.sh start` runs: TCP on CLAMD_PORT (3310), and a unix socket
 * in its state folder. TEST_CLAMAV_URL (or CLAMAV_URL) points the tests at another clamd.
 */
export function testClamdAddress(): ClamavAddress {
  const env = process.env;
  return parseClamavUrl(env.TEST_CLAMAV_URL ?? env.CLAMAV_URL ?? `tcp://127.0.0.1:${env.CLAMD_PORT ?? 3310}`);
}

export function testClamdSocket(): string {
  return join(process.env.SVC_DIR ?? join(ROOT, '.svc'), 'clamav', 'run', 'clamd.sock');
}

export interface PrivateClamd {
  address: ClamavAddress;
  stop(): Promise<void>;
}

/**
 * A clamd of the test's own on a free port (for "clamd goes down" tests, which must not stop
 * the shared one): Debian's clamd in the foreground, with a one-signature EICAR database made
 * from the fixture the other tests scan.
 */
export async function startPrivateClamd(): Promise<PrivateClamd> {
  const dir = mkdtempSync(join(tmpdir(), 'casedesk-clamd-'));
  chmodSync(dir, 0o755);
  writeFileSync(join(dir, 'test.ndb'), `Eicar-Test-Signature:0:0:${eicar().toString('hex')}\n`);
  const port = await freePort();
  writeFileSync(join(dir, 'clamd.conf'), [
    `DatabaseDirectory ${dir}`, 'TCPAddr 127.0.0.1', `TCPSocket ${port}`, 'Foreground yes', `LogFile ${join(dir, 'clamd.log')}`,
  ].join('\n') + '\n');
  const child: ChildProcess = spawn('clamd', ['-c', join(dir, 'clamd.conf')], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const address: ClamavAddress = { kind: 'tcp', host: '127.0.0.1', port };
  for (let i = 0; i < 300 && !(await pingClamd({ address, timeoutMs: 1000 })); i++) {
    if (child.exitCode !== null) throw new Error(`private clamd exited with ${child.exitCode} (log: ${join(dir, 'clamd.log')})`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    address,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

