/**
 * One setting of `serve`, described once: its field, its name in the configuration file, its command-line
 * option, its default, its help text and the parser that checks a value. The file loader, the command line,
 * the defaults and `--help` are all read off a list of these (settings.ts).
 */
import { resolve } from 'node:path';
import { ConfigError } from './config-error.js';

/** Where a value came from, for messages and relative paths: `listen` in a file, `--listen` on the command line. */
export interface Origin {
  /** The value's name there, which every error message starts with. */
  name: string;
  /** The folder relative paths are resolved against: the file's folder, or the working directory. */
  baseDir: string;
}

/** How a setting is written, parsed and explained. */
export interface SettingSpec<F extends string, T> {
  /** The field of the configuration it fills. */
  field: F;
  /** Its name in the configuration file (default `field`); null when only the command line sets it. */
  key?: string | null;
  /** Its command-line option without the dashes; none when only the file sets it. */
  flag?: string;
  /** For an option that takes no value (a switch): the value it sets, `--no-fsync` sets false. */
  sets?: T;
  /** The option may be given more than once: `parse` then gets the list of its values from the command line. */
  multiple?: true;
  /** The placeholder of the option's value in `--help` (`HOST:PORT`). */
  arg?: string;
  /** What the option does, for `--help`; one paragraph, wrapped when printed. */
  help?: string;
  /** Checks and converts a value: any YAML/JSON value from the file, a string from the command line. */
  parse(value: unknown, at: Origin): T;
}

/** A setting as the loaders see it. */
export type Setting<F extends string = string, T = unknown> = SettingSpec<F, T> & { default?: T };

/** Describes a setting; `default` is checked against what `parse` returns. */
export function setting<const F extends string, T>(s: SettingSpec<F, T> & { default: NoInfer<T> }): SettingSpec<F, T> & { default: T };
export function setting<const F extends string, T>(s: SettingSpec<F, T>): SettingSpec<F, T>;
export function setting<F extends string, T>(s: Setting<F, T>): Setting<F, T> {
  return s;
}

/** The configuration a list of settings describes: fields with a default are always there, others optional. */
export type ConfigOf<L extends readonly Setting[]> = Flatten<
  { [S in L[number] as S extends { default: unknown } ? S['field'] : never]: ValueOf<S> } &
  { [S in L[number] as S extends { default: unknown } ? never : S['field']]?: ValueOf<S> }
>;

type ValueOf<S> = S extends SettingSpec<string, infer T> ? T : never;
type Flatten<T> = { [K in keyof T]: T[K] };

// The kinds of value settings take; each names the value's origin first in its message.

/** A non-empty string. */
export function text(v: unknown, at: Origin): string {
  if (typeof v !== 'string' || v === '') throw new ConfigError(`${at.name}: expected a non-empty string`);
  return v;
}

/** true or false. */
export function yesNo(v: unknown, at: Origin): boolean {
  if (typeof v !== 'boolean') throw new ConfigError(`${at.name}: expected true or false`);
  return v;
}

/** A path, resolved against the origin's folder. */
export function pathIn(v: unknown, at: Origin): string {
  return resolve(at.baseDir, text(v, at));
}

/** A parser for one of `values`. */
export function oneOf<const C extends string>(values: readonly C[]): (v: unknown, at: Origin) => C {
  return (v, at) => {
    if (typeof v === 'string' && (values as readonly string[]).includes(v)) return v as C;
    throw new ConfigError(`${at.name}: expected ${values.slice(0, -1).join(', ')} or ${values.at(-1)}, got ${JSON.stringify(v)}`);
  };
}
