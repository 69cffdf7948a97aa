/**
 * SigV4 signing-key derivation: HMAC chain over date, region, service and "aws4_request". Four HMACs per
 * request add up on small requests, and a key is valid for a whole day, so recent keys are cached in a
 * small LRU (bounded: a flood of distinct scopes can only evict, never grow memory).
 */
import { createHmac } from 'node:crypto';

const MAX_ENTRIES = 100;
const cache = new Map<string, Buffer>();

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** The signing key for a secret and a scope (date YYYYMMDD, region, service). */
export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  const id = `${secret}\n${date}\n${region}\n${service}`;
  const hit = cache.get(id);
  if (hit) {
    // Map keeps insertion order: re-inserting marks the entry as most recently used.
    cache.delete(id);
    cache.set(id, hit);
    return hit;
  }
  const key = hmac(hmac(hmac(hmac('AWS4' + secret, date), region), service), 'aws4_request');
  cache.set(id, key);
  if (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
  return key;
}

/** How many keys the cache holds now (for tests). */
export function signingKeyCacheSize(): number {
  return cache.size;
}
