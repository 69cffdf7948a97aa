/** The version of dirbucket, as package.json says. */
import { readFileSync } from 'node:fs';

/** The package's version string. */
export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
