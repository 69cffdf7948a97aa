/** The users file and the gateway's view of it: atomic locked updates, mode 0600, reload on change, principals. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { authorize } from '../../src/s3/rights/authorize.js';
import type { OperationName } from '../../src/s3/operations.js';
import { parseKeyLifetime as parseDuration } from '../../src/config/duration.js';
import { addUser, createKey, grantBucket, revokeKey } from '../../src/accounts/user-admin.js';
import { UserDirectory } from '../../src/accounts/user-directory.js';
import { readUsers, updateUsers } from '../../src/accounts/users-file.js';
import { NotImplementedBackend } from '../../src/storage/backend.js';
import { waitUntil } from '../helpers/wait.js';

const SELF = { uid: 0, gid: 0, groups: [] };
const ADMIN = { accessKeyId: 'ADMINKEY', secretAccessKey: 'admin-secret' };

function tempFile(): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'dirbucket-users-'));
  return { dir, file: join(dir, 'state', 'users.json') };
}

test('concurrent updates from several processes all land; the file is 0600', async () => {
  const { dir, file } = tempFile();
  try {
    const module = fileURLToPath(new URL('../../src/accounts/users-file.js', import.meta.url));
    // Why processes and not promises: the lock must hold across processes (CLI and servers), not only in one.
    const script = `const { updateUsers } = await import(${JSON.stringify(module)});
      for (let i = 0; i < 10; i++) await updateUsers(process.argv[1], (d) => { d.users[process.argv[2] + i] = { name: process.argv[2] + i, uid: 1, gid: 1, groups: [], admin: false, canCreateBuckets: false, buckets: {}, keys: [], created: '' }; });`;
    const run = (tag: string) => new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', script, file, tag], { stdio: 'inherit' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
    assert.deepEqual(await Promise.all(['a', 'b', 'c'].map(run)), [0, 0, 0]);
    assert.equal(Object.keys((await readUsers(file)).users).length, 30);
    assert.equal(statSync(file).mode & 0o777, 0o600);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a lock left by a dead writer is broken after a while', async () => {
  const { dir, file } = tempFile();
  try {
    await updateUsers(file, () => undefined);
    writeFileSync(`${file}.lock`, '99999\n');
    const old = (Date.now() - 60_000) / 1000;
    utimesSync(`${file}.lock`, old, old);
    await updateUsers(file, (d) => addUser(d, { name: 'u', identity: SELF, admin: false, canCreateBuckets: false }));
    assert.ok((await readUsers(file)).users.u);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the gateway view follows the file: new keys, revocation, grants; principals carry identity and rights', async () => {
  const { dir, file } = tempFile();
  const users = await UserDirectory.open({ file, admin: ADMIN, self: SELF, ownIdentityOnly: false, pollMs: 50 });
  try {
    assert.equal(users.lookup('ADMINKEY')?.user, 'admin');
    const admin = users.principal(users.lookup('ADMINKEY')!);
    assert.deepEqual([admin.admin, admin.access('any'), admin.identity], [true, 'read-write', SELF]);

    const key = await updateUsers(file, (d) => {
      addUser(d, { name: 'ann', identity: { uid: 1001, gid: 2001, groups: [7] }, admin: false, canCreateBuckets: false });
      grantBucket(d, 'ann', 'pics', 'read-only');
      return createKey(d, 'ann', parseDuration('1h'));
    });
    assert.ok(await waitUntil(() => users.lookup(key.accessKeyId) !== undefined, { timeoutMs: 5000, intervalMs: 20 }), 'a new key is seen');
    const ann = users.principal(users.lookup(key.accessKeyId)!);
    assert.deepEqual([ann.user, ann.identity, ann.access('pics'), ann.access('other'), ann.canCreateBuckets], ['ann', { uid: 1001, gid: 2001, groups: [7] }, 'read-only', 'none', false]);
    assert.ok(Math.abs(users.lookup(key.accessKeyId)!.expires!.getTime() - Date.now() - 3_600_000) < 60_000);

    const backend = new NotImplementedBackend();
    await authorize({ operation: 'GetObject', bucket: 'pics', principal: ann, backend });
    await assert.rejects(authorize({ operation: 'PutObject', bucket: 'pics', principal: ann, backend }), /S3 rights: user 'ann' has read-only access/);
    await assert.rejects(authorize({ operation: 'GetObject', bucket: 'other', principal: ann, backend }), /S3 rights: user 'ann' has no access/);
    await assert.rejects(authorize({ operation: 'CopyObject', bucket: 'other', principal: { ...ann, access: (b) => (b === 'other' ? 'read-write' : 'none') }, backend, copySourceBucket: 'pics' }),
      /no access to bucket 'pics'/);
    await assert.rejects(authorize({ operation: 'CreateBucket', bucket: 'x', principal: ann, backend }), /may not create buckets/);
    await assert.rejects(authorize({ operation: 'SomeFutureOperation' as OperationName, bucket: 'pics', principal: ann, backend }), /NotImplemented|not implemented/,
      'an operation missing from the table needs the owner, which asks the back end');

    await updateUsers(file, (d) => revokeKey(d, key.accessKeyId));
    assert.ok(await waitUntil(() => users.lookup(key.accessKeyId)?.revoked !== undefined, { timeoutMs: 5000, intervalMs: 20 }), 'the revocation is seen');
  } finally {
    users.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a gateway that cannot chown refuses principals of other identities', async () => {
  const { dir, file } = tempFile();
  try {
    const key = await updateUsers(file, (d) => {
      addUser(d, { name: 'other', identity: { uid: 5, gid: 5, groups: [] }, admin: false, canCreateBuckets: false });
      addUser(d, { name: 'same', identity: { uid: 1000, gid: 1000, groups: [] }, admin: false, canCreateBuckets: false });
      return [createKey(d, 'other'), createKey(d, 'same')];
    });
    const users = await UserDirectory.open({ file, admin: ADMIN, self: { uid: 1000, gid: 1000, groups: [] }, ownIdentityOnly: true });
    try {
      assert.throws(() => users.principal(users.lookup(key[0]!.accessKeyId)!), /serves only users with its own identity/);
      assert.equal(users.principal(users.lookup(key[1]!.accessKeyId)!).user, 'same');
    } finally {
      users.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
