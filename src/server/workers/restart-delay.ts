/** How long the primary waits before restarting a worker that died: doubling while it keeps dying young, so a crash loop cannot spin. */

/** The first restart comes this soon. */
export const FIRST_DELAY_MS = 100;
/** Restarts never wait longer than this. */
export const MAX_DELAY_MS = 30_000;
/** A worker that lived this long died of something new: its slot starts again from the first delay. */
export const HEALTHY_AFTER_MS = 60_000;

/**
 * The wait before restarting a slot whose worker lived `livedMs`, given the slot's earlier deaths in a row
 * (`streak`, 0 for the first); returns the wait and the streak to keep.
 */
export function restartDelay(streak: number, livedMs: number): { delayMs: number; streak: number } {
  const next = livedMs >= HEALTHY_AFTER_MS ? 0 : streak + 1;
  return { delayMs: Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.max(0, next - 1)), streak: next };
}
