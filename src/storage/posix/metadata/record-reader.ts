/** Records for a page of listed objects: on the record thread, or synchronously, or in parallel once the store is slow. */
import type { MetaRecord } from './record.js';
import { RecordThread } from './record-thread.js';
import type { MetadataStore } from './store.js';

/** One record to read: the file's path, its key and inode. */
export interface RecordRequest {
  path: string;
  key: string;
  ino: bigint;
}

// Measured on ext4 (2 cores, warm cache): getxattr ~5 µs sync vs ~14 µs awaited with 64 in flight, so a
// local listing reads sync. On a NAS each read is a round trip that would stall the event loop; there the
// reads overlap on the thread pool. Same switch as the walker's StatBatcher: several slow calls in one window.
const SLOW_MS = 0.1;
const SLOW_CALLS = 4;
const IN_FLIGHT = 32;
/** Fewer records than this are read here: a round trip to the record thread costs more than they do. */
const THREAD_MIN = 16;

export interface RecordReaderOptions {
  /** Read batches on the record thread (default true); false: on the main thread only. */
  thread?: boolean;
}

/** Reads records for one listing; switches to async for good once the store proves slow. */
export class RecordReader {
  #sync = true;
  #thread: boolean;

  constructor(private readonly store: MetadataStore, opts: RecordReaderOptions = {}) {
    this.#thread = opts.thread ?? true;
  }

  /**
   * The record of each request, in order (undefined where there is none). Several calls may be pending at
   * once: a listing sends each batch as the walk fills it, and the thread reads while the walk goes on.
   */
  async readAll(requests: readonly RecordRequest[]): Promise<(MetaRecord | undefined)[]> {
    if (this.#sync && this.#thread && requests.length >= THREAD_MIN) {
      try {
        const { records, slow } = await RecordThread.shared().read(this.store, requests, SLOW_MS);
        if (slow >= SLOW_CALLS) this.#sync = false;
        return records;
      } catch {
        this.#thread = false; // the thread failed: this listing reads here
      }
    }
    const out: (MetaRecord | undefined)[] = new Array(requests.length);
    let i = 0;
    let slow = 0;
    for (; i < requests.length && this.#sync; i++) {
      // Slow calls are counted per window of IN_FLIGHT: one preempted call now and then on a busy host is
      // not a slow file system; several in a row are.
      if (i % IN_FLIGHT === 0) slow = 0;
      const t0 = performance.now();
      const r = requests[i];
      out[i] = this.store.read(r.path, r.key, r.ino);
      if (performance.now() - t0 > SLOW_MS && ++slow >= SLOW_CALLS) this.#sync = false;
    }
    for (; i < requests.length; i += IN_FLIGHT) {
      const batch = requests.slice(i, i + IN_FLIGHT);
      const records = await Promise.all(batch.map((r) => this.store.readAsync(r.path, r.key, r.ino)));
      records.forEach((rec, j) => (out[i + j] = rec));
    }
    return out;
  }

  /** One record, the same way (for the walker's directory-object checks): never worth a trip to the thread. */
  async read(request: RecordRequest): Promise<MetaRecord | undefined> {
    return (await this.readAll([request]))[0];
  }
}
