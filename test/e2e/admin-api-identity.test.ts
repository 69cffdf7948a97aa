/**
 * /admin/v1/buckets/:bucket/identity and `dirbucket bucket identity … --endpoint` against a real server: set, read
 * (what is in force: the mode, the identity requests act as), unset; the refusals (no such bucket, not an identity,
 * not JSON, not an administrator) change nothing; the command line through the server prints what it prints on the
 * state directory. GET /server's identityMode is serve's --identity-mode, and chown says whether files can be given away.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { AdminApi } from '../helpers/admin-api.js';
import { adminOf } from '../helpers/admin.js';
import { repoRoot } from '../helpers/repo-root.js';
import { startServer, type TestServer } from '../helpers/server.js';

const ME = { uid: process.getuid!(), gid: process.getgid!() };
const B = 'idb';

/** Runs the command line to completion, without the caller's AWS credentials. */
function dirbucket(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const clean = { ...process.env };
    delete clean.AWS_ACCESS_KEY_ID;
    delete clean.AWS_SECRET_ACCESS_KEY;
    const child = spawn(process.execPath, [join(repoRoot(), 'bin', 'dirbucket.js'), ...args], { env: { ...clean, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

describe('admin API: bucket identity', () => {
  let ts: TestServer;
  let admin: string;
  let api: AdminApi;
  const usersFile = () => JSON.parse(readFileSync(join(ts.root, '.dirbucket', 'users.json'), 'utf8')) as { bucketIdentities?: Record<string, unknown> };

  before(async () => {
    ts = await startServer({ args: ['--admin-listen', '127.0.0.1:0'] });
    admin = adminOf(ts);
    api = new AdminApi(admin, ts);
    await ts.client().send(new CreateBucketCommand({ Bucket: B }));
  });
  after(async () => {
    await ts?.stop();
  });

  test('GET /server: the identity mode serve runs in, and whether it may chown', async () => {
    const r = await api.call('GET', 'server');
    assert.equal(r.body.identityMode, 'user');
    // Root may chown; the tests' other users have no CAP_CHOWN (the test server then runs --without-chown own-identity).
    assert.equal(r.body.chown, process.getuid!() === 0);
  });

  test('set, read, unset: in the users file, and in force at once', async () => {
    let r = await api.call('GET', `buckets/${B}/identity`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body, { bucket: B, mode: 'user', identity: null, actsAs: null });
    r = await api.call('PUT', `buckets/${B}/identity`, { identity: `${ME.uid}:${ME.gid}` });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body, { bucket: B, identity: { ...ME, groups: [] } });
    assert.deepEqual(usersFile().bucketIdentities?.[B], { ...ME, groups: [] });
    r = await api.call('GET', `buckets/${B}/identity`);
    assert.deepEqual(r.body, { bucket: B, mode: 'user', identity: { ...ME, groups: [] }, actsAs: { ...ME, groups: [] } }, 'an identity set is in force in mode user too');
    assert.equal((await api.call('DELETE', `buckets/${B}/identity`)).status, 204);
    assert.equal(usersFile().bucketIdentities?.[B], undefined);
    r = await api.call('GET', `buckets/${B}/identity`);
    assert.deepEqual([r.body.identity, r.body.actsAs], [null, null]);
    r = await api.call('DELETE', `buckets/${B}/identity`);
    assert.deepEqual([r.status, r.body.code], [404, 'NoSuchEntity']);
  });

  test('refusals change nothing: no such bucket, not an identity, not a string, not an administrator', async () => {
    const refusals: [string, string, unknown, number, string][] = [
      ['PUT', 'buckets/no-such-bucket/identity', { identity: '1:1' }, 404, 'NoSuchBucket'],
      ['GET', 'buckets/no-such-bucket/identity', undefined, 404, 'NoSuchBucket'],
      ['PUT', `buckets/${B}/identity`, { identity: '1:2:3' }, 400, 'InvalidArgument'],
      ['PUT', `buckets/${B}/identity`, { identity: 'no-such-login-here' }, 400, 'InvalidArgument'],
      ['PUT', `buckets/${B}/identity`, { identity: 1000 }, 400, 'MalformedJSON'],
    ];
    for (const [method, path, body, status, code] of refusals) {
      const r = await api.call(method, path, body);
      assert.deepEqual([r.status, r.body.code], [status, code], `${method} ${path} ${JSON.stringify(body)}: ${JSON.stringify(r.body)}`);
    }
    assert.equal(usersFile().bucketIdentities?.[B], undefined);
    assert.equal((await api.call('POST', 'users', { name: 'alice', ...ME })).status, 201);
    const key = (await api.call('POST', 'keys', { user: 'alice' })).body;
    const alice = new AdminApi(admin, key);
    for (const [method, body] of [['GET', undefined], ['PUT', { identity: '0:0' }], ['DELETE', undefined]] as const) {
      const r = await alice.call(method, `buckets/${B}/identity`, body);
      assert.deepEqual([r.status, r.body.code], [403, 'AccessDenied'], method);
      assert.match(r.body.message, /Only an administrator may .* bucket identities; user alice is not one/);
    }
    assert.equal(usersFile().bucketIdentities?.[B], undefined, 'alice changed nothing');
  });

  test('dirbucket bucket identity --endpoint prints what it prints on the state directory', async () => {
    const env = { AWS_ACCESS_KEY_ID: ts.accessKeyId, AWS_SECRET_ACCESS_KEY: ts.secretAccessKey };
    const remote = await dirbucket(['bucket', 'identity', B, `${ME.uid}:${ME.gid}`, '--endpoint', admin], env);
    assert.equal(remote.code, 0, remote.err);
    assert.deepEqual(usersFile().bucketIdentities?.[B], { ...ME, groups: [] });
    const local = await dirbucket(['bucket', 'identity', B, `${ME.uid}:${ME.gid}`, '--root', ts.root]);
    assert.equal(local.code, 0, local.err);
    assert.equal(remote.out, local.out);
    assert.match(remote.out, new RegExp(`^Requests to bucket ${B} act as uid ${ME.uid}, gid ${ME.gid}\\.\\n$`));
    const unset = await dirbucket(['bucket', 'identity', B, '--unset', '--endpoint', admin], env);
    assert.equal(unset.code, 0, unset.err);
    assert.equal(unset.out, `Bucket ${B} has no identity of its own any more: requests act as the identity mode says.\n`);
    assert.equal(usersFile().bucketIdentities?.[B], undefined);
    const again = await dirbucket(['bucket', 'identity', B, '--unset', '--endpoint', admin], env);
    assert.equal(again.code, 2);
    assert.match(again.err, /has no identity set.*NoSuchEntity/);
    const missing = await dirbucket(['bucket', 'identity', 'no-such-bucket', '1:1', '--endpoint', admin], env);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /NoSuchBucket/);
  });
});
