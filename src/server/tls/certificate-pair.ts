/** Reads a certificate file and its key file, and checks them as start-up and reloads need: readable, PEM, matching, not expired. */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { TlsPair } from '../../config/tls-pairs.js';
import { describeCertificate, type CertificateInfo } from './certificate-info.js';

/** A pair read and checked. */
export interface LoadedPair {
  files: TlsPair;
  cert: Buffer;
  key: Buffer;
  info: CertificateInfo;
}

/** A certificate or key that cannot be served; the message names the file and the problem. */
export class CertificateError extends Error {
  override name = 'CertificateError';
}

const READ_PROBLEMS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory, not a file',
};

async function read(what: string, file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    throw new CertificateError(`${what} ${file}: cannot read it: ${READ_PROBLEMS[code] ?? code ?? String(e)}`);
  }
}

/** Reads and checks `files` as of `now`; throws a CertificateError naming the file at fault. */
export async function loadPair(files: TlsPair, now = Date.now()): Promise<LoadedPair> {
  const [cert, key] = await Promise.all([read('certificate', files.cert), read('private key', files.key)]);
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (e) {
    throw new CertificateError(`certificate ${files.cert}: not a PEM certificate (${(e as Error).message})`);
  }
  let keyObject;
  try {
    keyObject = createPrivateKey(key);
  } catch (e) {
    throw new CertificateError(`private key ${files.key}: not a PEM private key (${(e as Error).message})`);
  }
  if (!x509.checkPrivateKey(keyObject)) {
    throw new CertificateError(`private key ${files.key}: does not match certificate ${files.cert}`);
  }
  const info = describeCertificate(files.cert, x509, now);
  if (new Date(info.notAfter).getTime() <= now) throw new CertificateError(`certificate ${files.cert}: expired on ${info.notAfter}`);
  if (new Date(info.notBefore).getTime() > now) throw new CertificateError(`certificate ${files.cert}: not valid before ${info.notBefore}`);
  return { files, cert, key, info };
}
