/**
 * GET /admin/v1/buckets/:bucket/usage: the number of objects in a bucket and their total size, counted on the
 * server on request by ListObjectsV2 run as the caller (pages of 1000: the same rights, policy and file-system
 * checks as their own listing), answered as JSON lines — the running totals after each page, then a last line with
 * `done: true` — so that a large bucket shows progress. Bounded: it stops after MAX_MS (the last line says so), and
 * when the caller goes away. A refusal of the first page is the answer's status; a later failure is the last line.
 */
import { isS3Error, S3Error } from '../../errors/s3-error.js';
import type { XmlObject } from '../../s3/xml.js';
import type { ApiRequest, Route } from './api-types.js';
import { s3Call } from './s3-call.js';

/** How long one count may run: a bucket of tens of millions of objects is not counted in one request. */
export const MAX_MS = 10 * 60_000;

/** One page's count, and the token of the next. */
interface Page {
  objects: number;
  bytes: number;
  next?: string;
}

/** One ListObjectsV2 page of 1000 keys, counted. */
async function page(req: ApiRequest, token: string | undefined): Promise<Page> {
  const r = await s3Call(req, 'ListObjectsV2', req.params.bucket!, { query: { 'list-type': '2', 'max-keys': '1000', ...(token ? { 'continuation-token': token } : {}) } });
  const body = r.xml!.body as XmlObject;
  const contents = (body.Contents ?? []) as { Size: number }[];
  return {
    objects: contents.length,
    bytes: contents.reduce((n, c) => n + Number(c.Size), 0),
    ...(body.IsTruncated === true && typeof body.NextContinuationToken === 'string' ? { next: body.NextContinuationToken } : {}),
  };
}

/** The running totals, one value per page, the last with done: true. */
async function* totals(req: ApiRequest, first: Page, maxMs: number): AsyncGenerator<Record<string, unknown>> {
  const started = Date.now();
  let objects = 0;
  let bytes = 0;
  for (let p = first; ;) {
    objects += p.objects;
    bytes += p.bytes;
    if (!p.next) {
      yield { objects, bytes, done: true };
      return;
    }
    if (Date.now() - started > maxMs) {
      yield { objects, bytes, done: true, complete: false, message: `Stopped after ${maxMs / 60_000} minutes: the bucket holds at least this much.` };
      return;
    }
    yield { objects, bytes, done: false };
    try {
      p = await page(req, p.next);
    } catch (e) {
      const err = isS3Error(e) ? e : new S3Error('InternalError');
      if (!isS3Error(e)) req.sources.log.error({ err: e, req_id: req.id }, 'admin API: bucket usage failed');
      yield { objects, bytes, done: true, complete: false, error: { code: err.code, message: err.message } };
      return;
    }
  }
}

/** The route of /admin/v1/buckets/:bucket/usage. */
export const BUCKET_USAGE_ROUTES: Route[] = [
  {
    method: 'GET', path: 'buckets/:bucket/usage',
    run: async (req) => ({ lines: totals(req, await page(req, undefined), MAX_MS) }),
  },
];
