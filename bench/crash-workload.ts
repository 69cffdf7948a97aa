/**
 * The writes a crash trial makes while it waits to kill the server: concurrent clients on overlapping keys, each
 * write a self-verifying body (`id|` then random bytes; its SHA-256 and id in its user metadata), so that whatever
 * the server shows afterwards can be traced to the one write that made it, or found torn or mixed. Every
 * operation is recorded with when it started and ended and whether it was acknowledged (a 2xx answer).
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  CompleteMultipartUploadCommand, CopyObjectCommand, CreateMultipartUploadCommand, DeleteObjectCommand, PutObjectCommand,
  UploadPartCommand, type S3Client,
} from '@aws-sdk/client-s3';
import type { Prng } from '../test/helpers/prng.js';

/** The plain bucket and its keys: few per prefix, so that deletes empty directories that other writes need. */
export const PLAIN = 'plain';
export const PLAIN_KEYS = Array.from({ length: 12 }, (_, i) => `p${i % 3}/k${i}`);
/** The bucket with versioning enabled, and its keys. */
export const VERSIONED = 'versioned';
export const VERSIONED_KEYS = Array.from({ length: 6 }, (_, i) => `v${i % 2}/k${i}`);

export type OpKind = 'put' | 'copy' | 'delete' | 'multipart' | 'versioned-put' | 'versioned-delete';
export const OP_KINDS: OpKind[] = ['put', 'copy', 'delete', 'multipart', 'versioned-put', 'versioned-delete'];

/** One operation a client made, and what it knows of its outcome. */
export interface Op {
  kind: OpKind;
  bucket: string;
  key: string;
  /** The body's id (put, multipart, versioned-put); for an acknowledged copy, the id of the body its ETag names. */
  id?: string;
  /** The version id (or delete marker id) the answer gave, in the versioned bucket. */
  versionId?: string;
  start: number;
  end: number;
  acked: boolean;
  /** An answer of 500 or more from a live server: a finding whatever the kill did. */
  serverError?: string;
  /** A multipart upload whose Complete got no answer (the server died): the check resends it. */
  pendingComplete?: { uploadId: string; parts: { PartNumber: number; ETag: string }[] };
}

/** Every body ever written, by id: its MD5 and the ETag its write gave it. A copy's ETag (either) finds its body. */
export class BodyRegistry {
  readonly byId = new Map<string, { md5: string; etag: string }>();
  readonly idByEtag = new Map<string, string>();

  add(id: string, md5: string, etag: string): void {
    this.byId.set(id, { md5, etag });
    this.idByEtag.set(md5, id);
    this.idByEtag.set(etag, id);
  }
}

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A body that names itself: `id|` then `size` random bytes; its SHA-256 and id go in its user metadata. */
export function makeBody(id: string, size: number): { bytes: Buffer; meta: Record<string, string> } {
  const bytes = Buffer.concat([Buffer.from(`${id}|`), randomBytes(size)]);
  return { bytes, meta: { sha: sha256(bytes), id } };
}

/**
 * The id a stored body names, when its bytes, metadata and ETag are one write's; else what is mixed. `etag` may be
 * the MD5 of the bytes (a PUT, or a copy) or the ETag the registry holds for that id (a multipart upload).
 */
export function verifyBody(bytes: Buffer, meta: Record<string, string> | undefined, etag: string | undefined, registry: BodyRegistry): { id: string } | { problem: string } {
  const bar = bytes.indexOf('|');
  const id = bar > 0 ? bytes.subarray(0, bar).toString() : '';
  if (!meta || meta['sha'] !== sha256(bytes) || meta['id'] !== id) return { problem: `body "${id.slice(0, 40)}" (${bytes.length} B) with metadata ${JSON.stringify(meta)}` };
  const e = etag?.replaceAll('"', '');
  if (e !== md5(bytes) && e !== registry.byId.get(id)?.etag) return { problem: `body ${id} with ETag ${etag}` };
  return { id };
}

/** What the clients share: where to send, the bodies written, and the record of every operation. */
export interface WorkloadContext {
  /** The client of the server now running; undefined once it has been killed. */
  client: () => S3Client | undefined;
  registry: BodyRegistry;
  ops: Op[];
  trial: number;
  /** Bodies up to this many bytes (multipart: a 5 MiB first part now and then, plus this). */
  maxBodyBytes: number;
}

/**
 * One client: operations drawn from `r` until `stopped()`; each is recorded in ctx.ops before it is sent. Never
 * throws: a failed operation is recorded as not acknowledged.
 */
export async function runClient(ctx: WorkloadContext, c: number, r: Prng, stopped: () => boolean): Promise<void> {
  let seq = 0;
  while (!stopped()) {
    const s3 = ctx.client();
    if (!s3) return;
    const roll = r.next();
    const kind: OpKind = roll < 0.3 ? 'put' : roll < 0.4 ? 'copy' : roll < 0.5 ? 'delete' : roll < 0.62 ? 'multipart' : roll < 0.9 ? 'versioned-put' : 'versioned-delete';
    const versioned = kind.startsWith('versioned');
    const key = r.pick(versioned ? VERSIONED_KEYS : PLAIN_KEYS);
    const op: Op = { kind, bucket: versioned ? VERSIONED : PLAIN, key, start: Date.now(), end: 0, acked: false };
    const id = `t${ctx.trial}c${c}n${seq++}`;
    ctx.ops.push(op);
    try {
      await perform(ctx, s3, op, id, r);
      op.acked = true;
    } catch (e) {
      const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status !== undefined && status >= 500) op.serverError = `${status} ${(e as Error).name}: ${(e as Error).message.slice(0, 200)}`;
    } finally {
      op.end = Date.now();
    }
  }
}

async function perform(ctx: WorkloadContext, s3: S3Client, op: Op, id: string, r: Prng): Promise<void> {
  const size = r.int(ctx.maxBodyBytes);
  switch (op.kind) {
    case 'put':
    case 'versioned-put': {
      const b = makeBody(id, size);
      op.id = id;
      ctx.registry.add(id, md5(b.bytes), md5(b.bytes));
      const out = await s3.send(new PutObjectCommand({ Bucket: op.bucket, Key: op.key, Body: b.bytes, Metadata: b.meta }));
      op.versionId = out.VersionId;
      return;
    }
    case 'copy': {
      const source = r.pick(PLAIN_KEYS);
      const out = await s3.send(new CopyObjectCommand({ Bucket: op.bucket, Key: op.key, CopySource: `${op.bucket}/${source}` }));
      op.id = ctx.registry.idByEtag.get(out.CopyObjectResult?.ETag?.replaceAll('"', '') ?? '') ?? `unknown-etag:${out.CopyObjectResult?.ETag}`;
      return;
    }
    case 'delete':
    case 'versioned-delete': {
      const out = await s3.send(new DeleteObjectCommand({ Bucket: op.bucket, Key: op.key }));
      op.versionId = out.VersionId;
      return;
    }
    case 'multipart': {
      // Now and then two parts, the first of S3's 5 MiB minimum: a Complete that concatenates takes long enough to be killed in.
      const sizes = r.chance(0.15) ? [5 * 1024 * 1024, size] : [size];
      const b = makeBody(id, sizes.reduce((a, n) => a + n, 0));
      const pieces = sizes.length === 1 ? [b.bytes] : [b.bytes.subarray(0, sizes[0]), b.bytes.subarray(sizes[0])];
      const partMd5s = pieces.map((p) => createHash('md5').update(p).digest());
      const etag = `${createHash('md5').update(Buffer.concat(partMd5s)).digest('hex')}-${pieces.length}`;
      op.id = id;
      ctx.registry.add(id, md5(b.bytes), etag);
      const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: op.bucket, Key: op.key, Metadata: b.meta }));
      const parts: { PartNumber: number; ETag: string }[] = [];
      for (const [i, p] of pieces.entries()) {
        const out = await s3.send(new UploadPartCommand({ Bucket: op.bucket, Key: op.key, UploadId, PartNumber: i + 1, Body: p }));
        parts.push({ PartNumber: i + 1, ETag: out.ETag! });
      }
      try {
        await s3.send(new CompleteMultipartUploadCommand({ Bucket: op.bucket, Key: op.key, UploadId, MultipartUpload: { Parts: parts } }));
      } catch (e) {
        // No answer at all, or a 200 whose body the kill cut off (Complete answers 200 at once and sends its result,
        // or its error, when done): the server died during the Complete. A client would send it again; the check does.
        const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        if (status === undefined || status === 200) op.pendingComplete = { uploadId: UploadId!, parts };
        throw e;
      }
    }
  }
}
