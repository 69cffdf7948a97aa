/**
 * ListMultipartUploads shows an identity only the uploads it could see with `ls -R`: an upload under a
 * directory it may not list would reveal a name in it. Needs root (CI runs as root) to make a second identity.
 */
import assert from 'node:assert/strict';
import { chownSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateMultipartUploadCommand, ListMultipartUploadsCommand, type S3Client } from '@aws-sdk/client-s3';
import { requireRoot } from '../helpers/requires.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { addUser, createKey, dirbucketOk } from './users-cli.js';
import { makeTempDir, removeDir } from '../helpers/files.js';

const BUCKET = 'uploads-perm';

describe('ListMultipartUploads and directory permissions', { skip: requireRoot('create a second identity') }, () => {
  let root: string;
  let ts: TestServer;
  let admin: S3Client;
  let alice: S3Client;

  before(async () => {
    root = await makeTempDir('dirbucket-uploads-perm-');
    const bucketDir = join(root, BUCKET);
    mkdirSync(bucketDir, { mode: 0o755 });
    mkdirSync(join(bucketDir, 'open'), { mode: 0o755 });
    mkdirSync(join(bucketDir, 'private'), { mode: 0o700 });
    chownSync(join(bucketDir, 'private'), 0, 0);
    await addUser(root, 'alice', { uid: 4101, gid: 4101, groups: [] });
    await dirbucketOk(['bucket', 'grant', 'alice', BUCKET, 'read-write', '--root', root]);
    const key = await createKey(root, 'alice');
    ts = await startServer({ root });
    admin = ts.client();
    alice = ts.client({ credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey } });
    for (const Key of ['top.bin', 'open/a.bin', 'private/secret-name.bin']) {
      await admin.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key }));
    }
  });

  after(async () => {
    await ts?.stop();
    if (root) await removeDir(root);
  });

  const keysOf = async (c: S3Client) => ((await c.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }))).Uploads ?? []).map((u) => u.Key);

  it('the administrator sees every upload', async () => {
    assert.deepEqual(await keysOf(admin), ['open/a.bin', 'private/secret-name.bin', 'top.bin']);
  });

  it('a user does not see uploads under a directory it cannot list', async () => {
    assert.deepEqual(await keysOf(alice), ['open/a.bin', 'top.bin']);
  });
});
