import { LRUCache } from 'lru-cache';
import type { DNSResolver } from 'mailauth';

export interface DnsCacheOptions {
  /** How long an answer (or "no such record") is reused. */
  ttlMs?: number;
  /** How many names are kept. */
  max?: number;
}

/** Answers that are facts about the name (cached); anything else (timeout, server failure, refused) is asked again next time. */
const DEFINITE = new Set(['ENOTFOUND', 'ENODATA', 'NXDOMAIN']);

/**
 * The sender check's DNS with a small cache in front: the DKIM keys and DMARC policies of the
 * few domains a service hears from are looked up once a minute, not once per message (a message
 * asks for several records in turn, each a wait on the event loop). Concurrent lookups of one
 * name share one query. "No such name/record" is cached like an answer; a failure that may be
 * temporary is not.
 */
export function cachingResolver(resolver: DNSResolver, options: DnsCacheOptions = {}): DNSResolver {
  const cache = new LRUCache<string, Promise<unknown>>({ max: options.max ?? 2_000, ttl: options.ttlMs ?? 60_000 });
  return ((name: string, rrtype: string) => {
    const key = `${rrtype} ${name.toLowerCase()}`;
    const hit = cache.get(key);
    if (hit) return hit;
    const lookup = Promise.resolve().then(() => resolver(name, rrtype));
    cache.set(key, lookup);
    lookup.catch((err: { code?: string }) => {
      if (!DEFINITE.has(err?.code ?? '') && cache.get(key) === lookup) cache.delete(key);
    });
    return lookup;
  }) as DNSResolver;
}
