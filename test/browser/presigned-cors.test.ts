/**
 * A browser test: a page served from another origin on loopback uploads to and downloads from presigned URLs
 * in headless Chromium (Debian's chromium, driven by playwright-core), and is refused once the bucket's CORS
 * rule is removed. Under CI=true a missing chromium fails; elsewhere the test is skipped with a message.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateBucketCommand, DeleteBucketCorsCommand, PutBucketCorsCommand } from '@aws-sdk/client-s3';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { requireTool } from '../helpers/requires.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { presignUrl } from '../e2e/util.js';

const CHROMIUM = requireTool('chromium');
const BUCKET = 'browser-cors';
/** Bounds every browser step: a hung browser fails the test instead of hanging the suite. */
const STEP_MS = 30_000;

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
  let ts: TestServer;
  let pages: Server;
  let pageOrigin: string;
  let profile: string;
  let context: BrowserContext;
  let page: Page;

  before(async () => {
    ts = await startServer();
    await ts.client().send(new CreateBucketCommand({ Bucket: BUCKET }));
    // The page's own origin: another port on loopback is another origin.
    pages = createServer((_, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><title>uploader</title><p>cross-origin uploader</p>');
    });
    await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
    pageOrigin = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`;
    profile = await mkdtemp(join(tmpdir(), 'dirbucket-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM.path,
      headless: true,
      timeout: STEP_MS,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
    });
    context.setDefaultTimeout(STEP_MS);
    page = context.pages()[0] ?? (await context.newPage());
    await page.goto(pageOrigin, { timeout: STEP_MS });
  });

  after(async () => {
    await context?.close().catch(() => {});
    if (profile) await rm(profile, { recursive: true, force: true });
    await new Promise<void>((resolve) => (pages ? pages.close(() => resolve()) : resolve()));
    await ts?.stop();
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
