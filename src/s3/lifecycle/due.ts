/**
 * When a lifecycle action falls due. S3 adds the rule's days to the object's time and rounds up to the next
 * midnight UTC; with a day of N seconds (lifecycleDaySeconds, for tests and demos) "midnight" is the next
 * multiple of N seconds since the epoch, which for N = 86,400 is midnight UTC exactly.
 */

/** One day of S3 time, in seconds. */
export const DAY_SECONDS = 86_400;

/** The time (ms since the epoch) `days` lifecycle days after `fromMs`, rounded up to the next day boundary. */
export function dueAfter(fromMs: number, days: number, daySeconds: number = DAY_SECONDS): number {
  const day = daySeconds * 1000;
  return Math.ceil((fromMs + days * day) / day) * day;
}

/** The due time of a Days-or-Date action: the Date itself, or `days` after `fromMs`. */
export function dueOf(action: { days?: number; date?: string }, fromMs: number, daySeconds?: number): number {
  return action.date !== undefined ? Date.parse(action.date) : dueAfter(fromMs, action.days ?? 0, daySeconds);
}
