/** The `dirbucket` command line: dispatches to a subcommand and turns configuration errors into messages. */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../config/config.js';
import { serve, SERVE_HELP } from './serve.js';

const HELP = `Usage: dirbucket <command> [options]

Commands:
  serve       serve a directory tree as S3 buckets (dirbucket serve --help)

Options:
  -h, --help     show this help
  --version      show the version
`;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** Runs the command line; exits 2 with a message on a usage or configuration error. */
export async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'serve':
        return await serve(rest);
      case '--version':
        process.stdout.write(version() + '\n');
        return;
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        process.stdout.write(command === 'help' && rest[0] === 'serve' ? SERVE_HELP : HELP);
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
      process.stderr.write(`dirbucket: cannot listen: address already in use\n`);
      process.exit(2);
    }
    throw e;
  }
}
