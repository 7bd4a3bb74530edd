import { randomBytes } from 'node:crypto';
import { gcmOpen, gcmSeal } from './envelope.ts';
import { DecryptError } from './errors.ts';
import type { MasterKey } from './master-key.ts';

const WRAP_VERSION = '1';

function wrapAad(dataKeyId: number): Buffer {
  return Buffer.from(`casedesk:data-key:v${WRAP_VERSION}:${dataKeyId}`, 'utf8');
}

/** 32 fresh random bytes for a new data key. */
export function newDataKeyBytes(): Buffer {
  return randomBytes(32);
}

/** Wrap a data key under a master key; the result is bound to the data key's id. */
export function wrapDataKey(master: MasterKey, dataKeyId: number, key: Buffer): string {
  if (key.length !== 32) throw new RangeError('a data key is 32 bytes');
  return `${WRAP_VERSION}:${gcmSeal(master.key, key, wrapAad(dataKeyId)).toString('base64')}`;
}

/** Unwrap a data key; DecryptError when the master key is not the one that wrapped it. */
export function unwrapDataKey(master: MasterKey, dataKeyId: number, wrapped: string): Buffer {
  const [version, body] = wrapped.split(':', 2);
  if (version !== WRAP_VERSION || !body) throw new DecryptError(`data key ${dataKeyId}: unknown wrapping format`);
  const key = gcmOpen(master.key, Buffer.from(body, 'base64'), wrapAad(dataKeyId), `data key ${dataKeyId}`);
  if (key.length !== 32) throw new DecryptError(`data key ${dataKeyId}: wrong length after unwrapping`);
  return key;
}
