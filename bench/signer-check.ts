/** Proves the SigV4 signer the bench shares with the tests (test/helpers/sigv4.ts) against the AWS SDK's before any figure depends on it. */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { canonicalQuery, sha256Hex, type Credentials } from '../test/helpers/sigv4.js';
import { objectPath, signedHeaders, type SignInput } from './s3-client.js';

/** The Checksum shape smithy asks for (SHA-256, or HMAC-SHA-256 when given a secret), on node:crypto. */
class NodeSha256 {
  readonly #h: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.#h = secret === undefined ? createHash('sha256') : createHmac('sha256', toKey(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.#h.update(toKey(data));
  }
  async digest(): Promise<Uint8Array> {
    return this.#h.digest();
  }
  reset(): void {
    throw new Error('not used by the signer');
  }
}

function toKey(data: string | ArrayBuffer | ArrayBufferView): string | Buffer {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * Signs the same requests (a signed-payload PUT with odd key characters, and a listing with a continuation
 * token) with both signers and throws if any Authorization header differs.
 */
export async function checkSignerAgainstSdk(credentials: Credentials): Promise<void> {
  const sdk = new SignatureV4({ credentials, region: 'us-east-1', service: 's3', sha256: NodeSha256, uriEscapePath: false });
  const date = new Date('2025-01-02T03:04:05Z');
  const body = Buffer.from('hello bench');
  const cases: SignInput[] = [
    { method: 'PUT', path: objectPath('bucket', "dir/a b+(c)*'!~.txt"), query: undefined, payloadHash: sha256Hex(body),
      headers: { host: '127.0.0.1:9000', 'content-length': String(body.length), 'content-type': 'text/plain' } },
    { method: 'GET', path: objectPath('bucket'), payloadHash: 'UNSIGNED-PAYLOAD',
      query: { 'list-type': '2', 'max-keys': '1000', 'continuation-token': 'a/b+c=d==' },
      headers: { host: '127.0.0.1:9000' } },
  ];
  for (const c of cases) {
    const mine = signedHeaders(credentials, { ...c, date });
    const theirs = await sdk.sign(
      {
        method: c.method, protocol: 'http:', hostname: '127.0.0.1', port: 9000, path: c.path,
        query: c.query ?? {}, headers: { ...c.headers, 'x-amz-content-sha256': c.payloadHash },
      },
      { signingDate: date },
    );
    if (!theirs.headers['authorization'] || mine['authorization'] !== theirs.headers['authorization']) {
      throw new Error(
        `the SigV4 signer of test/helpers/sigv4.ts disagrees with @smithy/signature-v4 for ${c.method} ${c.path}?${canonicalQuery(c.query)}:\n` +
          `  ours: ${mine['authorization']}\n  sdk:  ${theirs.headers['authorization']}`,
      );
    }
  }
}
