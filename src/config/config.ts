/** The gateway's configuration: its shape, defaults, and loading from a YAML or JSON file with field-naming errors. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

export type MetadataMode = 'auto' | 'xattr' | 'sidecar';
export type LogLevel = 'silent' | 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

export interface MappedBucket {
  name: string;
  path: string;
  readOnly: boolean;
}

export interface Config {
  /** Root mode: every direct subdirectory with a valid bucket name is a bucket. */
  root?: string;
  buckets: MappedBucket[];
  listen: { host: string; port: number };
  region: string;
  /** Virtual-hosted-style addressing: `bucket.<domain>`. */
  domain?: string;
  logLevel: LogLevel;
  metadata: MetadataMode;
  fsync: boolean;
  followSymlinks: boolean;
  /** Where the gateway keeps its own state (credentials): `<root>/.dirbucket` in root mode. */
  stateDir?: string;
  /**
   * Without the right to change file ownership (not root, no CAP_CHOWN): serve only users whose identity is
   * the gateway's own ('own-identity', the default), or refuse to start ('refuse').
   */
  withoutChown: WithoutChown;
  /** Multipart uploads older than this (ms) are removed by the background sweep; 0 turns the sweep off. */
  multipartExpiryMs: number;
  /** The identity unsigned requests act as on the file system: a login, or UID:GID (default nobody). */
  anonymousIdentity: string;
}

export type WithoutChown = 'own-identity' | 'refuse';

/** A configuration problem, with the field it concerns: start-up prints the message, not a stack. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export const DEFAULTS: Omit<Config, 'root' | 'buckets'> = {
  listen: { host: '127.0.0.1', port: 9000 },
  region: 'us-east-1',
  logLevel: 'info',
  metadata: 'auto',
  fsync: true,
  followSymlinks: false,
  withoutChown: 'own-identity',
  multipartExpiryMs: 7 * 24 * 60 * 60 * 1000,
  anonymousIdentity: 'nobody',
};

const LOG_LEVELS: LogLevel[] = ['silent', 'fatal', 'error', 'warn', 'info', 'debug', 'trace'];
const METADATA_MODES: MetadataMode[] = ['auto', 'xattr', 'sidecar'];

/** Parses `HOST:PORT`, `:PORT`, `PORT` or `[v6]:PORT`. */
export function parseListen(v: string, field = 'listen'): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(v) ?? (/^\d+$/.test(v) ? [v, undefined, '', v] : null);
  const port = m ? Number(m[3]) : NaN;
  if (!m || !(port >= 0 && port <= 65535)) throw new ConfigError(`${field}: expected HOST:PORT (for example 127.0.0.1:9000), got "${v}"`);
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}

const DURATION_UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses a duration: a whole number with a unit (s, m, h, d), a bare number of seconds, or 0 (never); in ms. */
export function parseDuration(v: string, field: string): number {
  const m = /^\s*(\d{1,9})\s*([smhd]?)\s*$/.exec(v);
  if (!m) throw new ConfigError(`${field}: expected a duration such as 7d, 12h, 30m or 90s (or 0 for never), got "${v}"`);
  return Number(m[1]) * DURATION_UNITS[m[2] || 's']!;
}

function expect(cond: boolean, message: string): void {
  if (!cond) throw new ConfigError(message);
}

function str(obj: Record<string, unknown>, key: string, field: string): string | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  expect(typeof v === 'string' && v !== '', `${field}: expected a non-empty string`);
  return v as string;
}

function bool(obj: Record<string, unknown>, key: string, field: string): boolean | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  expect(typeof v === 'boolean', `${field}: expected true or false`);
  return v as boolean;
}

const KNOWN = new Set(['root', 'buckets', 'listen', 'region', 'domain', 'logLevel', 'metadata', 'fsync', 'followSymlinks', 'state', 'withoutChown', 'multipartExpiry', 'anonymousIdentity']);

/**
 * Validates a parsed configuration document. Relative paths are resolved against `baseDir` (the file's
 * folder). Unknown fields are errors, so a typo is not silently ignored.
 */
export function validateConfig(doc: unknown, baseDir: string): Partial<Config> {
  expect(typeof doc === 'object' && doc !== null && !Array.isArray(doc), 'configuration: expected a mapping of settings at the top level');
  const o = doc as Record<string, unknown>;
  for (const k of Object.keys(o)) expect(KNOWN.has(k), `${k}: unknown setting (known: ${[...KNOWN].join(', ')})`);
  const out: Partial<Config> = {};
  const root = str(o, 'root', 'root');
  if (root) out.root = path.resolve(baseDir, root);
  const listen = str(o, 'listen', 'listen');
  if (listen) out.listen = parseListen(listen);
  const region = str(o, 'region', 'region');
  if (region) out.region = region;
  const domain = str(o, 'domain', 'domain');
  if (domain) out.domain = domain.toLowerCase();
  const logLevel = str(o, 'logLevel', 'logLevel');
  if (logLevel) {
    expect(LOG_LEVELS.includes(logLevel as LogLevel), `logLevel: expected one of ${LOG_LEVELS.join(', ')}`);
    out.logLevel = logLevel as LogLevel;
  }
  const metadata = str(o, 'metadata', 'metadata');
  if (metadata) {
    expect(METADATA_MODES.includes(metadata as MetadataMode), `metadata: expected one of ${METADATA_MODES.join(', ')}`);
    out.metadata = metadata as MetadataMode;
  }
  const fsync = bool(o, 'fsync', 'fsync');
  if (fsync !== undefined) out.fsync = fsync;
  const follow = bool(o, 'followSymlinks', 'followSymlinks');
  if (follow !== undefined) out.followSymlinks = follow;
  const expiry = o['multipartExpiry'];
  if (expiry !== undefined && expiry !== null) {
    expect(typeof expiry === 'string' || typeof expiry === 'number', 'multipartExpiry: expected a duration such as 7d, 12h, 30m, 90s (or 0 for never)');
    out.multipartExpiryMs = parseDuration(String(expiry), 'multipartExpiry');
  }
  const anonymous = str(o, 'anonymousIdentity', 'anonymousIdentity');
  if (anonymous) out.anonymousIdentity = anonymous;
  const withoutChown = str(o, 'withoutChown', 'withoutChown');
  if (withoutChown) {
    expect(withoutChown === 'own-identity' || withoutChown === 'refuse', `withoutChown: expected own-identity or refuse, got "${withoutChown}"`);
    out.withoutChown = withoutChown as WithoutChown;
  }
  const state = str(o, 'state', 'state');
  if (state) out.stateDir = path.resolve(baseDir, state);
  if (o.buckets !== undefined && o.buckets !== null) {
    expect(Array.isArray(o.buckets), 'buckets: expected a list of {name, path, access}');
    out.buckets = (o.buckets as unknown[]).map((b, i) => {
      const field = `buckets[${i}]`;
      expect(typeof b === 'object' && b !== null && !Array.isArray(b), `${field}: expected a mapping with name, path and access`);
      const e = b as Record<string, unknown>;
      for (const k of Object.keys(e)) expect(['name', 'path', 'access'].includes(k), `${field}.${k}: unknown setting (known: name, path, access)`);
      const name = str(e, 'name', `${field}.name`);
      expect(name !== undefined, `${field}.name: required`);
      const p = str(e, 'path', `${field}.path`);
      expect(p !== undefined, `${field}.path: required`);
      const access = str(e, 'access', `${field}.access`) ?? 'read-write';
      expect(access === 'read-only' || access === 'read-write', `${field}.access: expected read-only or read-write, got "${access}"`);
      return { name: name!, path: path.resolve(baseDir, p!), readOnly: access === 'read-only' };
    });
  }
  return out;
}

/** Reads and validates a configuration file (.yaml, .yml or .json). */
export function loadConfigFile(file: string): Partial<Config> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read configuration file ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  let doc: unknown;
  try {
    doc = file.endsWith('.json') ? JSON.parse(text) : YAML.parse(text);
  } catch (e) {
    throw new ConfigError(`${file}: not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(e as Error).message.split('\n')[0]}`);
  }
  try {
    return validateConfig(doc ?? {}, path.dirname(path.resolve(file)));
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(`${file}: ${e.message}`);
    throw e;
  }
}
