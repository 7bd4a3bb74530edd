import type { DataKeyStore } from './data-key-store.ts';
import { unwrapDataKey, wrapDataKey } from './data-key-wrap.ts';
import { KeyConfigError, KeyUnavailableError } from './errors.ts';
import type { MasterKey } from './master-key.ts';

export interface RotateDeps {
  store: DataKeyStore;
  /** The master keys the data keys may be wrapped by now (the old DATA_KEY; several after an interrupted rotation). */
  from: MasterKey[];
  /** The new master key (DATA_KEY_NEW or --new-key-file). */
  to: MasterKey;
  /** Data keys per batch (default 100). */
  batchSize?: number;
  onBatch?: (progress: { rewrapped: number; lastId: number }) => void;
}

export interface RotateResult {
  fromIds: string[];
  toId: string;
  /** Data keys this run re-wrapped. */
  rewrapped: number;
  /** Data keys already wrapped by the new master key (a resumed run, or re-wrapped concurrently). */
  alreadyCurrent: number;
  /** Every data key, checked to unwrap with the new master key alone at the end. */
  verified: number;
}

/**
 * `casedesk keys rotate`: re-wrap every data key under a new master key. Values are not touched:
 * they are encrypted by data keys, and the data keys stay the same bytes.
 *
 * Crash-safe and idempotent: each data key is updated alone, from "wrapped by an old master key"
 * to "wrapped by the new one" (a compare-and-set on its master key id), so at every moment each
 * key opens with one of the two master keys, and a second run only handles what is left. Running
 * services keep working throughout: they hold the unwrapped data keys in memory. At the end
 * every data key is unwrapped with the new master key alone; after that the old one is not
 * needed any more.
 */
export async function rotateMasterKey(deps: RotateDeps): Promise<RotateResult> {
  if (deps.from.some((m) => m.id === deps.to.id)) throw new KeyConfigError('the new master key is the current one');
  const byId = new Map(deps.from.map((m) => [m.id, m]));
  const batchSize = deps.batchSize ?? 100;
  let lastId = 0;
  let rewrapped = 0;
  let raced = 0;
  for (;;) {
    const batch = await deps.store.listNotWrappedBy(deps.to.id, lastId, batchSize);
    if (batch.length === 0) break;
    for (const row of batch) {
      const old = byId.get(row.masterKeyId);
      if (!old) throw new KeyUnavailableError(`data key ${row.id} is wrapped by master key ${row.masterKeyId}, which was not given as the old key`, row.id);
      const key = unwrapDataKey(old, row.id, row.wrapped);
      if (await deps.store.rewrap(row.id, row.masterKeyId, wrapDataKey(deps.to, row.id, key), deps.to.id)) rewrapped += 1;
      else raced += 1;
    }
    lastId = batch[batch.length - 1].id;
    deps.onBatch?.({ rewrapped, lastId });
  }
  const all = await deps.store.list(0);
  for (const row of all) {
    if (row.masterKeyId !== deps.to.id) throw new KeyUnavailableError(`data key ${row.id} is still wrapped by ${row.masterKeyId}; run the rotation again`, row.id);
    unwrapDataKey(deps.to, row.id, row.wrapped);
  }
  return { fromIds: [...byId.keys()], toId: deps.to.id, rewrapped, alreadyCurrent: all.length - rewrapped, verified: all.length };
}
