/** SyncWhileFast: synchronous until several slow runs, awaited for a period, then one synchronous probe decides. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { SyncWhileFast } from '../../src/fsutil/sync-while-fast.js';

/** Work that takes at least `ms` of wall time. */
const busy = (ms: number) => () => {
  const end = performance.now() + ms;
  while (performance.now() < end) { /* spin */ }
};

test('fast runs stay synchronous; slowRuns slow runs within the window switch to awaited calls', () => {
  const q = new SyncWhileFast(2, 3, 32, 60_000);
  for (let i = 0; i < 100; i++) q.timed(busy(0));
  assert.equal(q.sync, true);
  q.timed(busy(3));
  q.timed(busy(3));
  assert.equal(q.sync, true, 'two slow runs are not enough');
  q.timed(busy(3));
  assert.equal(q.sync, false, 'the third slow run switches');
  assert.equal(q.sync, false, 'and it stays awaited within retryMs');
});

test('slow runs spread over more than a window never switch', () => {
  const q = new SyncWhileFast(2, 2, 8, 60_000);
  for (let round = 0; round < 5; round++) {
    q.timed(busy(3));
    for (let i = 0; i < 7; i++) q.timed(busy(0));
  }
  assert.equal(q.sync, true);
});

test('after retryMs one synchronous probe decides: slow, awaited again; fast, synchronous again', async () => {
  const q = new SyncWhileFast(2, 1, 32, 30);
  q.timed(busy(3));
  assert.equal(q.sync, false);
  await sleep(40);
  assert.equal(q.sync, true, 'the probe runs synchronously');
  q.timed(busy(3));
  assert.equal(q.sync, false, 'a slow probe: awaited for another period');
  await sleep(40);
  assert.equal(q.sync, true);
  q.timed(busy(0));
  assert.equal(q.sync, true, 'a fast probe: synchronous again');
  for (let i = 0; i < 10; i++) q.timed(busy(0));
  assert.equal(q.sync, true);
});
