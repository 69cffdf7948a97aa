/** The gateway's configuration: its shape and defaults (read off the settings), and loading it from a YAML or JSON file. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { ConfigError } from './config-error.js';
import type { ConfigOf } from './setting.js';
import { LOG_LEVELS, METADATA_MODES, SETTINGS, WITHOUT_CHOWN } from './settings.js';

export { ConfigError } from './config-error.js';
export { parseListen } from './listen.js';
export type { MappedBucket } from './mapped-buckets.js';

/** The configuration of `serve`: one field per setting in settings.ts; those without a default are optional. */
export type Config = ConfigOf<typeof SETTINGS>;

export type LogLevel = (typeof LOG_LEVELS)[number];
export type MetadataMode = (typeof METADATA_MODES)[number];
/**
 * Without the right to change file ownership (not root, no CAP_CHOWN): serve only users whose identity is
 * the gateway's own ('own-identity', the default), or refuse to start ('refuse').
 */
export type WithoutChown = (typeof WITHOUT_CHOWN)[number];

/** Every setting's default. */
export const DEFAULTS = Object.fromEntries(SETTINGS.filter((s) => 'default' in s).map((s) => [s.field, (s as { default: unknown }).default])) as
  Omit<Config, 'root' | 'domain' | 'stateDir'>;

/** The settings the configuration file knows, by their name there. */
const FILE_SETTINGS = new Map(SETTINGS.flatMap((s) => ('key' in s && s.key === null ? [] : [[('key' in s && s.key) || s.field, s] as const])));

/**
 * Validates a parsed configuration document. Relative paths are resolved against `baseDir` (the file's
 * folder). Unknown fields are errors, so a typo is not silently ignored.
 */
export function validateConfig(doc: unknown, baseDir: string): Partial<Config> {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new ConfigError('configuration: expected a mapping of settings at the top level');
  const o = doc as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!FILE_SETTINGS.has(k)) throw new ConfigError(`${k}: unknown setting (known: ${[...FILE_SETTINGS.keys()].join(', ')})`);
  }
  const out: Record<string, unknown> = {};
  for (const [key, s] of FILE_SETTINGS) {
    const v = o[key];
    if (v !== undefined && v !== null) out[s.field] = s.parse(v, { name: key, baseDir });
  }
  return out as Partial<Config>;
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
