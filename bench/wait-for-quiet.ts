/** Waits (bounded) for the host to be idle, since other work on a 2-core machine skews every figure. */
import { setTimeout as sleep } from 'node:timers/promises';
import { hostBusySeconds } from './cpu-meter.js';

export interface QuietResult {
  /** Busy cores in the last sampled window. */
  busyCores: number;
  quiet: boolean;
  waitedSeconds: number;
}

/** Samples host CPU use every `windowMs` until it drops below `maxBusyCores`, or `maxWaitMs` passes. */
export async function waitForQuiet(o: { maxBusyCores: number; windowMs: number; maxWaitMs: number }): Promise<QuietResult> {
  const start = performance.now();
  for (;;) {
    const before = await hostBusySeconds();
    const t0 = performance.now();
    await sleep(o.windowMs);
    const busyCores = ((await hostBusySeconds()) - before) / ((performance.now() - t0) / 1000);
    const waitedSeconds = (performance.now() - start) / 1000;
    if (busyCores < o.maxBusyCores || waitedSeconds * 1000 + o.windowMs > o.maxWaitMs) {
      return { busyCores, quiet: busyCores < o.maxBusyCores, waitedSeconds };
    }
  }
}
