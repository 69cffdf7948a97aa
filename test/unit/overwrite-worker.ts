/**
 * Another "gateway" for the read-consistency tests: a separate process overwriting one key with self-verifying
 * versions (versionBody: the body's length and MD5 are in its user metadata) until `ms` have passed.
 * argv: root mode key ms. Prints how many versions it wrote.
 */
import { PosixBackend } from '../../src/storage/posix/posix-backend.js';
import { body, versionBody } from './storage-fixture.js';

const [root, mode, key, ms] = process.argv.slice(2);
// Without arguments (the test runner loads every file under test/ as a test file) there is nothing to do.
if (ms !== undefined) {
  const backend = new PosixBackend({ root, metadata: mode === 'sidecar' ? 'sidecar' : 'xattr', fsync: false, followSymlinks: false });
  const until = Date.now() + Number(ms);
  let n = 0;
  while (Date.now() < until) {
    const v = versionBody(`w${n}`, n % 200);
    await backend.putObject({ bucket: 'bkt', key, body: body(v.bytes), meta: { userMetadata: v.meta } });
    n++;
  }
  process.stdout.write(String(n));
}
