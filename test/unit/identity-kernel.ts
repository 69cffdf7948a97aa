/**
 * The kernel as the oracle of permission tests: runs file operations in a child process that has dropped to a
 * given identity (setgroups, setgid, setuid), so the outcome is what Linux itself decides for that identity.
 * Needs root (CI runs as root) and setfacl; tests skip with a reason otherwise (test/helpers/requires.ts).
 */
import { spawn } from 'node:child_process';
import type { Identity } from '../../src/accounts/identity.js';
import { requireRoot, requireTool } from '../helpers/requires.js';

/** One operation for the child to attempt. Paths are absolute. */
export type KernelOp =
  | { op: 'access'; path: string; mode: number }
  | { op: 'read' | 'stat' | 'unlink' | 'rmdir' | 'mkdir' | 'list'; path: string }
  | { op: 'create'; path: string; data: string }
  | { op: 'rename'; from: string; to: string };

/** ok, or the errno code; `files` for list: every file below the directory that `ls -R` would show with a size. */
export interface KernelResult {
  ok: boolean;
  code?: string;
  files?: string[];
}

// Runs in the child: drop privileges first, then attempt each operation and report, never throw.
const CHILD = String.raw`
const fs = require('node:fs');
const input = JSON.parse(fs.readFileSync(0, 'utf8'));
process.setgroups(input.who.groups.length ? input.who.groups : [input.who.gid]);
process.setgid(input.who.gid);
process.setuid(input.who.uid);
process.umask(0o022); // the buckets' default umask, so new entries compare with the gateway's
function list(dir, rel, out) {
  let names;
  try { names = fs.readdirSync(dir); fs.statSync(dir); } catch { return; }
  for (const n of names.sort()) {
    if (n === '.dirbucket') continue;
    let st;
    try { st = fs.lstatSync(dir + '/' + n); } catch { continue; }
    if (st.isDirectory()) { try { fs.accessSync(dir + '/' + n, fs.constants.R_OK | fs.constants.X_OK); } catch { continue; } list(dir + '/' + n, rel + n + '/', out); }
    else if (st.isFile()) out.push(rel + n);
  }
}
const results = input.ops.map((o) => {
  try {
    switch (o.op) {
      case 'access': fs.accessSync(o.path, o.mode); break;
      case 'read': fs.readFileSync(o.path); break;
      case 'stat': fs.statSync(o.path); break;
      case 'unlink': fs.unlinkSync(o.path); break;
      case 'rmdir': fs.rmdirSync(o.path); break;
      case 'mkdir': fs.mkdirSync(o.path); break;
      case 'create': fs.writeFileSync(o.path, o.data, { flag: 'wx' }); break;
      case 'rename': fs.renameSync(o.from, o.to); break;
      case 'list': { const out = []; list(o.path, '', out); return { ok: true, files: out }; }
    }
    return { ok: true };
  } catch (e) { return { ok: false, code: e.code }; }
});
process.stdout.write(JSON.stringify(results));
`;

/** Runs `ops` in order as `who`; resolves with one result per operation. Bounded to 30 s. */
export function asIdentity(who: Identity, ops: KernelOp[]): Promise<KernelResult[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', CHILD], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`kernel oracle exited ${code}: ${err}`));
      else resolve(JSON.parse(out) as KernelResult[]);
    });
    child.stdin.end(JSON.stringify({ who, ops }));
  });
}

/** Why a kernel-oracle test cannot run here, or false when it can (root, setfacl present). Under CI it must run. */
export function kernelOracleUnavailable(): false | string {
  return requireRoot('create files of other users and drop to them') || requireTool('setfacl').skip;
}
