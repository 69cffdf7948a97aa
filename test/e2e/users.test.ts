/**
 * End to end: users, keys and S3 rights against running gateways. Two gateway processes serve one tree; the
 * command line changes users and keys between requests, and both gateways must follow within seconds:
 * rotation, revocation and expiry of keys, bucket grants, bucket creation and ownership, ListBuckets per user.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CreateBucketCommand, DeleteBucketCommand, DeleteObjectCommand, GetObjectCommand, ListBucketsCommand, PutObjectCommand, S3Client,
} from '@aws-sdk/client-s3';
import { repoRoot } from '../helpers/repo-root.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { waitUntil } from '../helpers/wait.js';
import { kernelOracleUnavailable } from '../unit/identity-kernel.js';
import { addUser, createKey, dirbucket, dirbucketOk, type UserKey } from './users-cli.js';

const DAVE = { uid: 1004, gid: 2004, groups: [] };
const EVE = { uid: 1005, gid: 2005, groups: [2004] };

let base: string;
let root: string;
let a: TestServer;
let b: TestServer;

/** The outcome of a request: 'ok', or the S3 error code and message. */
async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    const r = await p;
    const body = (r as { Body?: { transformToString(): Promise<string> } }).Body;
    if (body) await body.transformToString();
    return 'ok';
  } catch (e) {
    const err = e as { name?: string; message?: string };
    return `${err.name}: ${err.message}`;
  }
}

function clientFor(ts: TestServer, key: UserKey): S3Client {
  return ts.client({ credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey }, maxAttempts: 1 });
}

/** Waits (bounded, 8 s by default: the gateways check the users file every second) until `check` gives `want` on both gateways. */
async function onBoth(check: (ts: TestServer) => Promise<string>, want: RegExp, timeoutMs = 8_000): Promise<void> {
  let last = '';
  const ok = await waitUntil(async () => {
    const both = await Promise.all([check(a), check(b)]);
    last = both.join(' | ');
    return both.every((s) => want.test(s));
  }, { timeoutMs, intervalMs: 200 });
  assert.ok(ok, `expected ${want} on both gateways, got: ${last}`);
}

const unavailable = kernelOracleUnavailable();

describe('users and keys on two gateways over one tree', { skip: unavailable }, () => {
  before(async () => {
    base = mkdtempSync(join(tmpdir(), 'dirbucket-users-'));
    chmodSync(base, 0o755);
    root = join(base, 'root');
    mkdirSync(root);
    await addUser(root, 'dave', DAVE, ['--can-create-buckets']);
    await addUser(root, 'eve', EVE);
    [a, b] = await Promise.all([startServer({ root }), startServer({ root })]);
  });

  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    if (base) rmSync(base, { recursive: true, force: true });
  });

  it('keys: several per user, revocation and expiry reach both gateways within seconds, with messages that say so', async () => {
    await a.client().send(new CreateBucketCommand({ Bucket: 'keys' }));
    await dirbucketOk(['bucket', 'grant', 'dave', 'keys', 'read', '--root', root]);
    const first = await createKey(root, 'dave');
    const second = await createKey(root, 'dave');
    const get = (key: UserKey) => (ts: TestServer) => outcome(clientFor(ts, key).send(new ListBucketsCommand({})));
    await onBoth(get(first), /^ok$/);
    await onBoth(get(second), /^ok$/);
    await dirbucketOk(['key', 'revoke', first.accessKeyId, '--root', root]);
    await onBoth(get(first), /^InvalidAccessKeyId: .*revoked/);
    await onBoth(get(second), /^ok$/); // rotation: the other key goes on working

    // Long enough for both gateways to load it on a slow host, short enough to wait for.
    const brief = await createKey(root, 'dave', '6s');
    await onBoth(get(brief), /^ok$/);
    await onBoth(get(brief), /^InvalidAccessKeyId: .*expired/, 12_000);

    const listed = JSON.parse(await dirbucketOk(['key', 'list', 'dave', '--json', '--root', root])) as { accessKeyId: string; status: string }[];
    assert.deepEqual(Object.fromEntries(listed.map((k) => [k.accessKeyId, k.status])), {
      [first.accessKeyId]: 'revoked', [second.accessKeyId]: 'active', [brief.accessKeyId]: 'expired',
    });
    await dirbucketOk(['user', 'remove', 'dave', '--root', root]).finally(() => addUser(root, 'dave', DAVE, ['--can-create-buckets']));
    await onBoth(get(second), /^InvalidAccessKeyId/);
  });

  it('buckets: the creator owns the directory and has read-write; others need a grant; ListBuckets shows each user theirs', async () => {
    const dave = await createKey(root, 'dave');
    const eve = await createKey(root, 'eve');
    await onBoth((ts) => outcome(clientFor(ts, dave).send(new ListBucketsCommand({}))), /^ok$/);
    await onBoth((ts) => outcome(clientFor(ts, eve).send(new ListBucketsCommand({}))), /^ok$/);
    const daveA = clientFor(a, dave);
    const eveA = clientFor(a, eve);

    assert.equal(await outcome(eveA.send(new CreateBucketCommand({ Bucket: 'eves' }))), "AccessDenied: Access Denied by S3 rights: user 'eve' may not create buckets.");
    assert.equal(await outcome(daveA.send(new CreateBucketCommand({ Bucket: 'daves' }))), 'ok');
    const st = statSync(join(root, 'daves'));
    assert.deepEqual([st.uid, st.gid, (st.mode & 0o7777).toString(8)], [DAVE.uid, DAVE.gid, '755'], 'the bucket directory belongs to its creator, mode from the umask');
    assert.equal(await outcome(daveA.send(new PutObjectCommand({ Bucket: 'daves', Key: 'd.txt', Body: 'dave' }))), 'ok');
    const file = statSync(join(root, 'daves', 'd.txt'));
    assert.deepEqual([file.uid, file.gid, (file.mode & 0o777).toString(8)], [DAVE.uid, DAVE.gid, '644']);

    const names = async (c: S3Client) => ((await c.send(new ListBucketsCommand({}))).Buckets ?? []).map((x) => x.Name);
    assert.deepEqual(await names(daveA), ['daves']);
    assert.deepEqual(await names(eveA), []);
    assert.ok((await names(a.client())).includes('daves'), 'the administrator sees every bucket');

    const eveGet = (ts: TestServer) => outcome(clientFor(ts, eve).send(new GetObjectCommand({ Bucket: 'daves', Key: 'd.txt' })));
    await onBoth(eveGet, /^AccessDenied: Access Denied by S3 rights: user 'eve' has no access/);
    await dirbucketOk(['bucket', 'grant', 'eve', 'daves', 'read', '--root', root]);
    await onBoth(eveGet, /^ok$/); // eve is in dave's group: the file's mode 644 lets her read
    assert.deepEqual(await names(eveA), ['daves']);
    assert.match(await outcome(eveA.send(new PutObjectCommand({ Bucket: 'daves', Key: 'e.txt', Body: 'eve' }))),
      /^AccessDenied: Access Denied by S3 rights: user 'eve' has read-only access/);
    await dirbucketOk(['bucket', 'grant', 'eve', 'daves', 'read-write', '--root', root]);
    await onBoth((ts) => outcome(clientFor(ts, eve).send(new DeleteObjectCommand({ Bucket: 'daves', Key: 'd.txt' }))),
      /^AccessDenied: Access Denied by file permissions/); // S3 allows it now; the directory (755, dave's) does not
    assert.match(await outcome(eveA.send(new DeleteBucketCommand({ Bucket: 'daves' }))), /^AccessDenied: Access Denied by S3 rights: only the owner/);

    assert.equal(await outcome(daveA.send(new DeleteObjectCommand({ Bucket: 'daves', Key: 'd.txt' }))), 'ok');
    assert.equal(await outcome(daveA.send(new DeleteBucketCommand({ Bucket: 'daves' }))), 'ok');
    // A bucket of the same name made later starts without the grants of the old one.
    assert.equal(await outcome(daveA.send(new CreateBucketCommand({ Bucket: 'daves' }))), 'ok');
    await onBoth(eveGet, /^AccessDenied: Access Denied by S3 rights/);
  });

  it('the command line refuses unknown users, bad ids and bad durations with clear messages', async () => {
    const cases: [string[], RegExp][] = [
      [['key', 'create', 'nobody-here', '--root', root], /no user "nobody-here"/],
      [['user', 'add', 'x', '--uid', '1x', '--gid', '1', '--root', root], /--uid: "1x" is not a valid id/],
      [['user', 'add', 'x', '--uid', '4294967295', '--gid', '1', '--root', root], /--uid: "4294967295" is not a valid id/],
      [['user', 'add', 'x', '--uid', '1', '--root', root], /give the identity/],
      [['key', 'create', 'eve', '--expires', '90 days', '--root', root], /not a duration/],
      [['bucket', 'grant', 'eve', 'daves', 'write', '--root', root], /not an access level/],
      [['user', 'add', 'admin', '--uid', '1', '--gid', '1', '--root', root], /start-up administrator/],
      [['user', 'add', 'y', '--system-user', 'no-such-login-here', '--root', root], /no system user "no-such-login-here"/],
    ];
    for (const [args, message] of cases) {
      const r = await dirbucket(args);
      assert.equal(r.code, 2, `dirbucket ${args.join(' ')} exits 2`);
      assert.match(r.stderr, message);
    }
    const r = await dirbucket(['user', 'add', 'sys', '--system-user', 'nobody', '--root', root]);
    assert.equal(r.code, 0, r.stderr);
    const shown = JSON.parse(await dirbucketOk(['user', 'show', 'sys', '--json', '--root', root])) as { uid: number; systemUser: string };
    assert.deepEqual([shown.uid, shown.systemUser], [65534, 'nobody']);
  });
});

describe('a gateway without the right to change ownership', { skip: unavailable }, () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'dirbucket-nochown-'));
    chmodSync(dir, 0o755);
    mkdirSync(join(dir, 'root'));
    chownSync(join(dir, 'root'), DAVE.uid, DAVE.gid);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs `dirbucket serve` as dave (not root) until it prints its endpoint or exits; bounded to 15 s. */
  function serveAsDave(args: string[]): Promise<{ code: number | null; output: string; stop(): void }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [join(repoRoot(), 'bin', 'dirbucket.js'), 'serve', '--root', join(dir, 'root'), '--listen', '127.0.0.1:0', '--admin-listen', 'off', ...args],
        { uid: DAVE.uid, gid: DAVE.gid, env: { ...process.env, DIRBUCKET_ACCESS_KEY: 'DAVEADMIN', DIRBUCKET_SECRET_KEY: 'dave-secret-key' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      const done = (code: number | null) => {
        clearTimeout(timer);
        resolve({ code, output, stop: () => child.kill('SIGTERM') });
      };
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        done(null);
      }, 15_000);
      child.stdout.on('data', (c: Buffer) => {
        output += c.toString();
        if (/^Endpoint: /m.test(output) && /^Ownership: /m.test(output)) done(null);
      });
      child.stderr.on('data', (c: Buffer) => (output += c.toString()));
      child.on('exit', (code) => done(code));
    });
  }

  it('refuses to start with --without-chown refuse, saying why', async () => {
    const r = await serveAsDave(['--without-chown', 'refuse']);
    assert.equal(r.code, 2, r.output);
    assert.match(r.output, /may not change file ownership/);
  });

  it('by default says so at start-up and serves only users with its own identity', async () => {
    await addUser(join(dir, 'root'), 'eve', EVE);
    await addUser(join(dir, 'root'), 'same', DAVE);
    const eve = await createKey(join(dir, 'root'), 'eve');
    const same = await createKey(join(dir, 'root'), 'same');
    chownSync(join(dir, 'root', '.dirbucket'), DAVE.uid, DAVE.gid);
    chownSync(join(dir, 'root', '.dirbucket', 'users.json'), DAVE.uid, DAVE.gid);
    const r = await serveAsDave([]);
    try {
      assert.match(r.output, /^Ownership: this process \(uid 1004, gid 2004\) may not change file ownership; serving only users with this identity$/m);
      const endpoint = /^Endpoint: (\S+)$/m.exec(r.output)![1]!;
      const client = (k: UserKey) => new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, maxAttempts: 1, credentials: { accessKeyId: k.accessKeyId, secretAccessKey: k.secretAccessKey } });
      assert.match(await outcome(client(eve).send(new ListBucketsCommand({}))), /^AccessDenied: .*serves only users with its own identity/);
      assert.equal(await outcome(client(same).send(new ListBucketsCommand({}))), 'ok');
    } finally {
      r.stop();
    }
  });
});
