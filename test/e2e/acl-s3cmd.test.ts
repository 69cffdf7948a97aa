/**
 * s3cmd against a real dirbucket: `info` on a bucket and an object (it reads ?acl, ?policy, ?cors, ?lifecycle and
 * ?requestPayment, and must succeed), `put --acl-public` and `setacl`, `setcors`.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { clientSession, s3cmd as s3cmdFor } from '../helpers/clients.js';
import { requireTool } from '../helpers/requires.js';
import { describeRun, type RunResult } from '../helpers/tool.js';

const S3CMD = requireTool('s3cmd');
const BUCKET = 's3cmd-acl';

describe('s3cmd info, ACLs and CORS', { skip: S3CMD.skip }, () => {
  const session = clientSession('dirbucket-s3cmd-acl-');
  let work: string;
  let s3cmd: (args: string[]) => Promise<RunResult>;

  before(async () => {
    ({ work } = session);
    await writeFile(join(work, 'f.txt'), 'hello from s3cmd');
    s3cmd = await s3cmdFor(S3CMD.path!, session, { timeoutMs: 60_000 });
    const mb = await s3cmd(['mb', `s3://${BUCKET}`]);
    assert.equal(mb.code, 0, describeRun('s3cmd mb', mb));
  });

  it('info on a bucket shows its location, no policy, no CORS and the owner\'s FULL_CONTROL', async () => {
    const r = await s3cmd(['info', `s3://${BUCKET}`]);
    assert.equal(r.code, 0, describeRun('s3cmd info bucket', r));
    assert.match(r.stdout, /Location:\s+us-east-1/);
    assert.match(r.stdout, /Policy:\s+none/);
    assert.match(r.stdout, /CORS:\s+none/);
    assert.match(r.stdout, /ACL:\s+admin: FULL_CONTROL/);
  });

  it('put --acl-public makes an object public; info shows it and its URL; setacl --acl-private takes it back', async () => {
    const put = await s3cmd(['put', '--acl-public', join(work, 'f.txt'), `s3://${BUCKET}/f.txt`]);
    assert.equal(put.code, 0, describeRun('s3cmd put --acl-public', put));
    const info = await s3cmd(['info', `s3://${BUCKET}/f.txt`]);
    assert.equal(info.code, 0, describeRun('s3cmd info object', info));
    assert.match(info.stdout, /File size:\s+16/);
    assert.match(info.stdout, /ACL:\s+admin: FULL_CONTROL/);
    assert.match(info.stdout, /ACL:\s+\*anon\*: READ/);
    assert.match(info.stdout, /URL:\s+http:\/\/127\.0\.0\.1:\d+\/s3cmd-acl\/f\.txt/);
    const setacl = await s3cmd(['setacl', '--acl-private', `s3://${BUCKET}/f.txt`]);
    assert.equal(setacl.code, 0, describeRun('s3cmd setacl', setacl));
    const after = await s3cmd(['info', `s3://${BUCKET}/f.txt`]);
    assert.equal(after.code, 0, describeRun('s3cmd info object', after));
    assert.doesNotMatch(after.stdout, /\*anon\*/);
  });

  it('setcors stores rules that info then shows; delcors removes them', async () => {
    await writeFile(join(work, 'cors.xml'), '<CORSConfiguration><CORSRule><AllowedOrigin>http://app.test</AllowedOrigin>'
      + '<AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>');
    const set = await s3cmd(['setcors', join(work, 'cors.xml'), `s3://${BUCKET}`]);
    assert.equal(set.code, 0, describeRun('s3cmd setcors', set));
    const info = await s3cmd(['info', `s3://${BUCKET}`]);
    assert.equal(info.code, 0, describeRun('s3cmd info bucket', info));
    assert.match(info.stdout, /CORS:\s+<\?xml[\s\S]*<AllowedOrigin>http:\/\/app\.test<\/AllowedOrigin>/);
    const del = await s3cmd(['delcors', `s3://${BUCKET}`]);
    assert.equal(del.code, 0, describeRun('s3cmd delcors', del));
    assert.match((await s3cmd(['info', `s3://${BUCKET}`])).stdout, /CORS:\s+none/);
  });
});
