import type { HeaderField } from './header-fields.ts';

/**
 * Whether a spam filter on the receiving side flagged the message: `X-Spam-Flag: YES`,
 * `X-Spam-Status: Yes, score=…` (SpamAssassin), `X-Spam: Yes` (Rspamd), `X-Rspamd-Action`
 * other than `no action` and `greylist`, `X-MS-Exchange-Organization-SCL` of 5 or more (Microsoft).
 *
 * The field is read wherever it sits in the header. A sender can forge it, but only to their own
 * loss: a positive verdict only ever suppresses automatic notices to the From address, which
 * is what is wanted when that address is forged.
 */
export function readSpamVerdict(fields: HeaderField[]): boolean {
  return fields.some((f) => {
    switch (f.name) {
      case 'x-spam-flag':
      case 'x-spam':
        return /^\s*yes\b/i.test(f.value);
      case 'x-spam-status':
        return /^\s*yes\b/i.test(f.value);
      case 'x-rspamd-action':
        return !/^\s*(?:no action|greylist)\s*$/i.test(f.value) && f.value.trim() !== '';
      case 'x-ms-exchange-organization-scl':
        return Number.parseInt(f.value, 10) >= 5;
      default:
        return false;
    }
  });
}
