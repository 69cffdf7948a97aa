/** Where the gateway's state (credentials, users and keys) lives, found from the same --root or --config as `serve`. */
import path from 'node:path';
import { ConfigError, loadConfigFile } from '../config/config.js';
import { RESERVED_NAME } from '../storage/posix/paths/reserved.js';

/**
 * The state directory: the configuration's `state` when set, else `<root>/.dirbucket` in root mode, else
 * `.dirbucket` beside the configuration file. `root` given on the command line wins over the file's.
 */
export function stateDirFor(opts: { root?: string; config?: string; state?: string }): string {
  const file = opts.config ? loadConfigFile(opts.config) : {};
  const state = opts.state ?? file.stateDir;
  const root = opts.root ? path.resolve(opts.root) : file.root;
  const dir = defaultStateDir(root, opts.config, state);
  if (!dir) throw new ConfigError('give --root DIR or --config FILE (the same as for dirbucket serve)');
  return dir;
}

/** The state directory from what a configuration names, undefined when it names neither root nor file. */
export function defaultStateDir(root: string | undefined, configFile: string | undefined, state?: string): string | undefined {
  if (state) return state;
  if (root) return path.join(root, RESERVED_NAME);
  if (configFile) return path.join(path.dirname(path.resolve(configFile)), RESERVED_NAME);
  return undefined;
}
