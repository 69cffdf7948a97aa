/**
 * The multipart phase: a 1 GiB upload in 16 MiB parts, 4 parts in flight (raw client, UNSIGNED-PAYLOAD, as the
 * single-part PUT of the same run), its Complete's latency, the single-part PUT of the same 1 GiB as the
 * throughput reference, one sequential copy of the completed 1 GiB file (cp + fsync) as the latency reference,
 * and the server's resident memory sampled all along. Bodies are sent from one 16 MiB buffer: the client never
 * holds 1 GiB.
 */
import { createHash, randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import http from 'node:http';
import { open, rm } from 'node:fs/promises';
import { readFile } from 'node:fs/promises';
import { canonicalQuery, type Credentials } from '../test/helpers/sigv4.js';
import { objectPath, signedHeaders } from './s3-client.js';

const MIB = 1024 * 1024;

export interface MultipartOptions {
  endpoint: string;
  credentials: Credentials;
  serverPid: number;
  bucket: string;
  totalMiB: number;
  partMiB: number;
  concurrency: number;
  /** Any single request slower than this fails the phase (nothing may hang). */
  timeoutMs: number;
  /** Skip the single-part PUT reference (the reflink run measures Complete only). */
  withSinglePut: boolean;
  /** The completed object's path on disk, for the reference copy; undefined skips the copy. */
  objectFile?: (key: string) => string;
}

export interface MultipartResult {
  singlePut?: { mibPerSecond: number; seconds: number };
  /** The two uploads' parts together (each one's throughput in uploadSamples). */
  upload: { mibPerSecond: number; seconds: number; parts: number };
  uploadSamples: number[];
  /** The faster of the two Completes, and both. */
  completeMs: number;
  completeSamples: number[];
  /** When the Complete's status line arrived: at once (keep-alive form) for a slow one. */
  completeHeadersMs: number;
  /** The fastest of the reference copies taken before, between and after the Completes, and all of them. */
  referenceCopyMs?: number;
  referenceCopySamples?: number[];
  etag: string;
  roundTripVerified: boolean;
  rss: { baselineMiB: number; peakMiB: number };
}

/**
 * Runs the phase against a running server; the bucket must exist. Two uploads are made, then completed with
 * reference copies before, between and after: on a shared host one measurement of either varies by 2-4x, and
 * interleaving keeps a quiet or busy moment from favouring one side.
 */
export async function measureMultipart(o: MultipartOptions): Promise<MultipartResult> {
  const client = new RawClient(o.endpoint, o.credentials, o.concurrency, o.timeoutMs);
  const part = randomBytes(o.partMiB * MIB);
  const parts = Math.ceil(o.totalMiB / o.partMiB);
  const total = parts * part.length;
  const rss = new RssSampler(o.serverPid);
  await rss.start();
  try {
    // Single PUT between the two uploads: the disk of a VM slows down as gigabytes go by, and this order does not
    // favour either side.
    const uploads = [{ key: 'multipart-a.bin', ...(await uploadParts(client, o, 'multipart-a.bin', part, parts)) }];
    let singlePut: MultipartResult['singlePut'];
    if (o.withSinglePut) {
      const t0 = performance.now();
      const res = await client.request('PUT', o.bucket, 'single.bin', {}, { repeat: part, times: parts });
      if (res.status !== 200) throw new Error(`single PUT answered ${res.status}: ${res.text.slice(0, 300)}`);
      const seconds = (performance.now() - t0) / 1000;
      singlePut = { seconds, mibPerSecond: total / MIB / seconds };
    }
    uploads.push({ key: 'multipart-b.bin', ...(await uploadParts(client, o, 'multipart-b.bin', part, parts)) });
    const copies: number[] = [];
    const copy = async (key: string) => {
      if (o.objectFile) copies.push(await timeCopy(o.objectFile(key)));
    };
    if (singlePut) await copy('single.bin');
    const completes = [];
    for (const u of uploads) {
      completes.push(await complete(client, o, u.key, u.uploadId, u.etags));
      await copy(u.key);
    }
    const expected = createHash('md5').update(Buffer.concat(Array.from({ length: parts }, () => createHash('md5').update(part).digest()))).digest('hex');
    const whole = createHash('md5');
    for (let i = 0; i < parts; i++) whole.update(part);
    const got = await client.request('GET', o.bucket, uploads[0]!.key, {}, undefined, 'md5');
    const best = completes.reduce((a, b) => (b.ms < a.ms ? b : a));
    return {
      ...(singlePut ? { singlePut } : {}),
      upload: { seconds: uploads[0]!.seconds + uploads[1]!.seconds, mibPerSecond: (2 * total) / MIB / (uploads[0]!.seconds + uploads[1]!.seconds), parts },
      uploadSamples: uploads.map((u) => total / MIB / u.seconds),
      completeMs: best.ms,
      completeSamples: completes.map((c) => c.ms),
      completeHeadersMs: best.headersMs,
      ...(copies.length ? { referenceCopyMs: Math.min(...copies), referenceCopySamples: copies } : {}),
      etag: completes[0]!.etag,
      roundTripVerified: completes.every((c) => c.etag === `"${expected}-${parts}"`) && got.md5 === whole.digest('hex'),
      rss: rss.stop(),
    };
  } finally {
    rss.stop();
    client.close();
  }
}

/** Creates an upload of `key` and sends its parts, `o.concurrency` at a time; times the whole. */
async function uploadParts(client: RawClient, o: MultipartOptions, key: string, part: Buffer, parts: number) {
  const t0 = performance.now();
  const created = await client.request('POST', o.bucket, key, { uploads: '' });
  const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(created.text)?.[1];
  if (!uploadId) throw new Error(`CreateMultipartUpload answered ${created.status}: ${created.text.slice(0, 300)}`);
  const etags: string[] = new Array(parts);
  let next = 1;
  await Promise.all(Array.from({ length: o.concurrency }, async () => {
    for (let n = next++; n <= parts; n = next++) {
      const res = await client.request('PUT', o.bucket, key, { partNumber: String(n), uploadId }, { repeat: part, times: 1 });
      if (res.status !== 200) throw new Error(`UploadPart ${n} answered ${res.status}: ${res.text.slice(0, 300)}`);
      etags[n - 1] = String(res.headers.etag);
    }
  }));
  return { uploadId, etags, seconds: (performance.now() - t0) / 1000 };
}

/** Sends the Complete and times it to the end of the answer. */
async function complete(client: RawClient, o: MultipartOptions, key: string, uploadId: string, etags: string[]) {
  const xml = `<CompleteMultipartUpload>${etags.map((e, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${e}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
  const t0 = performance.now();
  const done = await client.request('POST', o.bucket, key, { uploadId }, { body: Buffer.from(xml) });
  const ms = performance.now() - t0;
  const etag = /<ETag>([^<]+)<\/ETag>/.exec(done.text.replace(/&quot;/g, '"'))?.[1];
  if (done.status !== 200 || !etag) throw new Error(`CompleteMultipartUpload answered ${done.status}: ${done.text.slice(0, 300)}`);
  return { ms, headersMs: done.headersMs, etag };
}

/** One sequential copy of `file` on its own file system (no reflink), made durable: what Complete is held to. */
async function timeCopy(file: string): Promise<number> {
  const copy = `${file}.bench-copy`;
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const cp = spawn('cp', ['--reflink=never', file, copy], { stdio: 'ignore' });
    cp.once('error', reject);
    cp.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`cp exited ${code}`))));
  });
  const fh = await open(copy, 'r+');
  await fh.sync();
  await fh.close();
  const ms = performance.now() - t0;
  await rm(copy, { force: true });
  return ms;
}

/** VmRSS of the server every 100 ms. */
class RssSampler {
  #timer?: NodeJS.Timeout;
  #baseline = 0;
  #peak = 0;
  constructor(private readonly pid: number) {}

  async start(): Promise<void> {
    this.#baseline = await this.#read();
    this.#peak = this.#baseline;
    this.#timer = setInterval(() => void this.#read().then((v) => (this.#peak = Math.max(this.#peak, v)), () => {}), 100);
  }

  stop(): { baselineMiB: number; peakMiB: number } {
    clearInterval(this.#timer);
    return { baselineMiB: this.#baseline / MIB, peakMiB: this.#peak / MIB };
  }

  async #read(): Promise<number> {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(await readFile(`/proc/${this.pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  }
}

/** A small signed-request client that streams a repeated buffer as the body (so 1 GiB never sits in memory). */
class RawClient {
  readonly #agent: http.Agent;
  readonly #url: URL;

  constructor(endpoint: string, private readonly credentials: Credentials, sockets: number, private readonly timeoutMs: number) {
    this.#url = new URL(endpoint);
    this.#agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  }

  request(method: string, bucket: string, key: string, query: Record<string, string>,
    body?: { repeat: Buffer; times: number } | { body: Buffer }, keep: 'text' | 'md5' = 'text'):
    Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string; md5?: string; headersMs: number }> {
    const started = performance.now();
    const path = objectPath(bucket, key);
    const qs = canonicalQuery(query);
    const length = !body ? 0 : 'body' in body ? body.body.length : body.repeat.length * body.times;
    const host = `${this.#url.hostname}:${this.#url.port}`;
    const headers = signedHeaders(this.credentials, { method, path, query, headers: { host, 'content-length': String(length) }, payloadHash: 'UNSIGNED-PAYLOAD' });
    return new Promise((resolve, reject) => {
      const req = http.request({ agent: this.#agent, host: this.#url.hostname, port: this.#url.port, method, path: qs ? `${path}?${qs}` : path, headers }, (res) => {
        const headersMs = performance.now() - started;
        const chunks: Buffer[] = [];
        const hash = keep === 'md5' && (res.statusCode ?? 0) < 300 ? createHash('md5') : undefined;
        res.on('data', (c: Buffer) => (hash ? hash.update(c) : chunks.push(c)));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8'), md5: hash?.digest('hex'), headersMs }));
        res.on('error', reject);
      });
      req.setTimeout(this.timeoutMs, () => req.destroy(new Error(`${method} ${path} timed out`)));
      req.on('error', reject);
      void (async () => {
        if (body && 'repeat' in body) {
          for (let i = 0; i < body.times; i++) {
            if (!req.write(body.repeat)) await new Promise((r) => req.once('drain', r));
          }
          req.end();
        } else {
          req.end(body && 'body' in body ? body.body : undefined);
        }
      })();
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}
