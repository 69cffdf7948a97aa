/**
 * What every users/keys/buckets subcommand shares: --root or --config (as for serve) to find the users file,
 * which must already exist there (a gateway started there, or --init): a mistyped --root must not quietly
 * become a second gateway's state that no server reads. Or --endpoint URL (with credentials) to act through a
 * running server's admin API instead.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from '../config/config.js';
import { USERS_FILE } from '../accounts/users-file.js';
import { stateDirFor } from './state-dir.js';
import { AdminClient } from './admin-client.js';

type Options = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

/** Parsed arguments: option values, positional words, and the users file they lead to. */
export interface UsersArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  file: string;
  /** ` --root DIR`, ` --config FILE` or ` --endpoint URL` as given (shell-quoted), for the commands a message suggests next. */
  where: string;
  /** Set with --endpoint: the admin API to act through (and `file` is ''). */
  remote?: AdminClient;
}

/** `s` quoted for a POSIX shell when it needs it. */
export function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The options of --endpoint. */
const REMOTE_OPTIONS = {
  endpoint: { type: 'string' }, 'access-key': { type: 'string' }, 'secret-key': { type: 'string' }, region: { type: 'string' },
} as const;

/** The help text of the --endpoint options, shared by the subcommands' help. */
export const REMOTE_HELP = `Through a running server instead of the state directory:
  --endpoint URL      the server's admin listener (its Admin line, e.g. http://gateway:9001)
  --access-key ID     an administrator's key (default: AWS_ACCESS_KEY_ID)
  --secret-key SECRET (default: AWS_SECRET_ACCESS_KEY)
  --region REGION     the region to sign for (default: AWS_REGION, else us-east-1)
`;

/** Parses `argv` with the common options plus `options`; throws ConfigError on a usage error. */
export function parseUsersArgs(argv: string[], options: Options = {}): UsersArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { root: { type: 'string' }, config: { type: 'string' }, init: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' }, ...REMOTE_OPTIONS, ...options },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
  const values = parsed.values as UsersArgs['values'];
  if (values.help) return { values, positionals: parsed.positionals, file: '', where: '' };
  if (typeof values.endpoint === 'string') {
    if (values.root !== undefined || values.config !== undefined) throw new ConfigError('give --endpoint URL or --root/--config, not both');
    return { values, positionals: parsed.positionals, file: '', where: ` --endpoint ${shellWord(values.endpoint)}`, remote: remoteClient(values) };
  }
  for (const o of ['access-key', 'secret-key', 'region']) if (values[o] !== undefined) throw new ConfigError(`--${o} goes with --endpoint URL`);
  const root = values.root as string | undefined;
  const config = values.config as string | undefined;
  const stateDir = stateDirFor({ root, config });
  if (!existsSync(stateDir)) {
    const where = root !== undefined ? `under ${root}` : `in ${stateDir} (from ${config})`;
    // With --init, asked for in so many words, the state directory is made (and the root with it, as serve would).
    if (values.init !== true) throw new ConfigError(`no dirbucket state ${where}; start the server there first or pass --init`);
  }
  const where = root !== undefined ? ` --root ${shellWord(root)}` : config !== undefined ? ` --config ${shellWord(config)}` : '';
  return { values, positionals: parsed.positionals, file: path.join(stateDir, USERS_FILE), where };
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

/**
 * Answers a subcommand called without an action or for help: help on stdout for --help (exit 0), the same text
 * on stderr with exit status 2 when the action is missing (a usage error). True when it answered.
 */
export function answeredHelp(action: string | undefined, help: string): boolean {
  if (action === '--help' || action === '-h') {
    process.stdout.write(help);
    return true;
  }
  if (action !== undefined) return false;
  process.stderr.write(help);
  process.exitCode = 2;
  return true;
}

/** The admin API client of --endpoint, with credentials from the options or the environment. */
function remoteClient(values: UsersArgs['values']): AdminClient {
  const accessKeyId = (values['access-key'] as string | undefined) ?? process.env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = (values['secret-key'] as string | undefined) ?? process.env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) throw new ConfigError('--endpoint needs credentials: --access-key and --secret-key, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
  const region = (values.region as string | undefined) ?? process.env.AWS_REGION;
  return new AdminClient({ endpoint: values.endpoint as string, accessKeyId, secretAccessKey, ...(region ? { region } : {}) });
}
