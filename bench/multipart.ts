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
import { SigV4Signer, objectPath, canonicalQuery, type Credentials } from './sigv4.js';

const MIB = 1024 * 1024;
const REFERENCE_COPIES = 3;

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
  upload: { mibPerSecond: number; seconds: number; parts: number };
  completeMs: number;
  /** When the Complete's status line arrived: at once (keep-alive form) for a slow one. */
  completeHeadersMs: number;
  /** Median of REFERENCE_COPIES copies (one copy on a shared host varies by a factor of 2-3), and the samples. */
  referenceCopyMs?: number;
  referenceCopySamples?: number[];
  etag: string;
  roundTripVerified: boolean;
  rss: { baselineMiB: number; peakMiB: number };
}

/** Runs the phase against a running server; the bucket must exist. */
export async function measureMultipart(o: MultipartOptions): Promise<MultipartResult> {
  const client = new RawClient(o.endpoint, o.credentials, o.concurrency, o.timeoutMs);
  const part = randomBytes(o.partMiB * MIB);
  const parts = Math.ceil(o.totalMiB / o.partMiB);
  const total = parts * part.length;
  const rss = new RssSampler(o.serverPid);
  await rss.start();
  try {
    let singlePut: MultipartResult['singlePut'];
    if (o.withSinglePut) {
      const t0 = performance.now();
      const res = await client.request('PUT', o.bucket, 'single.bin', {}, { repeat: part, times: parts });
      if (res.status !== 200) throw new Error(`single PUT answered ${res.status}: ${res.text.slice(0, 300)}`);
      const seconds = (performance.now() - t0) / 1000;
      singlePut = { seconds, mibPerSecond: total / MIB / seconds };
      await client.request('DELETE', o.bucket, 'single.bin', {});
    }
    const key = 'multipart.bin';
    const t1 = performance.now();
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
    const uploadSeconds = (performance.now() - t1) / 1000;
    const xml = `<CompleteMultipartUpload>${etags.map((e, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${e}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
    const t2 = performance.now();
    const done = await client.request('POST', o.bucket, key, { uploadId }, { body: Buffer.from(xml) });
    const completeMs = performance.now() - t2;
    const etag = /<ETag>([^<]+)<\/ETag>/.exec(done.text.replace(/&quot;/g, '"'))?.[1];
    if (done.status !== 200 || !etag) throw new Error(`CompleteMultipartUpload answered ${done.status}: ${done.text.slice(0, 300)}`);
    const expected = createHash('md5').update(Buffer.concat(Array.from({ length: parts }, () => createHash('md5').update(part).digest()))).digest('hex');
    const referenceCopySamples: number[] = [];
    for (let i = 0; o.objectFile && i < REFERENCE_COPIES; i++) referenceCopySamples.push(await timeCopy(o.objectFile(key)));
    const referenceCopyMs = referenceCopySamples.length ? [...referenceCopySamples].sort((a, b) => a - b)[referenceCopySamples.length >> 1] : undefined;
    const whole = createHash('md5');
    for (let i = 0; i < parts; i++) whole.update(part);
    const got = await client.request('GET', o.bucket, key, {}, undefined, 'md5');
    return {
      ...(singlePut ? { singlePut } : {}),
      upload: { seconds: uploadSeconds, mibPerSecond: total / MIB / uploadSeconds, parts },
      completeMs,
      completeHeadersMs: done.headersMs,
      ...(referenceCopyMs !== undefined ? { referenceCopyMs, referenceCopySamples } : {}),
      etag,
      roundTripVerified: etag === `"${expected}-${parts}"` && got.md5 === whole.digest('hex'),
      rss: rss.stop(),
    };
  } finally {
    rss.stop();
    client.close();
  }
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
  readonly #signer: SigV4Signer;
  readonly #url: URL;

  constructor(endpoint: string, credentials: Credentials, sockets: number, private readonly timeoutMs: number) {
    this.#url = new URL(endpoint);
    this.#agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
    this.#signer = new SigV4Signer(credentials);
  }

  request(method: string, bucket: string, key: string, query: Record<string, string>,
    body?: { repeat: Buffer; times: number } | { body: Buffer }, keep: 'text' | 'md5' = 'text'):
    Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string; md5?: string; headersMs: number }> {
    const started = performance.now();
    const path = objectPath(bucket, key);
    const qs = canonicalQuery(query);
    const length = !body ? 0 : 'body' in body ? body.body.length : body.repeat.length * body.times;
    const host = `${this.#url.hostname}:${this.#url.port}`;
    const headers = this.#signer.sign({ method, path, query, headers: { host, 'content-length': String(length) }, payloadHash: 'UNSIGNED-PAYLOAD' });
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
