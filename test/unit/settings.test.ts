/** The settings of `serve`: one entry each drives the configuration file, the command line, the defaults and --help. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { parseServeArgs, serveOptionsHelp } from '../../src/config/command-line.js';
import { ConfigError, DEFAULTS, validateConfig } from '../../src/config/config.js';
import type { Setting } from '../../src/config/setting.js';
import { SETTINGS } from '../../src/config/settings.js';
import { workerCount } from '../../src/config/workers.js';

const settings = SETTINGS as readonly Setting[];

function args(...argv: string[]) {
  const a = parseServeArgs(argv);
  assert.ok(!a.help);
  return a.config;
}

test('the defaults', () => {
  assert.deepEqual(args(), { ...DEFAULTS });
  assert.deepEqual(DEFAULTS, {
    buckets: [], listen: { host: '127.0.0.1', port: 9000 }, adminListen: { host: '127.0.0.1', port: 9001 }, trustedProxies: [], workers: 1, region: 'us-east-1', logLevel: 'info', metadata: 'auto', fsync: true,
    followSymlinks: false, withoutChown: 'own-identity', multipartExpiryMs: 7 * 86_400_000, identityMode: 'user', anonymousIdentity: 'nobody', sigv2: true,
    lifecycleDaySeconds: 86_400,
  });
  args().buckets.push({ name: 'x', path: '/x', readOnly: false });
  assert.deepEqual(DEFAULTS.buckets, [], 'a configuration does not share the defaults\' objects');
});

test('every option on the command line', () => {
  const c = args('--root', 'r', '--listen', ':0', '--region', 'eu-west-3', '--domain', 'S3.Example', '--log-level', 'debug', '--metadata', 'sidecar',
    '--no-fsync', '--follow-symlinks', '--without-chown', 'refuse', '--multipart-expiry', '12h', '--anonymous-identity', '99:99', '--identity-mode', 'bucket');
  assert.deepEqual(c, {
    ...DEFAULTS, root: path.resolve('r'), listen: { host: '127.0.0.1', port: 0 }, region: 'eu-west-3', domain: 's3.example', logLevel: 'debug',
    metadata: 'sidecar', fsync: false, followSymlinks: true, withoutChown: 'refuse', multipartExpiryMs: 12 * 3_600_000, anonymousIdentity: '99:99',
    identityMode: 'bucket',
  });
  assert.deepEqual(parseServeArgs(['-h']), { help: true });
  assert.equal(args('--workers', '4').workers, 4);
  assert.equal(args('--workers', 'auto').workers, 'auto');
  assert.equal(args('--archive-dir', 'cold').archiveDir, path.resolve('cold'));
  assert.equal(args('--lifecycle-day-seconds', '5').lifecycleDaySeconds, 5);
  assert.throws(() => args('--lifecycle-day-seconds', '0'), /--lifecycle-day-seconds: expected a whole number of seconds from 1, got "0"/);
  assert.throws(() => args('--lifecycle-day-seconds', '1.5'), /--lifecycle-day-seconds: expected a whole number/);
  assert.deepEqual(validateConfig({ buckets: [{ name: 'b', path: 'p', archiveDir: 'cold' }], lifecycleDaySeconds: 3 }, '/srv'),
    { buckets: [{ name: 'b', path: '/srv/p', readOnly: false, archiveDir: '/srv/cold' }], lifecycleDaySeconds: 3 });
  assert.equal(workerCount('auto'), availableParallelism(), 'auto: one per core this process may use');
  assert.equal(validateConfig({ workers: 3 }, '/').workers, 3, 'the file may give a number');
});

test('a bad value on the command line names its option', () => {
  const cases: [string[], RegExp][] = [
    [['--listen', 'nope'], /^--listen: expected HOST:PORT/],
    [['--log-level', 'loud'], /^--log-level: expected silent, fatal, error, warn, info, debug or trace, got "loud"$/],
    [['--metadata', 'disk'], /^--metadata: expected auto, xattr or sidecar, got "disk"$/],
    [['--without-chown', 'maybe'], /^--without-chown: expected own-identity or refuse, got "maybe"$/],
    [['--multipart-expiry', 'soon'], /^--multipart-expiry: expected a duration/],
    [['--region', ''], /^--region: expected a non-empty string$/],
    [['--workers', '0'], /^--workers: expected a number of processes from 1 to 256, or auto, got "0"$/],
    [['--workers', '2.5'], /^--workers: expected a number of processes/],
    [['--workers', 'many'], /^--workers: expected a number of processes/],
    [['--workers', '257'], /^--workers: expected a number of processes/],
  ];
  for (const [argv, re] of cases) assert.throws(() => parseServeArgs(argv), (e: Error) => e instanceof ConfigError && re.test(e.message), argv.join(' '));
  assert.throws(() => parseServeArgs(['--fsync']), { code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION' });
});

test('the file takes the same settings under their file names; the command line wins over it', () => {
  assert.deepEqual(validateConfig({ state: 's', logLevel: 'warn', followSymlinks: true, multipartExpiry: 60, withoutChown: 'refuse' }, '/etc/db'),
    { stateDir: '/etc/db/s', logLevel: 'warn', followSymlinks: true, multipartExpiryMs: 60_000, withoutChown: 'refuse' });
  assert.throws(() => validateConfig({ withoutChown: 'maybe' }, '/'), /: withoutChown: expected own-identity or refuse, got "maybe"$/);
  assert.throws(() => validateConfig({ logLevel: 3 }, '/'), /: logLevel: expected silent/);
  assert.throws(() => validateConfig({ 'log-level': 'info' }, '/'), /: log-level: unknown setting \(known: root, buckets, listen, adminListen, adminTls, tls, accessLog, trustedProxies, workers, region, domain, logLevel, metadata, fsync, followSymlinks, withoutChown, multipartExpiry, identityMode, anonymousIdentity, sigv2, archiveDir, lifecycleDaySeconds, state\)$/);
  assert.deepEqual(validateConfig({ region: null }, '/'), {}, 'null is unset');
  const dir = mkdtempSync(path.join(tmpdir(), 'dirbucket-settings-'));
  try {
    const file = path.join(dir, 'c.yaml');
    writeFileSync(file, 'root: data\nregion: eu-west-1\nfsync: false\nmultipartExpiry: 2d\n');
    const c = args('--config', file, '--region', 'us-west-2');
    assert.deepEqual([c.root, c.region, c.fsync, c.multipartExpiryMs], [path.join(dir, 'data'), 'us-west-2', false, 2 * 86_400_000]);
    assert.throws(() => parseServeArgs(['--config', file, '--root', '']), /--root: expected a non-empty string/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--help lists every option once, each with its help text', () => {
  const help = serveOptionsHelp();
  for (const s of settings.filter((x) => x.flag)) {
    assert.equal(help.split(`--${s.flag}`).length - 1, 1, s.flag);
    assert.ok(s.help && help.replace(/\s+/g, ' ').includes(s.help), s.flag);
  }
  for (const flag of ['--config FILE', '-h, --help']) assert.ok(help.includes(flag));
  for (const line of help.trimEnd().split('\n')) assert.ok(line.length <= 104 && /^ {2}(-|\s{22})/.test(line), line);
});
