/**
 * S3 from the page, through the admin listener's S3 proxy (/admin/v1/s3/): the S3 API itself (path-style URLs, S3
 * queries, XML answers), signed by the session instead of SigV4. Uploads go through XMLHttpRequest for its upload
 * progress events; a file over MULTIPART_THRESHOLD goes up in parts (CreateMultipartUpload, UploadPart,
 * CompleteMultipartUpload; AbortMultipartUpload when it fails or is cancelled).
 */
import { ApiError, csrfHeaders, errorOf } from './api.js';

const BASE = '/admin/v1/s3/';
/** Files larger than this go up in parts: one lost connection costs a part, not the file. */
export const MULTIPART_THRESHOLD = 16 * 1024 * 1024;
/** S3 takes parts of 5 MiB to 5 GiB and at most 10,000 of them; 8 MiB keeps a part's retry cheap. */
const MIN_PART = 8 * 1024 * 1024;

/** The proxy URL of `bucket` (and `key`), with `query`. */
export function s3Url(bucket: string, key?: string, query: Record<string, string> = {}): string {
  const path = BASE + encodeURIComponent(bucket) + (key === undefined ? '' : '/' + key.split('/').map(encodeURIComponent).join('/'));
  const q = new URLSearchParams(query).toString();
  return q ? `${path}?${q}` : path;
}

async function s3(method: string, url: string, init: { body?: BodyInit; headers?: Record<string, string> } = {}): Promise<Response> {
  const r = await fetch(url, { method, body: init.body, headers: { ...init.headers, ...csrfHeaders(method) }, cache: 'no-store', credentials: 'same-origin' });
  if (!r.ok) throw await errorOf(r);
  return r;
}

async function xml(r: Response): Promise<Document> {
  return new DOMParser().parseFromString(await r.text(), 'application/xml');
}

const text = (e: Element | Document, tag: string): string | undefined => e.getElementsByTagName(tag)[0]?.textContent ?? undefined;
const children = (e: Element | Document, tag: string): Element[] => Array.from(e.getElementsByTagName(tag));

/** One object in a listing. */
export interface ObjectEntry {
  key: string;
  size: number;
  lastModified: string;
  etag: string;
  storageClass?: string;
}

/** One page of a folder: its subfolders (common prefixes) and objects, and the token of the next page. */
export interface Listing {
  folders: string[];
  objects: ObjectEntry[];
  next?: string;
}

/** ListObjectsV2 of `prefix` with delimiter '/': one page of at most `maxKeys` entries. */
export async function listFolder(bucket: string, prefix: string, maxKeys: number, token?: string): Promise<Listing> {
  const doc = await xml(await s3('GET', s3Url(bucket, undefined, {
    'list-type': '2', delimiter: '/', prefix, 'max-keys': String(maxKeys), ...(token ? { 'continuation-token': token } : {}),
  })));
  return {
    // CommonPrefixes/Prefix only: the listing's own Prefix element is a direct child of the root.
    folders: children(doc, 'CommonPrefixes').map((c) => text(c, 'Prefix') ?? ''),
    objects: children(doc, 'Contents').map((c) => ({
      key: text(c, 'Key') ?? '', size: Number(text(c, 'Size') ?? 0), lastModified: text(c, 'LastModified') ?? '',
      etag: text(c, 'ETag') ?? '', storageClass: text(c, 'StorageClass'),
    })),
    next: text(doc, 'IsTruncated') === 'true' ? text(doc, 'NextContinuationToken') : undefined,
  };
}

/** HeadObject: the object's headers (content type, length, metadata as x-amz-meta-*). */
export async function headObject(bucket: string, key: string): Promise<Headers> {
  return (await s3('HEAD', s3Url(bucket, key))).headers;
}

/** DeleteObject. */
export async function deleteObject(bucket: string, key: string): Promise<void> {
  await s3('DELETE', s3Url(bucket, key));
}

/** One tag. */
export interface Tag {
  key: string;
  value: string;
}

/** GetObjectTagging. */
export async function getObjectTags(bucket: string, key: string): Promise<Tag[]> {
  const doc = await xml(await s3('GET', s3Url(bucket, key, { tagging: '' })));
  return children(doc, 'Tag').map((t) => ({ key: text(t, 'Key') ?? '', value: text(t, 'Value') ?? '' }));
}

const escapeXml = (s: string): string => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** PutObjectTagging (an empty list: DeleteObjectTagging). */
export async function putObjectTags(bucket: string, key: string, tags: Tag[]): Promise<void> {
  if (tags.length === 0) {
    await s3('DELETE', s3Url(bucket, key, { tagging: '' }));
    return;
  }
  const body = `<Tagging><TagSet>${tags.map((t) => `<Tag><Key>${escapeXml(t.key)}</Key><Value>${escapeXml(t.value)}</Value></Tag>`).join('')}</TagSet></Tagging>`;
  await s3('PUT', s3Url(bucket, key, { tagging: '' }), { body, headers: { 'Content-Type': 'application/xml' } });
}

/** The URL that downloads the object as a file named after its key's last part. */
export function downloadUrl(bucket: string, key: string): string {
  const name = key.split('/').pop() || 'download';
  // RFC 6266: filename* carries any name; the plain filename is for old agents.
  const disposition = `attachment; filename="${name.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`;
  return s3Url(bucket, key, { 'response-content-disposition': disposition });
}

/** One request with upload progress; resolves with the finished request, rejects with the S3 error. */
function send(method: string, url: string, body: Blob | string | null, headers: Record<string, string>, onSent: (bytes: number) => void, signal?: AbortSignal): Promise<XMLHttpRequest> {
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    x.open(method, url);
    for (const [k, v] of Object.entries({ ...headers, ...csrfHeaders(method) })) x.setRequestHeader(k, v);
    x.upload.onprogress = (e) => onSent(e.loaded);
    x.onload = () => {
      if (x.status >= 200 && x.status < 300) return resolve(x);
      const r = new Response(x.responseText, { status: x.status, statusText: x.statusText, headers: { 'Content-Type': x.getResponseHeader('Content-Type') ?? '' } });
      void errorOf(r).then(reject);
    };
    x.onerror = () => reject(new ApiError(0, 'NetworkError', `The upload to ${url} failed: the connection was lost.`));
    x.onabort = () => reject(new ApiError(0, 'Cancelled', 'The upload was cancelled.'));
    signal?.addEventListener('abort', () => x.abort(), { once: true });
    x.send(body);
  });
}

/** The part size for a file of `size` bytes: at least MIN_PART, and few enough parts for S3's 10,000. */
function partSizeOf(size: number): number {
  return Math.max(MIN_PART, Math.ceil(size / 10_000 / (1024 * 1024)) * 1024 * 1024);
}

/**
 * Uploads `file` as `key`, calling `onProgress` with the bytes sent so far: one PutObject, or a multipart upload
 * for a large file (aborted, so that no parts are left behind, when a part fails or `signal` cancels it).
 */
export async function uploadFile(bucket: string, key: string, file: Blob, onProgress: (sent: number) => void, signal?: AbortSignal): Promise<void> {
  const type = file.type || 'application/octet-stream';
  if (file.size <= MULTIPART_THRESHOLD) {
    await send('PUT', s3Url(bucket, key), file, { 'Content-Type': type }, onProgress, signal);
    onProgress(file.size);
    return;
  }
  const created = await xml(await s3('POST', s3Url(bucket, key, { uploads: '' }), { headers: { 'Content-Type': type } }));
  const uploadId = text(created, 'UploadId')!;
  const partSize = partSizeOf(file.size);
  const parts: { n: number; etag: string }[] = [];
  try {
    for (let start = 0, n = 1; start < file.size; start += partSize, n++) {
      const chunk = file.slice(start, Math.min(start + partSize, file.size));
      const x = await send('PUT', s3Url(bucket, key, { partNumber: String(n), uploadId }), chunk, {}, (b) => onProgress(start + b), signal);
      parts.push({ n, etag: x.getResponseHeader('ETag') ?? '' });
      onProgress(start + chunk.size);
    }
    const body = `<CompleteMultipartUpload>${parts.map((p) => `<Part><PartNumber>${p.n}</PartNumber><ETag>${escapeXml(p.etag)}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
    const done = await s3('POST', s3Url(bucket, key, { uploadId }), { body, headers: { 'Content-Type': 'application/xml' } });
    // CompleteMultipartUpload can answer 200 with an error in the body (S3 does, for a failure after it began).
    const doc = await xml(done);
    if (doc.documentElement.nodeName === 'Error') throw new ApiError(500, text(doc, 'Code') ?? 'InternalError', text(doc, 'Message') ?? 'The upload could not be completed.');
  } catch (e) {
    await s3('DELETE', s3Url(bucket, key, { uploadId })).catch(() => {});
    throw e;
  }
}

/** One version of an object, or a delete marker. */
export interface Version {
  versionId: string;
  isLatest: boolean;
  lastModified: string;
  size: number;
  deleteMarker: boolean;
}

/** ListObjectVersions of exactly `key` (versions and delete markers, newest first, as S3 lists them). */
export async function listVersions(bucket: string, key: string): Promise<Version[]> {
  const out: Version[] = [];
  let marker: { key?: string; versionId?: string } = {};
  for (;;) {
    const doc = await xml(await s3('GET', s3Url(bucket, undefined, {
      versions: '', prefix: key, 'max-keys': '1000',
      ...(marker.key !== undefined ? { 'key-marker': marker.key, 'version-id-marker': marker.versionId ?? '' } : {}),
    })));
    const root = doc.documentElement;
    for (const e of Array.from(root.children)) {
      if ((e.nodeName !== 'Version' && e.nodeName !== 'DeleteMarker') || text(e, 'Key') !== key) continue;
      out.push({
        versionId: text(e, 'VersionId') ?? 'null', isLatest: text(e, 'IsLatest') === 'true', lastModified: text(e, 'LastModified') ?? '',
        size: Number(text(e, 'Size') ?? 0), deleteMarker: e.nodeName === 'DeleteMarker',
      });
    }
    if (text(root, 'IsTruncated') !== 'true') return out;
    marker = { key: text(root, 'NextKeyMarker'), versionId: text(root, 'NextVersionIdMarker') };
  }
}

/** The URL that downloads one version of the object. */
export function versionDownloadUrl(bucket: string, key: string, versionId: string): string {
  const u = new URL(downloadUrl(bucket, key), location.origin);
  u.searchParams.set('versionId', versionId);
  return u.pathname + u.search;
}

/** CopyObject of an older version onto the key: it becomes the current version again (the versions after it stay). */
export async function restoreVersion(bucket: string, key: string, versionId: string): Promise<void> {
  const source = `${encodeURIComponent(bucket)}/${key.split('/').map(encodeURIComponent).join('/')}?versionId=${encodeURIComponent(versionId)}`;
  const r = await s3('PUT', s3Url(bucket, key), { headers: { 'x-amz-copy-source': source } });
  const doc = await xml(r);
  if (doc.documentElement.nodeName === 'Error') throw new ApiError(500, text(doc, 'Code') ?? 'InternalError', text(doc, 'Message') ?? 'The copy failed.');
}

/** RestoreObject: a readable copy of an archived object for `days` days. */
export async function restoreArchived(bucket: string, key: string, days: number): Promise<void> {
  await s3('POST', s3Url(bucket, key, { restore: '' }), {
    body: `<RestoreRequest><Days>${days}</Days></RestoreRequest>`, headers: { 'Content-Type': 'application/xml' },
  });
}

/** One key DeleteObjects could not delete, with S3's reason. */
export interface DeleteFailure {
  key: string;
  code: string;
  message: string;
}

/**
 * Deletes every object under `prefix` (a folder, its subfolders and its marker): pages of ListObjectsV2, each page
 * deleted by one DeleteObjects (Quiet: only failures come back, and each key is authorized as its DeleteObject).
 * `onProgress` sees the keys deleted and failed so far. In a versioned bucket each key gets a delete marker, as a
 * DeleteObject would give it. Stops between pages when `signal` aborts.
 */
export async function deletePrefix(bucket: string, prefix: string, onProgress: (deleted: number, failed: DeleteFailure[]) => void, signal?: AbortSignal): Promise<{ deleted: number; failed: DeleteFailure[] }> {
  let deleted = 0;
  const failed: DeleteFailure[] = [];
  let token: string | undefined;
  do {
    if (signal?.aborted) break;
    const doc = await xml(await s3('GET', s3Url(bucket, undefined, { 'list-type': '2', prefix, 'max-keys': '1000', ...(token ? { 'continuation-token': token } : {}) })));
    const keys = children(doc, 'Contents').map((c) => text(c, 'Key') ?? '');
    // The token names the last key listed: the next page starts after it, whatever this page's deletes did.
    token = text(doc, 'IsTruncated') === 'true' ? text(doc, 'NextContinuationToken') : undefined;
    if (keys.length === 0) break;
    const body = `<Delete><Quiet>true</Quiet>${keys.map((k) => `<Object><Key>${escapeXml(k)}</Key></Object>`).join('')}</Delete>`;
    const answer = await xml(await s3('POST', s3Url(bucket, undefined, { delete: '' }), { body, headers: { 'Content-Type': 'application/xml' } }));
    const errors = children(answer, 'Error').map((e) => ({ key: text(e, 'Key') ?? '', code: text(e, 'Code') ?? '', message: text(e, 'Message') ?? '' }));
    failed.push(...errors);
    deleted += keys.length - errors.length;
    onProgress(deleted, failed);
  } while (token);
  return { deleted, failed };
}

/** Headers a CopyObject with REPLACE would otherwise drop: kept as the object has them. */
const KEPT_HEADERS = ['content-type', 'cache-control', 'content-disposition', 'content-encoding', 'content-language', 'expires'];

/**
 * Replaces the object's user metadata (x-amz-meta-*) by CopyObject onto itself with x-amz-metadata-directive
 * REPLACE, as S3 does it: the content stays, and so do its content type and the other headers in KEPT_HEADERS, its
 * tags (the tagging directive stays COPY) and its storage class (a copy would be STANDARD otherwise). `head`: the
 * object's HeadObject headers. In a versioned bucket the result is a new version.
 */
export async function replaceMetadata(bucket: string, key: string, head: Headers, metadata: Record<string, string>): Promise<void> {
  const headers: Record<string, string> = {
    'x-amz-copy-source': `${encodeURIComponent(bucket)}/${key.split('/').map(encodeURIComponent).join('/')}`,
    'x-amz-metadata-directive': 'REPLACE',
    // Only if unchanged since it was read: another writer's newer object is not overwritten with old content.
    ...(head.get('etag') ? { 'x-amz-copy-source-if-match': head.get('etag')! } : {}),
  };
  for (const name of KEPT_HEADERS) {
    const v = head.get(name);
    if (v !== null) headers[name] = v;
  }
  const storageClass = head.get('x-amz-storage-class');
  if (storageClass) headers['x-amz-storage-class'] = storageClass;
  for (const [k, v] of Object.entries(metadata)) headers[`x-amz-meta-${k.toLowerCase()}`] = v;
  const r = await s3('PUT', s3Url(bucket, key), { headers });
  const doc = await xml(r);
  if (doc.documentElement.nodeName === 'Error') throw new ApiError(500, text(doc, 'Code') ?? 'InternalError', text(doc, 'Message') ?? 'The copy failed.');
}
