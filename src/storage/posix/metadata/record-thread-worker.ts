/** The record thread's side: reads the records of each batch it is sent, synchronously, off the main thread. */
import { parentPort } from 'node:worker_threads';
import { SidecarStore } from './sidecar-store.js';
import type { RecordBatch, RecordBatchResult } from './record-thread.js';
import type { MetadataStore } from './store.js';
import { XattrStore } from './xattr-store.js';

const stores = new Map<string, MetadataStore>();

/** The same store as the main thread's, by kind and sidecar directory (reads only: fsync does not matter). */
function storeFor(kind: MetadataStore['kind'], metaDir: string): MetadataStore {
  const id = `${kind}:${metaDir}`;
  let store = stores.get(id);
  if (!store) {
    const sidecars = new SidecarStore(metaDir, false);
    store = kind === 'sidecar' ? sidecars : new XattrStore(sidecars);
    if (stores.size > 1000) stores.clear(); // one per bucket: a bound, not a cache policy
    stores.set(id, store);
  }
  return store;
}

parentPort!.on('message', (batch: RecordBatch) => {
  const store = storeFor(batch.kind, batch.metaDir);
  const fields = batch.requests.split('\0');
  // The records go back as one JSON array: the main thread parses it in one call, far cheaper than one parse
  // (or one structured clone) per record. Each is re-encoded from its parsed form, so a damaged value on disk
  // can never spill into its neighbours.
  let json = '[';
  let slow = 0;
  for (let i = 0; i + 2 < fields.length; i += 3) {
    const t0 = performance.now();
    const record = store.read(fields[i]!, fields[i + 1]!, BigInt(fields[i + 2]!));
    if (performance.now() - t0 > batch.slowMs) slow++;
    json += (i === 0 ? '' : ',') + (record ? JSON.stringify(record) : 'null');
  }
  const result: RecordBatchResult = { id: batch.id, json: json + ']', slow };
  parentPort!.postMessage(result);
});
