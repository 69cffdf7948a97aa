/** Object operations: PutObject, GetObject, HeadObject, DeleteObject. */
import type { Handler, S3Request, S3Response } from '../types.js';
import type { ObjectInfo, ReadHandle } from '../../storage/backend.js';
import { S3Error } from '../../errors/s3-error.js';
import { readConditions } from '../conditional.js';
import { evaluateRead } from '../../storage/conditions/read-conditions.js';
import { checksumHeaders, metaFromHeaders, objectHeaders, RESPONSE_OVERRIDES } from '../object-headers.js';
import { parseRange, type ByteRange } from '../range.js';
import { partHeaders, requestedPart } from './object-part.js';
import { contentMd5, payloadLength, refuseUnsupported, requestedChecksum, storageClassOf, writeConditions } from '../write/options.js';
import { writeAttachments } from '../write/attachments.js';
import { lockFromHeaders } from '../lock/lock-headers.js';
import { bypassGovernance } from '../lock/bypass.js';
import { deleteConditionsOf } from '../delete-conditions.js';
import { expirationHeader } from '../lifecycle/expiration-header.js';
import type { LifecycleSubject } from '../lifecycle/rule-match.js';

/** `{ lock }` of a write asking for one (x-amz-object-lock-*), else nothing. */
export function lockOf(req: S3Request): { lock?: ReturnType<typeof lockFromHeaders> } {
  const lock = lockFromHeaders(req.headers);
  return lock ? { lock } : {};
}

/**
 * x-amz-expiration for the current version `o` (a request naming a version id gets none). The rules come from the
 * bucket settings every request's authorization has just read (cached), so a bucket without rules costs no I/O.
 */
async function expirationOf(req: S3Request, o: LifecycleSubject & { lastModified: Date }): Promise<string | undefined> {
  if (req.query.has('versionId')) return undefined;
  const rules = await req.backend.getBucketConfig({ bucket: req.bucket, name: 'lifecycle' });
  return expirationHeader(rules, o, req.settings.lifecycleDaySeconds);
}

export const PutObject: Handler = async (req) => {
  refuseUnsupported(req.headers);
  const size = payloadLength(req.headers);
  const attachments = await writeAttachments(req);
  const result = await req.backend.putObject({
    bucket: req.bucket,
    key: req.key,
    identity: req.identity,
    size,
    meta: metaFromHeaders(req.headers),
    contentMd5: contentMd5(req.headers),
    checksum: requestedChecksum(req.headers, () => req.trailers()),
    conditions: writeConditions(req.headers),
    ...attachments,
    ...lockOf(req),
    ...storageClassOf(req.headers),
    body: req.body(),
  });
  const expiration = await expirationOf(req, { key: req.key, size, tags: attachments.tags, lastModified: result.lastModified });
  return {
    headers: {
      ETag: `"${result.etag}"`, ...(result.checksum ? checksumHeaders(result.checksum) : {}), 'x-amz-version-id': result.versionId, 'x-amz-expiration': expiration,
    },
  };
};

function checksumMode(req: S3Request): boolean {
  return (req.header('x-amz-checksum-mode') ?? '').toUpperCase() === 'ENABLED';
}

/** The shared part of GET and HEAD: preconditions, range, headers. Throws S3Errors; 304 is a response. */
function answer(req: S3Request, info: ObjectInfo): { response: S3Response; range?: ByteRange } {
  const part = requestedPart(req, info);
  const verdict = evaluateRead(readConditions(req.headers), info);
  if (verdict === 'precondition-failed') throw new S3Error('PreconditionFailed', undefined, { Condition: 'If-Match' });
  if (verdict === 'not-modified') {
    return { response: { status: 304, headers: { ETag: `"${info.etag}"`, 'Last-Modified': info.lastModified.toUTCString() } } };
  }
  const headers = objectHeaders(info, checksumMode(req));
  for (const [param, name] of Object.entries(RESPONSE_OVERRIDES)) {
    const v = req.query.get(param);
    if (v !== null) headers[name] = v;
  }
  if (part) return { response: { status: partHeaders(headers, part, info), headers }, range: part.range };
  const range = parseRange(req.header('range'), info.size);
  if (range === 'unsatisfiable') {
    throw new S3Error('InvalidRange', undefined, { RangeRequested: String(req.header('range')), ActualObjectSize: String(info.size) }, {
      'Content-Range': `bytes */${info.size}`,
    });
  }
  if (range) {
    headers['Content-Range'] = `bytes ${range.start}-${range.end}/${info.size}`;
    headers['Content-Length'] = range.end - range.start + 1;
    // A checksum describes the whole object, not a range of it.
    for (const k of Object.keys(headers)) if (k.startsWith('x-amz-checksum-')) delete headers[k];
    return { response: { status: 206, headers }, range };
  }
  headers['Content-Length'] = info.size;
  return { response: { status: 200, headers } };
}

export const GetObject: Handler = async (req) => {
  const handle: ReadHandle = await req.backend.getObject({ bucket: req.bucket, key: req.key, identity: req.identity, versionId: req.query.get('versionId') ?? undefined });
  try {
    const { response, range } = answer(req, handle.info);
    if (response.headers) response.headers['x-amz-expiration'] = await expirationOf(req, handle.info);
    if (response.status === 304) {
      await handle.close();
      return response;
    }
    return { ...response, body: handle.stream(range), cleanup: () => handle.close() };
  } catch (e) {
    await handle.close();
    throw e;
  }
};

export const HeadObject: Handler = async (req) => {
  const info = await req.backend.headObject({ bucket: req.bucket, key: req.key, identity: req.identity, versionId: req.query.get('versionId') ?? undefined });
  const { response } = answer(req, info);
  if (response.headers) response.headers['x-amz-expiration'] = await expirationOf(req, info);
  return response;
};

export const DeleteObject: Handler = async (req) => {
  const versionId = req.query.get('versionId') ?? undefined;
  const conditions = deleteConditionsOf(req.headers);
  const done = await req.backend.deleteObject({ bucket: req.bucket, key: req.key, identity: req.identity, versionId, owner: req.principal.user,
    ...(conditions ? { conditions } : {}),
    ...(versionId !== undefined && (await bypassGovernance(req)) ? { bypassGovernance: true } : {}) });
  return { status: 204, headers: { 'x-amz-version-id': done.versionId, 'x-amz-delete-marker': done.deleteMarker ? 'true' : undefined } };
};
