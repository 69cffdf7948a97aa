/** Locates the repository root from a compiled test file, wherever the build put it. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository root: the nearest ancestor of this file holding package.json.
 * Why walk instead of a fixed `../..`: the compiled file lives in dist/test/helpers, the source in test/helpers,
 * so the depth differs by how the file is run.
 */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(`repoRoot: no package.json above ${fileURLToPath(import.meta.url)}`);
}
