/**
 * MD5 and S3 checksums of large bodies on worker threads, so that hashing (the costliest step of a PUT)
 * overlaps with receiving from the socket and writing to disk on the main thread.
 *
 * Each worker owns a few slots of shared memory. A job (one body) fills a free slot, hands it to the worker
 * (no copy: the memory is shared) and to a file write, and gets the slot back once both are done with it.
 * Workers persist and serve one job at a time; when all are busy the caller hashes inline instead.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ChecksumAlgorithm } from '../storage/backend.js';

/** Bytes in one slot: the unit of hashing and of writing. */
export const HASH_SLOT_BYTES = 1024 * 1024;
// Enough for the socket to fill slots while others wait for the worker or for their writes.
const SLOTS_PER_WORKER = 4;
// Heap limits of a worker: it only holds a hash state and a few messages.
const WORKER_YOUNG_MB = 2;
const WORKER_OLD_MB = 16;
// One worker per core but one: the main thread hashes inline when they are all busy, and every worker is a
// V8 isolate of its own (~10 MB).
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
  /** Ends the job without a digest (a failed upload); the worker returns to the pool once it has caught up. */
  abandon(): void;
}

interface Pooled {
  worker: Worker;
  slots: Buffer[];
  onMessage?: (m: WorkerMessage) => void;
  onFailure?: (e: Error) => void;
}

type WorkerMessage =
  | { t: 'hashed'; slot: number }
  | { t: 'digest'; md5: Uint8Array; checksum?: Uint8Array }
  | { t: 'reset' }
  | { t: 'error'; message: string };

const idle: Pooled[] = [];
let workerCount = 0;

/**
 * Starts hashing a body on an idle worker (starting one if the pool is not full), or returns undefined
 * when every worker is busy: the caller then hashes inline.
 */
export function startOffThreadHash(checksum?: ChecksumAlgorithm): OffThreadHash | undefined {
  const pooled = idle.pop() ?? spawn();
  if (!pooled) return undefined;
  return new Job(pooled, checksum);
}

/**
 * Starts the pool's workers now (the server calls this at start-up): the memory they take is taken once, up
 * front, instead of growing under the first large uploads, and no upload waits for a thread to boot.
 */
export function prestartHashWorkers(): void {
  for (let i = 0; i < MAX_WORKERS && workerCount < MAX_WORKERS; i++) {
    const pooled = spawn();
    if (pooled) idle.push(pooled);
  }
}

function spawn(): Pooled | undefined {
  if (workerCount >= MAX_WORKERS) return undefined;
  const memory = slotMemory(SLOTS_PER_WORKER * HASH_SLOT_BYTES);
  const worker = new Worker(new URL('./hash-worker-thread.js', import.meta.url), {
    workerData: { memory, slotBytes: HASH_SLOT_BYTES, slots: SLOTS_PER_WORKER },
    // The worker only hashes shared memory: a small heap is plenty, and keeps its footprint small.
    resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_MB, maxOldGenerationSizeMb: WORKER_OLD_MB },
  });
  worker.unref(); // an idle pool must not keep the process alive; a job refs it while it runs
  workerCount++;
  const slots = Array.from({ length: SLOTS_PER_WORKER }, (_, i) => Buffer.from(memory, i * HASH_SLOT_BYTES, HASH_SLOT_BYTES));
  const pooled: Pooled = { worker, slots };
  worker.on('message', (m: WorkerMessage) => pooled.onMessage?.(m));
  let dead = false;
  const fail = (e: Error) => {
    if (dead) return; // 'error' is followed by 'exit'
    dead = true;
    // A dead worker leaves the pool for good; the job using it (if any) fails, the next spawns a fresh one.
    workerCount--;
    const i = idle.indexOf(pooled);
    if (i >= 0) idle.splice(i, 1);
    pooled.onFailure?.(e);
    pooled.onMessage = pooled.onFailure = undefined;
  };
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`hash worker exited with code ${code}`)));
  return pooled;
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

  constructor(private readonly pooled: Pooled, checksum?: ChecksumAlgorithm) {
    this.free = pooled.slots.map((_, i) => i);
    this.busy = pooled.slots.map(() => 0);
    pooled.onMessage = (m) => this.onMessage(m);
    pooled.onFailure = (e) => this.fail(e);
    pooled.worker.ref();
    pooled.worker.postMessage({ t: 'start', alg: checksum });
  }

  trySlot(): Buffer | undefined {
    if (this.failure) throw this.failure;
    const i = this.free.pop();
    return i === undefined ? undefined : this.pooled.slots[i];
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
    const i = this.pooled.slots.indexOf(slot);
    if (i < 0 || this.busy[i] !== 0) throw new Error('not a slot of this job in hand');
    this.busy[i] = 2;
    this.pooled.worker.postMessage({ t: 'update', slot: i, len: length });
    written.then(() => this.release(i), () => this.release(i));
  }

  digest(): Promise<HashDigest> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.ended) return Promise.reject(new Error('hash job already ended'));
    this.ended = true;
    this.pooled.worker.postMessage({ t: 'digest' });
    return new Promise((resolve, reject) => { this.pendingDigest = { resolve, reject }; });
  }

  abandon(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.failure) return; // the worker was dropped or will be reset below
    this.pooled.worker.postMessage({ t: 'reset' });
  }

  private release(i: number): void {
    if (--this.busy[i] > 0) return;
    if (this.whenAllFree && this.busy.every((b) => b === 0)) {
      const back = this.whenAllFree;
      this.whenAllFree = undefined;
      back();
      return;
    }
    const w = this.waiting.shift();
    if (w) w.resolve(this.pooled.slots[i]);
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
        // The worker keeps acknowledging slots; a reset then makes it clean for the next job.
        this.fail(new Error(`hashing failed: ${m.message}`));
        this.ended = true;
        this.pooled.worker.postMessage({ t: 'reset' });
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
    this.pooled.onMessage = this.pooled.onFailure = undefined;
    this.pooled.worker.unref();
    // Writes of this job may still hold slots (a failed upload stops waiting for them): a later job would
    // overwrite memory being written. Hand the worker back only when its slots are all free.
    const back = () => idle.push(this.pooled);
    if (this.busy.every((b) => b === 0)) back();
    else this.whenAllFree = back;
  }

  private whenAllFree?: () => void;
}
