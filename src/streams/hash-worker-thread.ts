/**
 * The body of a hashing worker thread (started by hash-worker.ts): MD5 and an optional S3 checksum over
 * slots of shared memory that the main thread fills, in the order it posts them.
 *
 * Messages in: { t: 'start', alg? } | { t: 'update', slot, len } | { t: 'digest' } | { t: 'reset' }.
 * Messages out: { t: 'hashed', slot } after each update (the slot may be refilled), { t: 'digest', md5,
 * checksum? }, { t: 'reset' }, or { t: 'error', message } when hashing failed (the job is then over).
 */
import { createHash, type Hash } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import type { ChecksumAlgorithm } from '../storage/backend.js';
import { createChecksummer, type Checksummer } from './checksum.js';

type Message =
  | { t: 'start'; alg?: ChecksumAlgorithm }
  | { t: 'update'; slot: number; len: number }
  | { t: 'digest' }
  | { t: 'reset' };

const port = parentPort;
if (!port) throw new Error('hash-worker-thread.js runs only as a worker thread');
// Views made once: the shared memory outlives every job.
const shared = workerData as { memory: SharedArrayBuffer; slotBytes: number; slots: number };
const slots = Array.from({ length: shared.slots }, (_, i) => new Uint8Array(shared.memory, i * shared.slotBytes, shared.slotBytes));
let md5: Hash | undefined;
let checksummer: Checksummer | undefined;
let failed = false;

port.on('message', (m: Message) => {
  try {
    switch (m.t) {
      case 'start':
        md5 = createHash('md5');
        checksummer = m.alg ? createChecksummer(m.alg) : undefined;
        failed = false;
        return;
      case 'update':
        // After a failure the rest of the job is only acknowledged, so that the main thread frees its slots.
        if (!failed) {
          const bytes = slots[m.slot].subarray(0, m.len);
          md5!.update(bytes);
          checksummer?.update(bytes);
        }
        port.postMessage({ t: 'hashed', slot: m.slot });
        return;
      case 'digest': {
        if (failed) return; // the error was already reported; the main thread does not wait for a digest
        const out = { t: 'digest', md5: md5!.digest(), checksum: checksummer?.digest() };
        md5 = undefined;
        checksummer = undefined;
        port.postMessage(out);
        return;
      }
      case 'reset':
        md5 = undefined;
        checksummer = undefined;
        failed = false;
        port.postMessage({ t: 'reset' });
        return;
    }
  } catch (e) {
    failed = true;
    port.postMessage({ t: 'error', message: e instanceof Error ? e.message : String(e) });
    if (m.t === 'update') port.postMessage({ t: 'hashed', slot: m.slot });
  }
});
