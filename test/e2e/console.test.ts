/**
 * The web console as an administrator uses it, in headless Chromium against a real server: the page and its
 * bundle (headers, size), sign-in by keyboard (a refused one first), a bucket created, a 24 MiB file uploaded in
 * parts with its progress bar seen moving and a folder uploaded, browsing folders and pages, a download compared
 * byte for byte, tags, a delete, a user and a key created in the page and the key used with the AWS SDK, a key
 * revoked, sign-out. Every check of what the page did is made over S3 or on disk, not only in the page.
 * Screenshots of each page go to test-output/console/.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CreateBucketCommand, GetBucketCorsCommand, GetBucketVersioningCommand, GetObjectCommand, GetObjectTaggingCommand, HeadBucketCommand, HeadObjectCommand, ListBucketsCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { adminOf } from '../helpers/admin.js';
import { CHROMIUM, openConsoleBrowser, progressSeen, recordProgress, s3Status, signInByKeyboard, type ConsoleBrowser } from '../helpers/console-browser.js';
import { startServer, type TestServer } from '../helpers/server.js';

const BUCKET = 'console-e2e';
const BIG = 24 * 1024 * 1024;
const sha256 = (b: Buffer | Uint8Array) => createHash('sha256').update(b).digest('hex');

async function bodyOf(s3: S3Client, Bucket: string, Key: string): Promise<Buffer> {
  const r = await s3.send(new GetObjectCommand({ Bucket, Key }));
  return Buffer.from(await r.Body!.transformToByteArray());
}

describe('web console: an administrator', { skip: CHROMIUM.skip }, () => {
  let ts: TestServer;
  let admin: string;
  let s3: S3Client;
  let b: ConsoleBrowser;
  let files: string;
  const big = randomBytes(BIG);

  before(async () => {
    ts = await startServer({ args: ['--admin-listen', '127.0.0.1:0'] });
    admin = adminOf(ts);
    s3 = ts.client();
    files = mkdtempSync(join(tmpdir(), 'dirbucket-console-'));
    writeFileSync(join(files, 'big.bin'), big);
    mkdirSync(join(files, 'album', 'sub'), { recursive: true });
    writeFileSync(join(files, 'album', 'a.txt'), 'first\n');
    writeFileSync(join(files, 'album', 'sub', 'b.txt'), 'second\n');
    writeFileSync(join(files, 'page.html'), '<script>document.title="ran"</script>');
    b = await openConsoleBrowser();
  });
  after(async () => {
    await b?.close();
    if (files) rmSync(files, { recursive: true, force: true });
    await ts?.stop();
  });

  test('the page: a strict CSP, no framing; the bundle gzipped under 300 KB and cached for good', async () => {
    const r = await fetch(admin + '/');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type')!, /^text\/html/);
    assert.match(r.headers.get('content-security-policy')!, /script-src 'self'/);
    assert.match(r.headers.get('content-security-policy')!, /frame-ancestors 'none'/);
    assert.equal(r.headers.get('x-frame-options'), 'DENY');
    const html = await r.text();
    const js = /src="(\/assets\/app-[0-9a-f]{12}\.js)"/.exec(html)?.[1];
    assert.ok(js, html);
    const a = await fetch(admin + js, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(a.status, 200);
    assert.match(a.headers.get('cache-control')!, /immutable/);
    // fetch decodes gzip itself: the bytes on the wire are the .gz file's, measured here by its Content-Length.
    const wire = Number(a.headers.get('content-length'));
    assert.equal(a.headers.get('content-encoding'), 'gzip');
    assert.ok(wire > 1000 && wire < 300 * 1024, `${wire} bytes gzipped`);
    assert.ok((await a.text()).length > wire, 'decoded is larger than on the wire');
    assert.equal((await fetch(admin + '/assets/../../package.json')).status, 404);
    assert.equal((await fetch(admin + '/assets/app-000000000000.js')).status, 404);
  });

  test('sign-in: a wrong secret is refused in the page; the right one, typed with the keyboard, signs in with an HttpOnly cookie', async () => {
    const { page } = b;
    await signInByKeyboard(page, admin, ts.accessKeyId, 'wrong' + ts.secretAccessKey.slice(5));
    await page.getByRole('alert').filter({ hasText: 'Sign-in refused' }).waitFor();
    await b.shot('01-sign-in-refused');
    await signInByKeyboard(page, admin, ts.accessKeyId, ts.secretAccessKey);
    await page.locator('[data-signed-in-as]').waitFor();
    assert.match(await page.locator('[data-signed-in-as]').innerText(), /\(administrator\)/);
    // The cookie's path is the API's: the page's own URL does not carry it.
    const cookies = await b.context.cookies(`${admin}/admin/v1/session`);
    const c = cookies.find((x) => x.name === 'dirbucket_session');
    assert.ok(c, JSON.stringify(cookies));
    assert.equal(c.httpOnly, true);
    assert.equal(c.sameSite, 'Strict');
    assert.equal(c.path, '/admin/v1');
    assert.equal(await page.evaluate(() => document.cookie), '', 'scripts never see the session token');
    for (const name of ['Buckets', 'Users and keys', 'Certificates', 'Server']) await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name }).waitFor();
  });

  test('buckets: create one in the page (it exists over S3), a bad name is refused with S3\'s error', async () => {
    const { page } = b;
    await page.getByLabel('New bucket').fill(BUCKET);
    await page.getByRole('button', { name: 'Create bucket' }).click();
    await page.locator(`tr[data-bucket="${BUCKET}"]`).waitFor();
    assert.equal(await s3Status(s3.send(new HeadBucketCommand({ Bucket: BUCKET }))), 200);
    // The form checks the pattern; S3's own refusal shows for a name that passes it (dots next to each other).
    await page.getByLabel('New bucket').fill('bad..name');
    await page.getByRole('button', { name: 'Create bucket' }).click();
    await page.getByRole('alert').filter({ hasText: 'InvalidBucketName' }).waitFor();
    await b.shot('02-buckets');
  });

  test('upload: a 24 MiB file in parts with its progress bar moving, and a folder; both as S3 sees them', async () => {
    const { page } = b;
    await page.locator(`tr[data-bucket="${BUCKET}"]`).getByRole('link', { name: BUCKET, exact: true }).click();
    await page.getByText('This folder is empty.').waitFor();
    await recordProgress(page);
    await page.getByLabel('Upload files').setInputFiles(join(files, 'big.bin'));
    await page.locator('li[data-upload="big.bin"][data-state="done"]').waitFor({ timeout: 120_000 });
    const seen = await progressSeen(page);
    const between = [...new Set(seen.filter((v) => v > 0 && v < 100))];
    assert.ok(between.length >= 2, `progress values seen: ${seen}`);
    assert.deepEqual([...seen].sort((x, y) => x - y), seen, `progress only moves forward: ${seen}`);
    assert.equal(seen.at(-1), 100);
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'big.bin' }));
    assert.equal(head.ContentLength, BIG);
    assert.match(head.ETag!, /-3"$/, 'three parts of 8 MiB: a multipart upload');
    assert.equal(sha256(await bodyOf(s3, BUCKET, 'big.bin')), sha256(big));

    await page.getByLabel('Upload a folder').setInputFiles(join(files, 'album'));
    await page.locator('li[data-upload="album/sub/b.txt"][data-state="done"]').waitFor();
    assert.equal((await bodyOf(s3, BUCKET, 'album/a.txt')).toString(), 'first\n');
    assert.equal((await bodyOf(s3, BUCKET, 'album/sub/b.txt')).toString(), 'second\n');
    await page.locator('tr[data-folder="album/"]').waitFor();
    await b.shot('03-objects-uploaded');
  });

  test('browse: into folders and back by the path; pages of a large folder', async () => {
    const { page } = b;
    await page.locator('tr[data-folder="album/"]').getByRole('link').click();
    await page.locator('tr[data-key="album/a.txt"]').waitFor();
    await page.locator('tr[data-folder="album/sub/"]').getByRole('link').click();
    await page.locator('tr[data-key="album/sub/b.txt"]').waitFor();
    assert.equal(await page.locator('tr[data-key]').count(), 1);
    await page.getByRole('navigation', { name: 'Folder path' }).getByRole('link', { name: 'album' }).click();
    await page.locator('tr[data-key="album/a.txt"]').waitFor();

    for (let i = 0; i < 55; i++) await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `many/k${String(i).padStart(2, '0')}`, Body: `${i}` }));
    await page.goto(`${admin}/#/buckets/${BUCKET}/folder/many%2F`);
    await page.getByLabel('Per page').selectOption('50');
    await page.locator('tr[data-key="many/k49"]').waitFor();
    assert.equal(await page.locator('tr[data-key]').count(), 50);
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.locator('tr[data-key="many/k54"]').waitFor();
    assert.equal(await page.locator('tr[data-key]').count(), 5);
    assert.equal(await page.getByRole('button', { name: 'Next page' }).isDisabled(), true);
    await b.shot('04-objects-page-2');
    await page.getByRole('button', { name: 'Previous page' }).click();
    await page.locator('tr[data-key="many/k00"]').waitFor();
  });

  test('download: the file saved by the browser has the bytes uploaded, under its name', async () => {
    const { page } = b;
    await page.goto(`${admin}/#/buckets/${BUCKET}`);
    const row = page.locator('tr[data-key="big.bin"]');
    const [download] = await Promise.all([page.waitForEvent('download'), row.getByRole('link', { name: /Download/ }).click()]);
    assert.equal(download.suggestedFilename(), 'big.bin');
    const saved = join(files, 'downloaded.bin');
    await download.saveAs(saved);
    assert.equal(sha256(readFileSync(saved)), sha256(big));
  });

  test('object details: size and type; tags saved in the page are the object\'s tags over S3', async () => {
    const { page } = b;
    await page.locator('tr[data-key="big.bin"]').getByRole('link', { name: 'big.bin', exact: true }).click();
    await page.getByText(`${BIG} bytes`).waitFor();
    await page.getByRole('button', { name: 'Add a tag' }).click();
    await page.getByLabel('Tag 1 key').fill('project');
    await page.getByLabel('Tag 1 value').fill('apollo');
    await page.getByRole('button', { name: 'Save tags' }).click();
    await page.getByRole('status').filter({ hasText: 'Tags saved.' }).waitFor();
    const tags = await s3.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: 'big.bin' }));
    assert.deepEqual(tags.TagSet, [{ Key: 'project', Value: 'apollo' }]);
    await b.shot('05-object-details');
  });

  test('delete: the object is gone over S3 and from the list', async () => {
    const { page } = b;
    await page.goto(`${admin}/#/buckets/${BUCKET}/folder/album%2F`);
    await page.locator('tr[data-key="album/a.txt"]').getByRole('button', { name: 'Delete album/a.txt' }).click();
    await page.locator('tr[data-key="album/a.txt"]').waitFor({ state: 'detached' });
    assert.equal(await s3Status(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'album/a.txt' }))), 404);
  });

  test('the S3 proxy: a change without the CSRF token is refused; content is sandboxed, never run on the console\'s origin', async () => {
    const { page } = b;
    const r = await page.evaluate(async (bucket) => {
      const x = await fetch(`/admin/v1/s3/${bucket}/sneaky.txt`, { method: 'PUT', body: 'x' });
      return { status: x.status, body: await x.text() };
    }, BUCKET);
    assert.equal(r.status, 403, r.body);
    assert.match(r.body, /CSRF/);
    assert.equal(await s3Status(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'sneaky.txt' }))), 404);
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'page.html', Body: readFileSync(join(files, 'page.html')), ContentType: 'text/html' }));
    const res = await page.request.get(`${admin}/admin/v1/s3/${BUCKET}/page.html`);
    assert.equal(res.status(), 200);
    assert.match(res.headers()['content-security-policy']!, /sandbox/);
    assert.equal(res.headers()['x-content-type-options'], 'nosniff');
    // Opened in the page's own tab: the script does not run.
    const tab = await b.context.newPage();
    await tab.goto(`${admin}/admin/v1/s3/${BUCKET}/page.html`);
    assert.notEqual(await tab.title(), 'ran');
    await tab.close();
  });

  test('users and keys: a user and a key created in the page, the secret shown once and working with the AWS SDK; revoked, it stops', async () => {
    const { page } = b;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users and keys' }).click();
    await page.getByLabel('Name', { exact: true }).fill('erin');
    await page.getByLabel('uid', { exact: true }).fill(String(process.getuid!()));
    await page.getByLabel('gid', { exact: true }).fill(String(process.getgid!()));
    await page.getByLabel('May create buckets').check();
    await page.getByRole('button', { name: 'Add user' }).click();
    await page.locator('tr[data-user="erin"]').waitFor();
    await page.getByLabel('User', { exact: true }).first().selectOption('erin');
    await page.getByLabel('Expires in').fill('10d');
    await page.getByRole('button', { name: 'Create key' }).click();
    const accessKeyId = await page.locator('[data-new-access-key]').innerText();
    const secretAccessKey = await page.locator('[data-new-secret-key]').innerText();
    assert.match(secretAccessKey, /^\S{40}$/);
    // Expiring in 10 days: highlighted.
    const row = page.locator(`tr[data-key-id="${accessKeyId}"]`);
    assert.match(await row.getAttribute('class') ?? '', /expiring/);
    assert.match(await row.innerText(), /expires in (9|10) days/);
    await b.shot('06-users-new-key');
    await page.getByRole('button', { name: 'I have copied it' }).click();
    assert.equal(await page.getByText(secretAccessKey).count(), 0, 'the secret is gone from the page');
    await page.reload();
    await page.locator(`tr[data-key-id="${accessKeyId}"]`).waitFor();
    assert.ok(!(await page.content()).includes(secretAccessKey), 'and is not shown again');

    const erin = new S3Client({ endpoint: ts.endpoint, region: ts.region, forcePathStyle: true, credentials: { accessKeyId, secretAccessKey } });
    try {
      await erin.send(new CreateBucketCommand({ Bucket: 'erin-bucket' }));
      const listed = await erin.send(new ListBucketsCommand({}));
      assert.deepEqual(listed.Buckets?.map((x) => x.Name), ['erin-bucket']);
      await page.locator(`tr[data-key-id="${accessKeyId}"]`).getByRole('button', { name: `Revoke key ${accessKeyId}` }).click();
      await page.locator(`tr[data-key-id="${accessKeyId}"][data-status="revoked"]`).waitFor();
      assert.equal(await s3Status(erin.send(new ListBucketsCommand({}))), 403);
    } finally {
      erin.destroy();
    }
  });

  test('server and bucket settings pages: health, jobs, charts; versioning and CORS saved over S3, a policy that is not JSON stopped in the page', async () => {
    const { page } = b;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Server' }).click();
    await page.locator('[data-ready="true"]').waitFor();
    await page.getByRole('table', { name: 'Background jobs' }).waitFor();
    // The charts: a rate needs two samples of /metrics, 5 s apart; S3 traffic meanwhile shows in it.
    for (let i = 0; i < 5; i++) await s3.send(new HeadBucketCommand({ Bucket: BUCKET }));
    await page.locator('figure[data-chart="Requests"] polyline[points*=","]').waitFor({ timeout: 20_000 });
    await b.shot('07-server');
    await page.goto(`${admin}/#/buckets/${BUCKET}/settings`);
    await page.getByLabel('Versioning', { exact: true }).selectOption('Enabled');
    await page.getByRole('button', { name: 'Save versioning' }).click();
    await page.getByRole('status').filter({ hasText: 'Versioning saved.' }).waitFor();
    assert.equal((await s3.send(new GetBucketVersioningCommand({ Bucket: BUCKET }))).Status, 'Enabled');
    await page.getByLabel(/^Rules/).fill('[{"allowedOrigins": ["https://app.example"], "allowedMethods": ["GET"]}]');
    await page.getByRole('button', { name: 'Save CORS rules' }).click();
    await page.getByRole('status').filter({ hasText: 'CORS rules saved.' }).waitFor();
    const cors = await s3.send(new GetBucketCorsCommand({ Bucket: BUCKET }));
    assert.deepEqual([cors.CORSRules?.[0]?.AllowedOrigins, cors.CORSRules?.[0]?.AllowedMethods], [['https://app.example'], ['GET']]);
    // The bucket's CORS rules hold on the S3 listener, never on the console's origin (the proxy applies none).
    const origin = { origin: 'https://app.example' };
    assert.equal((await fetch(`${ts.endpoint}/${BUCKET}/notes-none.txt`, { headers: origin })).headers.get('access-control-allow-origin'), 'https://app.example');
    const proxied = await page.request.get(`${admin}/admin/v1/s3/${BUCKET}/album/sub/b.txt`, { headers: origin });
    assert.equal(proxied.status(), 200);
    assert.equal(proxied.headers()['access-control-allow-origin'], undefined);
    await page.getByLabel(/^Policy/).fill('{"Statement": [');
    await page.getByRole('button', { name: 'Save policy' }).click();
    await page.locator('#policy-problem').filter({ hasText: 'not valid JSON' }).waitFor();
    await b.shot('08-bucket-settings');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${admin}/#/buckets/${BUCKET}`);
    await page.locator('tr[data-key="big.bin"]').waitFor();
    await b.shot('09-objects-phone-width');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  test('versions: an object saved twice in the versioned bucket lists both; the older made current again over S3', async () => {
    const { page } = b;
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'notes.txt', Body: 'version one\n' }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'notes.txt', Body: 'version two\n' }));
    await page.goto(`${admin}/#/buckets/${BUCKET}/object/notes.txt`);
    const rows = page.locator('tr[data-version]');
    await rows.nth(1).waitFor();
    assert.equal(await rows.count(), 2);
    const older = await rows.nth(1).getAttribute('data-version');
    await rows.nth(1).getByRole('button', { name: `Make version ${older} current` }).click();
    await rows.nth(2).waitFor();
    assert.equal((await bodyOf(s3, BUCKET, 'notes.txt')).toString(), 'version one\n');
    await b.shot('10-object-versions');
  });

  test('buckets: objects and size counted on request match what S3 lists', async () => {
    const { page } = b;
    await page.goto(`${admin}/#/buckets`);
    await page.getByRole('button', { name: `Count the objects in ${BUCKET}` }).click();
    const cell = page.locator(`tr[data-bucket="${BUCKET}"] td[data-usage]`);
    await cell.waitFor();
    let objects = 0;
    let bytes = 0;
    let token: string | undefined;
    do {
      const r = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, ContinuationToken: token }));
      for (const o of r.Contents ?? []) {
        objects++;
        bytes += o.Size ?? 0;
      }
      token = r.NextContinuationToken;
    } while (token);
    assert.equal(await cell.getAttribute('data-usage'), `${objects}/${bytes}`);
    await b.shot('11-buckets-counted');
  });

  test('sign-out: back to the sign-in page, and the session is over for the API too', async () => {
    const { page } = b;
    await page.goto(`${admin}/#/buckets`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Access key').waitFor();
    const r = await page.evaluate(async () => (await fetch('/admin/v1/buckets')).status);
    assert.equal(r, 403);
    assert.equal((await b.context.cookies(`${admin}/admin/v1/session`)).filter((c) => c.name === 'dirbucket_session').length, 0);
  });
});
