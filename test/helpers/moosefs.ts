/**
 * A real distributed file system for tests: a MooseFS master and one chunkserver on loopback, and the volume
 * mounted as many times as asked (each mount a client of its own, with its own caches, as two hosts would have).
 * Needs root, /dev/fuse and Debian's moosefs-master, moosefs-chunkserver and moosefs-client.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { run } from './tool.js';
import { waitUntil } from './wait.js';

/** A running MooseFS: its mounts, and stop() that unmounts and ends every process it started. */
export interface MooseFs {
  mounts: string[];
  /** What the daemons printed, for diagnostics. */
  output(): string;
  stop(): Promise<void>;
}

/** Where Debian's packages put the empty metadata a new master starts from. */
const EMPTY_METADATA = ['/var/lib/mfs/metadata.mfs.empty', '/usr/share/mfs/metadata.mfs.empty', '/etc/mfs/metadata.mfs.empty'];

/** Options for startMooseFs: mount options per mount (`-o` values), e.g. cache timeouts. */
export interface MooseFsOptions {
  mounts: number;
  mountOptions?: string[];
}

/** Starts master, chunkserver and `opts.mounts` mounts under a fresh temp directory; stops what it started if that fails. */
export async function startMooseFs(opts: MooseFsOptions): Promise<MooseFs> {
  const base = await mkdtemp(join(tmpdir(), 'dirbucket-mfs-'));
  const procs: ChildProcess[] = [];
  const mounts: string[] = [];
  let out = '';
  const daemon = (cmd: string, args: string[]) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const collect = (c: Buffer) => {
      out += `[${cmd}] ${c.toString()}`;
      if (out.length > 200_000) out = out.slice(-100_000);
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    child.on('error', (e) => (out += `[${cmd}] ${e.message}\n`));
    procs.push(child);
    return child;
  };
  const stop = async () => {
    for (const m of mounts) {
      const r = await run('umount', [m], { timeoutMs: 20_000 }).catch(() => undefined);
      if (r?.code !== 0) await run('umount', ['-l', m], { timeoutMs: 20_000 }).catch(() => undefined);
    }
    for (const p of [...procs].reverse()) await end(p);
    await rm(base, { recursive: true, force: true }).catch(() => {});
  };
  try {
    const [ml, cs, cl, csServ] = await freePorts(4);
    const host = hostAddress();
    if (!host) throw new Error('no IPv4 address but loopback: a MooseFS chunkserver will not use 127.x');
    const empty = EMPTY_METADATA.find((p) => existsSync(p));
    if (!empty) throw new Error(`no metadata.mfs.empty among ${EMPTY_METADATA.join(', ')}`);
    await mkdir(join(base, 'master'));
    await copyFile(empty, join(base, 'master', 'metadata.mfs'));
    await writeFile(join(base, 'mfsexports.cfg'), '*\t/\trw,alldirs,admin,maproot=0:0\n');
    await writeFile(join(base, 'mfsmaster.cfg'), config({
      WORKING_USER: 'root', WORKING_GROUP: 'root', DATA_PATH: join(base, 'master'), EXPORTS_FILENAME: join(base, 'mfsexports.cfg'),
      MATOML_LISTEN_HOST: '127.0.0.1', MATOML_LISTEN_PORT: ml, MATOCS_LISTEN_HOST: host, MATOCS_LISTEN_PORT: cs,
      MATOCL_LISTEN_HOST: '127.0.0.1', MATOCL_LISTEN_PORT: cl, SYSLOG_IDENT: 'dirbucket-mfsmaster',
    }));
    daemon('mfsmaster', ['-f', '-c', join(base, 'mfsmaster.cfg'), 'start']);
    if (!(await waitUntil(() => listening(cl!), { timeoutMs: 20_000 }))) throw new Error('mfsmaster did not listen');

    await mkdir(join(base, 'cs'));
    await mkdir(join(base, 'chunks'));
    await writeFile(join(base, 'mfshdd.cfg'), `${join(base, 'chunks')}\n`);
    // Why the host's own address: a chunkserver refuses to reach its master over 127.x ("use ip address of network
    // controller"). Packets to this host's own address go over lo all the same: nothing leaves the machine.
    await writeFile(join(base, 'mfschunkserver.cfg'), config({
      WORKING_USER: 'root', WORKING_GROUP: 'root', DATA_PATH: join(base, 'cs'), HDD_CONF_FILENAME: join(base, 'mfshdd.cfg'),
      MASTER_HOST: host, MASTER_PORT: cs, CSSERV_LISTEN_HOST: host, CSSERV_LISTEN_PORT: csServ,
      HDD_LEAVE_SPACE_DEFAULT: '64MiB', SYSLOG_IDENT: 'dirbucket-mfschunkserver',
    }));
    daemon('mfschunkserver', ['-f', '-c', join(base, 'mfschunkserver.cfg'), 'start']);
    if (!(await waitUntil(() => listening(csServ!, host), { timeoutMs: 20_000 }))) throw new Error('mfschunkserver did not listen');

    for (let i = 0; i < opts.mounts; i++) {
      const dir = join(base, `mnt${i}`);
      await mkdir(dir);
      const o = [`mfsmaster=127.0.0.1`, `mfsport=${cl}`, ...(opts.mountOptions ?? [])].join(',');
      const r = await run('mfsmount', [dir, '-o', o], { timeoutMs: 30_000 });
      if (r.code !== 0) throw new Error(`mfsmount ${dir}: ${r.stderr || r.stdout}`);
      mounts.push(dir);
    }
    // A volume is usable once a chunkserver has registered: the first file written proves it.
    const ready = await waitUntil(async () => {
      const probe = join(mounts[0]!, '.probe');
      const r = await run('sh', ['-c', `echo x > '${probe}' && sync '${probe}' && cat '${probe}' && rm '${probe}'`], { timeoutMs: 20_000 }).catch(() => undefined);
      return r?.code === 0;
    }, { timeoutMs: 30_000, intervalMs: 500 });
    if (!ready) throw new Error('the MooseFS volume does not take writes');
    return { mounts, output: () => out, stop };
  } catch (e) {
    await stop();
    throw new Error(`${(e as Error).message}\n${out}`);
  }
}

function config(values: Record<string, string | number | undefined>): string {
  return Object.entries(values).map(([k, v]) => `${k} = ${v}\n`).join('');
}

async function end(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise((resolve) => p.once('exit', resolve));
  p.kill('SIGTERM');
  const done = await Promise.race([exited.then(() => true), sleep(15_000).then(() => false)]);
  if (!done) {
    p.kill('SIGKILL');
    await exited;
  }
}

/** The first IPv4 address of this host that is not loopback. */
export function hostAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

function listening(port: string | number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(Number(port), host);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

async function freePorts(n: number): Promise<string[]> {
  const servers = await Promise.all(Array.from({ length: n }, () => new Promise<net.Server>((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => resolve(s));
  })));
  const ports = servers.map((s) => String((s.address() as net.AddressInfo).port));
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}
