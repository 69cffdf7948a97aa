/** A worker thread that reads listing records in batches, so the main thread walks on while they are read. */
import { Worker } from 'node:worker_threads';
import type { MetaRecord } from './record.js';
import type { RecordRequest } from './record-reader.js';
import type { MetadataStore } from './store.js';

/** One batch to read, as sent to the thread. */
export interface RecordBatch {
  id: number;
  kind: MetadataStore['kind'];
  metaDir: string;
  /**
   * path, key and inode number (decimal) of each record, each followed by a NUL (no path or key holds one):
   * one string, because posting one string costs far less than posting arrays of many small ones.
   */
  requests: string;
  /** A read slower than this counts as slow. */
  slowMs: number;
}

/** The thread's answer: the records as one JSON array (null where there is none), and how many reads were slow. */
export interface RecordBatchResult {
  id: number;
  json: string;
  slow: number;
}

/** How long the thread may sit idle before it is stopped. */
const IDLE_MS = 30_000;

interface Waiting {
  resolve(r: { records: (MetaRecord | undefined)[]; slow: number }): void;
  reject(e: unknown): void;
}

/**
 * The one record thread of the process, started at first use. Why: reading a record costs two getxattr
 * calls through the binding (~7 µs), half the CPU time of listing a key. On the thread, that time overlaps
 * the main thread's own work for the page (walking, stat, XML), instead of adding to it. unref'd: it never
 * keeps the process alive. If it fails, every waiting batch is rejected and the next use starts a new one.
 */
export class RecordThread {
  static #shared: RecordThread | undefined;
  #worker: Worker;
  #waiting = new Map<number, Waiting>();
  #next = 0;
  #idle: NodeJS.Timeout | undefined;

  private constructor() {
    // A small heap: the thread holds one batch at a time, and every megabyte counts against the server's RSS.
    this.#worker = new Worker(new URL('./record-thread-worker.js', import.meta.url), {
      resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 32 },
    });
    this.#worker.unref();
    this.#worker.on('message', (r: RecordBatchResult) => {
      const w = this.#waiting.get(r.id);
      if (!w) return;
      this.#waiting.delete(r.id);
      try {
        const parsed = JSON.parse(r.json) as (MetaRecord | null)[];
        w.resolve({ records: parsed.map((x) => x ?? undefined), slow: r.slow });
      } catch (e) {
        w.reject(e);
      }
    });
    const fail = (e: unknown) => {
      if (RecordThread.#shared === this) RecordThread.#shared = undefined;
      for (const w of this.#waiting.values()) w.reject(e);
      this.#waiting.clear();
    };
    this.#worker.on('error', fail);
    this.#worker.on('exit', (code) => fail(new Error(`record thread exited (code ${code})`)));
  }

  #stop(): void {
    if (this.#waiting.size > 0) return;
    if (RecordThread.#shared === this) RecordThread.#shared = undefined;
    void this.#worker.terminate();
  }

  /** The process's record thread. */
  static shared(): RecordThread {
    return (RecordThread.#shared ??= new RecordThread());
  }

  /** Reads the records of `requests` from `store` on the thread. */
  read(store: MetadataStore, requests: readonly RecordRequest[], slowMs: number): Promise<{ records: (MetaRecord | undefined)[]; slow: number }> {
    const id = this.#next++;
    const batch: RecordBatch = {
      id, kind: store.kind, metaDir: store.metaDir, slowMs,
      requests: '',
    };
    for (const r of requests) batch.requests += `${r.path}\0${r.key}\0${r.ino}\0`;
    clearTimeout(this.#idle);
    return new Promise<{ records: (MetaRecord | undefined)[]; slow: number }>((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      this.#worker.ref(); // while a batch is out, a failing thread must be heard
      this.#worker.postMessage(batch);
    }).finally(() => {
      if (this.#waiting.size > 0) return;
      this.#worker.unref();
      // An idle thread gives its memory back (a V8 isolate: ~25 MB of RSS); the next listing starts another.
      this.#idle = setTimeout(() => this.#stop(), IDLE_MS).unref();
    });
  }
}
