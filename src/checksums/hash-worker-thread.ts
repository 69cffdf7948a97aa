/**
 * The body of a hashing worker thread (started by hash-worker.ts): MD5 and an optional S3 checksum over
 * slots of shared memory that the main thread fills. The worker serves several lanes at once (one job each):
 * each lane's slots are hashed in the order the main thread posts them.
 *
 * Messages in (each with its lane): { t: 'start', alg? } | { t: 'update', slot, len } | { t: 'digest' } |
 * { t: 'reset' }. Messages out (each with its lane): { t: 'hashed', slot } after each update (the slot may be
 * refilled), { t: 'digest', md5, checksum? }, { t: 'reset' }, or { t: 'error', message } when hashing failed
 * (the lane's job is then over).
 */
import { createHash, type Hash } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import type { ChecksumAlgorithm } from './types.js';
import { createChecksummer, type Checksummer } from './checksum.js';
import { laneSlotRanges } from './hash-worker.js';

type Message = { lane: number } & (
  | { t: 'start'; alg?: ChecksumAlgorithm }
  | { t: 'update'; slot: number; len: number }
  | { t: 'digest' }
  | { t: 'reset' }
);

interface LaneState {
  slots: Uint8Array[];
  md5?: Hash;
  checksummer?: Checksummer;
  failed: boolean;
}

const port = parentPort;
if (!port) throw new Error('hash-worker-thread.js runs only as a worker thread');
// Views made once: the shared memory outlives every job. The lanes' slots follow one another.
const shared = workerData as { memory: SharedArrayBuffer; slotBytes: number; laneSlots: number[] };
const lanes: LaneState[] = laneSlotRanges(shared.laneSlots).map(([first, count]) => ({
  slots: Array.from({ length: count }, (_, i) => new Uint8Array(shared.memory, (first + i) * shared.slotBytes, shared.slotBytes)),
  failed: false,
}));

port.on('message', (m: Message) => {
  const lane = lanes[m.lane]!;
  try {
    switch (m.t) {
      case 'start':
        lane.md5 = createHash('md5');
        lane.checksummer = m.alg ? createChecksummer(m.alg) : undefined;
        lane.failed = false;
        return;
      case 'update':
        // After a failure the rest of the job is only acknowledged, so that the main thread frees its slots.
        if (!lane.failed) {
          const bytes = lane.slots[m.slot]!.subarray(0, m.len);
          lane.md5!.update(bytes);
          lane.checksummer?.update(bytes);
        }
        port.postMessage({ t: 'hashed', lane: m.lane, slot: m.slot });
        return;
      case 'digest': {
        if (lane.failed) return; // the error was already reported; the main thread does not wait for a digest
        const out = { t: 'digest', lane: m.lane, md5: lane.md5!.digest(), checksum: lane.checksummer?.digest() };
        lane.md5 = undefined;
        lane.checksummer = undefined;
        port.postMessage(out);
        return;
      }
      case 'reset':
        lane.md5 = undefined;
        lane.checksummer = undefined;
        lane.failed = false;
        port.postMessage({ t: 'reset', lane: m.lane });
        return;
    }
  } catch (e) {
    lane.failed = true;
    port.postMessage({ t: 'error', lane: m.lane, message: e instanceof Error ? e.message : String(e) });
    if (m.t === 'update') port.postMessage({ t: 'hashed', lane: m.lane, slot: m.slot });
  }
});
