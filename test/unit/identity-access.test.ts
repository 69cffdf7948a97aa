/** The kernel-like access check: a table of cases, then the same function against the kernel's own decisions. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { MAY_EXEC, MAY_READ, MAY_WRITE, mayDelete, permits, stickyAllows, type FileFacts } from '../../src/storage/posix/permissions/access.js';
import { readAccessAcl } from '../../src/storage/posix/permissions/facts-cache.js';
import type { Identity } from '../../src/accounts/identity.js';
import { ACL_GROUP, ACL_GROUP_OBJ, ACL_MASK, ACL_OTHER, ACL_USER, ACL_USER_OBJ, encodeAcl, parseAcl, type AclEntry } from '../../src/storage/posix/permissions/posix-acl.js';
import { asIdentity, kernelOracleUnavailable } from './identity-kernel.js';

const R = MAY_READ;
const W = MAY_WRITE;
const X = MAY_EXEC;
const FILE = 0o100000;
const DIR = 0o040000;

const alice: Identity = { uid: 1001, gid: 2001, groups: [] };
const bob: Identity = { uid: 1002, gid: 2002, groups: [2001, 2003] };
const carol: Identity = { uid: 1003, gid: 2003, groups: [] };
const root: Identity = { uid: 0, gid: 0, groups: [] };

function acl(...spec: [number, number, number?][]): AclEntry[] {
  return spec.map(([tag, perm, id]) => ({ tag: tag as AclEntry['tag'], perm, id: id ?? -1 }));
}

const CASES: { name: string; file: FileFacts; who: Identity; want: number; allowed: boolean }[] = [
  { name: 'owner bits for the owner', file: { mode: FILE | 0o640, uid: 1001, gid: 2001 }, who: alice, want: R | W, allowed: true },
  { name: 'owner has no execute', file: { mode: FILE | 0o640, uid: 1001, gid: 2001 }, who: alice, want: X, allowed: false },
  { name: 'owner class only, even when the group grants more', file: { mode: FILE | 0o070, uid: 1001, gid: 2001 }, who: alice, want: R, allowed: false },
  { name: 'group bits through a supplementary group', file: { mode: FILE | 0o640, uid: 1001, gid: 2001 }, who: bob, want: R, allowed: true },
  { name: 'group bits do not give write', file: { mode: FILE | 0o640, uid: 1001, gid: 2001 }, who: bob, want: W, allowed: false },
  { name: 'other bits', file: { mode: FILE | 0o640, uid: 1001, gid: 2001 }, who: carol, want: R, allowed: false },
  { name: 'other bits allow', file: { mode: FILE | 0o644, uid: 1001, gid: 2001 }, who: carol, want: R, allowed: true },
  { name: 'named user, limited by the mask', file: { mode: FILE | 0o640, uid: 1001, gid: 2001, acl: acl([ACL_USER_OBJ, 6], [ACL_USER, 6, 1003], [ACL_GROUP_OBJ, 4], [ACL_MASK, 4], [ACL_OTHER, 0]) }, who: carol, want: W, allowed: false },
  { name: 'named user reads through the mask', file: { mode: FILE | 0o640, uid: 1001, gid: 2001, acl: acl([ACL_USER_OBJ, 6], [ACL_USER, 6, 1003], [ACL_GROUP_OBJ, 4], [ACL_MASK, 4], [ACL_OTHER, 0]) }, who: carol, want: R, allowed: true },
  { name: 'named group via supplementary group', file: { mode: FILE | 0o670, uid: 1001, gid: 2001, acl: acl([ACL_USER_OBJ, 6], [ACL_GROUP_OBJ, 0], [ACL_GROUP, 6, 2003], [ACL_MASK, 7], [ACL_OTHER, 0]) }, who: bob, want: R | W, allowed: true },
  { name: 'no single group entry grants rw: denied, not other', file: { mode: FILE | 0o664, uid: 1001, gid: 2001, acl: acl([ACL_USER_OBJ, 6], [ACL_GROUP_OBJ, 4], [ACL_GROUP, 2, 2003], [ACL_MASK, 6], [ACL_OTHER, 6]) }, who: bob, want: R | W, allowed: false },
  { name: 'no entry matches: other entry', file: { mode: FILE | 0o644, uid: 1001, gid: 2001, acl: acl([ACL_USER_OBJ, 6], [ACL_USER, 6, 1002], [ACL_GROUP_OBJ, 4], [ACL_MASK, 6], [ACL_OTHER, 4]) }, who: carol, want: R, allowed: true },
  { name: 'mask 0: the ACL is skipped and a named user falls to other', file: { mode: FILE | 0o604, uid: 1001, gid: 2001, acl: acl([ACL_USER_OBJ, 6], [ACL_USER, 6, 1003], [ACL_GROUP_OBJ, 4], [ACL_MASK, 0], [ACL_OTHER, 4]) }, who: carol, want: R, allowed: true },
  { name: 'root reads a file with no bits', file: { mode: FILE | 0o000, uid: 1001, gid: 2001 }, who: root, want: R | W, allowed: true },
  { name: 'root cannot execute a file without x', file: { mode: FILE | 0o644, uid: 1001, gid: 2001 }, who: root, want: X, allowed: false },
  { name: 'root executes a file with any x', file: { mode: FILE | 0o010, uid: 1001, gid: 2001 }, who: root, want: X, allowed: true },
  { name: 'root searches any directory', file: { mode: DIR | 0o000, uid: 1001, gid: 2001 }, who: root, want: R | X, allowed: true },
  { name: 'search on a directory for the group', file: { mode: DIR | 0o710, uid: 1001, gid: 2001 }, who: bob, want: X, allowed: true },
  { name: 'no listing without read', file: { mode: DIR | 0o710, uid: 1001, gid: 2001 }, who: bob, want: R | X, allowed: false },
];

test('permits: a table of mode, ACL, group and root cases', () => {
  for (const c of CASES) assert.equal(permits(c.file, c.who, c.want), c.allowed, c.name);
});

test('sticky directories: only the entry owner, the directory owner or root remove', () => {
  const dir: FileFacts = { mode: DIR | 0o1777, uid: 1001, gid: 2001 };
  assert.equal(stickyAllows(dir, 1002, carol), false);
  assert.equal(mayDelete(dir, 1002, carol), false);
  assert.equal(mayDelete(dir, 1003, carol), true, 'own entry');
  assert.equal(mayDelete(dir, 1002, alice), true, 'directory owner');
  assert.equal(mayDelete(dir, 1002, root), true, 'root');
  assert.equal(mayDelete({ ...dir, mode: DIR | 0o777 }, 1002, carol), true, 'no sticky bit');
  assert.equal(mayDelete({ ...dir, mode: DIR | 0o1775 }, 1003, carol), false, 'no write on the directory');
});

test('ACL xattr values round-trip and bad values are ignored', () => {
  const entries = acl([ACL_OTHER, 4], [ACL_USER, 6, 1003], [ACL_USER_OBJ, 7], [ACL_MASK, 6], [ACL_GROUP_OBJ, 4], [ACL_GROUP, 5, 2002]);
  const parsed = parseAcl(encodeAcl(entries))!;
  assert.deepEqual(parsed.map((e) => e.tag), [ACL_USER_OBJ, ACL_USER, ACL_GROUP_OBJ, ACL_GROUP, ACL_MASK, ACL_OTHER]);
  assert.deepEqual(parsed.find((e) => e.tag === ACL_USER), { tag: ACL_USER, perm: 6, id: 1003 });
  assert.equal(parseAcl(Buffer.from([1, 0, 0, 0])), undefined, 'version 1');
  assert.equal(parseAcl(Buffer.from([2, 0, 0, 0, 1])), undefined, 'truncated');
  assert.equal(parseAcl(null), undefined);
});

test('permits agrees with the kernel for three identities over files and directories with modes and ACLs', { skip: kernelOracleUnavailable() }, async () => {
  const base = mkdtempSync(join(tmpdir(), 'dirbucket-identity-'));
  chmodSync(base, 0o755);
  try {
    const specs: { name: string; dir: boolean; mode: number; uid: number; gid: number; setfacl?: string }[] = [];
    const modes = [0o000, 0o640, 0o604, 0o070, 0o755, 0o750, 0o710, 0o777];
    const owners: [number, number][] = [[1001, 2001], [1002, 2003], [1004, 2004]];
    const acls = [undefined, 'u:1003:rw,g:2003:r,m::rw', 'u:1002:rwx,m::r', 'g:2001:rwx,m::rwx', 'u:1003:r,m::---', 'g::---,g:2003:x,m::x'];
    let n = 0;
    for (const dir of [false, true]) {
      for (const mode of modes) {
        for (const [uid, gid] of owners) {
          for (const setfacl of acls) specs.push({ name: `e${n++}`, dir, mode, uid, gid, setfacl });
        }
      }
    }
    for (const s of specs) {
      const path = join(base, s.name);
      if (s.dir) mkdirSync(path);
      else writeFileSync(path, 'x');
      chownSync(path, s.uid, s.gid);
      chmodSync(path, s.mode);
      if (s.setfacl) execFileSync('setfacl', ['-m', s.setfacl, path]);
    }
    const wants = [R, W, X, R | W, R | X, W | X];
    for (const who of [alice, bob, carol]) {
      const ops = specs.flatMap((s) => wants.map((mode) => ({ op: 'access' as const, path: join(base, s.name), mode })));
      const kernel = await asIdentity(who, ops);
      let i = 0;
      for (const s of specs) {
        const path = join(base, s.name);
        const st = statSync(path);
        const facts: FileFacts = { mode: st.mode, uid: st.uid, gid: st.gid, acl: readAccessAcl(path) };
        for (const want of wants) {
          const k = kernel[i++]!;
          assert.equal(permits(facts, who, want), k.ok,
            `${s.dir ? 'dir' : 'file'} mode ${s.mode.toString(8)} owner ${s.uid}:${s.gid} acl ${s.setfacl ?? '-'}; uid ${who.uid} want ${want}: kernel says ${k.ok ? 'yes' : k.code}`);
        }
      }
    }
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
