/** Start-up checks of the directories a configuration names: clear messages instead of failures later. */
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { bucketNameProblem } from './bucket-name.js';
import { ConfigError, type Config } from './config.js';

function checkDirectory(dir: string, what: string, writable: boolean): void {
  let st;
  try {
    st = statSync(dir);
  } catch (e) {
    throw new ConfigError(`${what}: ${dir} does not exist (${(e as NodeJS.ErrnoException).code})`);
  }
  if (!st.isDirectory()) throw new ConfigError(`${what}: ${dir} is not a directory`);
  try {
    accessSync(dir, constants.R_OK | constants.X_OK | (writable ? constants.W_OK : 0));
  } catch {
    throw new ConfigError(`${what}: ${dir} is not ${writable ? 'readable and writable' : 'readable'} by this process`);
  }
}

/**
 * Checks root and mapped buckets: the root is created when missing (its parent must exist), every mapped
 * directory must exist and be readable (writable when read-write), names valid and unique; archive tiers must
 * exist, be writable, and lie apart from everything served.
 */
export function checkPaths(config: Config): void {
  if (!config.root && config.buckets.length === 0) {
    throw new ConfigError('nothing to serve: give --root DIR, or a configuration file with root or buckets');
  }
  if (config.root) {
    try {
      mkdirSync(config.root);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new ConfigError(`root: cannot create ${config.root}: its parent ${path.dirname(config.root)} does not exist`);
      if (code !== 'EEXIST') throw new ConfigError(`root: cannot create ${config.root} (${code})`);
    }
    checkDirectory(config.root, 'root', true);
  }
  const seen = new Set<string>();
  config.buckets.forEach((b, i) => {
    const field = `buckets[${i}] (${b.name})`;
    const problem = bucketNameProblem(b.name);
    if (problem) throw new ConfigError(`${field}.name: "${b.name}" is not a valid bucket name: ${problem}`);
    if (seen.has(b.name)) throw new ConfigError(`${field}.name: bucket "${b.name}" is mapped twice`);
    seen.add(b.name);
    checkDirectory(b.path, `${field}.path`, !b.readOnly);
  });
  // The archive tier: a directory of its own, outside everything served (inside, it would be served as a bucket
  // or as objects, and its data files counted twice).
  const served = [...(config.root ? [config.root] : []), ...config.buckets.map((b) => b.path)];
  const tiers = [
    ...(config.archiveDir ? [{ dir: config.archiveDir, what: 'archiveDir' }] : []),
    ...config.buckets.flatMap((b, i) => (b.archiveDir ? [{ dir: b.archiveDir, what: `buckets[${i}] (${b.name}).archiveDir` }] : [])),
  ];
  for (const { dir, what } of tiers) {
    checkDirectory(dir, what, true);
    const inside = served.find((s) => isWithin(dir, s) || isWithin(s, dir));
    if (inside) throw new ConfigError(`${what}: ${dir} overlaps ${inside}, which is served: the archive tier must be a directory apart`);
  }
}

/** Whether `dir` is `parent` or lies under it (by path, as configured). */
function isWithin(dir: string, parent: string): boolean {
  const rel = path.relative(parent, dir);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
