/** What every users/keys/buckets subcommand shares: --root or --config (as for serve) to find the users file. */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from '../config/config.js';
import { USERS_FILE } from '../accounts/users-file.js';
import { stateDirFor } from './state-dir.js';

type Options = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

/** Parsed arguments: option values, positional words, and the users file they lead to. */
export interface UsersArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  file: string;
}

/** Parses `argv` with the common options plus `options`; throws ConfigError on a usage error. */
export function parseUsersArgs(argv: string[], options: Options = {}): UsersArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { root: { type: 'string' }, config: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' }, ...options },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
  const values = parsed.values as UsersArgs['values'];
  if (values.help) return { values, positionals: parsed.positionals, file: '' };
  const stateDir = stateDirFor({ root: values.root as string | undefined, config: values.config as string | undefined });
  return { values, positionals: parsed.positionals, file: path.join(stateDir, USERS_FILE) };
}

/** Runs `fn`, turning its plain Errors (unknown user, bad id...) into usage errors with the same message. */
export async function asUsageError<T>(fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof ConfigError || (e as NodeJS.ErrnoException).code !== undefined) throw e;
    throw new ConfigError((e as Error).message);
  }
}

/** Exactly `n` positional words after the action, or a usage error quoting `usage`. */
export function words(args: UsersArgs, n: number, usage: string): string[] {
  if (args.positionals.length !== n) throw new ConfigError(`usage: ${usage}`);
  return args.positionals;
}
