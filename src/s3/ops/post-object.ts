/**
 * POST Object: a browser form (multipart/form-data) uploads a file to the bucket. The fields before the file
 * name the key (`${filename}` replaced), the content headers, x-amz-meta-*, acl and tagging; a SigV4 or V2
 * signature over the base64 policy document names the signer, and the policy's conditions must hold for every
 * field, the file's size within its content-length-range. An unsigned form is anonymous: the bucket policy or
 * an ACL grant must allow it. The file streams to storage like a PutObject (same atomic write, never held in
 * memory); the answer is 204 by default, 200 or 201 (with a PostResponse document) by success_action_status,
 * or a 303 to success_action_redirect.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { readPostForm, type PostFormStart } from '../../auth/post-policy/post-form.js';
import { checkFileSize, checkPostPolicy, contentLengthRange, parsePostPolicy, resolveKey } from '../../auth/post-policy/post-policy.js';
import { S3Error } from '../../errors/s3-error.js';
import type { HeaderBag } from '../../http/headers.js';
import { checksumHeaders, metaFromHeaders } from '../object-headers.js';
import { parseTagging } from '../tags.js';
import type { Handler, S3Request, S3Response } from '../types.js';
import { writtenAcl } from '../write/attachments.js';
import { contentMd5, requestedChecksum } from '../write/options.js';

/** The fields as the headers a PutObject would send them with (`acl` is x-amz-acl). */
function fieldsAsHeaders(fields: ReadonlyMap<string, string>, fileType: string): HeaderBag {
  const h: Record<string, string> = {};
  for (const [name, value] of fields) {
    if (name.startsWith('x-amz-meta-') || ['cache-control', 'content-type', 'content-disposition', 'content-encoding', 'expires'].includes(name)) h[name] = value;
  }
  const acl = fields.get('acl');
  if (acl !== undefined) h['x-amz-acl'] = acl;
  // Integrity fields, checked against the file as a PutObject checks the same headers (BadDigest).
  for (const [name, value] of fields) if (name === 'content-md5' || name.startsWith('x-amz-checksum-')) h[name] = value;
  h['content-type'] ??= fileType === '' ? 'binary/octet-stream' : fileType;
  return h;
}

/** Counts the file's bytes: past the policy's maximum fails at once (EntityTooLarge), below its minimum at the end. */
class SizeGuard extends Transform {
  size = 0;
  constructor(private readonly range: { min: number; max: number } | undefined) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.size += chunk.length;
    if (this.range && this.size > this.range.max) return done(fileSizeError(this.size, this.range));
    done(null, chunk);
  }
  override _flush(done: TransformCallback): void {
    done(fileSizeError(this.size, this.range));
  }
}

function fileSizeError(size: number, range: { min: number; max: number } | undefined): S3Error | undefined {
  try {
    checkFileSize(size, range);
    return undefined;
  } catch (e) {
    return e as S3Error;
  }
}

/** Where success_action_redirect sends the browser: the URL with bucket, key and etag added, as S3 does. */
function redirectTo(url: string, bucket: string, key: string, etag: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined; // S3 ignores a redirect it cannot parse and answers by status
  }
  u.searchParams.set('bucket', bucket);
  u.searchParams.set('key', key);
  u.searchParams.set('etag', `"${etag}"`);
  return u.toString();
}

/** A refused form's remaining bytes are read past up to this much, so the client gets the answer (not a reset). */
const DRAIN_BYTES = 1024 * 1024;
const DRAIN_MS = 5000;

/**
 * Reads past the rest of a refused form (bounded), so that the error answer is not lost to a connection reset
 * while the browser is still sending; past the bound, the server closes the connection as for any early error.
 */
async function drain(form: PostFormStart): Promise<void> {
  let n = 0;
  const stream = form.file.stream;
  stream.unpipe();
  stream.on('data', (c: Buffer) => {
    n += c.length;
    if (n > DRAIN_BYTES) stream.destroy();
  });
  stream.on('error', () => {});
  stream.resume();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([form.done.catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, DRAIN_MS)))]);
  clearTimeout(timer);
}

export const PostObject: Handler = async (req) => {
  if (!/^multipart\/form-data\b/i.test(req.header('content-type') ?? '')) {
    throw new S3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', { Condition: 'Bucket POST must be of the enclosure-type multipart/form-data' });
  }
  const form = await readPostForm(req.body(), req.headers);
  try {
    return await store(req, form);
  } catch (e) {
    await drain(form);
    throw e;
  }
};

/** Checks the form, authorizes its signer for its key, and writes its file. */
async function store(req: S3Request, form: PostFormStart): Promise<S3Response> {
  const { fields, file } = form;
  const signer = req.formSigner(fields);
  const policyField = fields.get('policy');
  const policy = policyField !== undefined ? parsePostPolicy(policyField) : undefined;
  if (policy) checkPostPolicy(policy, { fields, bucket: req.bucket });
  const keyField = fields.get('key');
  if (keyField === undefined) {
    throw new S3Error('InvalidArgument', "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.", { ArgumentName: 'key' });
  }
  const key = resolveKey(keyField, file.filename);
  if (key === '') throw new S3Error('InvalidArgument', 'The key of a POST Object is empty.', { ArgumentName: 'key' });
  const headers = fieldsAsHeaders(fields, file.contentType);
  await req.authorize('PostObject', key, { ...signer, fields: headers });

  // From here on the request is the signer's: the ACL and ownership of what it writes are theirs.
  const as: S3Request = { ...req, key, principal: signer.principal, identity: req.identityOf(signer.principal), headers, header: (name) => headers[name] as string | undefined };
  const tagging = fields.get('tagging');
  const guard = new SizeGuard(policy ? contentLengthRange(policy) : undefined);
  file.stream.on('error', (e) => guard.destroy(e));
  // Storage listens while it writes; an error after it stopped (or before it started) must not go unhandled.
  guard.on('error', () => {});
  const result = await req.backend.putObject({
    bucket: req.bucket,
    key,
    identity: as.identity,
    meta: metaFromHeaders(headers),
    contentMd5: contentMd5(headers),
    // A form has no trailer: a checksum is a field, given with its value or not at all.
    checksum: requestedChecksum(headers, () => ({})),
    ...(await writtenAcl(as)),
    ...(tagging !== undefined ? { tags: parseTagging(tagging, 'object') } : {}),
    body: file.stream.pipe(guard),
  });
  await form.done;

  const etag = `"${result.etag}"`;
  const location = `http://${req.header('host') ?? 'localhost'}/${req.bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
  const common = { ETag: etag, Location: location, ...(result.checksum ? checksumHeaders(result.checksum) : {}) };
  const redirect = fields.get('success_action_redirect') ?? fields.get('redirect');
  const target = redirect !== undefined ? redirectTo(redirect, req.bucket, key, result.etag) : undefined;
  if (target) return { status: 303, headers: { ...common, Location: target } };
  const status = fields.get('success_action_status');
  if (status === '201') {
    return { status: 201, headers: common, xml: { root: 'PostResponse', body: { Location: location, Bucket: req.bucket, Key: key, ETag: etag } } };
  }
  return { status: status === '200' ? 200 : 204, headers: common };
}
