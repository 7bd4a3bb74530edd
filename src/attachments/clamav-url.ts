import { ValidationError } from '../shared/errors.ts';

/** Where clamd listens: TCP or a unix socket. */
export type ClamavAddress = { kind: 'tcp'; host: string; port: number } | { kind: 'unix'; path: string };

export const DEFAULT_CLAMD_PORT = 3310;

/**
 * Read CLAMAV_URL: `tcp://host:port` (port 3310 when left out), `unix:/path/clamd.sock`,
 * `unix:///path/clamd.sock`, or a bare absolute socket path. Throws ValidationError otherwise,
 * so configuration can list it with the other bad keys.
 */
export function parseClamavUrl(value: string): ClamavAddress {
  const text = value.trim();
  if (text.startsWith('/')) return { kind: 'unix', path: text };
  const unix = /^unix:(?:\/\/)?(\/.+)$/i.exec(text);
  if (unix) return { kind: 'unix', path: unix[1]! };
  const tcp = /^tcp:\/\/(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?\/?$/i.exec(text);
  if (!tcp) throw new ValidationError(`expected tcp://host:port or unix:/path/to/clamd.sock, got "${text.slice(0, 80)}"`);
  const port = tcp[2] === undefined ? DEFAULT_CLAMD_PORT : Number(tcp[2]);
  if (port < 1 || port > 65535) throw new ValidationError(`clamd port ${port} is out of range`);
  return { kind: 'tcp', host: tcp[1]!.replace(/^\[|\]$/g, ''), port };
}

/** The address as CLAMAV_URL would spell it (for logs and `casedesk doctor`). */
export function formatClamavAddress(address: ClamavAddress): string {
  if (address.kind === 'unix') return `unix:${address.path}`;
  return `tcp://${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`;
}
