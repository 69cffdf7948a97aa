/** `serve`'s command line, read off the settings: options, their merge over the configuration file, and `--help`. */
import { parseArgs } from 'node:util';
import { DEFAULTS, loadConfigFile, type Config } from './config.js';
import type { Setting } from './setting.js';
import { SETTINGS } from './settings.js';

/** What the command line asked for: help, or a configuration (command line over file over defaults). */
export type ServeArgs = { help: true } | { help: false; config: Config; configFile: string | undefined };

const CONFIG_HELP = 'YAML or JSON configuration: root, mapped buckets (name, path, access), and any of the settings below (command-line options override the file)';
const WITH_FLAG = (SETTINGS as readonly Setting[]).filter((s) => s.flag !== undefined);

/** Parses `serve`'s arguments; a bad value throws a ConfigError naming its option. */
export function parseServeArgs(argv: string[]): ServeArgs {
  const options = Object.fromEntries(WITH_FLAG.map((s) => [s.flag!, { type: 'sets' in s ? ('boolean' as const) : ('string' as const), multiple: s.multiple ?? false }]));
  const { values } = parseArgs({
    args: argv,
    options: { ...options, config: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
  });
  if (values.help) return { help: true };
  const configFile = values.config as string | undefined;
  const file = configFile ? loadConfigFile(configFile) : {};
  const cli: Record<string, unknown> = {};
  for (const s of WITH_FLAG) {
    const v = (values as Record<string, string | string[] | boolean | undefined>)[s.flag!];
    if (v === undefined) continue;
    cli[s.field] = 'sets' in s ? s.sets : s.parse(v, { name: `--${s.flag}`, baseDir: process.cwd() });
  }
  return { help: false, config: { ...structuredClone(DEFAULTS), ...file, ...cli } as Config, configFile };
}

/** The "Options:" lines of `serve --help`. */
export function serveOptionsHelp(): string {
  const rows: [string, string][] = [
    ['--config FILE', CONFIG_HELP],
    ...WITH_FLAG.map((s): [string, string] => [`--${s.flag}${s.arg ? ` ${s.arg}` : ''}`, s.help ?? '']),
    ['-h, --help', 'show this help'],
  ];
  return rows.map(([left, help]) => optionLine(left, help)).join('');
}

const INDENT = 24;
const WIDTH = 104;

/** `  --flag ARG            help`, the help wrapped at WIDTH under its first line. */
function optionLine(left: string, help: string): string {
  let line = `  ${left}`.padEnd(INDENT - 2) + '  ';
  let out = '';
  for (const word of help.split(' ')) {
    if (line.length + word.length > WIDTH && line.trim() !== left) {
      out += line.trimEnd() + '\n';
      line = ' '.repeat(INDENT);
    }
    line += word + ' ';
  }
  return out + line.trimEnd() + '\n';
}
