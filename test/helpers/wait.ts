/** Bounded polling for conditions that become true asynchronously (a server cleaning up after a disconnect). */
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Calls `check` every `intervalMs` until it returns true or `timeoutMs` passes; returns the last verdict.
 * Why return instead of throw: the caller asserts, with a message that says what was still wrong.
 */
export async function waitUntil(check: () => boolean | Promise<boolean>, opts: { timeoutMs?: number; intervalMs?: number } = {}): Promise<boolean> {
  const deadline = Date.now() + (opts.timeoutMs ?? 5_000);
  const interval = opts.intervalMs ?? 100;
  for (let i = 0; i < 10_000; i++) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(interval);
  }
  return false;
}
