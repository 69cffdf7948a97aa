/**
 * Frees request-body buffers while they are young.
 *
 * Node's HTTP parser hands each socket read (up to 64 KiB) to JavaScript as a fresh Buffer whose bytes live
 * outside V8's heap. Such a buffer is dead as soon as it has been copied or written, but its memory is only given
 * back when V8 next collects; until then it counts toward the limit that sets off a full mark-compact. A server
 * receiving bodies allocates almost nothing else on the heap, so no minor collection comes along to free them:
 * every ~20 MB of body started a full collection on the main thread (3–4 per 64 MiB upload, 1–14 ms each
 * with `--trace-gc`).
 *
 * Asking for a minor collection (a scavenge: ~0.4 ms, only young objects) after every few MiB of body, counted
 * over all requests, frees those buffers first; the full collections go away. `gc` is V8's own function, which
 * Node offers only with `--expose-gc`: the flag is set at run time for one fresh context, taken from it, and
 * set back.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Collect = (options: { type: 'minor' | 'major' }) => void;

/** Body bytes between two minor collections. */
const EVERY_BYTES = 8 * 1024 * 1024;

let collect: Collect | undefined;
let since = 0;

/** Turns the collections on (`dirbucket serve` does; in tests and libraries, bodyReceived() does nothing). */
export function startYoungCollections(): void {
  collect ??= exposedGc();
}

/** Counts `bytes` of request body received; every EVERY_BYTES, a minor collection. */
export function bodyReceived(bytes: number): void {
  if (!collect) return;
  since += bytes;
  if (since < EVERY_BYTES) return;
  since = 0;
  collect({ type: 'minor' });
}

/** V8's `gc`, whether or not Node was started with `--expose-gc`; undefined where it cannot be had. */
function exposedGc(): Collect | undefined {
  const own = (globalThis as { gc?: unknown }).gc;
  if (typeof own === 'function') return own as Collect;
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as Collect) : undefined;
  } catch {
    return undefined;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
}
