/** The wait before a dead worker is restarted: doubling while it keeps dying young, capped, and reset by a long life. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FIRST_DELAY_MS, HEALTHY_AFTER_MS, MAX_DELAY_MS, restartDelay } from '../../src/server/workers/restart-delay.js';

test('a crash loop backs off to the cap; a worker that lived long starts again from the first delay', () => {
  let streak = 0;
  const waits: number[] = [];
  for (let i = 0; i < 12; i++) {
    const r = restartDelay(streak, 50);
    waits.push(r.delayMs);
    streak = r.streak;
  }
  assert.deepEqual(waits.slice(0, 4), [FIRST_DELAY_MS, 2 * FIRST_DELAY_MS, 4 * FIRST_DELAY_MS, 8 * FIRST_DELAY_MS]);
  assert.equal(waits.at(-1), MAX_DELAY_MS);
  assert.ok(waits.every((w, i) => i === 0 || w >= waits[i - 1]!), String(waits));
  assert.deepEqual(restartDelay(streak, HEALTHY_AFTER_MS), { delayMs: FIRST_DELAY_MS, streak: 0 });
});
