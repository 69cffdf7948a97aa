/**
 * End to end: every request as the file system would allow it. Three users with different POSIX identities
 * act on one tree of files and directories owned by several uids and gids, with assorted modes, a setgid
 * directory, a sticky directory and POSIX ACLs (access and default). Each case runs twice: through the
 * gateway on one copy of the tree, and as that identity in a child process (dropped privileges) on an
 * identical copy, so the kernel itself is the judge. New objects are compared on disk (owner, group, mode,
 * ACL) with what the kernel gave the same file created by that identity.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CompleteMultipartUploadCommand, CopyObjectCommand, CreateMultipartUploadCommand, DeleteObjectCommand, GetObjectCommand,
  HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, UploadPartCommand, type S3Client,
} from '@aws-sdk/client-s3';
import { getAttributeSync } from '@napi-rs/xattr';
import type { Identity } from '../../src/accounts/identity.js';
import { ACCESS_ACL_XATTR, DEFAULT_ACL_XATTR, parseAcl } from '../../src/storage/posix/permissions/posix-acl.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { asIdentity, kernelOracleUnavailable, type KernelOp } from '../unit/identity-kernel.js';
import { addUser, createKey, dirbucketOk } from './users-cli.js';

const BUCKET = 'perm';
const USERS: Record<string, Identity> = {
  alice: { uid: 1001, gid: 2001, groups: [] },
  bob: { uid: 1002, gid: 2002, groups: [2001, 2003] },
  carol: { uid: 1003, gid: 2003, groups: [] },
};
type User = keyof typeof USERS;

/** One entry of the fixture tree: path below the bucket, owner, mode, and setfacl arguments. */
interface Entry {
  path: string;
  dir?: boolean;
  uid: number;
  gid: number;
  mode: number;
  acl?: string[];
}

const TREE: Entry[] = [
  { path: '', dir: true, uid: 0, gid: 0, mode: 0o755 },
  { path: 'public.txt', uid: 0, gid: 0, mode: 0o644 },
  { path: 'shared', dir: true, uid: 1001, gid: 2001, mode: 0o2775 },
  { path: 'shared/a.txt', uid: 1001, gid: 2001, mode: 0o640 },
  { path: 'shared/b.txt', uid: 1002, gid: 2001, mode: 0o664 },
  { path: 'private', dir: true, uid: 1001, gid: 2001, mode: 0o700 },
  { path: 'private/secret.txt', uid: 1001, gid: 2001, mode: 0o600 },
  { path: 'sticky', dir: true, uid: 0, gid: 0, mode: 0o1777 },
  { path: 'sticky/alice.txt', uid: 1001, gid: 2001, mode: 0o666 },
  { path: 'sticky/bob.txt', uid: 1002, gid: 2002, mode: 0o644 },
  { path: 'acl', dir: true, uid: 0, gid: 0, mode: 0o750, acl: ['-m', 'u:1003:rwx'] },
  { path: 'acl/doc.txt', uid: 0, gid: 0, mode: 0o640, acl: ['-m', 'u:1003:r,g:2002:rw'] },
  { path: 'inherit', dir: true, uid: 1003, gid: 2003, mode: 0o770, acl: ['-m', 'u:1002:rwx,d:u:1002:rwx,d:g::rx,d:o::-'] },
  { path: 'noread', dir: true, uid: 1001, gid: 2001, mode: 0o711 },
  { path: 'noread/f.txt', uid: 1001, gid: 2001, mode: 0o644 },
  { path: 'noread/sub', dir: true, uid: 1001, gid: 2001, mode: 0o755 },
  { path: 'noread/sub/g.txt', uid: 1001, gid: 2001, mode: 0o644 },
];

/** Makes the fixture tree at `bucketDir` (the same for the gateway's copy and the kernel's). */
function buildTree(bucketDir: string): void {
  for (const e of TREE) {
    const path = e.path ? join(bucketDir, e.path) : bucketDir;
    if (e.dir) mkdirSync(path, { recursive: true });
    else writeFileSync(path, `content of ${e.path}\n`);
    chownSync(path, e.uid, e.gid);
    chmodSync(path, e.mode);
    if (e.acl) execFileSync('setfacl', [...e.acl, path]);
  }
}

type Case =
  | { op: 'get' | 'head' | 'delete' | 'put' | 'multipart'; who: User; key: string }
  | { op: 'copy'; who: User; from: string; key: string }
  | { op: 'list'; who: User };

const CASES: Case[] = [
  { op: 'get', who: 'alice', key: 'shared/a.txt' },
  { op: 'get', who: 'alice', key: 'private/secret.txt' },
  { op: 'get', who: 'alice', key: 'acl/doc.txt' },
  { op: 'head', who: 'alice', key: 'acl/doc.txt' },
  { op: 'get', who: 'alice', key: 'noread/f.txt' },
  { op: 'list', who: 'alice' },
  { op: 'put', who: 'alice', key: 'shared/alice-new.txt' },
  { op: 'put', who: 'alice', key: 'private/new/deep.txt' },
  { op: 'put', who: 'alice', key: 'public.txt' },
  { op: 'put', who: 'alice', key: 'top-new.txt' },
  { op: 'put', who: 'alice', key: 'sticky/bob.txt' },
  { op: 'delete', who: 'alice', key: 'sticky/bob.txt' },
  { op: 'get', who: 'bob', key: 'shared/a.txt' },
  { op: 'get', who: 'bob', key: 'private/secret.txt' },
  { op: 'head', who: 'bob', key: 'private/secret.txt' },
  { op: 'get', who: 'bob', key: 'acl/doc.txt' },
  { op: 'put', who: 'bob', key: 'shared/b.txt' },
  { op: 'put', who: 'bob', key: 'shared/bob-new.txt' },
  { op: 'put', who: 'bob', key: 'sticky/alice.txt' },
  { op: 'delete', who: 'bob', key: 'sticky/alice.txt' },
  { op: 'put', who: 'bob', key: 'sticky/bob-new.txt' },
  { op: 'put', who: 'bob', key: 'inherit/bob.txt' },
  { op: 'put', who: 'bob', key: 'inherit/sub/deeper.txt' },
  { op: 'copy', who: 'bob', from: 'public.txt', key: 'shared/copy.txt' },
  { op: 'copy', who: 'bob', from: 'private/secret.txt', key: 'shared/stolen.txt' },
  { op: 'multipart', who: 'bob', key: 'inherit/mp.bin' },
  { op: 'multipart', who: 'bob', key: 'private/mp.bin' },
  { op: 'delete', who: 'bob', key: 'shared/a.txt' },
  { op: 'list', who: 'bob' },
  { op: 'get', who: 'carol', key: 'acl/doc.txt' },
  { op: 'put', who: 'carol', key: 'acl/carol.txt' },
  { op: 'get', who: 'carol', key: 'shared/b.txt' },
  { op: 'head', who: 'carol', key: 'shared/b.txt' },
  { op: 'get', who: 'carol', key: 'noread/f.txt' },
  { op: 'put', who: 'carol', key: 'noread/sub/c.txt' },
  { op: 'delete', who: 'carol', key: 'sticky/bob.txt' },
  { op: 'delete', who: 'carol', key: 'acl/doc.txt' },
  { op: 'copy', who: 'carol', from: 'noread/f.txt', key: 'acl/copied.txt' },
  { op: 'list', who: 'carol' },
];

let base: string;
let gwRoot: string;
let kernelBucket: string;
let ts: TestServer;
const clients: Partial<Record<User, S3Client>> = {};

/** The operations that decide a case in the kernel, on the kernel's copy of the tree. */
function kernelOps(c: Case): KernelOp[] {
  const who = USERS[c.who]!;
  const at = (key: string) => join(kernelBucket, key);
  switch (c.op) {
    case 'get':
      return [{ op: 'read', path: at(c.key) }];
    case 'head':
      return [{ op: 'stat', path: at(c.key) }];
    case 'delete':
      return [{ op: 'unlink', path: at(c.key) }];
    case 'list':
      return [{ op: 'list', path: kernelBucket }];
    case 'copy':
      return [{ op: 'read', path: at(c.from) }, ...writeOps(at(c.key), who)];
    case 'put':
    case 'multipart':
      return writeOps(at(c.key), who);
  }
}

/**
 * Writing `path` as the gateway does: a new file is created in its directory (and missing directories are
 * made), an existing one is replaced by a rename from elsewhere, which needs the same rights as the gateway's
 * rename of its staging file.
 */
function writeOps(path: string, who: Identity): KernelOp[] {
  if (existsSync(path)) {
    const scratch = join(base, `scratch-${who.uid}`, 'next');
    return [{ op: 'create', path: scratch, data: 'new\n' }, { op: 'rename', from: scratch, to: path }];
  }
  const ops: KernelOp[] = [];
  const rel = path.slice(kernelBucket.length + 1).split('/');
  for (let i = 1; i < rel.length; i++) {
    const dir = join(kernelBucket, ...rel.slice(0, i));
    if (!existsSync(dir)) ops.push({ op: 'mkdir', path: dir });
  }
  return [...ops, { op: 'create', path, data: 'new\n' }];
}

/** Runs a case through the gateway: true when it succeeded, false when refused with AccessDenied. */
async function viaGateway(c: Case): Promise<boolean | string[]> {
  const s3 = clients[c.who]!;
  try {
    switch (c.op) {
      case 'get': {
        const r = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: c.key }));
        await r.Body!.transformToString();
        return true;
      }
      case 'head':
        await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: c.key }));
        return true;
      case 'delete':
        await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: c.key }));
        return true;
      case 'put':
        await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: c.key, Body: 'new\n' }));
        return true;
      case 'copy':
        await s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key: c.key, CopySource: `${BUCKET}/${c.from}` }));
        return true;
      case 'multipart': {
        const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: c.key }));
        const part = await s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: c.key, UploadId, PartNumber: 1, Body: 'new\n' }));
        await s3.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: c.key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));
        return true;
      }
      case 'list': {
        const keys: string[] = [];
        let token: string | undefined;
        for (let page = 0; page < 100; page++) {
          const r = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, ContinuationToken: token, MaxKeys: 7 }));
          keys.push(...(r.Contents ?? []).map((o) => o.Key!));
          if (!r.IsTruncated) break;
          token = r.NextContinuationToken;
        }
        return keys.sort();
      }
    }
  } catch (e) {
    const err = e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    // A HEAD answer has no body: its refusal is the 403 alone.
    if (c.op === 'head' && err.$metadata?.httpStatusCode === 403) return false;
    if (err.name !== 'AccessDenied') throw e;
    assert.match(err.message ?? '', /file permissions/, `the refusal names the check: ${err.message}`);
    assert.ok(!(err.message ?? '').includes(base), `the refusal does not name the path: ${err.message}`);
    return false;
  }
}

/** Owner, group, permission bits and ACLs of an entry, for comparing the gateway's with the kernel's. */
function attrsOf(path: string) {
  const st = lstatSync(path);
  return {
    uid: st.uid, gid: st.gid, mode: (st.mode & 0o7777).toString(8),
    acl: parseAcl(getAttributeSync(path, ACCESS_ACL_XATTR)) ?? null,
    defaultAcl: parseAcl(getAttributeSync(path, DEFAULT_ACL_XATTR)) ?? null,
  };
}

const unavailable = kernelOracleUnavailable();

describe('file-system permissions, decided as the kernel decides them', { skip: unavailable }, () => {
  before(async () => {
    base = mkdtempSync(join(tmpdir(), 'dirbucket-perm-'));
    chmodSync(base, 0o755); // the users must reach both trees
    gwRoot = join(base, 'gw');
    mkdirSync(gwRoot);
    buildTree(join(gwRoot, BUCKET));
    kernelBucket = join(base, 'kernel', BUCKET);
    mkdirSync(join(base, 'kernel'));
    buildTree(kernelBucket);
    for (const who of Object.values(USERS)) {
      const scratch = join(base, `scratch-${who.uid}`);
      mkdirSync(scratch, { mode: 0o700 });
      chownSync(scratch, who.uid, who.gid);
    }
    for (const [name, who] of Object.entries(USERS)) {
      await addUser(gwRoot, name, who);
      await dirbucketOk(['bucket', 'grant', name, BUCKET, 'read-write', '--root', gwRoot]);
    }
    const keys = await Promise.all(Object.keys(USERS).map((name) => createKey(gwRoot, name)));
    ts = await startServer({ root: gwRoot });
    for (const k of keys) clients[k.user as User] = ts.client({ credentials: { accessKeyId: k.accessKeyId, secretAccessKey: k.secretAccessKey } });
  });

  after(async () => {
    await ts?.stop();
    if (base) rmSync(base, { recursive: true, force: true });
  });

  it('every case ends as it does for the same identity in the kernel, and new entries get what the kernel gives', async () => {
    const outcomes: string[] = [];
    for (const c of CASES) {
      const label = `${c.who} ${c.op} ${'key' in c ? c.key : ''}${c.op === 'copy' ? ` from ${c.from}` : ''}`;
      const ops = kernelOps(c);
      const created = ops.filter((o) => o.op === 'create' || o.op === 'mkdir').map((o) => (o as { path: string }).path)
        .filter((p) => p.startsWith(kernelBucket));
      const kernel = await asIdentity(USERS[c.who]!, ops);
      const gateway = await viaGateway(c);
      if (c.op === 'list') {
        assert.deepEqual(gateway, kernel[0]!.files, `${label}: the listing is what the identity can list`);
        outcomes.push(`${label}: ${(gateway as string[]).length} keys`);
        continue;
      }
      const allowed = kernel.every((r) => r.ok);
      assert.equal(gateway, allowed, `${label}: the kernel says ${allowed ? 'yes' : kernel.map((r) => r.code ?? 'ok').join(',')}, the gateway ${gateway ? 'yes' : 'AccessDenied'}`);
      outcomes.push(`${label}: ${allowed ? 'allowed' : 'denied'}`);
      if (!allowed) {
        // A refused write made nothing: undo what the kernel's attempt left, so both trees stay the same.
        for (const p of created.reverse()) rmSync(p, { recursive: true, force: true });
        continue;
      }
      for (const p of created) {
        const gwPath = join(gwRoot, BUCKET, p.slice(kernelBucket.length + 1));
        assert.deepEqual(attrsOf(gwPath), attrsOf(p), `${label}: ${p.slice(kernelBucket.length + 1)} has the owner, group, mode and ACLs the kernel gave`);
      }
    }
    // The table must exercise both verdicts for each kind of operation, or it proves little.
    for (const op of ['get', 'head', 'put', 'delete', 'copy', 'multipart']) {
      assert.ok(outcomes.some((o) => o.includes(` ${op} `) && o.endsWith('allowed')), `some ${op} is allowed`);
      assert.ok(outcomes.some((o) => o.includes(` ${op} `) && o.endsWith('denied')), `some ${op} is denied`);
    }
  });

  it('concurrent writes into a directory that does not exist yet all succeed, and the directory is the user\'s from the start', async () => {
    const keys = Array.from({ length: 40 }, (_, i) => `shared/burst/sub/o-${i}`);
    const results = await Promise.allSettled(keys.map((Key) => clients.alice!.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: Key }))));
    const failed = results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason));
    assert.deepEqual(failed, [], 'no write is refused because another one is making the directory');
    for (const dir of ['shared/burst', 'shared/burst/sub']) {
      const st = lstatSync(join(gwRoot, BUCKET, dir));
      assert.deepEqual([st.uid, st.gid, (st.mode & 0o7777).toString(8)], [1001, 2001, '2755'], dir);
    }
  });

  it('the listing skips a directory the identity cannot read, and its subdirectories, without naming them', async () => {
    const r = await clients.carol!.send(new ListObjectsV2Command({ Bucket: BUCKET, Delimiter: '/' }));
    const prefixes = (r.CommonPrefixes ?? []).map((p) => p.Prefix);
    assert.ok(!prefixes.includes('noread/'), `noread/ holds nothing carol can list: ${prefixes.join(', ')}`);
    const inside = await clients.carol!.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'noread/' }));
    assert.equal(inside.KeyCount, 0);
    const below = await clients.carol!.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'private/' }));
    assert.equal(below.KeyCount, 0, 'a prefix through an unsearchable directory lists nothing');
    const alice = await clients.alice!.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'noread/' }));
    assert.ok((alice.KeyCount ?? 0) >= 2, 'the owner lists it');
  });
});
