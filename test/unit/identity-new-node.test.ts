/** Ownership and mode of new entries: newNodeAttrs against what the kernel gives a file or directory it creates. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, lstatSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { getAttributeSync } from '@napi-rs/xattr';
import { readAccessAcl } from '../../src/storage/posix/permissions/facts-cache.js';
import type { Identity } from '../../src/accounts/identity.js';
import { newNodeAttrs } from '../../src/storage/posix/permissions/new-node.js';
import { ACCESS_ACL_XATTR, DEFAULT_ACL_XATTR, parseAcl } from '../../src/storage/posix/permissions/posix-acl.js';
import { asIdentity, kernelOracleUnavailable } from './identity-kernel.js';

const who: Identity = { uid: 1002, gid: 2002, groups: [2001] };

test('newNodeAttrs: umask, setgid group and bit, default ACL with and without mask', () => {
  const plain = newNodeAttrs({ mode: 0o40755, uid: 0, gid: 0 }, who, { dir: false, umask: 0o022 });
  assert.deepEqual(plain, { uid: 1002, gid: 2002, mode: 0o644 });
  const setgid = newNodeAttrs({ mode: 0o42775, uid: 1001, gid: 2001 }, who, { dir: true, umask: 0o002 });
  assert.deepEqual(setgid, { uid: 1002, gid: 2001, mode: 0o2775 });
});

test('newNodeAttrs agrees with the kernel for files and directories under assorted parents', { skip: kernelOracleUnavailable() }, async () => {
  const base = mkdtempSync(join(tmpdir(), 'dirbucket-newnode-'));
  chmodSync(base, 0o755);
  try {
    const parents: { name: string; mode: number; gid: number; setfacl?: string[] }[] = [
      { name: 'plain', mode: 0o777, gid: 0 },
      { name: 'setgid', mode: 0o2777, gid: 2001 },
      { name: 'default-acl', mode: 0o777, gid: 0, setfacl: ['-d', '-m', 'u::rwx,g::r-x,o::---,u:1003:rw-'] },
      { name: 'default-mask', mode: 0o2777, gid: 2001, setfacl: ['-d', '-m', 'u::rwx,g::rwx,o::r-x,g:2003:rwx,m::r-x'] },
      { name: 'default-minimal', mode: 0o777, gid: 0, setfacl: ['-d', '-m', 'u::rwx,g::---,o::---'] },
    ];
    for (const p of parents) {
      const dir = join(base, p.name);
      mkdirSync(dir);
      chownSync(dir, 0, p.gid);
      chmodSync(dir, p.mode);
      if (p.setfacl) execFileSync('setfacl', [...p.setfacl, dir]);
    }
    const kernel = await asIdentity(who, parents.flatMap((p) => [
      { op: 'create' as const, path: join(base, p.name, 'file'), data: 'x' },
      { op: 'mkdir' as const, path: join(base, p.name, 'sub') },
    ]));
    assert.ok(kernel.every((r) => r.ok), JSON.stringify(kernel));
    for (const p of parents) {
      const dir = join(base, p.name);
      const st = lstatSync(dir);
      const facts = { mode: st.mode, uid: st.uid, gid: st.gid, defaultAcl: parseAcl(getAttributeSync(dir, DEFAULT_ACL_XATTR)) };
      for (const [name, isDir] of [['file', false], ['sub', true]] as const) {
        const made = lstatSync(join(dir, name));
        const expected = newNodeAttrs(facts, who, { dir: isDir, umask: 0o022 });
        const label = `${name} in ${p.name}`;
        assert.deepEqual([made.uid, made.gid, (made.mode & 0o7777).toString(8)], [expected.uid, expected.gid, expected.mode.toString(8)], label);
        assert.deepEqual(readAccessAcl(join(dir, name)) ?? null, expected.acl ?? null, `${label}: access ACL`);
        assert.deepEqual(parseAcl(getAttributeSync(join(dir, name), DEFAULT_ACL_XATTR)) ?? null, expected.defaultAcl ?? null, `${label}: default ACL`);
        assert.equal(getAttributeSync(join(dir, name), ACCESS_ACL_XATTR) !== null, expected.acl !== undefined, `${label}: ACL present`);
      }
    }
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
