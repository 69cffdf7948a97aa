/**
 * Fuzzed request bodies for every operation that reads one (issue #19), with a fixed seed and a bounded count:
 * DeleteObjects, CompleteMultipartUpload, bucket and object tagging and ACLs, CORS, versioning, object lock
 * configuration, retention, legal hold, ownership controls, public access block, CreateBucket (XML) and bucket
 * policies (JSON). Each valid body is broken in one way — cut short, another root, a tag closed wrongly, a stray
 * `<`, a DOCTYPE with an entity, nesting 30,000 deep, bodies past the size limit, two roots, no XML at all, control
 * characters, a bare attribute, an unclosed comment, or a value S3 refuses — and must get a 4xx S3 error within
 * bounded time, never a 500 or a hang, with the tree unchanged after every one. Each valid body is first sent
 * to control buckets and must succeed: the fuzzing is only as good as the bodies it breaks.
 * A failure names its seed and case: replay with FUZZ_SEED=<seed>.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateBucketCommand, CreateMultipartUploadCommand, PutObjectCommand, UploadPartCommand, type S3Client,
} from '@aws-sdk/client-s3';
import { startServer, type TestServer } from '../helpers/server.js';
import { prng, seedFrom, type Prng } from '../helpers/prng.js';
import { treeChanges, treeState, type TreeState } from '../helpers/tree-state.js';
import { run } from '../helpers/tool.js';
import { md5b64, rawRequest, type RawResponse } from './util.js';

const SEED = seedFrom('FUZZ_SEED', 190_2026);
const CASES = 320;
const CASE_TIMEOUT_MS = 15_000;
/** Past the server's limit on XML bodies (2 MiB) and on policies (20 KiB). */
const HUGE = 2 * 1024 * 1024 + 100;

/** Where one operation's requests go, per set of buckets (the fuzzed one, or the control one). */
interface Place {
  bucket: string;
  locked: string;
  uploadId: string;
  partEtag: string;
  acl: { bucket: string; object: string };
}

/** One operation that reads a body: its request, a valid body, and the values S3 refuses in it. */
interface BodyOp {
  name: string;
  method: 'PUT' | 'POST';
  path: (p: Place, n: number) => string;
  query: (p: Place) => [string, string][];
  body: (p: Place) => string;
  json?: true;
  /** Send the valid body to the control buckets first (false: it would change them for good, or lock a file). */
  control?: false;
  /** [what, replace] pairs: each turns the valid body into one S3 refuses for its content, not its form. */
  refused: [string, (body: string) => string][];
}

const tagSet = (n: number, key = (i: number) => `k${i}`, value = (i: number) => `v${i}`) =>
  `<Tagging><TagSet>${Array.from({ length: n }, (_, i) => `<Tag><Key>${key(i)}</Key><Value>${value(i)}</Value></Tag>`).join('')}</TagSet></Tagging>`;
const taggingRefused = (max: number): [string, (b: string) => string][] => [
  ['a key of 129 characters', () => tagSet(2, (i) => (i ? 'k'.repeat(129) : 'a'))],
  ['a value of 257 characters', () => tagSet(2, undefined, (i) => (i ? 'v'.repeat(257) : 'a'))],
  ['a key twice', () => tagSet(2, () => 'same')],
  ['an aws: key', () => tagSet(1, () => 'aws:reserved')],
  [`${max + 1} tags`, () => tagSet(max + 1)],
  ['a tag without a key', (b) => b.replace(/<Key>[^<]*<\/Key>/, '')],
];

const OPS: BodyOp[] = [
  {
    name: 'DeleteObjects', method: 'POST', path: (p) => `/${p.bucket}`, query: () => [['delete', '']],
    body: () => '<Delete><Object><Key>obj</Key></Object><Object><Key>obj2</Key></Object><Quiet>true</Quiet></Delete>',
    refused: [
      ['Quiet not a boolean', (b) => b.replace('<Quiet>true', '<Quiet>maybe')],
      ['1001 objects', () => `<Delete>${'<Object><Key>obj</Key></Object>'.repeat(1001)}</Delete>`],
      ['no objects', () => '<Delete><Quiet>true</Quiet></Delete>'],
      ['an object without a key', (b) => b.replace('<Key>obj</Key>', '')],
    ],
  },
  {
    name: 'CompleteMultipartUpload', method: 'POST', path: (p) => `/${p.bucket}/mp`, query: (p) => [['uploadId', p.uploadId]],
    body: (p) => `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${p.partEtag}</ETag></Part></CompleteMultipartUpload>`,
    refused: [
      ['a part number not a number', (b) => b.replace('<PartNumber>1', '<PartNumber>one')],
      ['part number 0', (b) => b.replace('<PartNumber>1', '<PartNumber>0')],
      ['part number 10001', (b) => b.replace('<PartNumber>1', '<PartNumber>10001')],
      ['a wrong ETag', (b) => b.replace(/<ETag>[^<]*/, '<ETag>"00000000000000000000000000000000"')],
      ['a part twice', (b) => b.replace('</Part>', `</Part>${/<Part>.*<\/Part>/.exec(b)![0]}`)],
      ['no parts', () => '<CompleteMultipartUpload></CompleteMultipartUpload>'],
    ],
  },
  {
    name: 'PutBucketTagging', method: 'PUT', path: (p) => `/${p.bucket}`, query: () => [['tagging', '']],
    body: () => tagSet(2), refused: taggingRefused(50),
  },
  {
    name: 'PutObjectTagging', method: 'PUT', path: (p) => `/${p.bucket}/obj`, query: () => [['tagging', '']],
    body: () => tagSet(2), refused: taggingRefused(10),
  },
  {
    name: 'PutBucketAcl', method: 'PUT', path: (p) => `/${p.bucket}`, query: () => [['acl', '']], body: (p) => p.acl.bucket,
    refused: [
      ['an unknown permission', (b) => b.replace(/<Permission>[^<]*/, '<Permission>EVERYTHING')],
      ['no owner', (b) => b.replace(/<Owner>.*?<\/Owner>/, '')],
    ],
  },
  {
    name: 'PutObjectAcl', method: 'PUT', path: (p) => `/${p.bucket}/obj`, query: () => [['acl', '']], body: (p) => p.acl.object,
    refused: [
      ['an unknown permission', (b) => b.replace(/<Permission>[^<]*/, '<Permission>EVERYTHING')],
    ],
  },
  {
    name: 'PutBucketCors', method: 'PUT', path: (p) => `/${p.bucket}`, query: () => [['cors', '']],
    body: () => '<CORSConfiguration><CORSRule><AllowedOrigin>https://example.com</AllowedOrigin><AllowedMethod>GET</AllowedMethod><MaxAgeSeconds>60</MaxAgeSeconds></CORSRule></CORSConfiguration>',
    refused: [
      ['an unknown method', (b) => b.replace('<AllowedMethod>GET', '<AllowedMethod>FETCH')],
      ['no origin', (b) => b.replace(/<AllowedOrigin>[^<]*<\/AllowedOrigin>/, '')],
      ['MaxAgeSeconds not a number', (b) => b.replace('<MaxAgeSeconds>60', '<MaxAgeSeconds>a minute')],
      ['101 rules', (b) => b.replace(/<CORSRule>.*<\/CORSRule>/, (rule) => rule.repeat(101))],
    ],
  },
  {
    name: 'PutBucketVersioning', method: 'PUT', path: (p) => `/${p.bucket}`, query: () => [['versioning', '']],
    body: () => '<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>',
    refused: [
      ['an unknown status', (b) => b.replace('Enabled', 'Maybe')],
      ['an unknown MfaDelete', (b) => b.replace('</Status>', '</Status><MfaDelete>Sometimes</MfaDelete>')],
    ],
  },
  {
    name: 'PutObjectLockConfiguration', method: 'PUT', path: (p) => `/${p.locked}`, query: () => [['object-lock', '']],
    body: () => '<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>1</Days></DefaultRetention></Rule></ObjectLockConfiguration>',
    refused: [
      ['an unknown mode', (b) => b.replace('GOVERNANCE', 'FOREVER')],
      ['0 days', (b) => b.replace('<Days>1', '<Days>0')],
      ['days not a number', (b) => b.replace('<Days>1', '<Days>one')],
      ['days and years', (b) => b.replace('</Days>', '</Days><Years>1</Years>')],
      ['ObjectLockEnabled not Enabled', (b) => b.replace('<ObjectLockEnabled>Enabled', '<ObjectLockEnabled>Disabled')],
    ],
  },
  {
    name: 'PutObjectRetention', method: 'PUT', path: (p) => `/${p.locked}/held`, query: () => [['retention', '']],
    body: () => '<Retention><Mode>GOVERNANCE</Mode><RetainUntilDate>2099-01-01T00:00:00Z</RetainUntilDate></Retention>',
    control: false,
    refused: [
      ['an unknown mode', (b) => b.replace('GOVERNANCE', 'FOREVER')],
      ['a date in the past', (b) => b.replace('2099-01-01', '2001-01-01')],
      ['a date that is none', (b) => b.replace('2099-01-01T00:00:00Z', 'tomorrow')],
      ['no mode', (b) => b.replace('<Mode>GOVERNANCE</Mode>', '')],
    ],
  },
  {
    name: 'PutObjectLegalHold', method: 'PUT', path: (p) => `/${p.locked}/held`, query: () => [['legal-hold', '']],
    body: () => '<LegalHold><Status>OFF</Status></LegalHold>',
    refused: [
      ['an unknown status', (b) => b.replace('OFF', 'MAYBE')],
      ['an empty status', (b) => b.replace('OFF', '')],
    ],
  },
  {
    name: 'PutBucketOwnershipControls', method: 'PUT', path: (p) => `/${p.bucket}`, query: () => [['ownershipControls', '']],
    body: () => '<OwnershipControls><Rule><ObjectOwnership>ObjectWriter</ObjectOwnership></Rule></OwnershipControls>',
    refused: [
      ['an unknown ownership', (b) => b.replace('ObjectWriter', 'Anyone')],
      ['no rule', () => '<OwnershipControls></OwnershipControls>'],
    ],
  },
  {
    name: 'PutPublicAccessBlock', method: 'PUT', path: (p) => `/${p.bucket}`, query: () => [['publicAccessBlock', '']],
    body: () => '<PublicAccessBlockConfiguration><BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>false</IgnorePublicAcls><BlockPublicPolicy>false</BlockPublicPolicy><RestrictPublicBuckets>false</RestrictPublicBuckets></PublicAccessBlockConfiguration>',
    refused: [
      ['a setting not a boolean', (b) => b.replace('<BlockPublicAcls>true', '<BlockPublicAcls>maybe')],
      ['a setting of 1', (b) => b.replace('<IgnorePublicAcls>false', '<IgnorePublicAcls>1')],
    ],
  },
  {
    name: 'CreateBucket', method: 'PUT', path: (p, n) => `/${p.bucket}-new-${n}`, query: () => [],
    body: () => '<CreateBucketConfiguration><LocationConstraint>us-east-1</LocationConstraint></CreateBucketConfiguration>',
    refused: [],
  },
  {
    name: 'PutBucketPolicy', method: 'PUT', path: (p) => `/${p.bucket}`, query: () => [['policy', '']], json: true,
    body: (p) => JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Sid: 'read', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${p.bucket}/public/*` }],
    }),
    refused: [
      ['an unknown effect', (b) => b.replace('"Allow"', '"Maybe"')],
      ['an unknown version', (b) => b.replace('2012-10-17', '2099-01-01')],
      ['no statement', (b) => JSON.stringify({ Version: JSON.parse(b).Version })],
      ['an unknown action', (b) => b.replace('s3:GetObject', 'nothing:Here')],
      ['a resource in another bucket', (b) => b.replace(/arn:aws:s3:::[^/]*/, 'arn:aws:s3:::someone-else')],
    ],
  },
];

const ROOTS = ['Delete', 'CompleteMultipartUpload', 'Tagging', 'AccessControlPolicy', 'CORSConfiguration', 'VersioningConfiguration',
  'ObjectLockConfiguration', 'Retention', 'LegalHold', 'OwnershipControls', 'PublicAccessBlockConfiguration', 'CreateBucketConfiguration'];

/** A generic way to break an XML body so that no reader may take it: [what, break]. */
const XML_BREAKS: [string, (b: string, r: Prng) => string][] = [
  ['cut short', (b, r) => b.slice(0, r.between(1, b.length - 1))],
  ['another root', (b, r) => {
    const root = /<([A-Za-z]+)/.exec(b)![1]!;
    const other = r.pick(ROOTS.filter((x) => x !== root));
    return b.replace(`<${root}`, `<${other}`).replace(new RegExp(`</${root}>$`), `</${other}>`);
  }],
  ['a tag closed wrongly', (b, r) => {
    const closings = [...b.matchAll(/<\/([A-Za-z]+)>/g)];
    const m = r.pick(closings);
    return b.slice(0, m.index) + `</${m[1]}z>` + b.slice(m.index! + m[0].length);
  }],
  // In text or between elements, not inside a tag: the validator takes `<` in an attribute value (XML forbids
  // it), and the gateway reads no attribute, so that one is left out.
  ['a stray <', (b, r) => {
    const ends = [...b.matchAll(/>/g)].map((m) => m.index! + 1).filter((i) => i < b.length);
    const at = r.pick(ends) + r.int(2);
    return b.slice(0, at) + r.pick(['<<', '< ', '</>', '<1']) + b.slice(at);
  }],
  ['a stray &', (b, r) => {
    const inText = [...b.matchAll(/>([^<]+)</g)];
    if (!inText.length) return b.replace('>', '>&');
    const m = r.pick(inText);
    return b.slice(0, m.index! + 1) + '&' + b.slice(m.index! + 1);
  }],
  ['a DOCTYPE with an entity', (b, r) => {
    const root = /<([A-Za-z]+)/.exec(b)![1]!;
    return `<!DOCTYPE ${root} [<!ENTITY x "${'x'.repeat(r.between(1, 1000))}"><!ENTITY y "&x;&x;&x;&x;">]>` + b.replace(/>([^<]+)</, '>&y;<');
  }],
  ['nesting 30,000 deep, unclosed', (b, r) => {
    const n = r.between(10_000, 30_000);
    return b.replace(/>([^<]*)</, `>${'<a>'.repeat(n)}${'</a>'.repeat(n - 1)}<`);
  }],
  ['past the size limit', (b) => b.replace(/>/, `><!-- ${'x'.repeat(HUGE)} -->`)],
  ['two roots', (b) => b + b],
  ['no XML', (b, r) => r.pick(['{"Status":"Enabled"}', 'Enabled', '<?xml version="1.0"?>', r.bytes(r.between(1, 64)).toString('latin1'), `</${/<([A-Za-z]+)/.exec(b)![1]}>`])],
  ['a control character', (b, r) => {
    const m = r.pick([...b.matchAll(/>([^<]+)</g)]);
    return b.slice(0, m.index! + 1) + String.fromCharCode(r.pick([0, 1, 8, 0x0b, 0x1b, 0x1f])) + b.slice(m.index! + 1);
  }],
  ['a bare attribute', (b) => b.replace(/<([A-Za-z]+)/, '<$1 a=')],
  ['an unclosed comment', (b, r) => {
    const at = b.indexOf('>') + 1;
    return b.slice(0, at) + r.pick(['<!--', '<![CDATA[', '<?x']) + b.slice(at);
  }],
  ['empty', () => ''],
];

/** The same for a JSON body (bucket policies). */
const JSON_BREAKS: [string, (b: string, r: Prng) => string][] = [
  ['cut short', (b, r) => b.slice(0, r.between(1, b.length - 1))],
  ['XML instead', () => '<Policy></Policy>'],
  ['nesting 30,000 deep, unclosed', (_, r) => `{"Version":"2012-10-17","Statement":${'['.repeat(r.between(10_000, 30_000))}`],
  ['past the size limit', (b) => b.replace('{', `{"Id":"${'x'.repeat(21 * 1024)}",`)],
  ['no JSON', (_, r) => r.pick(['null', '[]', '"policy"', '42', r.bytes(r.between(1, 64)).toString('latin1')])],
  ['empty', () => ''],
];

describe('fuzzed XML and JSON request bodies', () => {
  let dir: string;
  let ts: TestServer;
  let s3: S3Client;
  const places: Record<'fuzz' | 'ctl', Place> = {} as Record<'fuzz' | 'ctl', Place>;
  let state: TreeState;
  // The controls' buckets take the valid bodies; heartbeats of the staging sweep change on their own.
  const skip = (rel: string) => rel.startsWith('ctl') || rel.endsWith('.dirbucket/alive');

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dirbucket-fuzz-xml-'));
    ts = await startServer({ root: dir });
    s3 = ts.client();
    for (const name of ['fuzz', 'ctl'] as const) {
      await s3.send(new CreateBucketCommand({ Bucket: name }));
      await s3.send(new CreateBucketCommand({ Bucket: `${name}-locked`, ObjectLockEnabledForBucket: true }));
      await s3.send(new PutObjectCommand({ Bucket: name, Key: 'obj', Body: 'an object' }));
      await s3.send(new PutObjectCommand({ Bucket: name, Key: 'obj2', Body: 'another object' }));
      await s3.send(new PutObjectCommand({ Bucket: `${name}-locked`, Key: 'held', Body: 'a locked object' }));
      const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: name, Key: 'mp' }));
      const part = await s3.send(new UploadPartCommand({ Bucket: name, Key: 'mp', UploadId, PartNumber: 1, Body: 'one part' }));
      const acl = async (path: string) => (await request(ts, { method: 'GET', path, query: [['acl', '']] })).text;
      places[name] = {
        bucket: name, locked: `${name}-locked`, uploadId: UploadId!, partEtag: part.ETag!,
        acl: { bucket: await acl(`/${name}`), object: await acl(`/${name}/obj`) },
      };
    }
    // The controls first: every valid body, as sent, is accepted (DeleteObjects last: it removes what others address).
    for (const op of [...OPS.filter((o) => o.name !== 'DeleteObjects'), ...OPS.filter((o) => o.name === 'DeleteObjects')]) {
      if (op.control === false) continue;
      const res = await send(ts, op, places.ctl, 0, op.body(places.ctl));
      assert.ok(res.status >= 200 && res.status < 300, `control ${op.name}: the valid body is refused: ${res.status} ${res.text.slice(0, 300)}`);
    }
    state = await treeState(dir, skip);
  });
  after(async () => {
    await ts?.stop();
    // Should a broken retention or legal hold ever be taken, its file is immutable: clear it, or rm fails.
    if (dir) await run('chattr', ['-R', '-i', dir], { timeoutMs: 30_000 }).catch(() => undefined);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it(`${CASES} broken bodies over ${OPS.length} operations: each a 4xx S3 error, none a 500 or a hang, nothing changed (seed ${SEED})`, async (t) => {
    const r = prng(SEED);
    const seen = new Map<string, number>();
    for (let n = 0; n < CASES; n++) {
      const op = OPS[n % OPS.length]!;
      const valid = op.body(places.fuzz);
      const breaks = op.json ? JSON_BREAKS : XML_BREAKS;
      // A quarter of the cases send a value S3 refuses, in a well-formed body; the rest break the form.
      const [what, body] = op.refused.length && r.chance(0.25)
        ? ((x) => [`refused: ${x[0]}`, x[1](valid)] as const)(r.pick(op.refused))
        : ((x) => [x[0], x[1](valid, r)] as const)(r.pick(breaks.filter(([w]) => !(op.name === 'CreateBucket' && w === 'empty'))));
      const label = `seed ${SEED}, case ${n}: ${op.name}, ${what} (${body.length} B)`;
      const res = await send(ts, op, places.fuzz, n, body).catch((e: Error) => assert.fail(`${label}: no answer: ${e.message}`));
      const code = /<Code>([^<]*)<\/Code>/.exec(res.text)?.[1];
      assert.ok(res.status >= 400 && res.status < 500 && code, `${label}: answered ${res.status} ${code ?? ''}: ${res.text.slice(0, 300)}\nbody: ${body.slice(0, 300)}`);
      seen.set(`${res.status} ${code}`, (seen.get(`${res.status} ${code}`) ?? 0) + 1);
      assert.deepEqual(treeChanges(state, await treeState(dir, skip)), [], `${label}: answered ${res.status} ${code}, and the tree changed`);
    }
    const health = await request(ts, { method: 'GET', path: '/fuzz/obj' });
    assert.equal(health.text, 'an object', 'the server still serves, and the object is as it was');
    t.diagnostic(`seed ${SEED}: ${CASES} cases; answers: ${[...seen].map(([k, v]) => `${k} ×${v}`).join(', ')}`);
  });
});

/** Sends `body` as operation `op` at place `p`, with a Content-MD5 of the body as sent (some operations need one). */
function send(ts: TestServer, op: BodyOp, p: Place, n: number, body: string): Promise<RawResponse> {
  // Every body here is ASCII or bytes held one to a character: latin1 sends them as they are.
  const buf = Buffer.from(body, 'latin1');
  return request(ts, {
    method: op.method, path: op.path(p, n), query: op.query(p), body: buf,
    headers: { 'content-md5': md5b64(buf), 'content-type': op.json ? 'application/json' : 'application/xml' },
  });
}

function request(ts: TestServer, o: { method: string; path: string; query?: [string, string][]; body?: Buffer; headers?: Record<string, string> }): Promise<RawResponse> {
  return rawRequest(ts, { ...o, timeoutMs: CASE_TIMEOUT_MS });
}
