/** The archive tier's start-up checks: it must exist, be writable, and lie apart from everything served. */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { checkPaths } from '../../src/config/check-paths.js';
import { DEFAULTS, type Config } from '../../src/config/config.js';

let dir: string;
const config = (over: Partial<Config>): Config => ({ ...structuredClone(DEFAULTS), ...over }) as Config;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dirbucket-archive-config-'));
  await mkdir(join(dir, 'root'));
  await mkdir(join(dir, 'tier'));
  await mkdir(join(dir, 'mapped'));
});
after(() => rm(dir, { recursive: true, force: true }));

test('a tier apart from the root and the mapped buckets is accepted', () => {
  checkPaths(config({ root: join(dir, 'root'), archiveDir: join(dir, 'tier') }));
  checkPaths(config({ buckets: [{ name: 'mapped', path: join(dir, 'mapped'), readOnly: false, archiveDir: join(dir, 'tier') }] }));
});

test('a tier that is missing, inside what is served, or holding it, is refused naming the setting', () => {
  assert.throws(() => checkPaths(config({ root: join(dir, 'root'), archiveDir: join(dir, 'nope') })), /^ConfigError: archiveDir: .*nope does not exist/);
  assert.throws(() => checkPaths(config({ root: join(dir, 'root'), archiveDir: join(dir, 'root') })), /archiveDir: .* overlaps .*root, which is served/);
  assert.throws(() => checkPaths(config({ root: join(dir, 'root'), archiveDir: dir })), /archiveDir: .* overlaps/);
  assert.throws(() => checkPaths(config({ buckets: [{ name: 'mapped', path: join(dir, 'mapped'), readOnly: false, archiveDir: join(dir, 'mapped') }] })),
    /buckets\[0\] \(mapped\)\.archiveDir: .* overlaps/);
});
