/**
 * Identity mode `bucket` (serve --identity-mode bucket): every request to a bucket acts on the file system as the
 * bucket's identity — set with `dirbucket bucket identity`, or given a mapped bucket in the configuration file,
 * else its creator's, else the gateway's own — while S3 rights still decide which users may do what. Real users,
 * real ownership: the kernel (a child process dropped to the identity) is asked the same question as the gateway.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CopyObjectCommand, CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Identity } from '../../src/accounts/identity.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { asIdentity, kernelOracleUnavailable } from '../unit/identity-kernel.js';
import { addUser, createKey, dirbucket, dirbucketOk, type UserKey } from './users-cli.js';

const ALICE: Identity = { uid: 1201, gid: 2201, groups: [] };
const BOB: Identity = { uid: 1202, gid: 2202, groups: [] };
const CAROL: Identity = { uid: 1203, gid: 2203, groups: [] };

/** 'ok', or the error's name and message. */
async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return `${(e as Error).name}: ${(e as Error).message}`;
  }
}

/** Retries `f` until it answers what `expected` matches (the server reads the users file within a second or two). */
async function eventually(f: () => Promise<string>, expected: RegExp, ms = 8000): Promise<string> {
  const end = Date.now() + ms;
  for (;;) {
    const got = await f();
    if (expected.test(got) || Date.now() > end) return got;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Owner and group of a path. */
function ownerOf(path: string): [number, number] {
  const st = statSync(path);
  return [st.uid, st.gid];
}

const unavailable = kernelOracleUnavailable();

for (const mode of ['bucket', 'user'] as const) {
  describe(`identity mode ${mode}`, { skip: unavailable }, () => {
    let base: string;
    let root: string;
    let ts: TestServer;
    const client: Record<string, S3Client> = {};
    const keys: Record<string, UserKey> = {};

    before(async () => {
      base = mkdtempSync(join(tmpdir(), `dirbucket-idmode-${mode}-`));
      chmodSync(base, 0o755); // the users must reach the tree, for the kernel's verdicts
      root = join(base, 'root');
      mkdirSync(root);
      await addUser(root, 'alice', ALICE, ['--can-create-buckets']);
      await addUser(root, 'bob', BOB, ['--can-create-buckets']);
      for (const u of ['alice', 'bob']) keys[u] = await createKey(root, u);
      // A mapped bucket whose directory belongs to carol, mapped with carol's identity; and one of alice's, mapped
      // with the other identity mode than the server's.
      const mapped = join(base, 'mapped');
      mkdirSync(mapped, { mode: 0o755 });
      chownSync(mapped, CAROL.uid, CAROL.gid);
      const other = join(base, 'other');
      mkdirSync(other, { mode: 0o755 });
      chownSync(other, ALICE.uid, ALICE.gid);
      writeFileSync(join(base, 'config.yaml'), `buckets:\n  - name: carols\n    path: ${mapped}\n    identity: "${CAROL.uid}:${CAROL.gid}"\n` +
        `  - name: other-mode\n    path: ${other}\n    identityMode: ${mode === 'user' ? 'bucket' : 'user'}\n`);
      ts = await startServer({ root, args: ['--config', join(base, 'config.yaml'), '--identity-mode', mode] });
      for (const u of ['alice', 'bob']) client[u] = ts.client({ credentials: { accessKeyId: keys[u]!.accessKeyId, secretAccessKey: keys[u]!.secretAccessKey } });
      assert.equal(await outcome(client.alice!.send(new CreateBucketCommand({ Bucket: 'alices' }))), 'ok');
      assert.deepEqual(ownerOf(join(root, 'alices')), [ALICE.uid, ALICE.gid], 'CreateBucket acts as the creator in either mode');
      await dirbucketOk(['bucket', 'grant', 'bob', 'alices', 'read-write', '--root', root]);
      // Mapped buckets are known from the configuration file.
      for (const b of ['carols', 'other-mode']) await dirbucketOk(['bucket', 'grant', 'bob', b, 'read-write', '--root', root, '--config', join(base, 'config.yaml')]);
    });

    after(async () => {
      await ts?.stop();
      if (base) rmSync(base, { recursive: true, force: true });
    });

    it(mode === 'bucket'
      ? "a user granted write on another's bucket writes, as the bucket's creator (whom the kernel lets write)"
      : "a user granted write on another's bucket is refused by the file system, as the kernel refuses them", async () => {
      const put = () => outcome(client.bob!.send(new PutObjectCommand({ Bucket: 'alices', Key: 'from-bob.txt', Body: 'bob' })));
      // Until the server has read the grant, S3 rights refuse; then the file system decides, as the mode says.
      const got = await eventually(put, mode === 'bucket' ? /^ok$/ : /file permissions/);
      const [asAlice, asBob] = await Promise.all([ALICE, BOB].map((who) => asIdentity(who, [{ op: 'access', path: join(root, 'alices'), mode: 2 }])));
      assert.ok(asAlice![0]!.ok && !asBob![0]!.ok, 'the fixture: the kernel lets alice, not bob, write in her bucket directory');
      if (mode === 'bucket') {
        assert.equal(got, 'ok');
        assert.deepEqual(ownerOf(join(root, 'alices', 'from-bob.txt')), [ALICE.uid, ALICE.gid], "the new file is the bucket identity's");
        const r = await client.bob!.send(new GetObjectCommand({ Bucket: 'alices', Key: 'from-bob.txt' }));
        assert.equal(await r.Body!.transformToString(), 'bob');
      } else {
        assert.match(got, /^AccessDenied: Access Denied by file permissions/);
      }
    });

    it('S3 rights still decide: without a grant, no access whatever the bucket identity could do', async () => {
      assert.equal(await outcome(client.bob!.send(new CreateBucketCommand({ Bucket: 'bobs' }))), 'ok');
      assert.match(await outcome(client.alice!.send(new PutObjectCommand({ Bucket: 'bobs', Key: 'x', Body: 'x' }))), /^AccessDenied: Access Denied by S3 rights/);
      assert.match(await outcome(client.alice!.send(new ListObjectsV2Command({ Bucket: 'bobs' }))), /^AccessDenied: Access Denied by S3 rights/);
    });

    it('a mapped bucket acts as the identity its configuration gives it, in either mode', async () => {
      const put = () => outcome(client.bob!.send(new PutObjectCommand({ Bucket: 'carols', Key: 'c.txt', Body: 'c' })));
      assert.equal(await eventually(put, /^ok$/), 'ok');
      assert.deepEqual(ownerOf(join(base, 'mapped', 'c.txt')), [CAROL.uid, CAROL.gid]);
    });

    it("a mapped bucket's identityMode is its own", async () => {
      const put = () => outcome(client.bob!.send(new PutObjectCommand({ Bucket: 'other-mode', Key: 'o.txt', Body: 'o' })));
      if (mode === 'user') {
        // Its entry says bucket; made on disk, it has no creator: it acts as the gateway's own identity.
        assert.equal(await eventually(put, /^ok$/), 'ok');
        assert.deepEqual(ownerOf(join(base, 'other', 'o.txt')), [process.getuid!(), process.getgid!()]);
      } else {
        // Its entry says user: bob acts as himself, and alice's directory is not his to write in.
        assert.match(await eventually(put, /file permissions/), /^AccessDenied: Access Denied by file permissions/);
      }
    });

    it('`dirbucket bucket identity` sets the identity the bucket acts as, in either mode; the kernel and the gateway agree on it', async () => {
      await dirbucketOk(['bucket', 'identity', 'alices', `${CAROL.uid}:${CAROL.gid}`, '--root', root]);
      const [asCarol] = await asIdentity(CAROL, [{ op: 'access', path: join(root, 'alices'), mode: 2 }]);
      assert.equal(asCarol!.ok, false, "the fixture: carol may not write in alice's bucket directory");
      const put = (key: string) => () => outcome(client.alice!.send(new PutObjectCommand({ Bucket: 'alices', Key: key, Body: 'a' })));
      // Alice's own bucket, but it acts as carol now: refused as the kernel refuses carol.
      assert.match(await eventually(put('probe.txt'), /^AccessDenied/), /^AccessDenied: Access Denied by file permissions/);
      chmodSync(join(root, 'alices'), 0o777);
      assert.equal(await eventually(put('as-carol.txt'), /^ok$/), 'ok');
      assert.deepEqual(ownerOf(join(root, 'alices', 'as-carol.txt')), [CAROL.uid, CAROL.gid]);
      chmodSync(join(root, 'alices'), 0o755);
      await dirbucketOk(['bucket', 'identity', 'alices', '--unset', '--root', root]);
      // Past the users file's poll and the permission facts' second: a write now must not be carol's any more.
      await new Promise((r) => setTimeout(r, 2500));
      // Unset: alice's own (mode user), or the creator's, alice's again (mode bucket).
      assert.equal(await eventually(put('as-alice.txt'), /^ok$/), 'ok');
      assert.deepEqual(ownerOf(join(root, 'alices', 'as-alice.txt')), [ALICE.uid, ALICE.gid]);
    });

    // Mode user only: in mode bucket the grant's user never acts as its own identity, so there is nothing to warn of.
    if (mode === 'user') it('bucket grant warns when the file system would refuse what it grants, and the command it prints lets the user in', async () => {
      assert.equal(await outcome(client.alice!.send(new CreateBucketCommand({ Bucket: 'alices-acl' }))), 'ok');
      const grant = await dirbucket(['bucket', 'grant', 'bob', 'alices-acl', 'read-write', '--root', root]);
      assert.equal(grant.code, 0, grant.stderr);
      assert.match(grant.stderr, /bob's requests act as uid 1202, gid 2202, which may not create files in the directory of bucket alices-acl/);
      const setfacl = /setfacl (.*)$/m.exec(grant.stderr);
      assert.ok(setfacl, grant.stderr);
      const put = () => outcome(client.bob!.send(new PutObjectCommand({ Bucket: 'alices-acl', Key: 'b.txt', Body: 'b' })));
      assert.match(await eventually(put, /file permissions/), /file permissions/);
      // The printed command, run as printed.
      execFileSync('sh', ['-c', `setfacl ${setfacl[1]}`]);
      // The gateway takes a directory's permissions as read within the last second.
      assert.equal(await eventually(put, /^ok$/), 'ok');
      assert.deepEqual(ownerOf(join(root, 'alices-acl', 'b.txt')), [BOB.uid, BOB.gid]);
      // Nothing to say once the identity may write.
      const again = await dirbucket(['bucket', 'grant', 'bob', 'alices-acl', 'read-write', '--root', root]);
      assert.equal(again.stderr, '');
    });

    it("a copy reads its source as the source bucket's identity and writes as the target's", async () => {
      // A file only alice may read, in alice's bucket; bob may read the bucket (S3) and copies into his own.
      writeFileSync(join(root, 'alices', 'private.txt'), 'alice only');
      chownSync(join(root, 'alices', 'private.txt'), ALICE.uid, ALICE.gid);
      chmodSync(join(root, 'alices', 'private.txt'), 0o600);
      const got = await outcome(client.bob!.send(new CopyObjectCommand({ Bucket: 'bobs', Key: 'copy.txt', CopySource: 'alices/private.txt' })));
      if (mode === 'bucket') {
        assert.equal(got, 'ok');
        assert.deepEqual(ownerOf(join(root, 'bobs', 'copy.txt')), [BOB.uid, BOB.gid]);
      } else {
        assert.match(got, /^AccessDenied: Access Denied by file permissions/);
      }
    });
  });
}

describe('dirbucket bucket identity on the command line', { skip: unavailable }, () => {
  let root: string;
  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'dirbucket-idcli-'));
    await addUser(root, 'alice', ALICE);
    mkdirSync(join(root, 'there'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('refuses an unknown bucket, a bad identity and an unset without a set, saying why', async () => {
    const unknown = await dirbucket(['bucket', 'identity', 'nowhere', '1:1', '--root', root]);
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /no bucket "nowhere" here; the buckets are: there/);
    const bad = await dirbucket(['bucket', 'identity', 'there', '1:x:2', '--root', root]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /not an identity: expected UID:GID or a login/);
    const nobody = await dirbucket(['bucket', 'identity', 'there', 'no-such-login-here', '--root', root]);
    assert.notEqual(nobody.code, 0);
    assert.match(nobody.stderr, /no system user "no-such-login-here"/);
    const unset = await dirbucket(['bucket', 'identity', 'there', '--unset', '--root', root]);
    assert.notEqual(unset.code, 0);
    assert.match(unset.stderr, /bucket "there" has no identity set/);
    assert.match(await dirbucketOk(['bucket', 'identity', 'there', 'root', '--root', root]), /act as uid 0, gid 0 \(root\)/);
  });
});
