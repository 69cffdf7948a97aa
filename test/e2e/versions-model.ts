/** Helpers for the versioning end-to-end tests: a key's history as the server lists it, and what is kept on disk. */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseXml, rawRequest, type Target } from './util.js';

/** One entry of ListObjectVersions, in the server's order. */
export interface Listed {
  key: string;
  id: string;
  latest: boolean;
  marker: boolean;
  lastModified: number;
  /** Versions only. */
  etag?: string;
  size?: number;
}

/**
 * Every version and delete marker under `prefix` in S3 order (keys ascending, each key's newest first), paging by
 * key-marker and version-id-marker (bounded to 100 pages). The answer lists a page's versions, then its markers
 * (each in that order): they are merged back here.
 */
export async function listedVersions(t: Target, bucket: string, prefix = ''): Promise<Listed[]> {
  const out: Listed[] = [];
  let markers: [string, string][] = [];
  for (let page = 0; page < 100; page++) {
    const r = await rawRequest(t, { method: 'GET', path: `/${bucket}`, query: [['versions', ''], ['prefix', prefix], ...markers] });
    assert.equal(r.status, 200, r.text);
    for (const m of r.text.matchAll(/<(Version|DeleteMarker)>(.*?)<\/\1>/gs)) {
      const field = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(m[2]!)?.[1];
      out.push({
        key: unescape(field('Key')!),
        id: field('VersionId')!,
        latest: field('IsLatest') === 'true',
        marker: m[1] === 'DeleteMarker',
        lastModified: Date.parse(field('LastModified')!),
        ...(m[1] === 'Version' ? { etag: unescape(field('ETag')!), size: Number(field('Size')) } : {}),
      });
    }
    const doc = parseXml(r.text) as { ListVersionsResult?: { IsTruncated?: unknown; NextKeyMarker?: unknown; NextVersionIdMarker?: unknown } };
    const res = doc.ListVersionsResult ?? {};
    if (String(res.IsTruncated) !== 'true') return inS3Order(out);
    markers = [['key-marker', String(res.NextKeyMarker ?? '')], ['version-id-marker', String(res.NextVersionIdMarker ?? '')]];
  }
  assert.fail('ListObjectVersions did not end within 100 pages');
}

/** `key`'s history, newest first, as `id` with `*` for a delete marker and `!` for the latest. */
export async function historyOf(t: Target, bucket: string, key: string): Promise<string[]> {
  return (await listedVersions(t, bucket, key)).filter((e) => e.key === key).map((e) => `${e.id}${e.marker ? '*' : ''}${e.latest ? '!' : ''}`);
}

/** The names kept in the store for `key` under the served `root` (docs/versioning.md), lock and temporaries left out. */
export function keptNames(root: string, bucket: string, key: string): string[] {
  const dir = join(root, bucket, '.dirbucket', 'versions', ...key.split('/'), '.dirbucket');
  return existsSync(dir) ? readdirSync(dir).filter((n) => !n.startsWith('.')).sort() : [];
}

/**
 * Keys ascending (UTF-8 bytes); within a key the latest first, then ids descending (ids sort by creation);
 * `null`, whose place is not in its id, by LastModified.
 */
function inS3Order(entries: Listed[]): Listed[] {
  return entries.sort((a, b) => {
    const byKey = Buffer.compare(Buffer.from(a.key), Buffer.from(b.key));
    if (byKey !== 0) return byKey;
    if (a.latest !== b.latest) return a.latest ? -1 : 1;
    if (a.id !== 'null' && b.id !== 'null') return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
    return b.lastModified - a.lastModified;
  });
}

function unescape(s: string): string {
  return s.replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}
