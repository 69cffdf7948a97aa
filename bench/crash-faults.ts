/**
 * Faults put in by hand, to show that the crash trials' checks find what they look for (a check that cannot fail
 * proves nothing): one object's file removed behind the server's back (an acknowledged write lost), another's
 * last byte changed in place (a torn object). Only keys no operation of the trial touched, whose content the
 * previous check confirmed, so that the check has no other explanation for what it finds.
 */
import { open, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { KnownState } from './crash-checks.js';
import { PLAIN, type Op } from './crash-workload.js';

/** The keys faulted: `lost` (file removed) and `torn` (a byte changed); undefined when no two keys qualify. */
export interface InjectedFaults {
  lost: string;
  torn: string;
}

/** Removes one untouched object's file and changes a byte of another's; undefined (nothing done) when fewer than two qualify. */
export async function injectFaults(root: string, known: KnownState, ops: Op[]): Promise<InjectedFaults | undefined> {
  const touched = new Set(ops.filter((o) => o.bucket === PLAIN).map((o) => o.key));
  const candidates = [...known].filter(([key, id]) => id !== null && !touched.has(key)).map(([key]) => key);
  if (candidates.length < 2) return undefined;
  const [lost, torn] = candidates as [string, string];
  await unlink(join(root, PLAIN, ...lost.split('/')));
  const fh = await open(join(root, PLAIN, ...torn.split('/')), 'r+');
  try {
    const { size } = await fh.stat();
    const last = Buffer.alloc(1);
    await fh.read(last, 0, 1, size - 1);
    await fh.write(Buffer.from([last[0]! ^ 0xff]), 0, 1, size - 1);
  } finally {
    await fh.close();
  }
  return { lost, torn };
}
