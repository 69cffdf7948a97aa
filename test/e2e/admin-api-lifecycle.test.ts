/**
 * /admin/v1/buckets/:bucket/lifecycle against a real server: rules written as JSON are what S3 clients read back
 * (and the API reads back the same JSON); refusals carry S3's codes and change nothing; DELETE removes them. GET
 * /buckets/:b offers the archive classes only where the bucket has an archive tier.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetBucketLifecycleConfigurationCommand } from '@aws-sdk/client-s3';
import { AdminApi } from '../helpers/admin-api.js';
import { adminOf } from '../helpers/admin.js';
import { startServer, type TestServer } from '../helpers/server.js';

const B = 'ruled';

describe('admin API: bucket lifecycle', () => {
  let ts: TestServer;
  let api: AdminApi;
  let archive: string;

  before(async () => {
    archive = await mkdtemp(join(tmpdir(), 'dirbucket-lc-tier-'));
    ts = await startServer({ args: ['--admin-listen', '127.0.0.1:0'] });
    api = new AdminApi(adminOf(ts), ts);
    await ts.client().send(new CreateBucketCommand({ Bucket: B }));
  });
  after(async () => {
    await ts?.stop();
    await rm(archive, { recursive: true, force: true });
  });

  test('rules as JSON: S3 reads them back, and so does the API', async () => {
    assert.deepEqual((await api.call('GET', `buckets/${B}/lifecycle`)).body, { rules: [] });
    const rules = [
      {
        id: 'logs', enabled: true, filter: { form: 'and', prefix: 'logs/', tags: [{ key: 'team', value: 'ops' }] },
        expiration: { days: 90 }, transitions: [{ days: 30, storageClass: 'STANDARD_IA' }], noncurrentExpiration: { noncurrentDays: 7 }, noncurrentTransitions: [],
      },
      { id: 'uploads', enabled: false, filter: { form: 'filter', tags: [] }, transitions: [], noncurrentTransitions: [], abortIncompleteMultipartUploadDays: 3 },
    ];
    const r = await api.call('PUT', `buckets/${B}/lifecycle`, { rules });
    assert.equal(r.status, 204, JSON.stringify(r.body));
    const got = await ts.client().send(new GetBucketLifecycleConfigurationCommand({ Bucket: B }));
    assert.equal(got.Rules?.length, 2);
    assert.deepEqual(got.Rules![0]!.Filter, { And: { Prefix: 'logs/', Tags: [{ Key: 'team', Value: 'ops' }] } });
    assert.deepEqual(got.Rules![0]!.Transitions, [{ Days: 30, StorageClass: 'STANDARD_IA' }]);
    assert.deepEqual([got.Rules![1]!.Status, got.Rules![1]!.AbortIncompleteMultipartUpload?.DaysAfterInitiation], ['Disabled', 3]);
    assert.deepEqual((await api.call('GET', `buckets/${B}/lifecycle`)).body, { rules });
    // Shorthand: lists and the filter may be left out.
    assert.equal((await api.call('PUT', `buckets/${B}/lifecycle`, { rules: [{ id: 'all', enabled: true, expiration: { days: 1 } }] })).status, 204);
    assert.deepEqual((await ts.client().send(new GetBucketLifecycleConfigurationCommand({ Bucket: B }))).Rules?.map((x) => [x.ID, x.Expiration?.Days]), [['all', 1]]);
  });

  test('refused as S3 refuses them, nothing changed; DELETE removes them', async () => {
    const before = (await api.call('GET', `buckets/${B}/lifecycle`)).body;
    const refusals: [unknown, number, string][] = [
      [{ rules: 'all' }, 400, 'MalformedJSON'],
      [{ rules: [null] }, 400, 'MalformedJSON'],
      [{ rules: [] }, 400, 'MalformedXML'],
      [{ rules: [{ id: 'none', enabled: true }] }, 400, 'InvalidRequest'],
      [{ rules: [{ id: 'short', enabled: true, transitions: [{ days: 5, storageClass: 'STANDARD_IA' }] }] }, 400, 'InvalidArgument'],
      [{ rules: [{ id: 'tagged', enabled: true, filter: { tags: [{ key: 'a', value: 'b' }] }, abortIncompleteMultipartUploadDays: 2 }] }, 400, 'InvalidRequest'],
    ];
    for (const [body, status, code] of refusals) {
      const r = await api.call('PUT', `buckets/${B}/lifecycle`, body);
      assert.deepEqual([r.status, r.body.code], [status, code], `${JSON.stringify(body)}: ${r.body.message}`);
    }
    assert.deepEqual((await api.call('GET', `buckets/${B}/lifecycle`)).body, before);
    assert.equal((await api.call('DELETE', `buckets/${B}/lifecycle`)).status, 204);
    await assert.rejects(ts.client().send(new GetBucketLifecycleConfigurationCommand({ Bucket: B })), { name: 'NoSuchLifecycleConfiguration' });
    assert.deepEqual((await api.call('GET', `buckets/${B}/lifecycle`)).body, { rules: [] });
  });

  test('storage classes offered: the archive ones only with an archive tier', async () => {
    const without = (await api.call('GET', `buckets/${B}`)).body.storageClasses as string[];
    assert.ok(without.includes('STANDARD_IA') && !without.includes('GLACIER'), String(without));
    const tiered = await startServer({ args: ['--admin-listen', '127.0.0.1:0', '--archive-dir', archive] });
    try {
      await tiered.client().send(new CreateBucketCommand({ Bucket: B }));
      const classes = (await new AdminApi(adminOf(tiered), tiered).call('GET', `buckets/${B}`)).body.storageClasses as string[];
      assert.ok(classes.includes('GLACIER') && classes.includes('DEEP_ARCHIVE') && classes.includes('STANDARD_IA'), String(classes));
    } finally {
      await tiered.stop();
    }
  });
});
