/**
 * `dirbucket user|key|bucket … --endpoint URL`: the command line acting through a running server's admin API,
 * with the same output as acting on the state directory (both read back from one server, compared as text),
 * credentials from flags or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, and the refusals a remote user can meet.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { adminOf } from '../helpers/admin.js';
import { repoRoot } from '../helpers/repo-root.js';
import { startServer, type TestServer } from '../helpers/server.js';

/** Runs the command line to completion (asynchronously: the server under test answers in this same process's tests). */
function dirbucket(args: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const clean = { ...process.env };
    delete clean.AWS_ACCESS_KEY_ID;
    delete clean.AWS_SECRET_ACCESS_KEY;
    delete clean.AWS_REGION;
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

describe('dirbucket user|key|bucket --endpoint', () => {
  let ts: TestServer;
  let admin: string;
  let env: Record<string, string>;
  const remote = (...args: string[]) => dirbucket([...args, '--endpoint', admin], env);
  const local = (...args: string[]) => dirbucket([...args, '--root', ts.root]);

  before(async () => {
    ts = await startServer({ args: ['--admin-listen', '127.0.0.1:0'] });
    admin = adminOf(ts);
    env = { AWS_ACCESS_KEY_ID: ts.accessKeyId, AWS_SECRET_ACCESS_KEY: ts.secretAccessKey };
  });
  after(async () => {
    await ts?.stop();
  });

  test('user add, key create, bucket grant through the server print what the local commands print', async () => {
    let r = await remote('user', 'add', 'bob', '--uid', '1234', '--gid', '1234', '--groups', '5,6', '--can-create-buckets');
    assert.equal(r.code, 0, r.err);
    // The hint repeats where the user was added (#17): here, through the server.
    assert.equal(r.out, `Added user bob (uid 1234, gid 1234, groups 5,6), may create buckets.\nCreate a key: dirbucket key create bob --endpoint ${admin}\n`);
    r = await remote('user', 'add', 'rooty', '--system-user', 'root', '--admin');
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, `Added user rooty (uid 0, gid 0), administrator.\nCreate a key: dirbucket key create rooty --endpoint ${admin}\n`);
    r = await remote('key', 'create', 'bob', '--expires', '90d');
    assert.equal(r.code, 0, r.err);
    const m = /^User: +bob\nAccess key: (\S+)\nSecret key: (\S+)\nExpires: +(\S+)\nThe secret is shown only now; keep it safe\.\n$/.exec(r.out);
    assert.ok(m, r.out);
    // The key is real: S3 takes it.
    const bob = ts.client({ credentials: { accessKeyId: m[1]!, secretAccessKey: m[2]! } });
    await bob.send(new ListBucketsCommand({}));
    r = await remote('bucket', 'grant', 'bob', 'photos', 'read');
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, 'User bob has read-only access to bucket photos.\n');
    r = await remote('key', 'create', 'rooty', '--json');
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(Object.keys(JSON.parse(r.out)), ['user', 'accessKeyId', 'secretAccessKey']);
  });

  test('list and show, text and --json, are the same through the server as from the state directory', async () => {
    for (const args of [['user', 'list'], ['user', 'show', 'bob'], ['user', 'show', 'bob', '--json'], ['key', 'list'], ['key', 'list', 'bob', '--json']]) {
      const [a, b] = await Promise.all([remote(...args), local(...args)]);
      assert.equal(a.code, 0, `${args.join(' ')}: ${a.err}`);
      assert.equal(b.code, 0, `${args.join(' ')}: ${b.err}`);
      assert.equal(a.out, b.out, args.join(' '));
      assert.ok(a.out.includes('bob'), a.out);
    }
  });

  test('revoke, bucket revoke and user remove through the server', async () => {
    const id = (JSON.parse((await local('key', 'list', 'bob', '--json')).out) as { accessKeyId: string }[])[0]!.accessKeyId;
    let r = await remote('key', 'revoke', id);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, `Revoked key ${id} of user bob.\n`);
    assert.match((await local('key', 'list', 'bob')).out, /revoked/);
    r = await remote('bucket', 'revoke', 'bob', 'photos');
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, 'User bob has no access to bucket photos any more.\n');
    r = await remote('user', 'remove', 'bob');
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, 'Removed user bob and 1 key(s).\n');
    assert.doesNotMatch((await local('user', 'list')).out, /^bob /m);
  });

  test('credentials from flags; refusals exit 2 with the server\'s message, and change nothing', async () => {
    // Flags instead of the environment.
    let r = await dirbucket(['user', 'list', '--endpoint', admin, '--access-key', ts.accessKeyId, '--secret-key', ts.secretAccessKey]);
    assert.equal(r.code, 0, r.err);
    r = await dirbucket(['user', 'list', '--endpoint', admin]);
    assert.equal(r.code, 2);
    assert.match(r.err, /--endpoint needs credentials/);
    r = await remote('user', 'list', '--secret-key', 'wrong');
    assert.equal(r.code, 2);
    assert.match(r.err, /SignatureDoesNotMatch/);
    r = await dirbucket(['user', 'list', '--endpoint', admin, '--root', ts.root], env);
    assert.equal(r.code, 2);
    assert.match(r.err, /not both/);
    r = await dirbucket(['user', 'list', '--root', ts.root, '--access-key', 'x']);
    assert.equal(r.code, 2);
    assert.match(r.err, /--access-key goes with --endpoint/);
    r = await remote('user', 'show', 'nobody');
    assert.equal(r.code, 2);
    assert.match(r.err, /No user "nobody"/);
    r = await dirbucket(['user', 'list', '--endpoint', ts.endpoint], env);
    assert.equal(r.code, 2);
    assert.match(r.err, /is it the admin listener/);
    // A user who is not an administrator: refused, and nothing added.
    assert.equal((await local('user', 'add', 'erin', '--uid', String(process.getuid!()), '--gid', String(process.getgid!()))).code, 0);
    const k = JSON.parse((await local('key', 'create', 'erin', '--json')).out) as { accessKeyId: string; secretAccessKey: string };
    const erin = { AWS_ACCESS_KEY_ID: k.accessKeyId, AWS_SECRET_ACCESS_KEY: k.secretAccessKey };
    // The running server reads the users file within seconds: wait until erin's key is known to it.
    for (let i = 0; i < 50; i++) {
      r = await dirbucket(['user', 'show', 'erin', '--endpoint', admin], erin);
      if (r.code === 0) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    assert.equal(r.code, 0, `a user may show herself: ${r.err}`);
    r = await dirbucket(['user', 'add', 'frank', '--uid', '1', '--gid', '1', '--endpoint', admin], erin);
    assert.equal(r.code, 2);
    assert.match(r.err, /Only an administrator may add users; user erin is not one/);
    assert.doesNotMatch((await local('user', 'list')).out, /frank/);
  });
});
