/**
 * A browser test of POST Object: a real HTML form, served from another origin on loopback, uploads a file the
 * page chose (playwright's setInputFiles) straight to the bucket through headless Chromium (Debian's chromium,
 * driven by playwright-core), signed with SigV4; S3 redirects the browser back to the page with the key and
 * ETag. Under CI=true a missing chromium fails; elsewhere the test is skipped with a message.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startServer, type TestServer } from '../helpers/server.js';
import { signedForm } from '../helpers/post-form.js';

const CHROMIUM = '/usr/bin/chromium';
const BUCKET = 'browser-post';
const STEP_MS = 30_000;

function skipReason(): false | string {
  if (existsSync(CHROMIUM)) return false;
  const message = `${CHROMIUM} is not installed (apt-get install chromium)`;
  if (process.env.CI === 'true') throw new Error(`CI: ${message}`);
  return message;
}

const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

describe('browser: an HTML form uploads a file with POST Object', { skip: skipReason() }, () => {
  let ts: TestServer;
  let pages: Server;
  let pageOrigin: string;
  let profile: string;
  let context: BrowserContext;
  let page: Page;

  before(async () => {
    ts = await startServer();
    await ts.client().send(new CreateBucketCommand({ Bucket: BUCKET }));
    pages = createServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      if (req.url?.startsWith('/done')) return res.end('<!doctype html><title>done</title><p id="done">uploaded</p>');
      // The form: signed fields first, the file last, as S3 requires.
      const fields = signedForm(ts, BUCKET, {
        key: 'from-form/${filename}', 'content-type': 'text/plain', success_action_redirect: `${pageOrigin}/done`,
      });
      const inputs = Object.entries(fields).map(([k, v]) => `<input type="hidden" name="${escape(k)}" value="${escape(v)}">`).join('\n');
      res.end(`<!doctype html><title>uploader</title>
<form id="f" action="${ts.endpoint}/${BUCKET}" method="post" enctype="multipart/form-data">
${inputs}
<input type="file" name="file" id="file"><button id="send" type="submit">upload</button>
</form>`);
    });
    await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
    pageOrigin = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`;
    profile = await mkdtemp(join(tmpdir(), 'dirbucket-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      timeout: STEP_MS,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
    });
    context.setDefaultTimeout(STEP_MS);
    page = context.pages()[0] ?? (await context.newPage());
  });

  after(async () => {
    await context?.close().catch(() => {});
    if (profile) await rm(profile, { recursive: true, force: true });
    await new Promise<void>((resolve) => (pages ? pages.close(() => resolve()) : resolve()));
    await ts?.stop();
  });

  it('the form posts the chosen file; the browser lands on the redirect with bucket, key and etag', async () => {
    await page.goto(pageOrigin, { timeout: STEP_MS });
    const body = `chosen in the browser at ${Date.now()}\n`;
    await page.setInputFiles('#file', { name: 'note.txt', mimeType: 'text/plain', buffer: Buffer.from(body) });
    await Promise.all([page.waitForURL(/\/done\?/, { timeout: STEP_MS }), page.click('#send')]);
    const landed = new URL(page.url());
    assert.equal(landed.origin, pageOrigin);
    assert.deepEqual([landed.searchParams.get('bucket'), landed.searchParams.get('key')], [BUCKET, 'from-form/note.txt']);
    assert.match(landed.searchParams.get('etag') ?? '', /^"[0-9a-f]{32}"$/);
    assert.equal(await readFile(join(ts.root, BUCKET, 'from-form', 'note.txt'), 'utf8'), body, 'the upload is the file on disk');
  });
});
