/**
 * A browser test of POST Object: a real HTML form, served from another origin on loopback, uploads a file the
 * page chose (playwright's setInputFiles) straight to the bucket through headless Chromium, signed with SigV4;
 * S3 redirects the browser back to the page with the key and ETag (set-up: test/helpers/browser.ts).
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { browserSession, CHROMIUM, STEP_MS } from '../helpers/browser.js';
import { signedForm } from '../helpers/post-form.js';

const BUCKET = 'browser-post';

const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

describe('browser: an HTML form uploads a file with POST Object', { skip: CHROMIUM.skip }, () => {
  const session = browserSession(BUCKET, (req, res, { server, pageOrigin }) => {
    if (req.url?.startsWith('/done')) return res.end('<!doctype html><title>done</title><p id="done">uploaded</p>');
    // The form: signed fields first, the file last, as S3 requires.
    const fields = signedForm(server, BUCKET, {
      key: 'from-form/${filename}', 'content-type': 'text/plain', success_action_redirect: `${pageOrigin}/done`,
    });
    const inputs = Object.entries(fields).map(([k, v]) => `<input type="hidden" name="${escape(k)}" value="${escape(v)}">`).join('\n');
    res.end(`<!doctype html><title>uploader</title>
<form id="f" action="${server.endpoint}/${BUCKET}" method="post" enctype="multipart/form-data">
${inputs}
<input type="file" name="file" id="file"><button id="send" type="submit">upload</button>
</form>`);
  });

  it('the form posts the chosen file; the browser lands on the redirect with bucket, key and etag', async () => {
    const { page, pageOrigin, server } = session;
    await page.goto(pageOrigin, { timeout: STEP_MS });
    const body = `chosen in the browser at ${Date.now()}\n`;
    await page.setInputFiles('#file', { name: 'note.txt', mimeType: 'text/plain', buffer: Buffer.from(body) });
    await Promise.all([page.waitForURL(/\/done\?/, { timeout: STEP_MS }), page.click('#send')]);
    const landed = new URL(page.url());
    assert.equal(landed.origin, pageOrigin);
    assert.deepEqual([landed.searchParams.get('bucket'), landed.searchParams.get('key')], [BUCKET, 'from-form/note.txt']);
    assert.match(landed.searchParams.get('etag') ?? '', /^"[0-9a-f]{32}"$/);
    assert.equal(await readFile(join(server.root, BUCKET, 'from-form', 'note.txt'), 'utf8'), body, 'the upload is the file on disk');
  });
});
