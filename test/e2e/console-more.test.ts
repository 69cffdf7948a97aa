/**
 * The web console's later pieces of #18, in headless Chromium against a real server with an archive tier, each
 * checked over S3 (or on disk), not only in the page: a presigned link copied and fetched with no signer; an
 * object's metadata edited (content and type kept); a folder of 1,203 objects deleted with its progress; the
 * lifecycle rule editor (saved, refused in S3's words with nothing changed, disabled, deleted); a bucket's
 * identity set and unset; an archived object restored; the default retention editor; the server's identity mode;
 * and every page at phone width (390×844) without horizontal overflow. Screenshots go to test-output/console/.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  CreateBucketCommand, GetBucketLifecycleConfigurationCommand, GetObjectCommand, GetObjectLockConfigurationCommand, HeadObjectCommand,
  ListObjectsV2Command, PutObjectCommand, type S3Client,
} from '@aws-sdk/client-s3';
import { adminOf } from '../helpers/admin.js';
import { CHROMIUM, openConsoleBrowser, s3Status, signInByKeyboard, type ConsoleBrowser } from '../helpers/console-browser.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { waitUntil } from '../helpers/wait.js';

const B = 'more';
const ME = { uid: process.getuid!(), gid: process.getgid!() };

describe('web console: links, metadata, folders, lifecycle, identity, restore, retention, phone width', { skip: CHROMIUM.skip }, () => {
  let ts: TestServer;
  let admin: string;
  let s3: S3Client;
  let b: ConsoleBrowser;
  let archive: string;
  const lifecycle = () => s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: B }));

  before(async () => {
    archive = await mkdtemp(join(tmpdir(), 'dirbucket-console-tier-'));
    ts = await startServer({ args: ['--admin-listen', '127.0.0.1:0', '--archive-dir', archive] });
    admin = adminOf(ts);
    s3 = ts.client();
    await s3.send(new CreateBucketCommand({ Bucket: B }));
    await s3.send(new CreateBucketCommand({ Bucket: 'locked', ObjectLockEnabledForBucket: true }));
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'keep.txt', Body: 'kept content\n', ContentType: 'text/plain', Metadata: { color: 'blue' } }));
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'cold.bin', Body: 'cold bytes\n', StorageClass: 'GLACIER' }));
    // A folder of more than one listing page, written on disk.
    for (let i = 0; i < 1200; i++) {
      const dir = join(ts.root, B, 'docs', `d${i % 4}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `f${i}`), String(i));
    }
    for (const key of ['docs/a.txt', 'docs/sub/b.txt', 'docs/c.txt']) await s3.send(new PutObjectCommand({ Bucket: B, Key: key, Body: key }));
    b = await openConsoleBrowser();
    await signInByKeyboard(b.page, admin, ts.accessKeyId, ts.secretAccessKey);
    await b.page.locator('[data-signed-in-as]').waitFor();
  });
  after(async () => {
    await b?.close();
    await ts?.stop();
    if (archive) await rm(archive, { recursive: true, force: true });
  });

  test('a presigned link: made for the lifetime chosen, signed by the signed-in key, fetched with no signer', async () => {
    const { page } = b;
    await page.goto(`${admin}/#/buckets/${B}/object/keep.txt`);
    await page.getByLabel('Link valid for').selectOption('86400');
    await page.getByRole('button', { name: 'Copy a presigned link' }).click();
    const field = page.locator('input[data-presigned-url]');
    await field.waitFor();
    const url = new URL(await field.inputValue());
    assert.equal(url.origin, new URL(ts.endpoint).origin);
    assert.equal(url.searchParams.get('X-Amz-Expires'), '86400');
    assert.ok(url.searchParams.get('X-Amz-Credential')!.startsWith(`${ts.accessKeyId}/`));
    const got = await fetch(url);
    assert.equal(got.status, 200);
    assert.equal(await got.text(), 'kept content\n');
    await b.shot('30-presigned-link');
  });

  test('metadata edited in the page: replaced over S3, the content and its type kept', async () => {
    const { page } = b;
    await page.goto(`${admin}/#/buckets/${B}/object/keep.txt`);
    await page.getByLabel('Metadata 1 value').fill('green');
    await page.getByRole('button', { name: 'Add metadata' }).click();
    await page.getByLabel('Metadata 2 name').fill('owner');
    await page.getByLabel('Metadata 2 value').fill('ann');
    await page.getByRole('button', { name: 'Save metadata' }).click();
    await page.getByRole('status').filter({ hasText: 'Metadata saved.' }).waitFor();
    const head = await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'keep.txt' }));
    assert.deepEqual(head.Metadata, { color: 'green', owner: 'ann' });
    assert.equal(head.ContentType, 'text/plain');
    const body = await (await s3.send(new GetObjectCommand({ Bucket: B, Key: 'keep.txt' }))).Body!.transformToString();
    assert.equal(body, 'kept content\n');
  });

  test('a folder deleted: every key under it, over two listing pages, the rest of the bucket kept', async () => {
    const { page } = b;
    await page.goto(`${admin}/#/buckets/${B}`);
    await page.getByRole('button', { name: 'Delete folder docs/' }).click();
    const status = page.locator('[data-folder-delete="docs/"][data-state="done"]');
    await status.waitFor({ timeout: 60_000 });
    assert.match(await status.innerText(), /Deleted 1203 objects under docs\//);
    assert.equal((await s3.send(new ListObjectsV2Command({ Bucket: B, Prefix: 'docs/' }))).KeyCount, 0);
    assert.equal(await s3Status(s3.send(new HeadObjectCommand({ Bucket: B, Key: 'keep.txt' }))), 200);
    await page.locator('tr[data-folder="docs/"]').waitFor({ state: 'detached' });
  });

  test('lifecycle rules: saved as S3 reads them; refused in S3\'s words with nothing changed; disabled; deleted', async () => {
    const { page } = b;
    await page.goto(`${admin}/#/buckets/${B}/settings`);
    await page.getByText('No lifecycle rules').waitFor();
    await page.getByRole('button', { name: 'Add a lifecycle rule' }).click();
    await page.getByLabel('Prefix', { exact: true }).fill('logs/');
    await page.getByLabel('Expire current versions after (days)').fill('30');
    await page.getByLabel('Expire noncurrent versions after (days)').fill('5');
    await page.getByLabel('Abort incomplete multipart uploads after (days)').fill('7');
    await page.getByRole('button', { name: 'Add a transition to rule 1' }).click();
    // The bucket has an archive tier: the archive classes are offered.
    await page.getByLabel('Rule 1 transition 1 to').selectOption('GLACIER');
    await page.getByLabel('after (days) for transition 1 of rule 1').fill('10');
    await page.getByRole('button', { name: 'Save lifecycle rules' }).click();
    await page.getByRole('status').filter({ hasText: 'Lifecycle rules saved.' }).waitFor();
    let rules = (await lifecycle()).Rules!;
    assert.deepEqual(rules, [{
      ID: 'rule-1', Status: 'Enabled', Filter: { Prefix: 'logs/' }, Expiration: { Days: 30 }, Transitions: [{ Days: 10, StorageClass: 'GLACIER' }],
      NoncurrentVersionExpiration: { NoncurrentDays: 5 }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
    }]);
    await b.shot('31-lifecycle-editor');

    // S3 refuses aborting uploads in a rule filtered by tags: its message is shown, and nothing changes.
    await page.getByLabel('Tags (key=value, comma-separated)').fill('team=ops');
    await page.getByRole('button', { name: 'Save lifecycle rules' }).click();
    await page.getByRole('alert').filter({ hasText: 'AbortIncompleteMultipartUpload cannot be specified with Tags' }).waitFor();
    assert.deepEqual((await lifecycle()).Rules, rules);

    await page.getByLabel('Abort incomplete multipart uploads after (days)').fill('');
    await page.getByLabel('Rule 1 enabled').uncheck();
    await page.getByRole('button', { name: 'Save lifecycle rules' }).click();
    await page.getByRole('status').filter({ hasText: 'Lifecycle rules saved.' }).waitFor();
    rules = (await lifecycle()).Rules!;
    assert.equal(rules[0]!.Status, 'Disabled');
    assert.deepEqual(rules[0]!.Filter, { And: { Prefix: 'logs/', Tags: [{ Key: 'team', Value: 'ops' }] } });
    assert.equal(rules[0]!.AbortIncompleteMultipartUpload, undefined);

    await page.getByRole('button', { name: 'Remove rule 1' }).click();
    await page.getByRole('button', { name: 'Delete the lifecycle configuration' }).click();
    await page.getByRole('status').filter({ hasText: 'Lifecycle configuration deleted.' }).waitFor();
    await assert.rejects(lifecycle(), { name: 'NoSuchLifecycleConfiguration' });
  });

  test('the bucket\'s identity: set and unset in the page, in the users file', async () => {
    const { page } = b;
    const usersFile = () => JSON.parse(readFileSync(join(ts.root, '.dirbucket', 'users.json'), 'utf8')) as { bucketIdentities?: Record<string, unknown> };
    await page.goto(`${admin}/#/buckets/${B}/settings`);
    await page.locator('[data-acts-as="each user"]').waitFor();
    await page.getByLabel('Identity (UID:GID or a login on the server)').fill(`${ME.uid}:${ME.gid}`);
    await page.getByRole('button', { name: 'Set identity' }).click();
    await page.getByRole('status').filter({ hasText: 'Identity saved.' }).waitFor();
    await page.locator(`[data-acts-as="${ME.uid}:${ME.gid}"]`).waitFor();
    assert.deepEqual(usersFile().bucketIdentities?.[B], { ...ME, groups: [] });
    await b.shot('32-bucket-identity');
    await page.getByRole('button', { name: 'Unset identity' }).click();
    await page.getByRole('status').filter({ hasText: 'Identity unset.' }).waitFor();
    assert.equal(usersFile().bucketIdentities?.[B], undefined);
  });

  test('an archived object restored from its page: readable over S3 once the restore is done', async () => {
    const { page } = b;
    assert.equal(await s3Status(s3.send(new GetObjectCommand({ Bucket: B, Key: 'cold.bin' }))), 403, 'archived: not readable');
    await page.goto(`${admin}/#/buckets/${B}/object/cold.bin`);
    await page.getByText('Archived: restore a readable copy').waitFor();
    await page.getByLabel('Days', { exact: true }).fill('2');
    await page.getByRole('button', { name: 'Restore', exact: true }).click();
    await page.getByText(/Restore: ongoing-request=/).waitFor();
    assert.match((await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'cold.bin' }))).Restore ?? '', /^ongoing-request=/);
    assert.ok(await waitUntil(async () => (await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'cold.bin' }))).Restore?.startsWith('ongoing-request="false"') ?? false,
      { timeoutMs: 30_000, intervalMs: 250 }), 'the restore completes');
    const body = await (await s3.send(new GetObjectCommand({ Bucket: B, Key: 'cold.bin' }))).Body!.transformToString();
    assert.equal(body, 'cold bytes\n');
    await page.reload();
    await page.getByText(/Restore: ongoing-request="false"/).waitFor();
    await b.shot('33-archive-restored');
  });

  test('default retention set and cleared in the page, as S3 reads it', async () => {
    const { page } = b;
    await page.goto(`${admin}/#/buckets/locked/settings`);
    // The form is named Default retention too: the select by its id.
    await page.locator('#lock-mode').selectOption('GOVERNANCE');
    await page.locator('#lock-period').fill('3');
    await page.getByRole('button', { name: 'Save retention' }).click();
    await page.getByRole('status').filter({ hasText: 'Default retention saved.' }).waitFor();
    let got = (await s3.send(new GetObjectLockConfigurationCommand({ Bucket: 'locked' }))).ObjectLockConfiguration;
    assert.deepEqual(got?.Rule?.DefaultRetention, { Mode: 'GOVERNANCE', Days: 3 });
    await page.getByText('default retention GOVERNANCE, 3 days').waitFor();
    await page.locator('#lock-mode').selectOption('');
    await page.getByRole('button', { name: 'Save retention' }).click();
    await page.getByText('no default retention').waitFor();
    got = (await s3.send(new GetObjectLockConfigurationCommand({ Bucket: 'locked' }))).ObjectLockConfiguration;
    assert.equal(got?.ObjectLockEnabled, 'Enabled');
    assert.equal(got?.Rule, undefined);
  });

  test('the server page names serve\'s identity mode', async () => {
    await b.page.goto(`${admin}/#/server`);
    await b.page.locator('[data-identity-mode="user"]').waitFor();
  });

  test('every page at phone width (390×844): nothing wider than the screen', async () => {
    const { page } = b;
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      const pages: [string, string][] = [
        ['buckets', '#/buckets'], ['objects', `#/buckets/${B}`], ['object', `#/buckets/${B}/object/keep.txt`], ['settings', `#/buckets/${B}/settings`],
        ['users', '#/users'], ['certificates', '#/certificates'], ['server', '#/server'],
      ];
      for (const [name, route] of pages) {
        await page.goto(`${admin}/${route}`);
        await page.locator('#page-title').waitFor();
        // Everything the page loads is in: no request left, then a frame drawn.
        await page.waitForLoadState('networkidle');
        const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, view: window.innerWidth }));
        assert.ok(widths.page <= widths.view, `${name}: ${widths.page}px wide in a ${widths.view}px screen`);
        await b.shot(`40-phone-${name}`);
      }
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByLabel('Access key').waitFor();
      const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, view: window.innerWidth }));
      assert.ok(widths.page <= widths.view, `sign-in: ${widths.page}px wide in a ${widths.view}px screen`);
      await b.shot('40-phone-sign-in');
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });
});
