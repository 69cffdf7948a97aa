/**
 * End to end (issue #19): what a writer killed with `kill -9` leaves in a bucket's state is removed, without
 * touching a live writer's files. Planted as a crash leaves them: in a key's directory of versions (temporary
 * links, an object lock's temporary, a dead commit lock, a lock breaker's asides), swept by the next write of
 * that key under its lock; in the multipart directory (part records', markers' and intents' temporaries), in the
 * tmp directory (records written aside) and beside bucket.json, swept by the jobs after a restart or by the next
 * change of the file under its lock.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import {
  AbortMultipartUploadCommand, CreateMultipartUploadCommand, PutBucketTaggingCommand, PutBucketVersioningCommand, PutObjectCommand, UploadPartCommand,
} from '@aws-sdk/client-s3';
import { ASIDE_GRACE_MS } from '../../src/fsutil/lock-asides.js';
import { machineTag, ownerTag } from '../../src/fsutil/lock-owner.js';
import { serverOnTree } from '../helpers/server.js';
import { waitUntil } from '../helpers/wait.js';
import { listedVersions } from './versions-model.js';

const BUCKET = 'leftovers';

/** The owner tag of a process that has exited: this machine's, its pid no longer running. */
async function deadTag(): Promise<string> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  return `${machineTag()}_${child.pid}_1`;
}

const hex = (n: number) => n.toString(16).padStart(12, '0');

describe('leftovers of killed writers', () => {
  const tree = serverOnTree('dirbucket-leftovers-', BUCKET);

  it("a key's directory of versions: the next write of the key sweeps temporaries, a dead lock, and asides once old", async () => {
    const s3 = tree.s3;
    await s3.send(new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: 'Enabled' } }));
    const ids = [(await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'd/k', Body: 'one' }))).VersionId!];
    const dir = join(tree.root, BUCKET, '.dirbucket', 'versions', 'd', 'k', '.dirbucket');
    const other = join(tree.root, BUCKET, '.dirbucket', 'versions', 'd', 'other', '.dirbucket');
    await mkdir(other, { recursive: true });
    const dead = await deadTag();
    // A commit's temporary link, a clone's, an object lock written aside (by a dead writer, and by this live
    // process: under the key's lock, no live writer can have one), and the same in another key's directory.
    const temps = ['.t-0123456789ab', '.t-ba9876543210', `${ids[0]}.worm.${hex(1)}.${dead}.tmp`, `${ids[0]}.worm.${hex(2)}.${ownerTag()}.tmp`, `${ids[0]}.worm.${hex(3)}.tmp`];
    for (const t of temps) await writeFile(join(dir, t), 'x');
    await writeFile(join(other, '.t-0123456789ab'), 'x');
    // A commit lock its holder left a minute ago (another host's, by its age: over the 30 s a holder refreshes within).
    await writeFile(join(dir, '.lock'), JSON.stringify({ host: 'elsewhere', pid: 1 }) + '\n');
    const old = new Date(Date.now() - 60_000);
    await utimes(join(dir, '.lock'), old, old);

    const t0 = Date.now();
    ids.push((await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'd/k', Body: 'two' }))).VersionId!);
    assert.ok(Date.now() - t0 < 10_000, 'the dead lock is broken at once');
    assert.deepEqual(readdirSync(dir).sort(), [...ids].sort(), 'only the versions are left');
    assert.ok(existsSync(join(other, '.t-0123456789ab')), "another key's directory is that key's writer's to sweep");

    // A breaker killed while it broke the lock: its marker, and the broken file moved aside. Fresh ones are left
    // (a live breaker holds them for microseconds); once older than the grace, the next writer removes them.
    const asides = ['.lock.break', '.lock.stale-0a1b2c3d', '.lock.break.stale-4e5f6a7b'];
    for (const a of asides) await writeFile(join(dir, a), 'x');
    ids.push((await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'd/k', Body: 'three' }))).VersionId!);
    for (const a of asides) assert.ok(existsSync(join(dir, a)), `${a}: fresh, left`);
    await sleep(ASIDE_GRACE_MS + 1_000);
    ids.push((await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'd/k', Body: 'four' }))).VersionId!);
    assert.deepEqual(readdirSync(dir).sort(), [...ids].sort(), 'the asides are gone once old');

    const listed = await listedVersions(tree.server, BUCKET, 'd/k');
    assert.deepEqual(listed.map((e) => e.id), [...ids].reverse(), 'every version kept, none added');
  });

  it('multipart, records written aside, bucket.json: swept after a restart (jobs) or by the next change; a live writer\'s kept', async () => {
    const s3 = tree.s3;
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'mp' }));
    await s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'mp', UploadId, PartNumber: 1, Body: Buffer.alloc(1024, 1) }));
    await tree.crash();

    const state = join(tree.root, BUCKET, '.dirbucket');
    const upload = join(state, 'multipart', UploadId!);
    const dead = await deadTag();
    const live = ownerTag(); // this test process: alive, and on this machine
    const planted = {
      // Dead writers' temporaries: a part record's and an intent's in the upload, a completion marker's beside it,
      // a record written aside in tmp.
      dead: [
        join(upload, `00001.x.json.${hex(1)}.${dead}.tmp`), join(upload, `complete.json.${hex(2)}.${dead}.tmp`),
        join(state, 'multipart', `${UploadId}.completed.json.${hex(3)}.${dead}.tmp`), join(state, 'tmp', `atomic-${hex(4)}.${dead}`),
      ],
      // A live writer's, in the same places.
      live: [join(upload, `00001.y.json.${hex(5)}.${live}.tmp`), join(state, 'multipart', `${UploadId}.completed.json.${hex(6)}.${live}.tmp`), join(state, 'tmp', `atomic-${hex(7)}.${live}`)],
    };
    await mkdir(join(state, 'tmp'), { recursive: true });
    for (const f of [...planted.dead, ...planted.live]) await writeFile(f, '{}');
    // bucket.json's temporary, written under its lock: whoever takes the lock next removes it, whatever its tag.
    const settingsTemp = join(state, `bucket.json.${hex(8)}.${live}.tmp`);
    await writeFile(settingsTemp, '{}');

    await tree.start();
    const swept = await waitUntil(() => planted.dead.every((f) => !existsSync(f)), { timeoutMs: 30_000, intervalMs: 250 });
    assert.ok(swept, `left: ${planted.dead.filter((f) => existsSync(f)).join(', ')}`);
    for (const f of planted.live) assert.ok(existsSync(f), `${f}: a live writer's, kept`);
    assert.ok(existsSync(settingsTemp), 'no job looks beside bucket.json');
    await tree.s3.send(new PutBucketTaggingCommand({ Bucket: BUCKET, Tagging: { TagSet: [{ Key: 'a', Value: 'b' }] } }));
    assert.ok(!existsSync(settingsTemp), 'the next change of bucket.json swept it');
    await tree.s3.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: 'mp', UploadId }));
  });
});
