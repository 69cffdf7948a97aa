/**
 * MD5 and S3 checksums of large bodies on worker threads, so that hashing (the costliest step of a PUT)
 * overlaps with receiving from the socket and writing to disk on the main thread.
 *
 * Each worker has a few lanes, and each lane a few slots of shared memory. A job (one body) takes a lane,
 * fills a free slot, hands it to the worker (no copy: the memory is shared) and to a file write, and gets the
 * slot back once both are done with it. A worker hashes the slots of all its lanes in the order they come, so
 * several uploads (the parts of a multipart upload sent in parallel) share it, each at its own pace, none
 * waiting for another to end. Workers persist; when every lane is taken the caller hashes inline instead.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ChecksumAlgorithm } from './types.js';

/** Bytes in one slot: the unit of hashing and of writing. */
export const HASH_SLOT_BYTES = 1024 * 1024;
// The lanes of a worker (jobs it serves at once) and their slots. A lone upload uses the first: four slots let
// the socket fill slots while others wait for the worker or for their writes. The others serve uploads side by
// side (the parts of a multipart upload sent in parallel), which share the worker's one core anyway: two slots
// each keep hashing and writing overlapped, with less memory. Without a free lane a body is hashed inline, on
// the main thread, and cannot skip the page cache (receive.ts). Slots take memory only once used.
const LANE_SLOTS = [4, 2, 2, 2];
const LANES_PER_WORKER = LANE_SLOTS.length;
// Heap limits of a worker: it only holds a few hash states and messages.
const WORKER_YOUNG_MB = 2;
const WORKER_OLD_MB = 16;
// One worker per core but one: the main thread needs a core for receiving, and every worker is a V8 isolate
// of its own (~10 MB).
const MAX_WORKERS = Math.max(1, Math.min(4, availableParallelism() - 1));

/** What a finished job computed: raw MD5 and, when asked, the raw checksum. */
export interface HashDigest {
  md5: Buffer;
  checksum?: Buffer;
}

/** One body being hashed on a worker: slots in, in order, then one digest. */
export interface OffThreadHash {
  /** A free slot to fill, or undefined when all are in use (then await nextSlot()). */
  trySlot(): Buffer | undefined;
  /** The next free slot, once the worker and the writer have finished with one. */
  nextSlot(): Promise<Buffer>;
  /**
   * Hashes the first `length` bytes of `slot` after every slot submitted before it. The slot is free again
   * when the worker has hashed it and `written` (the write of the same bytes) has settled.
   */
  submit(slot: Buffer, length: number, written: Promise<unknown>): void;
  /** The digest of every byte submitted. Ends the job. */
  digest(): Promise<HashDigest>;
  /** Ends the job without a digest (a failed upload); the lane returns to the pool once it has caught up. */
  abandon(): void;
}

interface Pooled {
  worker: Worker;
  lanes: Lane[];
  /** Lanes with a job (the worker keeps the process alive while there is one). */
  active: number;
  dead: boolean;
}

/** One job's place on a worker: its slots, and where the worker's messages for it go. */
interface Lane {
  pooled: Pooled;
  index: number;
  slots: Buffer[];
  onMessage?: (m: WorkerMessage) => void;
  onFailure?: (e: Error) => void;
}

type WorkerMessage =
  | { t: 'hashed'; lane: number; slot: number }
  | { t: 'digest'; lane: number; md5: Uint8Array; checksum?: Uint8Array }
  | { t: 'reset'; lane: number }
  | { t: 'error'; lane: number; message: string };

const workers: Pooled[] = [];
const idleLanes = new Set<Lane>();

/**
 * Starts hashing a body on a free lane (starting a worker if the pool is not full and every running worker
 * already has a job), or returns undefined when every lane is taken: the caller then hashes inline.
 */
export function startOffThreadHash(checksum?: ChecksumAlgorithm): OffThreadHash | undefined {
  const lane = pickLane();
  if (!lane) return undefined;
  idleLanes.delete(lane);
  return new Job(lane, checksum);
}

/**
 * The free lane on the least busy worker, lowest-numbered first (one upload at a time keeps using the same
 * memory); a worker of its own while the pool may still grow.
 */
function pickLane(): Lane | undefined {
  const rank = (l: Lane) => (l.pooled.active * MAX_WORKERS + workers.indexOf(l.pooled)) * LANES_PER_WORKER + l.index;
  let best: Lane | undefined;
  for (const lane of idleLanes) if (!best || rank(lane) < rank(best)) best = lane;
  if ((!best || best.pooled.active > 0) && workers.length < MAX_WORKERS) return spawn()?.lanes[0] ?? best;
  return best;
}

/**
 * Starts the pool's workers now (the server calls this at start-up): the memory they take is taken once, up
 * front, instead of growing under the first large uploads, and no upload waits for a thread to boot.
 */
export function prestartHashWorkers(): void {
  while (workers.length < MAX_WORKERS) if (!spawn()) break;
}

function spawn(): Pooled | undefined {
  if (workers.length >= MAX_WORKERS) return undefined;
  const memory = slotMemory(LANE_SLOTS.reduce((a, b) => a + b) * HASH_SLOT_BYTES);
  const worker = new Worker(new URL('./hash-worker-thread.js', import.meta.url), {
    workerData: { memory, slotBytes: HASH_SLOT_BYTES, laneSlots: LANE_SLOTS },
    // The worker only hashes shared memory: a small heap is plenty, and keeps its footprint small.
    resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_MB, maxOldGenerationSizeMb: WORKER_OLD_MB },
  });
  worker.unref(); // an idle pool must not keep the process alive; a job refs it while it runs
  const pooled: Pooled = { worker, lanes: [], active: 0, dead: false };
  for (const [index, [first, count]] of laneSlotRanges().entries()) {
    const slots = Array.from({ length: count }, (_, i) => Buffer.from(memory, (first + i) * HASH_SLOT_BYTES, HASH_SLOT_BYTES));
    const lane: Lane = { pooled, index, slots };
    pooled.lanes.push(lane);
    idleLanes.add(lane);
  }
  workers.push(pooled);
  worker.on('message', (m: WorkerMessage) => pooled.lanes[m.lane]?.onMessage?.(m));
  const fail = (e: Error) => {
    if (pooled.dead) return; // 'error' is followed by 'exit'
    pooled.dead = true;
    // A dead worker leaves the pool for good; the jobs using it fail, the next spawns a fresh one.
    workers.splice(workers.indexOf(pooled), 1);
    for (const lane of pooled.lanes) {
      idleLanes.delete(lane);
      const onFailure = lane.onFailure;
      lane.onMessage = lane.onFailure = undefined;
      onFailure?.(e);
    }
  };
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`hash worker exited with code ${code}`)));
  return pooled;
}

/** Per lane: [its first slot, its slot count] in the worker's memory, the lanes' slots one after another. */
export function laneSlotRanges(laneSlots: readonly number[] = LANE_SLOTS): [number, number][] {
  let first = 0;
  return laneSlots.map((count) => {
    const range: [number, number] = [first, count];
    first += count;
    return range;
  });
}

/** The part of the WebAssembly API used here (not in @types/node). */
interface WasmMemoryConstructor {
  new (descriptor: { initial: number; maximum: number; shared: boolean }): { buffer: ArrayBuffer | SharedArrayBuffer };
}

/**
 * One block of shared memory for a worker's slots, starting on a page boundary where possible: file writes
 * straight from the slots may then bypass the page cache (direct I/O wants page-aligned buffers, see
 * storage/posix/receive.ts). A shared WebAssembly memory is whole pages mapped for it, and a
 * SharedArrayBuffer; a plain SharedArrayBuffer, the fallback, is aligned only to 16 bytes (direct writes from
 * it are refused by the kernel, and then go through the page cache).
 */
function slotMemory(bytes: number): SharedArrayBuffer {
  const Memory = (globalThis as { WebAssembly?: { Memory?: WasmMemoryConstructor } }).WebAssembly?.Memory;
  const pages = bytes / 65536; // WebAssembly pages are 64 KiB
  try {
    const buffer = Memory && Number.isInteger(pages) ? new Memory({ initial: pages, maximum: pages, shared: true }).buffer : undefined;
    if (buffer instanceof SharedArrayBuffer) return buffer;
  } catch {
    // no shared WebAssembly memory here
  }
  return new SharedArrayBuffer(bytes);
}

class Job implements OffThreadHash {
  private readonly free: number[];
  private readonly waiting: { resolve: (b: Buffer) => void; reject: (e: Error) => void }[] = [];
  /** Per slot: how many of (hashed, written) are still outstanding. */
  private readonly busy: number[];
  private failure?: Error;
  private pendingDigest?: { resolve: (d: HashDigest) => void; reject: (e: Error) => void };
  private ended = false;
  private whenAllFree?: () => void;

  constructor(private readonly lane: Lane, checksum?: ChecksumAlgorithm) {
    this.free = lane.slots.map((_, i) => i).reverse(); // pop() takes slot 0 first
    this.busy = lane.slots.map(() => 0);
    lane.onMessage = (m) => this.onMessage(m);
    lane.onFailure = (e) => this.fail(e);
    if (lane.pooled.active++ === 0) lane.pooled.worker.ref();
    this.post({ t: 'start', alg: checksum });
  }

  trySlot(): Buffer | undefined {
    if (this.failure) throw this.failure;
    const i = this.free.pop();
    return i === undefined ? undefined : this.lane.slots[i];
  }

  nextSlot(): Promise<Buffer> {
    try {
      const slot = this.trySlot();
      if (slot) return Promise.resolve(slot);
    } catch (e) {
      return Promise.reject(e);
    }
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  submit(slot: Buffer, length: number, written: Promise<unknown>): void {
    const i = this.lane.slots.indexOf(slot);
    if (i < 0 || this.busy[i] !== 0) throw new Error('not a slot of this job in hand');
    this.busy[i] = 2;
    this.post({ t: 'update', slot: i, len: length });
    written.then(() => this.release(i), () => this.release(i));
  }

  digest(): Promise<HashDigest> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.ended) return Promise.reject(new Error('hash job already ended'));
    this.ended = true;
    this.post({ t: 'digest' });
    return new Promise((resolve, reject) => { this.pendingDigest = { resolve, reject }; });
  }

  abandon(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.failure) return; // the worker was dropped or will be reset below
    this.post({ t: 'reset' });
  }

  private post(m: object): void {
    this.lane.pooled.worker.postMessage({ ...m, lane: this.lane.index });
  }

  private release(i: number): void {
    if (--this.busy[i]! > 0) return;
    if (this.whenAllFree && this.busy.every((b) => b === 0)) {
      const back = this.whenAllFree;
      this.whenAllFree = undefined;
      back();
      return;
    }
    const w = this.waiting.shift();
    if (w) w.resolve(this.lane.slots[i]!);
    else this.free.push(i);
  }

  private onMessage(m: WorkerMessage): void {
    switch (m.t) {
      case 'hashed':
        this.release(m.slot);
        return;
      case 'digest': {
        const d = this.pendingDigest;
        this.pendingDigest = undefined;
        this.returnToPool();
        d?.resolve({ md5: Buffer.from(m.md5), ...(m.checksum ? { checksum: Buffer.from(m.checksum) } : {}) });
        return;
      }
      case 'reset':
        this.returnToPool();
        return;
      case 'error':
        // The worker keeps acknowledging this lane's slots; a reset then makes it clean for the next job.
        this.fail(new Error(`hashing failed: ${m.message}`));
        this.ended = true;
        this.post({ t: 'reset' });
        return;
    }
  }

  private fail(e: Error): void {
    if (!this.failure) this.failure = e;
    for (const w of this.waiting.splice(0)) w.reject(e);
    const d = this.pendingDigest;
    this.pendingDigest = undefined;
    d?.reject(e);
  }

  /** Only once the worker has processed everything this job posted: its slots may then be reused. */
  private returnToPool(): void {
    const lane = this.lane;
    lane.onMessage = lane.onFailure = undefined;
    if (--lane.pooled.active === 0) lane.pooled.worker.unref();
    // Writes of this job may still hold slots (a failed upload stops waiting for them): a later job would
    // overwrite memory being written. Hand the lane back only when its slots are all free.
    const back = () => {
      if (!lane.pooled.dead) idleLanes.add(lane);
    };
    if (this.busy.every((b) => b === 0)) back();
    else this.whenAllFree = back;
  }
}
