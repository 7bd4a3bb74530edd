import { generateKeyPairSync } from 'node:crypto';
import { dkimSign } from 'mailauth';

/**
 * Test helpers for sender authentication: keys generated per run, DKIM signing with mailauth,
 * and a DNS resolver answering from a table. No network: a name that is not in the table is
 * answered "no such name" (ENOTFOUND), like DNS would, and recorded, so a test can assert that
 * nothing outside the table was asked.
 */
export interface TableResolver {
  (name: string, type: string): Promise<string[][]>;
  asked: string[];
  unknown: string[];
}

export type DnsTable = Record<string, string[][] | Error>;

export function tableResolver(table: DnsTable): TableResolver {
  const resolver = (async (name: string, type: string) => {
    const key = `${type.toUpperCase()} ${name.toLowerCase()}`;
    resolver.asked.push(key);
    const answer = table[key];
    if (answer instanceof Error) throw answer;
    if (answer) return answer;
    resolver.unknown.push(key);
    throw Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
  }) as TableResolver;
  resolver.asked = [];
  resolver.unknown = [];
  return resolver;
}

export interface TestKey {
  privateKey: string;
  /** The TXT record value to publish at `<selector>._domainkey.<domain>`. */
  record: string;
}

export function rsaKey(bits = 2048): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return {
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    record: `v=DKIM1; k=rsa; p=${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`,
  };
}

export function ed25519Key(): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  // The DKIM record holds the raw 32-byte key: the end of the SPKI DER.
  const raw = publicKey.export({ type: 'spki', format: 'der' }).subarray(-32);
  return { privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), record: `v=DKIM1; k=ed25519; p=${raw.toString('base64')}` };
}

/** Sign `message` (CRLF text) and return the signed message. */
export async function sign(
  message: string,
  key: TestKey,
  options: { domain: string; selector: string; algorithm?: string; expires?: Date; signTime?: Date },
): Promise<Buffer> {
  const result = await dkimSign(message, {
    signingDomain: options.domain,
    selector: options.selector,
    privateKey: key.privateKey,
    // Signing time and expiry are options of the whole signing run, not of one signature.
    signTime: options.signTime,
    expires: options.expires,
    signatureData: [{ signingDomain: options.domain, selector: options.selector, privateKey: key.privateKey, algorithm: options.algorithm }],
  });
  if (result.errors.length > 0) throw result.errors[0];
  return Buffer.from(result.signatures + message);
}

/** A plain question from `from`, CRLF line ends, with extra header lines on top. */
export function message(from: string, top: string[] = [], body = 'Can 97760 be billed with 97530 on the same day?'): string {
  return [...top, `From: ${from}`, 'To: ask@casedesk.example', 'Subject: question', 'Date: Mon, 13 Jan 2025 10:00:00 +0000', `Message-ID: <${Math.random().toString(36).slice(2)}@test>`, '', body, ''].join('\r\n');
}
