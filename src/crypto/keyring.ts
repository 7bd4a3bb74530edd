import { checkPlaintext, type PlaintextPolicy, type ValueCipher } from './cipher.ts';
import type { DataKeyRecord, DataKeyStore } from './data-key-store.ts';
import { newDataKeyBytes, unwrapDataKey, wrapDataKey } from './data-key-wrap.ts';
import { isSealedBytes, isSealedText, IvPool, openBytes, openText, sealBytes, sealText, type DataKeyMaterial } from './envelope.ts';
import { KeyConfigError, KeyUnavailableError } from './errors.ts';
import type { MasterKey } from './master-key.ts';
import { OpenedValueCache } from './opened-cache.ts';

export interface KeyringOptions {
  store: DataKeyStore;
  /** The first wraps data keys this keyring creates; all of them unwrap (rotation holds two). */
  masterKeys: MasterKey[];
  now?: () => Date;
  /**
   * How long a new data key waits before anyone writes with it, so every running process has
   * loaded it (auto-refresh) before it meets a value it encrypted. Not applied to the first key.
   */
  activationDelayMs?: number;
  /** Whether values without the encrypted header are returned as is (until encrypt-existing has run). */
  plaintext?: PlaintextPolicy;
  /** Told about failures of background refreshes (a logger adapter); ids and codes only. */
  onError?: (err: unknown) => void;
  /** Plaintext bytes the change-check cache may hold (default 16 MB; see OpenedValueCache). */
  cacheBytes?: number;
}

/** What `describe` reports of one data key; never key material. */
export interface DataKeyInfo {
  id: number;
  masterKeyId: string;
  createdAt: Date;
  activeFrom: Date;
  retiredAt: Date | null;
  usable: boolean;
}

export const DEFAULT_ACTIVATION_DELAY_MS = 10 * 60_000;

/**
 * The data keys of one process: loaded from the data_key table and unwrapped once, kept in
 * memory, used to seal and open values synchronously (MikroORM's type conversions are
 * synchronous). Created explicitly with `Keyring.open` and handed to the ORM with
 * `installCipher`; there is no global keyring.
 *
 * Rules:
 * - New values use the newest key whose activeFrom has passed.
 * - The first key is created at first start (two processes racing both end up with generation 1:
 *   the id is the primary key). Later keys only by an explicit `createDataKey`, and become
 *   active after `activationDelayMs`, while running processes pick them up with `refresh`.
 * - `open` fails when a data key is wrapped by a master key that is not configured: a process
 *   that could not read some rows must not start.
 */
export class Keyring implements ValueCipher {
  readonly encrypts = true;
  private readonly keys = new Map<number, Buffer>();
  private readonly records = new Map<number, DataKeyRecord>();
  private readonly now: () => Date;
  private readonly plaintext: PlaintextPolicy;
  private refreshing: Promise<unknown> | null = null;
  private readonly opened: OpenedValueCache;
  /** Where the IVs of this keyring's seals come from. */
  private readonly ivs = new IvPool();
  /** The ciphertext each Buffer got (see sealBytes); entries go with their Buffers. */
  private readonly sealedBuffers = new WeakMap<Buffer, { label: string; keyId: number; sealed: Buffer }>();

  private constructor(private readonly options: KeyringOptions) {
    if (options.masterKeys.length === 0) throw new KeyConfigError('a keyring needs a master key');
    this.now = options.now ?? (() => new Date());
    this.plaintext = options.plaintext ?? 'accept';
    this.opened = new OpenedValueCache(options.cacheBytes);
  }

  /** Load and unwrap every data key; create the first one when there is none. */
  static async open(options: KeyringOptions): Promise<Keyring> {
    const ring = new Keyring(options);
    await ring.refresh();
    // Generation 1 exactly: a process that raced another here must not go on to create generation 2.
    if (ring.records.size === 0) await ring.insertGeneration(1);
    const blocked = [...ring.records.values()].filter((r) => !ring.keys.has(r.id));
    if (blocked.length > 0) {
      const masters = [...new Set(blocked.map((r) => r.masterKeyId))].join(', ');
      throw new KeyUnavailableError(
        `data keys ${blocked.map((r) => r.id).join(', ')} are wrapped by master key ${masters}, which is not configured (DATA_KEY is ${ring.primary.id})`,
        blocked[0].id,
      );
    }
    return ring;
  }

  private get primary(): MasterKey {
    return this.options.masterKeys[0];
  }

  /** The id of the master key this keyring wraps new data keys with. */
  get masterKeyId(): string {
    return this.primary.id;
  }

  /** Load data keys created since the last load; returns how many were new. */
  async refresh(): Promise<number> {
    const after = Math.max(0, ...this.records.keys());
    const rows = await this.options.store.list(after);
    for (const row of rows) {
      this.records.set(row.id, row);
      const master = this.options.masterKeys.find((m) => m.id === row.masterKeyId);
      if (master) this.keys.set(row.id, unwrapDataKey(master, row.id, row.wrapped));
    }
    return rows.length;
  }

  /**
   * Create the next generation of data key, wrapped by the primary master key. The first key is
   * active at once; later ones after the activation delay. When another process created that
   * generation first, its key is loaded and returned instead.
   */
  async createDataKey(): Promise<DataKeyInfo> {
    await this.refresh();
    return this.insertGeneration(Math.max(0, ...this.records.keys()) + 1);
  }

  /** Insert data key `id` unless another process already did; either way, return that key. */
  private async insertGeneration(id: number): Promise<DataKeyInfo> {
    const bytes = newDataKeyBytes();
    const now = this.now();
    const first = id === 1;
    const activeFrom = new Date(now.getTime() + (first ? 0 : (this.options.activationDelayMs ?? DEFAULT_ACTIVATION_DELAY_MS)));
    const record: DataKeyRecord = { id, wrapped: wrapDataKey(this.primary, id, bytes), masterKeyId: this.primary.id, createdAt: now, activeFrom, retiredAt: null };
    const inserted = await this.options.store.insert(record);
    await this.refresh();
    if (inserted) this.keys.set(id, bytes);
    return this.info(this.records.get(id)!);
  }

  /** The key new values are sealed with. */
  activeKey(): DataKeyMaterial {
    const now = this.now().getTime();
    let best: DataKeyRecord | undefined;
    for (const r of this.records.values()) {
      if (this.keys.has(r.id) && r.activeFrom.getTime() <= now && (!best || r.id > best.id)) best = r;
    }
    if (!best) throw new KeyUnavailableError('no usable data key is active');
    return { id: best.id, key: this.keys.get(best.id)! };
  }

  /** Every data key this keyring knows, without key material. */
  describe(): DataKeyInfo[] {
    return [...this.records.values()].sort((a, b) => a.id - b.id).map((r) => this.info(r));
  }

  private info(r: DataKeyRecord): DataKeyInfo {
    return { id: r.id, masterKeyId: r.masterKeyId, createdAt: r.createdAt, activeFrom: r.activeFrom, retiredAt: r.retiredAt, usable: this.keys.has(r.id) };
  }

  /** Refresh now and then in the background; returns the function that stops it. */
  startAutoRefresh(intervalMs: number): () => void {
    const timer = setInterval(() => this.refreshInBackground(), intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  private refreshInBackground(): void {
    this.refreshing ??= this.refresh()
      .catch((err: unknown) => this.options.onError?.(err))
      .finally(() => {
        this.refreshing = null;
      });
  }

  /** The unwrapped key with this id; an unknown id starts a refresh (the next attempt may succeed). */
  private keyFor = (id: number): Buffer => {
    const key = this.keys.get(id);
    if (key) return key;
    const record = this.records.get(id);
    if (record) throw new KeyUnavailableError(`data key ${id} is wrapped by master key ${record.masterKeyId}, which is not configured`, id);
    this.refreshInBackground();
    throw new KeyUnavailableError(`data key ${id} is not loaded yet (created after this process started); retry`, id);
  };

  sealText(plain: string, label: string, remember = true): string {
    const sealed = sealText(this.activeKey(), plain, label, this.ivs.next());
    if (remember) this.opened.set(OpenedValueCache.textKey(label, sealed), plain);
    return sealed;
  }

  openText(stored: string, label: string, remember = true): string {
    if (!isSealedText(stored)) {
      checkPlaintext(this.plaintext, label);
      return stored;
    }
    const plain = openText(stored, label, this.keyFor);
    if (remember) this.opened.set(OpenedValueCache.textKey(label, stored), plain);
    return plain;
  }

  /**
   * Seal a Buffer (a raw source, an attachment's content). MikroORM converts one value to its
   * database form several times for one write (the insert, the unit of work's snapshot, each later
   * flush's change check): a raw source was sealed four times a message, a cost that grows with
   * the message. So one Buffer object gets one ciphertext per label and active key, given again
   * (the change check then sees the same bytes and opens nothing); another Buffer, even with the
   * same content, gets its own IV. A Buffer handed to an entity is never changed in place.
   */
  sealBytes(plain: Buffer, label: string, remember = true): Buffer {
    const key = this.activeKey();
    const held = this.sealedBuffers.get(plain);
    if (held && held.label === label && held.keyId === key.id) return held.sealed;
    const sealed = sealBytes(key, plain, label, this.ivs.next());
    if (remember) this.opened.set(OpenedValueCache.bytesKey(label, sealed), plain);
    this.sealedBuffers.set(plain, { label, keyId: key.id, sealed });
    return sealed;
  }

  openBytes(stored: Buffer, label: string, remember = true): Buffer {
    if (!isSealedBytes(stored)) {
      checkPlaintext(this.plaintext, label);
      return stored;
    }
    const plain = openBytes(stored, label, this.keyFor);
    if (remember) this.opened.set(OpenedValueCache.bytesKey(label, stored), plain);
    return plain;
  }

  sameText(a: string, b: string, label: string): boolean {
    if (a === b) return true;
    const plain = (v: string) => (isSealedText(v) ? ((this.opened.get(OpenedValueCache.textKey(label, v)) as string | undefined) ?? this.openText(v, label)) : v);
    return plain(a) === plain(b);
  }

  sameBytes(a: Buffer, b: Buffer, label: string): boolean {
    if (a.equals(b)) return true;
    const plain = (v: Buffer) => (isSealedBytes(v) ? ((this.opened.get(OpenedValueCache.bytesKey(label, v)) as Buffer | undefined) ?? this.openBytes(v, label)) : v);
    return plain(a).equals(plain(b));
  }

  /** What the change-check cache holds (entries, plaintext bytes). */
  cacheStats(): { entries: number; bytes: number } {
    return this.opened.stats();
  }
}
