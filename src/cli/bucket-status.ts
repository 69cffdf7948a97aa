/**
 * `dirbucket bucket status [BUCKET]`: each bucket's versioning, object lock and who enforces the lock — the file
 * system (immutable files: NAS users, root included, cannot change a locked version) or the gateway alone — with
 * its file system's type and capabilities. Read from the tree (--root/--config: probed by this command, so as the
 * user it runs as) or from a running server's admin API (--endpoint: as that server probed it). Someone asking
 * for WORM storage must be able to see, without reading logs, how far it holds.
 */
import { parseServeArgs } from '../config/command-line.js';
import { ConfigError } from '../config/config.js';
import type { FileSystemReport } from '../storage/posix/file-system-report.js';
import { PosixBackend } from '../storage/posix/posix-backend.js';
import type { DefaultRetention, LockEnforcement } from '../storage/object-lock.js';
import { seg } from './admin-client.js';
import { lockEnforcementText } from './banner.js';
import type { UsersArgs } from './users-args.js';

/** What the command says of one bucket (also its --json form). */
export interface BucketStatus {
  name: string;
  versioning: 'Enabled' | 'Suspended' | null;
  objectLock: { enabled: boolean; defaultRetention?: DefaultRetention };
  /** Who enforces the bucket's locks (lock-enabled buckets only). */
  lockEnforcement?: LockEnforcement;
  fileSystem?: Omit<FileSystemReport, 'what' | 'dir'>;
}

function fileSystemOf(reports: FileSystemReport[], bucket: string): BucketStatus['fileSystem'] {
  const r = reports.find((f) => f.what === `bucket ${bucket}`);
  if (!r) return undefined;
  const { what: _what, dir: _dir, ...rest } = r;
  return rest;
}

/** The statuses read from the tree itself. */
async function localStatus(args: UsersArgs, only: string | undefined): Promise<BucketStatus[]> {
  const root = args.values.root as string | undefined;
  const configFile = args.values.config as string | undefined;
  const parsed = parseServeArgs(root !== undefined ? ['--root', root] : ['--config', configFile!]);
  if (parsed.help) return [];
  const { config } = parsed;
  const backend = new PosixBackend({
    root: config.root, buckets: config.buckets, metadata: config.metadata, fsync: config.fsync, followSymlinks: config.followSymlinks,
    multipartExpiryMs: 0, archiveDir: config.archiveDir, lifecycleDaySeconds: config.lifecycleDaySeconds,
  });
  try {
    const names = (await backend.listBuckets()).map((b) => b.name).filter((n) => only === undefined || n === only);
    if (only !== undefined && !names.length) throw new ConfigError(`no bucket "${only}" here`);
    const reports = await backend.fileSystems();
    const locked = new Map((await backend.lockedBuckets()).map((b) => [b.name, b.enforcement]));
    const out: BucketStatus[] = [];
    for (const name of names) {
      const lock = await backend.getObjectLockConfiguration({ bucket: name });
      out.push({
        name,
        versioning: (await backend.getBucketVersioning({ bucket: name })) ?? null,
        objectLock: lock ? { enabled: true, ...(lock.defaultRetention ? { defaultRetention: lock.defaultRetention } : {}) } : { enabled: false },
        ...(locked.has(name) ? { lockEnforcement: locked.get(name)! } : {}),
        ...(fileSystemOf(reports, name) ? { fileSystem: fileSystemOf(reports, name)! } : {}),
      });
    }
    return out;
  } finally {
    await backend.close();
  }
}

/** The statuses as a running server sees them, through its admin API (the buckets the caller may see). */
async function remoteStatus(args: UsersArgs, only: string | undefined): Promise<BucketStatus[]> {
  const remote = args.remote!;
  const listed = (await remote.call<{ buckets: { name: string }[] }>('GET', 'buckets')).buckets.map((b) => b.name);
  const names = listed.filter((n) => only === undefined || n === only);
  if (only !== undefined && !names.length) throw new ConfigError(`no bucket "${only}" on that server (or none you may see)`);
  const server = await remote.call<{ fileSystems?: FileSystemReport[] }>('GET', 'server');
  const reports = server.fileSystems ?? [];
  const out: BucketStatus[] = [];
  for (const name of names) {
    const versioning = await remote.call<{ status: 'Enabled' | 'Suspended' | null }>('GET', `buckets/${seg(name)}/versioning`);
    const lock = await remote.call<{ enabled: boolean; defaultRetention?: DefaultRetention }>('GET', `buckets/${seg(name)}/lock`);
    const fs = fileSystemOf(reports, name);
    out.push({
      name,
      versioning: versioning.status,
      objectLock: { enabled: lock.enabled === true, ...(lock.defaultRetention ? { defaultRetention: lock.defaultRetention } : {}) },
      ...(lock.enabled === true && fs ? { lockEnforcement: fs.immutable ? 'file-system' as const : 'gateway' as const } : {}),
      ...(fs ? { fileSystem: fs } : {}),
    });
  }
  return out;
}

function retentionText(r: DefaultRetention): string {
  const n = r.days ?? r.years ?? 0;
  const unit = r.days !== undefined ? (n === 1 ? 'day' : 'days') : n === 1 ? 'year' : 'years';
  return `default retention ${r.mode} ${n} ${unit}`;
}

/** One line of text per bucket. */
export function statusLine(s: BucketStatus): string {
  const versioning = `versioning ${s.versioning ?? 'never enabled'}`;
  let lock = 'object lock off';
  if (s.objectLock.enabled) {
    lock = `object lock on${s.objectLock.defaultRetention ? ` (${retentionText(s.objectLock.defaultRetention)})` : ''}`;
    lock += s.lockEnforcement ? `, ${lockEnforcementText(s.lockEnforcement)}` : ', enforcement unknown (the file system could not be probed)';
  }
  const fs = s.fileSystem ? `; file system ${s.fileSystem.type}${s.fileSystem.network ? ' (network)' : ''}${s.fileSystem.problem ? ` (${s.fileSystem.problem})` : ''}` : '';
  return `Bucket ${s.name}: ${versioning}; ${lock}${fs}\n`;
}

/** Runs `dirbucket bucket status [BUCKET] [--json]`. */
export async function bucketStatusCommand(args: UsersArgs): Promise<void> {
  if (args.positionals.length > 1) throw new ConfigError('usage: dirbucket bucket status [BUCKET] [--json]');
  const only = args.positionals[0];
  if (!args.remote && args.values.root === undefined && args.values.config === undefined) throw new ConfigError('give --root DIR, --config FILE or --endpoint URL');
  const statuses = args.remote ? await remoteStatus(args, only) : await localStatus(args, only);
  if (args.values.json === true) {
    process.stdout.write(`${JSON.stringify({ buckets: statuses }, null, 2)}\n`);
    return;
  }
  if (!statuses.length) process.stdout.write('No buckets.\n');
  for (const s of statuses) process.stdout.write(statusLine(s));
  if (!args.remote && statuses.some((s) => s.objectLock.enabled)) {
    const uid = process.getuid?.();
    process.stdout.write(`(Enforcement as probed by this command, running as uid ${uid ?? '?'}: a gateway running as another user may differ; --endpoint asks a running gateway.)\n`);
  }
}
