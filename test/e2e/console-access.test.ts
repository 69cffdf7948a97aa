/**
 * The web console for a user who is not an administrator, and the certificates page: the page offers such a user
 * only what their rights allow (no users, certificates or server pages, no bucket creation without the right,
 * only the buckets they have access to), and whatever the page is made to ask for beyond that, the admin API and
 * the S3 proxy refuse as S3 would. The certificates page shows a served certificate's expiry, highlighted when
 * under 30 days. Screenshots go to test-output/console/.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CreateBucketCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { AdminApi } from '../helpers/admin-api.js';
import { adminOf } from '../helpers/admin.js';
import { CHROMIUM, openConsoleBrowser, s3Status, signInByKeyboard, type ConsoleBrowser } from '../helpers/console-browser.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { TestCa } from './openssl-ca.js';

const ME = { uid: process.getuid!(), gid: process.getgid!() };

describe('web console: a user who is not an administrator', { skip: CHROMIUM.skip }, () => {
  let ts: TestServer;
  let admin: string;
  let s3: S3Client;
  let b: ConsoleBrowser;
  let dora: { accessKeyId: string; secretAccessKey: string };

  before(async () => {
    ts = await startServer({ args: ['--admin-listen', '127.0.0.1:0'] });
    admin = adminOf(ts);
    s3 = ts.client();
    const api = new AdminApi(admin, ts);
    for (const Bucket of ['shared', 'private']) await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(new PutObjectCommand({ Bucket: 'shared', Key: 'hello.txt', Body: 'hello\n' }));
    await s3.send(new PutObjectCommand({ Bucket: 'private', Key: 'secret.txt', Body: 'secret\n' }));
    assert.equal((await api.call('POST', 'users', { name: 'dora', ...ME })).status, 201);
    assert.equal((await api.call('PUT', 'grants/dora/shared', { access: 'read-only' })).status, 200);
    const k = await api.call('POST', 'keys', { user: 'dora' });
    dora = { accessKeyId: k.body.accessKeyId, secretAccessKey: k.body.secretAccessKey };
    b = await openConsoleBrowser();
  });
  after(async () => {
    await b?.close();
    await ts?.stop();
  });

  test('signed in, the page offers buckets and their own keys only; the buckets listed are those granted', async () => {
    const { page } = b;
    await signInByKeyboard(page, admin, dora.accessKeyId, dora.secretAccessKey);
    await page.locator('[data-signed-in-as="dora"]').waitFor();
    const nav = page.getByRole('navigation', { name: 'Main' });
    assert.deepEqual(await nav.getByRole('link').allInnerTexts(), ['Buckets', 'Your keys']);
    await page.locator('tr[data-bucket="shared"]').waitFor();
    assert.deepEqual(await page.locator('tr[data-bucket]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-bucket'))), ['shared']);
    assert.equal(await page.getByLabel('New bucket').count(), 0, 'no bucket creation without the right');
    await b.shot('20-non-admin-buckets');
    await nav.getByRole('link', { name: 'Your keys' }).click();
    await page.locator(`tr[data-key-id="${dora.accessKeyId}"]`).waitFor();
    assert.equal(await page.locator('tr[data-key-id]').count(), 1);
    assert.equal(await page.getByRole('button', { name: /Revoke/ }).count(), 0);
    // The administrator's pages, asked for by address, are not shown: the buckets page is.
    for (const route of ['server', 'certificates']) {
      await page.goto(`${admin}/#/${route}`);
      await page.getByRole('heading', { name: 'Buckets', level: 1 }).waitFor();
    }
  });

  test('read-only: browse and download, but an upload and a delete are refused with S3\'s AccessDenied, and nothing changes', async () => {
    const { page } = b;
    await page.goto(`${admin}/#/buckets/shared`);
    const row = page.locator('tr[data-key="hello.txt"]');
    await row.waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), row.getByRole('link', { name: /Download/ }).click()]);
    const chunks: Buffer[] = [];
    for await (const c of (await download.createReadStream())) chunks.push(c as Buffer);
    assert.equal(Buffer.concat(chunks).toString(), 'hello\n');
    await page.getByLabel('Upload files').setInputFiles({ name: 'new.txt', mimeType: 'text/plain', buffer: Buffer.from('new\n') });
    const failed = page.locator('li[data-upload="new.txt"][data-state="failed"]');
    await failed.waitFor();
    assert.match(await failed.innerText(), /AccessDenied/);
    assert.equal(await s3Status(s3.send(new HeadObjectCommand({ Bucket: 'shared', Key: 'new.txt' }))), 404);
    await row.getByRole('button', { name: 'Delete hello.txt' }).click();
    // The page's own error line (the failed upload above has its own, in its row).
    await page.locator('section > p[role="alert"]').filter({ hasText: 'AccessDenied' }).waitFor();
    assert.equal(await s3Status(s3.send(new HeadObjectCommand({ Bucket: 'shared', Key: 'hello.txt' }))), 200);
    await b.shot('21-non-admin-refused');
  });

  test('what the page does not offer, the API and the S3 proxy refuse: other buckets, users, the server', async () => {
    const { page } = b;
    const statuses = await page.evaluate(async () => {
      const get = async (p: string) => (await fetch(p)).status;
      return {
        list: await get('/admin/v1/s3/private?list-type=2'),
        object: await get('/admin/v1/s3/private/secret.txt'),
        users: await get('/admin/v1/users'),
        server: await get('/admin/v1/server'),
        certificates: await get('/admin/v1/certificates'),
        own: await get('/admin/v1/s3/shared?list-type=2'),
      };
    });
    assert.deepEqual(statuses, { list: 403, object: 403, users: 403, server: 403, certificates: 403, own: 200 });
  });
});

describe('web console: certificates', { skip: CHROMIUM.skip }, () => {
  const ca = new TestCa();
  let ts: TestServer;
  let b: ConsoleBrowser;

  before(async () => {
    const soon = ca.issue(['localhost'], { days: 12 });
    ts = await startServer({ args: ['--admin-listen', '127.0.0.1:0', '--tls-cert', soon.cert, '--tls-key', soon.key] });
    b = await openConsoleBrowser();
  });
  after(async () => {
    await b?.close();
    await ts?.stop();
    ca.dispose();
  });

  test('a certificate with 12 days left: its expiry and days left, highlighted as expiring', async () => {
    const { page } = b;
    await signInByKeyboard(page, adminOf(ts), ts.accessKeyId, ts.secretAccessKey);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Certificates' }).click();
    const row = page.locator('tr[data-certificate]');
    await row.waitFor();
    assert.equal(await row.count(), 1);
    assert.equal(await row.getAttribute('data-status'), 'expiring');
    assert.match(await row.getAttribute('class') ?? '', /expiring/);
    const days = Number(await row.locator('[data-days-left]').innerText());
    assert.ok(days === 11 || days === 12, String(days));
    assert.match(await row.innerText(), /CN=localhost/);
    assert.match(await row.innerText(), /expiring: renew/);
    await b.shot('22-certificates');
  });
});
