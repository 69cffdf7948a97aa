/**
 * A browser test: a page served from another origin on loopback uploads to and downloads from presigned URLs
 * in headless Chromium, and is refused once the bucket's CORS rule is removed (set-up: test/helpers/browser.ts).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { DeleteBucketCorsCommand, PutBucketCorsCommand } from '@aws-sdk/client-s3';
import type { Page } from 'playwright-core';
import { browserSession, CHROMIUM, STEP_MS } from '../helpers/browser.js';
import type { TestServer } from '../helpers/server.js';
import { presignUrl } from '../e2e/util.js';

const BUCKET = 'browser-cors';

/** What the page reports back: the status and text of each step, or the error a refused fetch raised. */
interface Outcome {
  put?: { status: number; etag: string | null };
  get?: { status: number; text: string };
  error?: string;
}

/**
 * Runs, inside the page (its origin, not the server's), a PUT of `body` and a GET through presigned URLs. The GET
 * bypasses the HTTP cache: a cached answer with the old CORS headers would hide the server's.
 */
function transfer(page: Page, urls: { put: string; get: string }, body: string): Promise<Outcome> {
  return page.evaluate(async ({ put, get, body }) => {
    const out: { put?: { status: number; etag: string | null }; get?: { status: number; text: string }; error?: string } = {};
    try {
      const p = await fetch(put, { method: 'PUT', body, headers: { 'Content-Type': 'text/plain' } });
      out.put = { status: p.status, etag: p.headers.get('ETag') };
    } catch (e) {
      out.error = `PUT: ${String(e)}`;
      return out;
    }
    try {
      const g = await fetch(get, { cache: 'no-store' });
      out.get = { status: g.status, text: await g.text() };
    } catch (e) {
      out.error = `GET: ${String(e)}`;
    }
    return out;
  }, { ...urls, body });
}

describe('browser: presigned upload and download across origins', { skip: CHROMIUM.skip }, () => {
  // The page's own origin: another port on loopback is another origin.
  const session = browserSession(BUCKET, (_, res) => res.end('<!doctype html><title>uploader</title><p>cross-origin uploader</p>'));
  let ts: TestServer;
  let pageOrigin: string;
  let page: Page;

  before(async () => {
    ({ server: ts, pageOrigin, page } = session);
    await page.goto(pageOrigin, { timeout: STEP_MS });
  });

  const urls = (key: string) => ({
    put: presignUrl(ts, { method: 'PUT', path: `/${BUCKET}/${key}`, expiresSeconds: 300 }),
    get: presignUrl(ts, { method: 'GET', path: `/${BUCKET}/${key}`, expiresSeconds: 300 }),
  });

  it('uploads and downloads through presigned URLs while a CORS rule allows the page\'s origin', async () => {
    await ts.client().send(new PutBucketCorsCommand({
      Bucket: BUCKET,
      CORSConfiguration: { CORSRules: [{ AllowedOrigins: [pageOrigin], AllowedMethods: ['GET', 'PUT'], AllowedHeaders: ['*'], ExposeHeaders: ['ETag'], MaxAgeSeconds: 0 }] },
      // MaxAgeSeconds 0: the browser keeps no preflight answer, so the removal is seen at once.
    }));
    const body = `uploaded from ${pageOrigin} at ${Date.now()}`;
    const out = await transfer(page, urls('from-browser.txt'), body);
    assert.equal(out.error, undefined, out.error);
    assert.equal(out.put?.status, 200);
    assert.match(out.put?.etag ?? '', /^"[0-9a-f]{32}"$/, 'the exposed ETag is readable by the page');
    assert.deepEqual(out.get, { status: 200, text: body });
    assert.equal(await readFile(join(ts.root, BUCKET, 'from-browser.txt'), 'utf8'), body, 'the upload is the file on disk');
  });

  it('is refused by the browser once the rule is removed: nothing uploaded, nothing read', async () => {
    await ts.client().send(new DeleteBucketCorsCommand({ Bucket: BUCKET }));
    const put = await transfer(page, urls('refused.txt'), 'must not arrive');
    assert.match(put.error ?? '', /^PUT: TypeError/, JSON.stringify(put));
    assert.equal(existsSync(join(ts.root, BUCKET, 'refused.txt')), false, 'the preflight failed, so the PUT was never sent');
    const get = await page.evaluate(async (url) => fetch(url, { cache: 'no-store' }).then((r) => `status ${r.status}`, (e: unknown) => `refused: ${String(e)}`), urls('from-browser.txt').get);
    assert.match(get, /^refused: TypeError/);
  });
});
