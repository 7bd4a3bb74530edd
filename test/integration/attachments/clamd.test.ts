import { existsSync, readFileSync } from 'node:fs';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { clamdVersion, pingClamd, scanWithClamd } from '../../../src/attachments/clamd-client.ts';
import { eicar, makeLetterPdf } from '../../fixtures/attachments/make-files.ts';
import { startPrivateClamd, testClamdAddress, testClamdSocket } from './clamd-settings.ts';

const fixture = (name: string): Buffer => readFileSync(new URL(`../../fixtures/attachments/${name}`, import.meta.url));
const clamd = { address: testClamdAddress(), timeoutMs: 30_000 };

describe('scanWithClamd against the real clamd (scripts/services.sh)', () => {
  it('answers PING and VERSION', async () => {
    expect(await pingClamd(clamd)).toBe(true);
    expect(await clamdVersion(clamd)).toMatch(/^ClamAV \d+\.\d+/);
  });

  it('finds the EICAR test file, with its signature name', async () => {
    const result = await scanWithClamd(eicar(), clamd);
    expect(result.status).toBe('infected');
    // services.sh's local database names it Eicar-Test-Signature(.UNOFFICIAL); ClamAV's own database Win.Test.EICAR_HDB-1.
    expect(result.status === 'infected' && result.signature).toMatch(/eicar/i);
  });

  it('finds EICAR inside a ZIP (clamd unpacks archives)', async () => {
    const zip = await new JSZip().file('invoice.txt', eicar()).generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
    expect(await scanWithClamd(zip, clamd)).toMatchObject({ status: 'infected' });
  });

  it('passes a clean PDF, DOCX and CSV', async () => {
    for (const name of ['denial-letter.pdf', 'appeal-notes.docx', 'claim-lines.csv']) {
      expect(await scanWithClamd(fixture(name), clamd)).toEqual({ status: 'clean' });
    }
  });

  it('passes a clean 1 MB PDF sent in many chunks', async () => {
    expect(await scanWithClamd(makeLetterPdf(1024 * 1024), clamd)).toEqual({ status: 'clean' });
  });

  it.skipIf(!existsSync(testClamdSocket()))('scans over the unix socket as well', async () => {
    const overSocket = { address: { kind: 'unix' as const, path: testClamdSocket() }, timeoutMs: 30_000 };
    expect(await scanWithClamd(eicar(), overSocket)).toMatchObject({ status: 'infected' });
    expect(await scanWithClamd(fixture('denial-letter.pdf'), overSocket)).toEqual({ status: 'clean' });
  });
});

describe('scanWithClamd when clamd goes down', () => {
  it('scans while clamd runs, and answers not-scanned (never throws) once it is stopped', async () => {
    const own = await startPrivateClamd();
    const options = { address: own.address, timeoutMs: 10_000 };
    try {
      expect(await scanWithClamd(eicar(), options)).toMatchObject({ status: 'infected', signature: 'Eicar-Test-Signature.UNOFFICIAL' });
    } finally {
      await own.stop();
    }
    expect(await pingClamd(options)).toBe(false);
    expect(await scanWithClamd(eicar(), options)).toMatchObject({ status: 'not-scanned', code: 'unreachable' });
    expect(await scanWithClamd(fixture('denial-letter.pdf'), options)).toMatchObject({ status: 'not-scanned', code: 'unreachable' });
  });
});
