/** The configuration file's `buckets`: directories served under names of their own, read-only or read-write. */
import path from 'node:path';
import { ConfigError } from './config-error.js';
import { text, type Origin } from './setting.js';

/** A bucket the configuration maps to a directory. */
export interface MappedBucket {
  name: string;
  path: string;
  readOnly: boolean;
  /** This bucket's archive tier, over the global `archiveDir`. */
  archiveDir?: string;
  /** The identity its requests act as, in either identity mode: `UID:GID` or a login (looked up at start-up). */
  identity?: string;
  /** Its own identity mode, over the server's --identity-mode. */
  identityMode?: 'user' | 'bucket';
}

function expect(cond: boolean, message: string): void {
  if (!cond) throw new ConfigError(message);
}

/** Checks a list of `{name, path, access}`; paths are resolved against the file's folder. */
export function mappedBuckets(v: unknown, at: Origin): MappedBucket[] {
  expect(Array.isArray(v), `${at.name}: expected a list of {name, path, access}`);
  return (v as unknown[]).map((b, i) => {
    const field = `${at.name}[${i}]`;
    expect(typeof b === 'object' && b !== null && !Array.isArray(b), `${field}: expected a mapping with name, path and access`);
    const e = b as Record<string, unknown>;
    for (const k of Object.keys(e)) expect(['name', 'path', 'access', 'archiveDir', 'identity', 'identityMode'].includes(k), `${field}.${k}: unknown setting (known: name, path, access, archiveDir, identity, identityMode)`);
    expect(e.name !== undefined && e.name !== null, `${field}.name: required`);
    const name = text(e.name, { ...at, name: `${field}.name` });
    expect(e.path !== undefined && e.path !== null, `${field}.path: required`);
    const p = text(e.path, { ...at, name: `${field}.path` });
    const access = e.access === undefined || e.access === null ? 'read-write' : text(e.access, { ...at, name: `${field}.access` });
    expect(access === 'read-only' || access === 'read-write', `${field}.access: expected read-only or read-write, got "${access}"`);
    const archiveDir = e.archiveDir === undefined || e.archiveDir === null ? undefined : path.resolve(at.baseDir, text(e.archiveDir, { ...at, name: `${field}.archiveDir` }));
    const identity = e.identity === undefined || e.identity === null ? undefined : text(e.identity, { ...at, name: `${field}.identity` });
    const mode = e.identityMode === undefined || e.identityMode === null ? undefined : text(e.identityMode, { ...at, name: `${field}.identityMode` });
    expect(mode === undefined || mode === 'user' || mode === 'bucket', `${field}.identityMode: expected user or bucket, got "${mode}"`);
    // An identity is set to be acted as: a bucket kept in mode `user` would never use it.
    expect(!(identity !== undefined && mode === 'user'), `${field}: identity is what the bucket acts as, and identityMode user says it acts as each user: give one or the other`);
    return {
      name, path: path.resolve(at.baseDir, p), readOnly: access === 'read-only', ...(archiveDir !== undefined && { archiveDir }),
      ...(identity !== undefined && { identity }), ...(mode !== undefined && { identityMode: mode as 'user' | 'bucket' }),
    };
  });
}
