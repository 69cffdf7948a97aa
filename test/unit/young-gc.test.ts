/** Minor collections paced by request-body bytes (streams/young-gc.ts). Runs in its own process (node --test). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { runInNewContext } from 'node:vm';
import { bodyReceived, startYoungCollections } from '../../src/storage/posix/write/young-gc.js';

const MIB = 1024 * 1024;

/** Counts the minor collections V8 reports while `run` goes on (entries arrive asynchronously: waits for them). */
async function minorCollectionsDuring(run: () => void): Promise<number> {
  let minor = 0;
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (((e as { detail?: unknown }).detail as { kind?: number } | undefined)?.kind === constants.NODE_PERFORMANCE_GC_MINOR) minor++;
  });
  observer.observe({ entryTypes: ['gc'] });
  run();
  await new Promise((r) => setTimeout(r, 200));
  observer.disconnect();
  return minor;
}

test('before startYoungCollections, counting body bytes collects nothing and exposes nothing', async () => {
  assert.equal(typeof (globalThis as { gc?: unknown }).gc, 'undefined');
  const n = await minorCollectionsDuring(() => {
    for (let i = 0; i < 40; i++) bodyReceived(8 * MIB);
  });
  assert.ok(n < 40, `${n} minor collections without startYoungCollections`);
});

test('after startYoungCollections, one minor collection per 8 MiB of body, whatever the chunk size', async () => {
  startYoungCollections();
  // 40 × 8 MiB in one go, then 8 MiB in 64 KiB chunks (128 calls, one collection).
  const n = await minorCollectionsDuring(() => {
    for (let i = 0; i < 40; i++) bodyReceived(8 * MIB);
    for (let i = 0; i < 128; i++) bodyReceived(64 * 1024);
  });
  assert.ok(n >= 41, `only ${n} minor collections for 41 × 8 MiB`);
  assert.ok(n < 41 + 20, `${n} minor collections: more than one per 8 MiB`);
});

test('the --expose-gc flag is set back: new contexts (and workers) get no gc global', () => {
  startYoungCollections();
  assert.equal(runInNewContext('typeof gc'), 'undefined');
  assert.equal(typeof (globalThis as { gc?: unknown }).gc, 'undefined');
});
