/**
 * One "gateway" for the versions race test: a separate process writing and deleting one key in a versioned
 * bucket, printing each acknowledged version id (a marker's with a trailing '*') as a JSON array at the end.
 * argv: root stateDir mode key count seed
 */
import { putDeleteMarker } from '../../src/storage/posix/versions/delete-marker.js';
import { put, versionedContext } from './versions-fixture.js';

const [root, stateDir, mode, key, count, seed] = process.argv.slice(2);
// Without arguments (the test runner loads every file under test/ as a test file) there is nothing to do.
if (seed !== undefined) {
  const ctx = versionedContext(root, stateDir, mode === 'sidecar' ? 'sidecar' : 'xattr');
  const acked: string[] = [];
  for (let i = 0; i < Number(count); i++) {
    if (i % 4 === 3) acked.push(`${(await putDeleteMarker(ctx, { key, segments: key.split('/') }, { status: 'Enabled' })).versionId}*`);
    else acked.push(await put(ctx, key, `${seed} ${i}`));
  }
  process.stdout.write(JSON.stringify(acked));
}
