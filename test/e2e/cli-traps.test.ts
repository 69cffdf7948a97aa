/**
 * End to end: the command line as a new user meets it (issue #17): a --root without gateway state is refused
 * rather than quietly given one, a grant on a missing bucket names the buckets there are, hints repeat the --root
 * they were run with, a subcommand without an action is a usage error, a busy address is named, and start-up
 * says which directories are not buckets and which buckets are mapped.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startServer, type TestServer } from '../helpers/server.js';
import { dirbucket, dirbucketOk } from './users-cli.js';

let base: string;

before(() => {
  base = mkdtempSync(join(tmpdir(), 'dirbucket-cli-traps-'));
});
after(() => rmSync(base, { recursive: true, force: true }));

describe('users, keys and grants on a --root', () => {
  it('a --root with no gateway state is refused, saying what to do, and nothing is created there', async () => {
    const root = join(base, 'dta');
    mkdirSync(root);
    for (const args of [['user', 'list'], ['user', 'add', 'al', '--uid', '1', '--gid', '1'], ['key', 'create', 'al'], ['bucket', 'grant', 'al', 'b1', 'read']]) {
      const r = await dirbucket([...args, '--root', root]);
      assert.equal(r.code, 2, args.join(' '));
      assert.equal(r.stderr, `dirbucket: no dirbucket state under ${root}; start the server there first or pass --init\n`, args.join(' '));
    }
    assert.equal(existsSync(join(root, '.dirbucket')), false);
    const typo = await dirbucket(['key', 'create', 'al', '--root', join(base, 'no-such-dir')]);
    assert.equal(typo.code, 2);
    assert.equal(existsSync(join(base, 'no-such-dir')), false, 'a mistyped --root is not created');
  });

  it('--init sets the state up; the hint after user add repeats the --root; a grant on a missing bucket names the buckets', async () => {
    const root = join(base, 'with space');
    mkdirSync(join(root, 'photos'), { recursive: true });
    mkdirSync(join(root, 'docs'));
    const out = await dirbucketOk(['user', 'add', 'al', '--uid', '1001', '--gid', '1001', '--root', root, '--init']);
    assert.match(out, new RegExp(`^Create a key: dirbucket key create al --root '${root}'$`, 'm'));
    await dirbucketOk(['key', 'create', 'al', '--root', root]);
    const grant = await dirbucket(['bucket', 'grant', 'al', 'nosuchbucket', 'read', '--root', root]);
    assert.equal(grant.code, 2);
    assert.equal(grant.stderr, 'dirbucket: no bucket "nosuchbucket" here; the buckets are: docs, photos\n');
    assert.match(await dirbucketOk(['bucket', 'grant', 'al', 'photos', 'read', '--root', root]), /al has read-only access to bucket photos/);
  });

  it('user, key and bucket without an action print their usage on stderr and exit 2; --help exits 0', async () => {
    for (const command of ['user', 'key', 'bucket']) {
      const r = await dirbucket([command]);
      assert.equal(r.code, 2, command);
      assert.match(r.stderr, new RegExp(`^Usage: dirbucket ${command} <action>`), command);
      assert.equal(r.stdout, '');
      const help = await dirbucket([command, '--help']);
      assert.equal(help.code, 0, command);
      assert.match(help.stdout, new RegExp(`^Usage: dirbucket ${command} <action>`));
    }
  });
});

describe('serve at start-up', () => {
  let ts: TestServer | undefined;
  after(() => ts?.stop());

  it('lists the root\'s directories that are not valid bucket names once, and names the mapped buckets', async () => {
    const root = join(base, 'served');
    for (const d of ['good-bucket', 'My Photos', 'under_score', '.hidden']) mkdirSync(join(root, d), { recursive: true });
    mkdirSync(join(base, 'mapped-a'));
    writeFileSync(join(base, 'mapped.yaml'), `buckets:\n  - name: mapped-a\n    path: ${join(base, 'mapped-a')}\n    access: read-only\n`);
    ts = await startServer({ root, args: ['--config', join(base, 'mapped.yaml')] });
    const out = ts.stdout();
    assert.match(out, new RegExp(`^dirbucket serving ${root} and 1 mapped bucket$`, 'm'));
    assert.match(out, new RegExp(`^Bucket: mapped-a -> ${join(base, 'mapped-a')} \\(read-only\\)$`, 'm'));
    assert.match(out, /^Not buckets \(S3 does not allow these names\): "My Photos", "under_score"$/m);
    assert.equal(out.match(/My Photos/g)?.length, 2, 'once in the banner, once in the log line');
  });

  it('an address in use is named', async () => {
    assert.ok(ts);
    const r = await dirbucket(['serve', '--root', join(base, 'served'), '--listen', `127.0.0.1:${ts.port}`, '--admin-listen', 'off']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, new RegExp(`--listen 127\\.0\\.0\\.1:${ts.port}: address already in use`));
  });
});
