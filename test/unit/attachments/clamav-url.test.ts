import { describe, expect, it } from 'vitest';
import { formatClamavAddress, parseClamavUrl } from '../../../src/attachments/clamav-url.ts';
import { ValidationError } from '../../../src/shared/errors.ts';

describe('parseClamavUrl', () => {
  it.each([
    ['tcp://127.0.0.1:3310', { kind: 'tcp', host: '127.0.0.1', port: 3310 }],
    ['tcp://clamd.internal', { kind: 'tcp', host: 'clamd.internal', port: 3310 }],
    ['tcp://[::1]:3311/', { kind: 'tcp', host: '::1', port: 3311 }],
    ['TCP://Localhost:3312', { kind: 'tcp', host: 'Localhost', port: 3312 }],
    ['unix:/run/clamav/clamd.ctl', { kind: 'unix', path: '/run/clamav/clamd.ctl' }],
    ['unix:///run/clamav/clamd.ctl', { kind: 'unix', path: '/run/clamav/clamd.ctl' }],
    ['/var/run/clamd.sock', { kind: 'unix', path: '/var/run/clamd.sock' }],
  ])('reads %s', (url, expected) => {
    expect(parseClamavUrl(url)).toEqual(expected);
  });

  it.each(['http://127.0.0.1:3310', 'tcp://', 'tcp://host:99999', 'tcp://host:0', 'clamd', 'unix:relative/path', ''])('refuses %j', (url) => {
    expect(() => parseClamavUrl(url)).toThrow(ValidationError);
  });

  it('formats an address back to the spelling CLAMAV_URL takes', () => {
    for (const url of ['tcp://127.0.0.1:3310', 'tcp://[::1]:3311', 'unix:/run/clamd.sock']) {
      expect(formatClamavAddress(parseClamavUrl(url))).toBe(url);
    }
  });
});
