/** The `dirbucket` command line: dispatches to a subcommand and turns configuration errors into messages. */
import { ConfigError } from '../config/config.js';
import { BUCKET_HELP, bucketCommand } from './bucket-command.js';
import { CERT_HELP, certCommand } from './cert-command.js';
import { KEY_HELP, keyCommand } from './key-command.js';
import { LIFECYCLE_HELP, lifecycleCommand } from './lifecycle-command.js';
import { serve, SERVE_HELP } from './serve.js';
import { USER_HELP, userCommand } from './user-command.js';
import { version } from './version.js';

const HELP = `Usage: dirbucket <command> [options]

Commands:
  serve       serve a directory tree as S3 buckets (dirbucket serve --help)
  user        add, list, show and remove users (dirbucket user --help)
  key         create, list and revoke users' access keys (dirbucket key --help)
  bucket      grant and revoke users' access to buckets, set a bucket's identity, show its versioning and
              object lock status (dirbucket bucket --help)
  cert        certificate status, and a self-signed certificate to start with (dirbucket cert --help)
  lifecycle   run the buckets' lifecycle rules once, now (dirbucket lifecycle --help)

Options:
  -h, --help     show this help
  --version      show the version
`;

/** Runs the command line; exits 2 with a message on a usage or configuration error. */
export async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'serve':
        return await serve(rest);
      case 'user':
        return await userCommand(rest);
      case 'key':
        return await keyCommand(rest);
      case 'bucket':
        return await bucketCommand(rest);
      case 'cert':
        return await certCommand(rest);
      case 'lifecycle':
        return await lifecycleCommand(rest);
      case '--version':
        process.stdout.write(version() + '\n');
        return;
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        process.stdout.write(command === 'help' ? ({ serve: SERVE_HELP, user: USER_HELP, key: KEY_HELP, bucket: BUCKET_HELP, cert: CERT_HELP, lifecycle: LIFECYCLE_HELP }[rest[0] ?? ''] ?? HELP) : HELP);
        return;
      default:
        throw new ConfigError(`unknown command "${command}" (try dirbucket --help)`);
    }
  } catch (e) {
    if (e instanceof ConfigError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`dirbucket: ${(e as Error).message}\n`);
      process.exit(2);
    }
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      const { address, port } = e as NodeJS.ErrnoException & { address?: string; port?: number };
      const where = address === undefined ? '' : ` on ${address.includes(':') ? `[${address}]` : address}:${port}`;
      process.stderr.write(`dirbucket: cannot listen${where}: address already in use (another server, or another dirbucket, is there; choose another with --listen)\n`);
      process.exit(2);
    }
    throw e;
  }
}
