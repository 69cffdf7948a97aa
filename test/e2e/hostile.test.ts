/**
 * Hostile input: path traversal in every encoding, symbolic links out of the bucket, reserved and special files,
 * malformed XML, bad signatures and an upload cut off mid-body. Nothing outside the bucket is ever read or written,
 * and nothing half-written is ever left in it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import { connect, createServer as createNetServer, type Server as NetServer } from 'node:net';
import { join } from 'node:path';
import { HeadObjectCommand, CreateMultipartUploadCommand, UploadPartCommand, CompleteMultipartUploadCommand, type S3Client } from '@aws-sdk/client-s3';
import { startServer, type TestServer } from '../helpers/server.js';
import { rawRequest, type RawRequest, type RawResponse } from '../helpers/raw-request.js';
import { canonicalUriCandidates } from '../helpers/canonical-uri.js';
import { signV4 } from '../helpers/sigv4.js';
import { isInternal, listFiles, makeTempDir, removeDir, snapshotTree, type TreeEntry } from '../helpers/files.js';
import { waitUntil } from '../helpers/wait.js';

/** Secrets placed outside bucket `bkt`; none may ever appear in a response or be changed. */
const SECRET = {
  beside: 'SENTINEL-BESIDE-ROOT-' + randomBytes(6).toString('hex'),
  outside: 'SENTINEL-OUTSIDE-DIR-' + randomBytes(6).toString('hex'),
  rootFile: 'SENTINEL-ROOT-FILE-' + randomBytes(6).toString('hex'),
  otherBucket: 'SENTINEL-OTHER-BUCKET-' + randomBytes(6).toString('hex'),
};

/** `../` in the encodings a traversal attempt might use. */
const DOT_DOT = ['../', '%2e%2e/', '%2E%2E%2F', '..%2f', '.%2e/', '%2e./', '%252e%252e%252f', '..\\', '..%5c', '%2e%2e%5C', '%c0%ae%c0%ae/', '..%00/', '..;/'];
/** The targets, as [name below the parent directory, levels up from the bucket, the secret it holds]. */
const TARGETS: [string, number, string][] = [
  ['root-file.txt', 1, SECRET.rootFile],
  ['ccc/c-secret.txt', 1, SECRET.otherBucket],
  ['sentinel.txt', 2, SECRET.beside],
];

describe('hostile input', () => {
  let parent: string;
  let root: string;
  let bucket: string;
  let server: TestServer;
  let s3: S3Client;
  let before_: Map<string, TreeEntry>;

  /** Sends a raw request signed for each plausible canonical URI until one passes authentication. */
  async function send(req: RawRequest): Promise<RawResponse & { authenticated: boolean }> {
    let res: RawResponse | undefined;
    for (const canonicalUri of req.canonicalUri ? [req.canonicalUri] : canonicalUriCandidates(req.path)) {
      res = await rawRequest(server, { ...req, canonicalUri });
      if (res.code !== 'SignatureDoesNotMatch') return { ...res, authenticated: true };
    }
    return { ...res!, authenticated: false };
  }

  /** Asserts that a response reveals no secret. */
  function assertNoSecret(res: RawResponse, what: string): void {
    const text = res.body.toString('latin1');
    for (const s of Object.values(SECRET)) assert.ok(!text.includes(s), `${what}: response contains a secret from outside the bucket`);
  }

  before(async () => {
    parent = await makeTempDir('dirbucket-hostile-');
    root = join(parent, 'root');
    bucket = join(root, 'bkt');
    await mkdir(join(root, 'ccc'), { recursive: true });
    await mkdir(bucket);
    await mkdir(join(parent, 'outside'));
    await writeFile(join(parent, 'sentinel.txt'), SECRET.beside);
    await writeFile(join(parent, 'outside', 'secret.txt'), SECRET.outside);
    await writeFile(join(root, 'root-file.txt'), SECRET.rootFile);
    await writeFile(join(root, 'ccc', 'c-secret.txt'), SECRET.otherBucket);
    await writeFile(join(bucket, 'inside.txt'), 'inside the bucket\n');
    await symlink(join(parent, 'sentinel.txt'), join(bucket, 'link-file'));
    await symlink('../../sentinel.txt', join(bucket, 'link-rel'));
    await symlink(join(parent, 'outside'), join(bucket, 'link-dir'));
    await symlink('..', join(bucket, 'up'));
    before_ = await snapshotTree(parent, (rel) => rel === 'root/bkt' || rel.startsWith('root/bkt/') || isInternal(rel));
    server = await startServer({ root });
    s3 = server.client();
  });

  after(async () => {
    await server?.stop();
    if (parent) await removeDir(parent);
  });

  it('listing with hostile prefixes and markers shows nothing from outside the bucket', async () => {
    const queries: Record<string, string>[] = [
      { 'list-type': '2' },
      { 'list-type': '2', prefix: '../' },
      { 'list-type': '2', prefix: '../ccc/' },
      { 'list-type': '2', prefix: '..%2f' },
      { 'list-type': '2', prefix: '/' },
      { 'list-type': '2', prefix: '../../', delimiter: '/' },
      { 'list-type': '2', 'start-after': '../../' },
      { 'list-type': '2', prefix: 'up/' },
      { 'list-type': '2', prefix: 'link-dir/' },
      { 'list-type': '2', prefix: '.dirbucket/' },
      { prefix: '../', marker: '../' },
    ];
    for (const query of queries) {
      const res = await send({ method: 'GET', path: '/bkt/', query });
      const what = `GET /bkt/?${new URLSearchParams(query)}`;
      assert.ok(res.authenticated, `${what}: no signing variant was accepted`);
      assertNoSecret(res, what);
      const body = res.body.toString('utf8');
      for (const name of ['root-file.txt', 'c-secret.txt', 'secret.txt', 'sentinel.txt', '.dirbucket']) {
        assert.ok(!body.includes(`${name}</Key>`) && !body.includes(`/${name}<`), `${what}: lists ${name}:\n${body}`);
      }
      if (res.status === 200) assert.ok(!/<Key>(up|link-dir)\//.test(body), `${what}: lists through a symlinked directory:\n${body}`);
    }
  });

  it('GET, HEAD, PUT and DELETE with traversal in every encoding stay inside the bucket', async () => {
    let n = 0;
    const paths: string[] = [];
    for (const dotdot of DOT_DOT) {
      for (const [target, up] of TARGETS) paths.push('/bkt/' + dotdot.repeat(up) + target);
    }
    const abs = join(parent, 'sentinel.txt');
    paths.push(
      '/bkt/' + abs, // `/bkt//tmp/...`: an empty segment, then an absolute path
      '/bkt/%2f' + abs.slice(1),
      '/bkt/%2F' + encodeURIComponent(abs.slice(1)),
      '/bkt' + abs.replace(/\//g, '\\'),
      '/bkt//etc/passwd',
      '//bkt/../../sentinel.txt',
      '/../sentinel.txt',
      '/%2e%2e/sentinel.txt',
      '/..%2fsentinel.txt',
      '/bkt%2f..%2f..%2fsentinel.txt',
      '/bkt/./../../sentinel.txt',
      '/bkt/x/../../../sentinel.txt',
      '/bkt/%2e%2e%2f%2e%2e%2fsentinel.txt',
      `http://127.0.0.1:${server.port}/bkt/../../sentinel.txt`,
      `http://127.0.0.1:${server.port}/bkt/%2e%2e/%2e%2e/sentinel.txt`,
    );
    for (const path of paths) {
      for (const method of ['GET', 'HEAD', 'PUT', 'DELETE']) {
        const body = method === 'PUT' ? `PWNED-${n++}-${randomBytes(4).toString('hex')}` : undefined;
        const res = await send({ method, path, body });
        const what = `${method} ${path} → ${res.status} ${res.code ?? ''}`;
        assert.ok(res.authenticated, `${what}: no signing variant was accepted`);
        assertNoSecret(res, what);
        // `//bkt/...` has an empty bucket segment: S3 reads it as the service, so ListBuckets is a fair answer.
        const listsBuckets = res.body.includes('<ListAllMyBucketsResult');
        if (method === 'GET' || method === 'HEAD') assert.ok(res.status >= 400 || (path.startsWith('//') && (listsBuckets || method === 'HEAD')), `${what}: expected an error`);
        // A 2xx PUT must have written a file inside the bucket (its key was a legal name, e.g. with a backslash);
        // checked at once, since the DELETE that follows may remove it again.
        if (method === 'PUT' && res.status < 300) assert.ok((await readAll(bucket, false)).has(body!), `${what}: accepted, but wrote no file inside the bucket`);
        assert.ok(res.status < 500, `${what}: server error`);
      }
    }
    await assertOutsideUntouched('after traversal attempts');
  });

  it('CopyObject with a traversal or symlinked copy source copies nothing from outside', async () => {
    const sources = [
      'bkt/../ccc/c-secret.txt',
      '/bkt/../../sentinel.txt',
      'bkt/%2e%2e/ccc/c-secret.txt',
      'bkt/..%2fccc%2fc-secret.txt',
      'bkt/%2e%2e%2f%2e%2e%2fsentinel.txt',
      '../sentinel.txt',
      encodeURIComponent(join(parent, 'sentinel.txt')),
      'bkt/link-file',
      'bkt/link-rel',
      'bkt/link-dir/secret.txt',
      'bkt/up/ccc/c-secret.txt',
      'bkt/up/root-file.txt',
    ];
    for (const [i, source] of sources.entries()) {
      const res = await send({ method: 'PUT', path: `/bkt/copied-${i}`, headers: { 'x-amz-copy-source': source } });
      const what = `CopyObject from ${source} → ${res.status} ${res.code ?? ''}`;
      assert.ok(res.authenticated, `${what}: not authenticated`);
      assertNoSecret(res, what);
      assert.ok(res.status >= 400 && res.status < 500, `${what}: expected a 4xx`);
      assert.ok(!existsSync(join(bucket, `copied-${i}`)), `${what}: made an object`);
    }
    await assertNoSecretInsideBucket();
  });

  it('symbolic links out of the bucket are never read', async () => {
    for (const key of ['link-file', 'link-rel', 'link-dir/secret.txt', 'up/root-file.txt', 'up/ccc/c-secret.txt']) {
      for (const method of ['GET', 'HEAD']) {
        const res = await send({ method, path: `/bkt/${key}` });
        const what = `${method} /bkt/${key} → ${res.status} ${res.code ?? ''}`;
        assertNoSecret(res, what);
        assert.ok(res.status === 403 || res.status === 404, `${what}: expected 403 or 404`);
        assert.notEqual(res.code, 'NoSuchBucket', `${what}: the bucket itself is missing`);
      }
    }
  });

  it('symbolic links out of the bucket are never written or deleted through', async () => {
    const attempts: RawRequest[] = [
      { method: 'PUT', path: '/bkt/link-file', body: 'PWNED through link-file' },
      { method: 'PUT', path: '/bkt/link-rel', body: 'PWNED through link-rel' },
      { method: 'PUT', path: '/bkt/link-dir/new.txt', body: 'PWNED through link-dir' },
      { method: 'PUT', path: '/bkt/link-dir/secret.txt', body: 'PWNED over secret.txt' },
      { method: 'PUT', path: '/bkt/up/ccc/new.txt', body: 'PWNED through up' },
      { method: 'PUT', path: '/bkt/up/root-file.txt', body: 'PWNED over root-file' },
      { method: 'PUT', path: '/bkt/link-dir/copied.txt', headers: { 'x-amz-copy-source': 'bkt/inside.txt' } },
      { method: 'PUT', path: '/bkt/link-dir/sub/', body: '' },
      { method: 'DELETE', path: '/bkt/link-dir/secret.txt' },
      { method: 'DELETE', path: '/bkt/up/root-file.txt' },
      { method: 'DELETE', path: '/bkt/up/ccc/c-secret.txt' },
      { method: 'DELETE', path: '/bkt/link-dir/' },
    ];
    for (const req of attempts) {
      const res = await send(req);
      assertNoSecret(res, `${req.method} ${req.path}`);
      assert.ok(res.status < 500, `${req.method} ${req.path} → ${res.status}: server error`);
    }
    const del = deleteObjectsBody(['link-dir/secret.txt', 'up/ccc/c-secret.txt', 'up/root-file.txt', '../ccc/c-secret.txt', 'link-file']);
    const res = await send({ method: 'POST', path: '/bkt/', query: { delete: '' }, body: del, headers: md5Header(del) });
    assert.ok(res.status < 500, `DeleteObjects through links → ${res.status}`);

    // A multipart upload completed through a symlinked directory.
    try {
      const mpu = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'bkt', Key: 'link-dir/mp.txt' }));
      const part = await s3.send(new UploadPartCommand({ Bucket: 'bkt', Key: 'link-dir/mp.txt', UploadId: mpu.UploadId, PartNumber: 1, Body: 'PWNED by multipart' }));
      await s3.send(new CompleteMultipartUploadCommand({ Bucket: 'bkt', Key: 'link-dir/mp.txt', UploadId: mpu.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));
    } catch {
      // refusing is right; what matters is checked below
    }
    await assertOutsideUntouched('after writes through symlinks');
  });

  it('with --follow-symlinks, links inside the bucket are followed and links out of it still are not', async () => {
    await symlink('inside.txt', join(bucket, 'link-inside'));
    // A second gateway on the same tree, with following on: the positive control proves the mode is in effect.
    const follower = await startServer({ root, args: ['--follow-symlinks'] });
    try {
      const sendTo = async (req: RawRequest): Promise<RawResponse> => {
        let res: RawResponse | undefined;
        for (const canonicalUri of canonicalUriCandidates(req.path)) {
          res = await rawRequest(follower, { ...req, canonicalUri });
          if (res.code !== 'SignatureDoesNotMatch') break;
        }
        return res!;
      };
      const inside = await sendTo({ method: 'GET', path: '/bkt/link-inside' });
      assert.equal(inside.status, 200, `GET /bkt/link-inside with following on → ${inside.status} ${inside.code ?? ''}`);
      assert.equal(inside.body.toString(), 'inside the bucket\n');
      for (const key of ['link-file', 'link-rel', 'link-dir/secret.txt', 'up/root-file.txt', 'up/ccc/c-secret.txt']) {
        const res = await sendTo({ method: 'GET', path: `/bkt/${key}` });
        const what = `GET /bkt/${key} with following on → ${res.status} ${res.code ?? ''}`;
        assertNoSecret(res, what);
        assert.ok(res.status === 403 || res.status === 404, `${what}: expected 403 or 404`);
        assert.notEqual(res.code, 'NoSuchBucket', `${what}: the bucket itself is missing`);
      }
      for (const path of ['/bkt/link-dir/new-followed.txt', '/bkt/up/ccc/new-followed.txt', '/bkt/link-dir/secret.txt']) {
        const res = await sendTo({ method: 'PUT', path, body: 'PWNED with following on' });
        assert.ok(res.status < 500, `PUT ${path} with following on → ${res.status}: server error`);
        const del = await sendTo({ method: 'DELETE', path });
        assert.ok(del.status < 500, `DELETE ${path} with following on → ${del.status}: server error`);
      }
      const list = await sendTo({ method: 'GET', path: '/bkt/', query: { 'list-type': '2' } });
      assert.equal(list.status, 200);
      assertNoSecret(list, 'ListObjectsV2 with following on');
      const body = list.body.toString();
      assert.match(body, /<Key>link-inside<\/Key>/, `a followed link inside the bucket is not listed:\n${body}`);
      assert.ok(!/<Key>(up|link-dir)\/|<Key>(link-file|link-rel)<\/Key>/.test(body), `links out of the bucket are listed with following on:\n${body}`);
    } finally {
      await follower.stop();
    }
    await assertOutsideUntouched('after requests with following on');
  });

  it('the reserved internal directory is not addressable', async () => {
    for (const path of ['/bkt/.dirbucket/x', '/bkt/sub/.dirbucket/x', '/bkt/%2edirbucket/x', '/bkt/.dirbucket/tmp/x', '/bkt/.dirbucket']) {
      const put = await send({ method: 'PUT', path, body: 'PWNED reserved' });
      assert.ok(put.status >= 400 && put.status < 500, `PUT ${path} → ${put.status}: expected a 4xx`);
      const get = await send({ method: 'GET', path });
      assert.ok(get.status >= 400 && get.status < 500, `GET ${path} → ${get.status}: expected a 4xx`);
    }
    assert.ok(!existsSync(join(bucket, '.dirbucket', 'x')) && !existsSync(join(bucket, 'sub', '.dirbucket', 'x')), 'a reserved path was written');
    const inside = await readAll(bucket, false);
    assert.ok(!inside.has('PWNED reserved'), 'a PUT to a reserved name wrote a file');
  });

  it('special files never appear and never hang a request', async () => {
    execFileSync('mkfifo', [join(bucket, 'fifo')]);
    const sock: NetServer = createNetServer();
    await new Promise<void>((resolve) => sock.listen(join(bucket, 'sock'), resolve));
    try {
      for (const key of ['fifo', 'sock']) {
        const res = await send({ method: 'GET', path: `/bkt/${key}`, timeoutMs: 5_000 });
        assert.ok(res.status === 403 || res.status === 404, `GET /bkt/${key} → ${res.status}: expected 403 or 404`);
      }
      const list = await send({ method: 'GET', path: '/bkt/', query: { 'list-type': '2' }, timeoutMs: 5_000 });
      assert.equal(list.status, 200, `ListObjectsV2 → ${list.status}`);
      assert.ok(!/<Key>(fifo|sock)<\/Key>/.test(list.body.toString()), `special file listed:\n${list.body}`);
    } finally {
      sock.close();
    }
  });

  it('a malformed DeleteObjects body is 400 MalformedXML and deletes nothing', async () => {
    const bodies = [
      '<Delete><Object><Key>inside.txt</Key></Object>',
      '<Delete><Object><Key>inside.txt</Key></Objct></Delete>',
      'inside.txt',
      '<?xml version="1.0"?><Delete><Object><Key>inside.txt</Key></Object></Delete><Delete>',
    ];
    for (const body of bodies) {
      const res = await send({ method: 'POST', path: '/bkt/', query: { delete: '' }, body, headers: { 'content-type': 'application/xml', ...md5Header(body) } });
      assert.equal(res.status, 400, `DeleteObjects with ${JSON.stringify(body)} → ${res.status}\n${res.body}`);
      assert.equal(res.code, 'MalformedXML', `DeleteObjects with ${JSON.stringify(body)}`);
      assert.ok(existsSync(join(bucket, 'inside.txt')), `DeleteObjects with ${JSON.stringify(body)} deleted inside.txt`);
    }
  });

  it('XML entities (external or exponential) are neither resolved nor allowed to exhaust the server', async () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file://${join(parent, 'sentinel.txt')}">]><Delete><Object><Key>&x;</Key></Object></Delete>`;
    const lol = ['<?xml version="1.0"?><!DOCTYPE d [<!ENTITY l0 "inside.txt">'];
    for (let i = 1; i < 10; i++) lol.push(`<!ENTITY l${i} "${`&l${i - 1};`.repeat(10)}">`);
    lol.push(']><Delete><Object><Key>&l9;</Key></Object></Delete>');
    for (const body of [xxe, lol.join('')]) {
      const res = await send({ method: 'POST', path: '/bkt/', query: { delete: '' }, body, headers: { 'content-type': 'application/xml', ...md5Header(body) }, timeoutMs: 10_000 });
      assertNoSecret(res, 'DeleteObjects with entities');
      assert.ok(res.status === 200 || res.status === 400, `DeleteObjects with entities → ${res.status}\n${res.body.toString().slice(0, 500)}`);
      assert.ok(existsSync(join(bucket, 'inside.txt')), 'an entity-built key deleted inside.txt');
    }
    const alive = await s3.send(new HeadObjectCommand({ Bucket: 'bkt', Key: 'inside.txt' }));
    assert.equal(alive.ContentLength, 'inside the bucket\n'.length);
    await assertOutsideUntouched('after XML entities');
  });

  it('a client that disconnects mid-PUT leaves no object and no temporary file', async (t) => {
    const filesBefore = await listFiles(bucket);
    const key = 'partial.bin';
    const total = 10 * 1024 * 1024;
    const sent = 1024 * 1024;
    const host = `127.0.0.1:${server.port}`;
    const { headers: signed } = signV4({
      method: 'PUT', canonicalUri: `/bkt/${key}`, headers: { host, 'content-length': String(total) }, payloadHash: 'UNSIGNED-PAYLOAD',
      accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey, region: server.region,
    });
    const head = [`PUT /bkt/${key} HTTP/1.1`, `Host: ${host}`, `Content-Length: ${total}`, ...Object.entries(signed).map(([k, v]) => `${k}: ${v}`), '', ''].join('\r\n');
    const socket = connect(server.port, '127.0.0.1');
    let answered = '';
    socket.on('data', (d) => (answered += d.toString()));
    socket.on('error', () => {});
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    await new Promise<void>((resolve) => socket.write(head, () => resolve()));
    await new Promise<void>((resolve) => socket.write(randomBytes(sent), () => resolve()));
    // While the body is incomplete the object must not be visible.
    const during = await send({ method: 'HEAD', path: `/bkt/${key}` });
    assert.equal(during.status, 404, 'a half-uploaded object is visible');
    // Why only a diagnostic: where the data is staged is the server's choice; the brief's is .dirbucket/tmp.
    const staged = await waitUntil(async () => (await tmpEntries()).length > 0, { timeoutMs: 3_000 });
    if (!staged) t.diagnostic('no staging file seen in .dirbucket/tmp during the upload');
    socket.destroy();
    assert.equal(answered, '', `the server answered a PUT whose body never arrived:\n${answered}`);
    const clean = await waitUntil(async () => (await tmpEntries()).length === 0 && !existsSync(join(bucket, key)), { timeoutMs: 5_000 });
    assert.ok(clean, `after the disconnect: object exists=${existsSync(join(bucket, key))}, temporary files: ${await tmpEntries()}`);
    const after = await send({ method: 'HEAD', path: `/bkt/${key}` });
    assert.equal(after.status, 404, 'the cut-off upload became an object');
    assert.deepEqual(await listFiles(bucket), filesBefore, 'files left behind in the bucket (internal state included)');
    // A hang-up is routine: logged as such, not as a failure of the server with its stack.
    const logged = await waitUntil(async () => server.stdout().includes('"msg":"client disconnected"'), { timeoutMs: 3_000 });
    assert.ok(logged, `no "client disconnected" line in the server log:\n${server.stdout().slice(-2000)}`);
    assert.ok(!server.stdout().includes('unexpected failure'), `the disconnect was logged as an unexpected failure:\n${server.stdout().slice(-2000)}`);
  });

  it('bad signatures, unknown keys, anonymous writes and a wrong payload hash write nothing', async () => {
    const cases: [RawRequest, number, string][] = [
      [{ method: 'PUT', path: '/bkt/badsig.txt', body: 'x', secretAccessKey: 'not-the-secret' }, 403, 'SignatureDoesNotMatch'],
      [{ method: 'PUT', path: '/bkt/badsig.txt', body: 'x', canonicalUri: '/bkt/other.txt' }, 403, 'SignatureDoesNotMatch'],
      [{ method: 'PUT', path: '/bkt/badsig.txt', body: 'x', accessKeyId: 'AKIANOTAKEY000000000' }, 403, 'InvalidAccessKeyId'],
      [{ method: 'PUT', path: '/bkt/badsig.txt', body: 'tampered', payloadHash: createHash('sha256').update('expected').digest('hex') }, 400, 'XAmzContentSHA256Mismatch'],
    ];
    for (const [req, status, code] of cases) {
      const res = await rawRequest(server, req);
      assert.equal(res.status, status, `${JSON.stringify({ ...req, body: undefined })} → ${res.status} ${res.code}`);
      assert.equal(res.code, code);
      assert.ok(!existsSync(join(bucket, 'badsig.txt')), `${code}: the object was written anyway`);
    }
    const anon = await anonymousPut(server.port, '/bkt/badsig.txt', 'anonymous');
    assert.equal(anon, 403, 'an anonymous PUT was not refused with 403');
    assert.ok(!existsSync(join(bucket, 'badsig.txt')), 'an anonymous PUT wrote the object');
    assert.ok(await waitUntil(async () => (await tmpEntries()).length === 0, { timeoutMs: 3_000 }), `temporary files left: ${await tmpEntries()}`);
  });

  /** Everything outside bucket bkt is as it was (entries, sizes, mtimes, inodes; secrets), and bkt still serves. */
  async function assertOutsideUntouched(when: string): Promise<void> {
    assert.equal(await readFile(join(bucket, 'inside.txt'), 'utf8'), 'inside the bucket\n', `${when}: inside.txt changed`);
    const list = await send({ method: 'GET', path: '/bkt/', query: { 'list-type': '2' } });
    assert.equal(list.status, 200, `${when}: ListObjectsV2 of the bucket → ${list.status} ${list.code ?? ''}`);
    const now = await snapshotTree(parent, (rel) => rel === 'root/bkt' || rel.startsWith('root/bkt/') || isInternal(rel));
    assert.deepEqual([...now.keys()].sort(), [...before_.keys()].sort(), `${when}: entries outside the bucket changed`);
    for (const [rel, entry] of before_) assert.deepEqual(now.get(rel), entry, `${when}: ${rel} changed`);
    assert.equal(await readFile(join(parent, 'sentinel.txt'), 'utf8'), SECRET.beside);
    assert.equal(await readFile(join(parent, 'outside', 'secret.txt'), 'utf8'), SECRET.outside);
    assert.equal(await readFile(join(root, 'root-file.txt'), 'utf8'), SECRET.rootFile);
    assert.equal(await readFile(join(root, 'ccc', 'c-secret.txt'), 'utf8'), SECRET.otherBucket);
  }

  /** No regular file inside the bucket holds a secret (e.g. copied in). */
  async function assertNoSecretInsideBucket(): Promise<void> {
    for (const content of (await readAll(bucket, true)).keys()) {
      for (const s of Object.values(SECRET)) assert.ok(!content.includes(s), 'a secret from outside was copied into the bucket');
    }
  }

  /** The entries of the bucket's staging directory (none, if it does not exist). */
  async function tmpEntries(): Promise<string[]> {
    return readdir(join(bucket, '.dirbucket', 'tmp')).catch(() => []);
  }
});

/** The contents of every regular file under dir (not following links), internal state included or not. */
async function readAll(dir: string, includeInternal = true): Promise<Set<string>> {
  const files = await listFiles(dir, includeInternal ? () => false : isInternal);
  const out = new Set<string>();
  for (const rel of files.slice(0, 5_000)) out.add(await readFile(join(dir, rel), 'utf8'));
  return out;
}

function deleteObjectsBody(keys: string[]): string {
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return `<Delete>${keys.map((k) => `<Object><Key>${esc(k)}</Key></Object>`).join('')}</Delete>`;
}

function md5Header(body: string): Record<string, string> {
  return { 'content-md5': createHash('md5').update(body).digest('base64') };
}

/** PUT without any authentication; resolves with the status. */
function anonymousPut(port: number, path: string, body: string): Promise<number> {
  return fetch(`http://127.0.0.1:${port}${path}`, { method: 'PUT', body }).then(async (r) => {
    await r.arrayBuffer();
    return r.status;
  });
}
